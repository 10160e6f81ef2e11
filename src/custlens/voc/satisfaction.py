"""The customer satisfaction index (CSI): attribute scores, dimensions, weights, 0–100, grades."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from custlens.errors import InputError, MissingDataError
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store
from custlens.voc import _data
from custlens.voc.ahp import AHPResult
from custlens.voc.drivers import driver_table

__all__ = ["DEFAULT_DIMENSIONS", "DEFAULT_GRADES", "SatisfactionResult", "grade_of", "mean_ci",
           "satisfaction_index", "to_index"]

#: Attribute -> dimension of the index system (seed 5.2); unknown attributes form their own dimension.
DEFAULT_DIMENSIONS: Mapping[str, str] = {
    "quality": "product", "product": "product", "price": "price", "value": "price",
    "delivery": "logistics", "logistics": "logistics", "packaging": "logistics",
    "service": "service", "attitude": "service", "efficiency": "service", "result": "service",
}
#: Evaluation standard: lower bounds of the 0–100 index per grade. The default cuts the 1–5
#: scale into five equal bands (1.8, 2.6, 3.4, 4.2 -> 20, 40, 60, 80), best first.
DEFAULT_GRADES: tuple[tuple[float, str], ...] = (
    (80.0, "very_satisfied"), (60.0, "satisfied"), (40.0, "neutral"), (20.0, "dissatisfied"),
    (0.0, "very_dissatisfied"),
)
OVERALL = "csat"


def grade_of(index: float, grades: Sequence[tuple[float, str]] = DEFAULT_GRADES) -> str | None:
    """The grade key of a 0–100 index under ``grades`` (``(lower_bound, key)`` best first)."""
    if index is None or not np.isfinite(index):
        return None
    for bound, key in grades:
        if index >= bound:
            return key
    return grades[-1][1]


def _scale(values: pd.Series, column: str) -> tuple[float, float]:
    v = values.dropna()
    lo, hi = float(v.min()), float(v.max())
    if lo >= 1 and hi <= 5:
        return 1.0, 5.0
    if lo >= 1 and hi <= 7:
        return 1.0, 7.0
    if lo >= 0 and hi <= 10:
        return 0.0, 10.0
    raise InputError(f"column {column!r}: scores from {lo:g} to {hi:g} fit no 1-5, 1-7 or 0-10 scale; "
                     "rescale the column or pass scale=(low, high)")


def to_index(values: pd.Series, scale: tuple[float, float]) -> pd.Series:
    """Scores on ``scale`` mapped linearly to 0–100."""
    lo, hi = scale
    return (pd.to_numeric(values, errors="coerce") - lo) / (hi - lo) * 100.0


def mean_ci(values: pd.Series | np.ndarray, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """Mean with a Student-t interval: ``(mean, low, high, n)`` (NaN bounds for n < 2)."""
    v = pd.Series(values, dtype=float).dropna().to_numpy()
    n = len(v)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    m = float(v.mean())
    if n < 2:
        return m, float("nan"), float("nan"), n
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * v.std(ddof=1) / np.sqrt(n))
    return m, m - half, m + half, n


@dataclass
class SatisfactionResult(Result):
    """The satisfaction index and its breakdowns.

    Attributes
    ----------
    index, ci_low, ci_high : float
        Overall index (0–100, mean over answers) and its 95% t-interval.
    grade : str or None
        Key ``voc.grade.<grade>`` under `grades`.
    attributes : DataFrame
        ``attribute, dimension, mean, index, weight, answers`` (weights sum to 1).
    dimensions : DataFrame
        ``dimension, index, weight`` (weight = sum of its attributes' weights).
    by_customer, by_segment, by_channel, by_period : DataFrame
        ``index, ci_low, ci_high, answers, grade`` per group; ``by_period`` adds
        ``change, p_value, significant`` (Welch t-test against the previous period).
    weight_method : str
        ``equal``, ``expert``, ``ahp`` or ``derived``.
    """

    index: float
    ci_low: float
    ci_high: float
    answers: int
    grade: str | None
    attributes: pd.DataFrame
    dimensions: pd.DataFrame
    by_customer: pd.DataFrame
    by_segment: pd.DataFrame
    by_channel: pd.DataFrame
    by_period: pd.DataFrame
    weight_method: str
    grades: tuple[tuple[float, str], ...]
    as_of: pd.Timestamp
    scales: dict[str, tuple[float, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (``by_customer`` left out; see the library result)."""
        def rec(df: pd.DataFrame) -> list[dict[str, Any]]:
            return df.replace({np.nan: None}).to_dict("records")

        return {"as_of": str(self.as_of.date()), "index": self.index, "ci": [self.ci_low, self.ci_high],
                "answers": self.answers, "grade": self.grade, "weight_method": self.weight_method,
                "grades": [{"from": b, "grade": g} for b, g in self.grades],
                "attributes": rec(self.attributes), "dimensions": rec(self.dimensions),
                "by_segment": rec(self.by_segment), "by_channel": rec(self.by_channel),
                "by_period": rec(self.by_period)}


def _weights(answers: pd.DataFrame, attrs: list[str], weights: Any) -> tuple[dict[str, float], str]:
    if isinstance(weights, AHPResult):
        weights, method = weights.weights, "ahp"
    elif isinstance(weights, str):
        if weights == "equal":
            return {a: 1.0 / len(attrs) for a in attrs}, "equal"
        if weights != "derived":
            raise InputError(f"weights={weights!r}: use 'derived', 'equal', a mapping of expert weights or an AHP result")
        if OVERALL not in answers or answers[OVERALL].notna().sum() < len(attrs) + 2:
            raise MissingDataError(f"derived weights need the overall satisfaction column '{OVERALL}' in the surveys; "
                                   "load it or use weights='equal', expert weights or an AHP matrix")
        frame = answers.rename(columns={f"{_data.SCORE_PREFIX}{a}": a for a in attrs})
        table = driver_table(frame, OVERALL, attrs)
        share = table.set_index("attribute")["importance"].clip(lower=0)
        return {a: float(share[a] / share.sum()) for a in attrs}, "derived"
    else:
        method = "expert"
    w = {str(k): float(v) for k, v in dict(weights).items()}
    unknown = sorted(set(w) - set(attrs))
    if unknown or any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise InputError(f"weights {w}: give non-negative weights of the survey attributes {attrs} "
                         f"(unknown: {unknown})")
    total = sum(w.get(a, 0.0) for a in attrs)
    return {a: w.get(a, 0.0) / total for a in attrs}, method


def _group(frame: pd.DataFrame, by: str, grades: Sequence[tuple[float, str]]) -> pd.DataFrame:
    rows = []
    for key, g in frame.groupby(by, sort=True, dropna=True):
        m, lo, hi, n = mean_ci(g["index"])
        rows.append({by: key, "index": m, "ci_low": lo, "ci_high": hi, "answers": n, "grade": grade_of(m, grades)})
    return pd.DataFrame(rows, columns=[by, "index", "ci_low", "ci_high", "answers", "grade"])


def _periods(frame: pd.DataFrame, grades: Sequence[tuple[float, str]]) -> pd.DataFrame:
    out = _group(frame, "period", grades)
    change, p = [np.nan], [np.nan]
    for prev, cur in zip(out["period"][:-1], out["period"][1:]):
        a = frame.loc[frame["period"] == prev, "index"].dropna()
        b = frame.loc[frame["period"] == cur, "index"].dropna()
        change.append(float(b.mean() - a.mean()))
        p.append(float(stats.ttest_ind(b, a, equal_var=False).pvalue) if len(a) > 1 and len(b) > 1 else np.nan)
    out["change"] = change[: len(out)]
    out["p_value"] = p[: len(out)]
    out["significant"] = out["p_value"] < 0.05
    return out


def satisfaction_index(
    store: Store,
    *,
    as_of: AsOf = None,
    weights: str | Mapping[str, float] | AHPResult = "derived",
    dimensions: Mapping[str, str] | None = None,
    grades: Sequence[tuple[float, str]] = DEFAULT_GRADES,
    period: str = "quarter",
    scale: tuple[float, float] | None = None,
    customers: pd.DataFrame | None = None,
) -> SatisfactionResult:
    """The satisfaction index of the survey answers before ``as_of``.

    Each ``score_<attribute>`` answer is mapped to 0–100 on its scale (1–5, 1–7 or 0–10,
    inferred from the values unless ``scale`` is given); an answer's index is the weighted
    mean of its attributes (weights renormalised over the attributes it answered).

    Parameters
    ----------
    store : Store
        Needs ``surveys`` with ``score_*`` columns; orders add segments and channels.
    as_of : date-like, optional
        First day not observed.
    weights : {"derived", "equal"}, mapping or AHPResult, default "derived"
        ``derived``: Shapley shares of the R² of overall satisfaction (``csat``) on the
        attributes; ``equal``; expert weights ``{attribute: weight}``; or `ahp` weights.
    dimensions : mapping, optional
        Attribute -> dimension (default `DEFAULT_DIMENSIONS`).
    grades : sequence of (lower bound, key), default `DEFAULT_GRADES`
        The evaluation standard on the 0–100 index, best grade first.
    period : {"quarter", "month", "year"}
        Period of ``by_period``.
    scale : (low, high), optional
        Scale of every attribute score.
    customers : pandas.DataFrame, optional
        The customer table as of the same ``as_of`` (`custlens.features.customer_table`) when the
        caller has it (the report does); else it is computed for the segments and channels.

    Returns
    -------
    SatisfactionResult
    """
    if period not in ("quarter", "month", "year"):
        raise InputError(f"period={period!r}: use quarter, month or year")
    grades = tuple(sorted(((float(b), str(k)) for b, k in grades), reverse=True))
    answers, cut = _data.load(store, "surveys", as_of, "the satisfaction index")
    cols = _data.score_columns(answers)
    if not cols:
        raise MissingDataError("the satisfaction index needs attribute scores: survey columns named score_<attribute> "
                               "(e.g. score_delivery, score_quality); the surveys table has none with values")
    attrs = [_data.attribute(c) for c in cols]
    w, method = _weights(answers, attrs, weights)
    dims = {**DEFAULT_DIMENSIONS, **(dimensions or {})}
    scales = {a: scale or _scale(answers[c], c) for a, c in zip(attrs, cols)}
    idx = pd.DataFrame({a: to_index(answers[c], scales[a]) for a, c in zip(attrs, cols)})
    wv = pd.Series(w)[attrs]
    mask = idx.notna()
    denom = mask.mul(wv, axis=1).sum(axis=1)
    answers["index"] = (idx.fillna(0).mul(wv, axis=1).sum(axis=1) / denom).where(denom > 0)
    answers["period"] = _data.periods(answers["answered_at"], period)
    attr_table = pd.DataFrame({
        "attribute": attrs, "dimension": [dims.get(a, a) for a in attrs],
        "mean": [float(pd.to_numeric(answers[c], errors="coerce").mean()) for c in cols],
        "index": [float(idx[a].mean()) for a in attrs], "weight": [w[a] for a in attrs],
        "answers": [int(idx[a].notna().sum()) for a in attrs],
    })
    dim_table = (attr_table.assign(wi=attr_table["weight"] * attr_table["index"])
                 .groupby("dimension", sort=False).agg(weight=("weight", "sum"), wi=("wi", "sum")).reset_index())
    dim_table["index"] = np.where(dim_table["weight"] > 0, dim_table["wi"] / dim_table["weight"].where(
        dim_table["weight"] > 0), attr_table.groupby("dimension", sort=False)["index"].mean().to_numpy())
    dim_table = dim_table[["dimension", "index", "weight"]]
    seg, chan = _segments(store, cut, customers)
    answers = answers.merge(seg, on="customer_id", how="left").merge(chan, on="customer_id", how="left")
    m, lo, hi, n = mean_ci(answers["index"])
    return SatisfactionResult(
        index=m, ci_low=lo, ci_high=hi, answers=n, grade=grade_of(m, grades), attributes=attr_table,
        dimensions=dim_table, by_customer=_group(answers, "customer_id", grades),
        by_segment=_group(answers, "segment", grades), by_channel=_group(answers, "channel", grades),
        by_period=_periods(answers, grades), weight_method=method, grades=grades, as_of=cut, scales=scales)


def _segments(store: Store, cut: pd.Timestamp,
              customers: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """RFM segment (rfm11 keys) and favourite channel of each customer as of ``cut``, from
    ``customers`` (the customer table as of ``cut``) when the caller has it."""
    empty = (pd.DataFrame(columns=["customer_id", "segment"]), pd.DataFrame(columns=["customer_id", "channel"]))
    if not store.has("orders"):
        return empty
    from custlens.features import customer_table
    from custlens.segments import rfm

    table = customer_table(store, cut) if customers is None else customers
    if table.empty:
        return empty
    seg = rfm(table, scheme="rfm11").customers[["customer_id", "segment"]].astype({"segment": str})
    chan = table[["customer_id", "favourite_channel"]].rename(columns={"favourite_channel": "channel"}) \
        if "favourite_channel" in table else empty[1]
    return seg, chan
