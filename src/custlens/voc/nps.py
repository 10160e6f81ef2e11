"""Net Promoter Score with its confidence interval, by segment and period, drivers, and behaviour after."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np
import pandas as pd
from scipy import stats

from custlens.errors import InputError, MissingDataError
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store
from custlens.voc import _data
from custlens.voc.drivers import driver_table

__all__ = ["NPSResult", "nps_ci", "nps_analysis", "nps_behaviour"]

GROUPS = ("promoter", "passive", "detractor")


def nps_ci(scores: pd.Series | np.ndarray | list[float], confidence: float = 0.95) -> dict[str, float]:
    """NPS (−100..100) with a normal-approximation interval from the trinomial variance.

    With shares ``p_P`` (9–10) and ``p_D`` (0–6) of ``n`` answers,
    ``Var(p_P − p_D) = (p_P + p_D − (p_P − p_D)²) / n``; the interval is
    ``100 (p_P − p_D ± z sqrt(Var))``, clipped to [−100, 100].

    Returns
    -------
    dict
        ``nps, ci_low, ci_high, se, responses, promoters, passives, detractors``.
    """
    if not 0 < confidence < 1:
        raise InputError(f"confidence={confidence!r} should be between 0 and 1")
    s = pd.to_numeric(pd.Series(scores, dtype="float64"), errors="coerce").dropna()
    bad = s[(s < 0) | (s > 10)]
    if len(bad):
        raise InputError(f"NPS scores must be 0-10; got {bad.iloc[0]:g} (and {len(bad) - 1} more)")
    n = len(s)
    pro, det = int((s >= 9).sum()), int((s <= 6).sum())
    out = {"responses": n, "promoters": pro, "passives": n - pro - det, "detractors": det}
    if n == 0:
        return {"nps": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"), "se": float("nan"), **out}
    pp, pd_ = pro / n, det / n
    se = float(np.sqrt(max(pp + pd_ - (pp - pd_) ** 2, 0.0) / n))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    d = pp - pd_
    return {"nps": 100 * d, "ci_low": max(-100.0, 100 * (d - z * se)), "ci_high": min(100.0, 100 * (d + z * se)),
            "se": 100 * se, **out}


def _group_of(score: pd.Series) -> pd.Series:
    return pd.Series(np.where(score >= 9, "promoter", np.where(score >= 7, "passive", "detractor")), index=score.index)


def nps_behaviour(store: Store, answers: pd.DataFrame, cut: pd.Timestamp, window_days: int = 180) -> pd.DataFrame:
    """Orders and spend in the ``window_days`` after each customer's last eligible answer, by NPS group.

    Only answers at least ``window_days`` before ``cut`` count (the whole window is observed);
    "lapsed" means no order in the window. Detractors are compared with promoters with a
    two-proportion z-test (lapsed share) and a Mann–Whitney test (spend).

    Returns
    -------
    DataFrame
        ``group, customers, orders_after, spend_after, lapsed_share``; ``attrs`` holds
        ``p_lapsed`` and ``p_spend`` (detractors vs promoters) and ``window_days``.
    """
    eligible = answers[answers["answered_at"] < cut - pd.Timedelta(days=window_days)].dropna(subset=["nps"])
    last = eligible.sort_values("answered_at").groupby("customer_id").tail(1)[["customer_id", "answered_at", "nps"]]
    if last.empty or not store.has("orders"):
        return pd.DataFrame(columns=["group", "customers", "orders_after", "spend_after", "lapsed_share"])
    lt = ibis.memtable(last[["customer_id", "answered_at"]])
    o = store.table("orders")
    j = lt.left_join(o, [lt.customer_id == o.customer_id, o.ordered_at > lt.answered_at,
                         o.ordered_at < lt.answered_at + ibis.interval(days=int(window_days))])
    after = store.execute(j.group_by(customer_id=lt.customer_id).aggregate(
        orders_after=o.order_id.count(), spend_after=o.amount.sum().fill_null(0)))
    d = last.merge(after, on="customer_id")
    d["group"] = _group_of(d["nps"])
    d["lapsed"] = d["orders_after"] == 0
    out = (d.groupby("group").agg(customers=("customer_id", "size"), orders_after=("orders_after", "mean"),
                                  spend_after=("spend_after", "mean"), lapsed_share=("lapsed", "mean"))
           .reindex(list(GROUPS)).dropna(how="all").reset_index())
    pro, det = d[d["group"] == "promoter"], d[d["group"] == "detractor"]
    p_lapsed = p_spend = float("nan")
    if len(pro) >= 5 and len(det) >= 5:
        x = np.array([det["lapsed"].sum(), pro["lapsed"].sum()])
        n = np.array([len(det), len(pro)])
        pooled = x.sum() / n.sum()
        se = np.sqrt(pooled * (1 - pooled) * (1 / n[0] + 1 / n[1]))
        p_lapsed = float(2 * stats.norm.sf(abs((x[0] / n[0] - x[1] / n[1]) / se))) if se > 0 else float("nan")
        p_spend = float(stats.mannwhitneyu(det["spend_after"], pro["spend_after"]).pvalue)
    out.attrs.update({"p_lapsed": p_lapsed, "p_spend": p_spend, "window_days": window_days})
    return out


@dataclass
class NPSResult(Result):
    """NPS figures (see `nps_analysis`)."""

    overall: dict[str, float]
    by_segment: pd.DataFrame
    by_period: pd.DataFrame
    drivers: pd.DataFrame | None
    behaviour: pd.DataFrame
    as_of: pd.Timestamp
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        def rec(df: pd.DataFrame | None) -> Any:
            return None if df is None else df.replace({np.nan: None}).to_dict("records")

        return {"as_of": str(self.as_of.date()), **self.overall, "by_segment": rec(self.by_segment),
                "by_period": rec(self.by_period), "drivers": rec(self.drivers),
                "behaviour": {"window_days": self.behaviour.attrs.get("window_days"),
                              "p_lapsed_detractor_vs_promoter": self.behaviour.attrs.get("p_lapsed"),
                              "p_spend_detractor_vs_promoter": self.behaviour.attrs.get("p_spend"),
                              "groups": rec(self.behaviour)}, "notes": self.notes}


def _by(frame: pd.DataFrame, col: str) -> pd.DataFrame:
    rows = [{col: k, **nps_ci(g["nps"])} for k, g in frame.groupby(col, sort=True)]
    return pd.DataFrame(rows, columns=[col, "nps", "ci_low", "ci_high", "se", "responses", "promoters", "passives",
                                       "detractors"])


def nps_analysis(store: Store, *, as_of: AsOf = None, period: str = "quarter", window_days: int = 180,
                 customers: pd.DataFrame | None = None) -> NPSResult:
    """NPS overall, by RFM segment and by period, its drivers, and behaviour after answering.

    Parameters
    ----------
    store : Store
        Needs ``surveys`` with ``nps``; ``score_*`` columns add drivers; orders add segments
        and the behaviour link.
    as_of : date-like, optional
        Only answers (and orders) before this date.
    period : {"quarter", "month", "year"}
    window_days : int, default 180
        Window after an answer in which purchases are counted.
    customers : pandas.DataFrame, optional
        The customer table as of the same ``as_of``, when the caller has it (the report does).
    """
    answers, cut = _data.load(store, "surveys", as_of, "the NPS analysis")
    if "nps" not in answers or answers["nps"].notna().sum() == 0:
        raise MissingDataError("the NPS analysis needs the surveys column 'nps' (0-10); it has no values")
    answers = answers[answers["nps"].notna()].copy()
    answers["period"] = _data.periods(answers["answered_at"], period)
    from custlens.voc.satisfaction import _segments

    seg, _ = _segments(store, cut, customers)
    answers = answers.merge(seg, on="customer_id", how="left")
    cols = _data.score_columns(answers)
    notes: list[str] = []
    drivers = None
    if cols and len(answers) >= len(cols) + 2:
        frame = answers[["nps", *cols]].rename(columns=_data.attribute)
        drivers = driver_table(frame, "nps", [_data.attribute(c) for c in cols])
    behaviour = nps_behaviour(store, answers, cut, window_days)
    if behaviour.empty:
        notes.append(f"no survey answer is {window_days} days before {cut.date()}; the behaviour link needs them")
    return NPSResult(nps_ci(answers["nps"]), _by(answers.dropna(subset=["segment"]), "segment"),
                     _by(answers, "period"), drivers, behaviour, cut, notes)
