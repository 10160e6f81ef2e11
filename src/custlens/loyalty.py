"""Loyalty: repeat-purchase rate, retention rate, NPS and a loyalty index with stated weights."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import pandas as pd

from custlens import schema
from custlens.behaviour._common import before, has_column, orders_as_of, orders_before, ts
from custlens.errors import InputError
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store

if TYPE_CHECKING:  # pragma: no cover
    from custlens.features.purchase_days import CustomerBuild

__all__ = ["DEFAULT_WEIGHTS", "LoyaltyResult", "loyalty", "net_promoter_score"]

#: Weights of the loyalty index components (renormalised over the components available).
DEFAULT_WEIGHTS: Mapping[str, float] = {"repeat_rate": 0.3, "retention_rate": 0.4, "nps": 0.3}


@dataclass
class LoyaltyResult(Result):
    """Loyalty figures.

    Attributes
    ----------
    repeat_rate : float
        Share of customers with at least two orders before ``as_of``.
    retention_rate : float
        Share of the customers who ordered in the window ``[as_of - 2w, as_of - w)`` who
        ordered again in ``[as_of - w, as_of)`` (``w = window_days``); NaN when the data is
        shorter than two windows.
    retained, base : int
        Numerator and denominator of ``retention_rate``.
    nps : float or None
        Net Promoter Score (% promoters − % detractors, −100..100); None without survey scores.
    nps_counts : dict
        ``responses, promoters, passives, detractors``.
    index : float
        Loyalty index 0–100: weighted mean of ``repeat_rate``, ``retention_rate`` and
        ``(nps + 100) / 200`` with `weights` (renormalised when NPS is missing), times 100.
    components : DataFrame
        ``component, value, scaled, weight, contribution`` (contributions add up to ``index``).
    """

    repeat_rate: float
    retention_rate: float
    retained: int
    base: int
    nps: float | None
    nps_counts: dict[str, int]
    index: float
    components: pd.DataFrame
    window_days: int
    as_of: pd.Timestamp
    weights: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {"as_of": str(self.as_of.date()), "repeat_rate": self.repeat_rate,
                "retention_rate": self.retention_rate, "retained": self.retained, "base": self.base,
                "window_days": self.window_days, "nps": self.nps, "nps_counts": self.nps_counts,
                "loyalty_index": self.index, "weights": self.weights,
                "components": self.components.to_dict("records")}


def net_promoter_score(scores: pd.Series | list[float]) -> tuple[float | None, dict[str, int]]:
    """NPS of 0–10 scores: % of 9–10 minus % of 0–6 (None for no scores)."""
    s = pd.to_numeric(pd.Series(scores, dtype="float64"), errors="coerce").dropna()
    counts = {"responses": int(len(s)), "promoters": int((s >= 9).sum()),
              "passives": int(((s >= 7) & (s < 9)).sum()), "detractors": int((s <= 6).sum())}
    if not len(s):
        return None, counts
    return 100.0 * (counts["promoters"] - counts["detractors"]) / len(s), counts


def loyalty(
    store: Store, *, as_of: AsOf = None, window_days: int = 365, weights: Mapping[str, float] | None = None,
    customers: CustomerBuild | None = None,
) -> LoyaltyResult:
    """Repeat-purchase rate, retention rate, NPS and the loyalty index.

    Parameters
    ----------
    store : Store
        Needs ``orders``; ``surveys`` with ``nps`` scores adds the NPS.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).
    window_days : int, default 365
        Length of the two windows of the retention rate.
    weights : mapping, optional
        Weights of ``repeat_rate``, ``retention_rate`` and ``nps`` (default 0.3, 0.4, 0.3).
    customers : CustomerBuild, optional
        The customer table and purchase days of the same ``as_of``
        (`custlens.features.purchase_days.build_customer_table`, e.g. the report's
        ``ctx.customer_build()``): the repeat and retention figures are then read from them, with
        no pass over the orders (same numbers).

    Returns
    -------
    LoyaltyResult

    Notes
    -----
    NPS uses every survey answer before ``as_of`` with a score (0–10): promoters 9–10,
    passives 7–8, detractors 0–6 (Reichheld 2003). The index rescales NPS to 0–1 as
    ``(nps + 100) / 200``.
    """
    weights = dict(weights or DEFAULT_WEIGHTS)
    if set(weights) - set(DEFAULT_WEIGHTS) or any(w < 0 for w in weights.values()):
        raise InputError(f"weights={weights!r}: use non-negative weights of {', '.join(DEFAULT_WEIGHTS)}")
    if window_days < 1:
        raise InputError(f"window_days={window_days!r} should be >= 1")
    as_of = orders_as_of(store, as_of, "loyalty")
    w1 = ts(as_of - pd.Timedelta(days=window_days))
    w0 = ts(as_of - pd.Timedelta(days=2 * window_days))
    if customers is None:
        o = orders_before(store, as_of)
        at = o[schema.ORDERED_AT]
        # One pass over the orders: the first order's date rides along with the per-customer flags.
        c = o.group_by(schema.CUSTOMER_ID).aggregate(n=o.count(), prev=((at >= w0) & (at < w1)).any(),
                                                     cur=(at >= w1).any(), first=at.min())
        row = store.execute(c.aggregate(customers=c.count(), repeaters=c.count(where=c.n >= 2),
                                        base=c.count(where=c.prev), retained=c.count(where=c.prev & c.cur),
                                        first=c.first.min())).iloc[0]
    else:
        row = _counts_from_days(customers, as_of, w0, w1)
    first_at = row["first"]
    customers = int(row["customers"])
    repeat_rate = int(row["repeaters"]) / customers if customers else float("nan")
    base, retained = int(row["base"]), int(row["retained"])
    covered = pd.Timestamp(first_at) <= pd.Timestamp(w0)
    retention = retained / base if base and covered else float("nan")
    nps, counts = None, {"responses": 0, "promoters": 0, "passives": 0, "detractors": 0}
    if has_column(store, "surveys", "nps"):
        sv = before(store, "surveys", "answered_at", as_of)
        scores = store.execute(sv.filter(sv.nps.notnull()).select("nps"))["nps"]
        nps, counts = net_promoter_score(scores)
    values = {"repeat_rate": repeat_rate, "retention_rate": retention, "nps": nps}
    scaled = {"repeat_rate": repeat_rate, "retention_rate": retention,
              "nps": None if nps is None else (nps + 100.0) / 200.0}
    avail = {k: w for k, w in weights.items() if scaled.get(k) is not None and pd.notna(scaled[k])}
    total_w = sum(avail.values())
    rows = []
    for k in DEFAULT_WEIGHTS:
        w = avail.get(k, 0.0) / total_w if total_w else 0.0
        s = scaled[k]
        rows.append({"component": k, "value": values[k], "scaled": s, "weight": w,
                     "contribution": 100.0 * w * s if k in avail else 0.0})
    comp = pd.DataFrame(rows)
    index = float(comp["contribution"].sum()) if total_w else float("nan")
    return LoyaltyResult(repeat_rate=repeat_rate, retention_rate=retention, retained=retained, base=base,
                         nps=nps, nps_counts=counts, index=index, components=comp, window_days=window_days,
                         as_of=as_of, weights={k: float(v) for k, v in weights.items()})


def _counts_from_days(build: CustomerBuild, as_of: pd.Timestamp, w0: Any, w1: Any) -> dict[str, Any]:
    """The per-customer flags of `loyalty`'s order query, counted from the customer table's
    purchase days: the windows start at midnight, so "an order in ``[w0, w1)``" is "a purchase day
    in ``[day(w0), day(w1))``"."""
    from custlens.features import columns as cols
    from custlens.features.customer_table import _epoch_day

    days = build.days
    if pd.Timestamp(days.as_of) != as_of:
        raise InputError(f"customers: the customer table is as of {pd.Timestamp(days.as_of).date()}, the loyalty "
                         f"as of {as_of.date()}; build it with the same as_of")
    frame = build.frame
    n = len(frame)
    lo, hi = _epoch_day(pd.Timestamp(w0)), _epoch_day(pd.Timestamp(w1))
    starts = days.start[:-1]
    prev = (np.add.reduceat((days.day >= lo) & (days.day < hi), starts, dtype=np.int64) > 0) if n \
        else np.zeros(0, bool)
    cur = days.day[days.start[1:] - 1] >= hi if n else np.zeros(0, bool)  # the last purchase day
    first = frame[cols.FIRST_ORDER_AT].min() if n else None
    return {"customers": n, "repeaters": int((frame[cols.ORDERS].to_numpy() >= 2).sum()),
            "base": int(prev.sum()), "retained": int((prev & cur).sum()), "first": first}
