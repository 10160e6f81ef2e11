"""Purchase frequency: orders per customer, buckets, days between purchases, time to second order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import pandas as pd

from custlens import schema
from custlens.behaviour._common import orders_as_of, orders_before
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store

__all__ = ["BUCKETS", "FrequencyResult", "purchase_frequency"]

#: Frequency buckets: key and inclusive order-count range (upper None = no limit).
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("one_time", 1, 1),
    ("2_3", 2, 3),
    ("4_9", 4, 9),
    ("10_plus", 10, None),
)
#: Edges (days) of the histogram of days between purchase days.
GAP_EDGES: tuple[int, ...] = (0, 7, 14, 30, 60, 90, 180, 365)


@dataclass
class FrequencyResult(Result):
    """How often customers buy.

    Attributes
    ----------
    distribution : DataFrame
        ``orders, customers, share, revenue`` (one row per observed order count).
    buckets : DataFrame
        ``bucket`` (key ``behaviour.bucket.<key>``), ``customers, share, revenue, revenue_share``.
    gaps : DataFrame
        Histogram of days between consecutive purchase days: ``gap_band`` (e.g. ``"7-13"``), ``gaps, share``.
    gap_summary : dict
        ``count, mean, median, p25, p75, p90`` of the days between consecutive purchase days.
    time_to_second : dict
        ``customers, mean, median, p25, p75`` of days from the first to the second purchase day.
    repeat_rate : float
        Share of customers with at least two orders.
    n_customers : int
        Customers with at least one order before ``as_of``.
    as_of : Timestamp
    """

    distribution: pd.DataFrame
    buckets: pd.DataFrame
    gaps: pd.DataFrame
    gap_summary: dict[str, float]
    time_to_second: dict[str, float]
    repeat_rate: float
    n_customers: int
    as_of: pd.Timestamp

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "as_of": str(self.as_of.date()),
            "n_customers": self.n_customers,
            "repeat_rate": self.repeat_rate,
            "buckets": self.buckets.to_dict("records"),
            "distribution": self.distribution.to_dict("records"),
            "gap_summary": self.gap_summary,
            "time_to_second": self.time_to_second,
            "gaps": self.gaps.to_dict("records"),
        }


def _bucket(n: int) -> str:
    for key, lo, hi in BUCKETS:
        if n >= lo and (hi is None or n <= hi):
            return key
    raise ValueError(n)  # pragma: no cover


def purchase_frequency(store: Store, *, as_of: AsOf = None) -> FrequencyResult:
    """Orders per customer, frequency buckets, gaps between purchases and time to the second order.

    Parameters
    ----------
    store : Store
        Needs the ``orders`` table.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).

    Returns
    -------
    FrequencyResult

    Notes
    -----
    Orders are counted per order row. Gaps and the time to the second order are measured
    between distinct purchase *days* (several orders on one day are one purchase occasion),
    as in the customer table. Buckets: one-time (1 order), 2–3, 4–9 and 10+.
    """
    as_of = orders_as_of(store, as_of, "purchase frequency")
    o = orders_before(store, as_of)
    c = o.group_by(schema.CUSTOMER_ID).aggregate(n=o.count(), rev=o[schema.AMOUNT].sum())
    dist = store.execute(c.group_by(orders=c.n).aggregate(customers=c.count(), revenue=c.rev.sum()).order_by("orders"))
    dist["orders"] = dist["orders"].astype("int64")
    dist["customers"] = dist["customers"].astype("int64")
    n_customers = int(dist["customers"].sum())
    dist["share"] = dist["customers"] / max(n_customers, 1)
    dist = dist[["orders", "customers", "share", "revenue"]]

    b = dist.assign(bucket=[_bucket(int(n)) for n in dist["orders"]]).groupby("bucket")[["customers", "revenue"]].sum()
    b = b.reindex([k for k, _, _ in BUCKETS], fill_value=0).reset_index()
    b["customers"] = b["customers"].astype("int64")
    b["share"] = b["customers"] / max(n_customers, 1)
    total_rev = float(b["revenue"].sum())
    b["revenue_share"] = b["revenue"] / total_rev if total_rev else 0.0
    buckets = b[["bucket", "customers", "share", "revenue", "revenue_share"]]

    # Days between consecutive distinct purchase days per customer; k = 1 marks the first gap.
    d = o.select(schema.CUSTOMER_ID, day=o[schema.ORDERED_AT].date()).distinct()
    w = ibis.window(group_by=schema.CUSTOMER_ID, order_by="day")
    g = d.mutate(prev=d.day.lag().over(w), k=ibis.row_number().over(w))
    g = g.mutate(gap=g.day.delta(g.prev, unit="day")).filter(lambda t: t.gap.notnull()).select("k", "gap")
    # The window over every distinct purchase day is the expensive part (10M orders: most of this
    # function); it is computed once into a temporary table that the three aggregates below read.
    with g.cache() as g:
        gap_summary, time_to_second, gaps = _gap_stats(store, g)
    repeat = int(dist.loc[dist["orders"] >= 2, "customers"].sum())
    return FrequencyResult(
        distribution=dist.reset_index(drop=True),
        buckets=buckets,
        gaps=gaps,
        gap_summary=gap_summary,
        time_to_second=time_to_second,
        repeat_rate=repeat / n_customers if n_customers else float("nan"),
        n_customers=n_customers,
        as_of=as_of,
    )


def _gap_stats(store: Store, g: ibis.Table) -> tuple[dict[str, float], dict[str, float], pd.DataFrame]:
    """Summary of all gaps, of the first gaps (``k == 1``: time to the second purchase day), and
    the histogram of the gaps in `GAP_EDGES` bands."""
    second = g.k == 1
    summ = store.execute(g.aggregate(
        count=g.gap.count(), mean=g.gap.mean(), median=g.gap.median(),
        p25=g.gap.quantile(0.25), p75=g.gap.quantile(0.75), p90=g.gap.quantile(0.9))).iloc[0]
    # A filtered table, not quantile(where=...): Spark needs a constant quantile argument and
    # Ibis compiles the `where` into it.
    s2 = g.filter(second)
    summ = pd.concat([summ, store.execute(s2.aggregate(
        second_customers=s2.gap.count(), second_mean=s2.gap.mean(), second_median=s2.gap.median(),
        second_p25=s2.gap.quantile(0.25), second_p75=s2.gap.quantile(0.75))).iloc[0]])
    gap_summary = {k: _num(summ[k]) for k in ("count", "mean", "median", "p25", "p75", "p90")}
    time_to_second = {k: _num(summ[f"second_{k}"]) for k in ("customers", "mean", "median", "p25", "p75")}

    edges = list(GAP_EDGES)
    band = ibis.cases(*[(g.gap < hi, i) for i, hi in enumerate(edges[1:])], else_=len(edges) - 1)
    hist = store.execute(g.group_by(band=band).aggregate(gaps=g.count()))
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:])] + [f"{edges[-1]}+"]
    counts = hist.set_index("band")["gaps"].reindex(range(len(labels)), fill_value=0).astype("int64")
    gaps = pd.DataFrame({"gap_band": labels, "gaps": counts.to_numpy()})
    gaps["share"] = gaps["gaps"] / max(int(gaps["gaps"].sum()), 1)
    return gap_summary, time_to_second, gaps


def _num(v: Any) -> float:
    return float("nan") if v is None or pd.isna(v) else float(v)
