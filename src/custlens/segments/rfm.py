"""RFM scores and segments from the customer table.

Scoring rule (tie-safe)
-----------------------
Each of recency (``days_since_last``, fewer days is better), frequency (``orders``) and
monetary value (``total_spend``) is scored from the share of the *other* customers whose
value is strictly worse, the SQL standard ``PERCENT_RANK`` (ties take their lowest rank):

    p = (number of customers with a worse value) / (n - 1)     (p = 0 when n = 1)
    score = min(bins, 1 + floor(bins * p))

computed in integer arithmetic, so no value sits on a floating-point edge; the same
expression runs in DuckDB/Ibis (``percent_rank()``) should the scores move into the store.
A customer scores ``k`` exactly when they beat at least ``(k - 1) / bins`` of the others
(and fewer than ``k / bins``, except at the top). With distinct values the scores are the
usual quintiles (for ``bins=5``) and the single best value scores ``bins``.

Why this rule: when most customers have one order, frequency quantiles coincide, so
``pandas.qcut`` fails ("Bin edges must be unique"), dropping duplicate edges leaves fewer
labels than bins, and ranking with ``method="first"`` gives two customers with the same
number of orders different scores. This rule

- never fails, for any n >= 1;
- gives identical values identical scores and is monotone in the value;
- never lifts a tie: the worst value always scores 1, so one-order customers are F = 1
  however many they are (they beat nobody), never top F. Scores may skip levels after
  a large tie (CDNOW master: 1 order -> F 1, 2 orders -> F 3);
- scores 1 for everybody when every value is equal, or when there is one customer
  (nobody beats anybody): scores are relative to the customers given.

The percentile of the *average* rank (a tie placed at the centre of the positions it
occupies) was considered and rejected: with 50% one-order customers it scores them F = 2
(3 above 80%), so FM = 1 can never occur and the ``rfm11`` segments New, Promising and
Lost, and ``rf10``'s New and Promising (both F = 1), stay empty on real data, although
the maps define a new customer as a recent one-order buyer.

FM is the rounded mean of F and M with halves rounded up, ``(f + m + 1) // 2``, as in the
usual 11-segment R × FM map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from custlens import i18n
from custlens.errors import InputError, MissingDataError, SchemaError
from custlens.features.columns import CUSTOMER_ID, DAYS_SINCE_LAST, ORDERS, TOTAL_SPEND
from custlens.results import Result, jsonable
from custlens.segments import catalog
from custlens.segments.rfm_maps import get_scheme

__all__ = ["RFMResult", "rfm", "rfm_scores", "R_SCORE", "F_SCORE", "M_SCORE", "FM_SCORE", "SEGMENT"]

R_SCORE = "r_score"
F_SCORE = "f_score"
M_SCORE = "m_score"
FM_SCORE = "fm_score"
SEGMENT = "segment"

#: Input columns RFM needs from the customer table.
INPUT_COLUMNS: tuple[str, ...] = (CUSTOMER_ID, DAYS_SINCE_LAST, ORDERS, TOTAL_SPEND)

#: Columns of `RFMResult.segments`, in order.
SEGMENT_COLUMNS: tuple[str, ...] = (
    SEGMENT,
    "customers",
    "share",
    "revenue",
    "revenue_share",
    "mean_recency_days",
    "mean_orders",
    "mean_spend",
    "mean_r_score",
    "mean_f_score",
    "mean_m_score",
)


def _example(customers: pd.DataFrame, mask: pd.Series, column: str) -> str:
    row = customers.loc[np.asarray(mask, dtype=bool)].iloc[0]
    return f"customer {row[CUSTOMER_ID]!r}: {_show(row[column])}"


def _show(value: Any) -> str:
    """A value as a person reads it: ``-1``, ``2.5``, ``nan``, ``'abc'``."""
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return f"{float(value):g}"
    return repr(value)


def _validate(customers: Any, bins: Any) -> pd.DataFrame:
    """Check the customer table and ``bins``; return the four input columns."""
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 2:
        raise InputError(f"bins must be an integer >= 2; got bins={bins!r}")
    if not isinstance(customers, pd.DataFrame):
        raise InputError(
            "customers must be a pandas DataFrame (the customer table, one row per customer); "
            f"got {type(customers).__name__}"
        )
    missing = [c for c in INPUT_COLUMNS if c not in customers.columns]
    if missing:
        available = ", ".join(map(str, customers.columns)) or "(none)"
        raise SchemaError(
            f"customer table: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)}; available columns: {available}. "
            "RFM needs customer_id, days_since_last, orders and total_spend: pass the "
            "customer table or rename your columns"
        )
    frame = customers.loc[:, list(INPUT_COLUMNS)]
    n = len(frame)
    if n == 0:
        raise MissingDataError("RFM needs at least one customer; the customer table is empty")
    ids = frame[CUSTOMER_ID]
    if ids.isna().any():
        raise InputError(
            f"column {CUSTOMER_ID!r}: {int(ids.isna().sum()):,} of {n:,} values are missing; "
            "every customer needs an id"
        )
    dup = None if _strictly_increasing(ids.to_numpy()) else ids.duplicated(keep=False)
    if dup is not None and dup.any():
        raise InputError(
            f"column {CUSTOMER_ID!r}: {int(ids.duplicated().sum()):,} duplicate ids "
            f"(e.g. {ids[dup.to_numpy()].iloc[0]!r}); the customer table has one row per customer"
        )
    for col in (DAYS_SINCE_LAST, ORDERS, TOTAL_SPEND):
        values = frame[col]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            raise InputError(
                f"column {col!r} must be numeric; got dtype {values.dtype} "
                f"(first value {_show(values.iloc[0])}); convert it with pandas.to_numeric"
            )
        bad = ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            mask = pd.Series(bad, index=frame.index)
            raise InputError(
                f"column {col!r}: {int(bad.sum()):,} of {n:,} values are missing or infinite "
                f"({_example(frame, mask, col)}); drop customers without orders or fill the column"
            )
    hints = {
        DAYS_SINCE_LAST: (
            "days since the last order cannot be negative; is as_of before the last order?"
        ),
        ORDERS: "a number of orders cannot be negative",
    }
    for col, hint in hints.items():
        neg = frame[col] < 0
        if neg.any():
            raise InputError(
                f"column {col!r}: {int(neg.sum()):,} of {n:,} values are negative "
                f"({_example(frame, neg, col)}); {hint}"
            )
    return frame


def _strictly_increasing(values: np.ndarray) -> bool:
    """True when ``values`` are sorted without repeats (the customer table is, by id): then they
    are unique without hashing a million strings."""
    try:
        return bool(len(values) < 2 or (values[1:] > values[:-1]).all())
    except TypeError:  # mixed types do not compare: hash them
        return False


def _percent_rank_score(values: pd.Series, bins: int, *, higher_is_better: bool) -> np.ndarray:
    """``min(bins, 1 + floor(bins * worse / (n - 1)))``, in exact integer arithmetic."""
    x = values.to_numpy(dtype=float)
    n = len(x)
    if n == 1:
        return np.ones(1, dtype=np.int64)
    lo, hi = x.min(), x.max()
    if hi - lo <= 4 * n and np.array_equal(x, np.floor(x)):
        # whole numbers in a short range (orders, days): counted per value, no sort
        v = (x - lo).astype(np.int64)
        count = np.bincount(v)
        at_most = np.cumsum(count)  # customers with a value <= each value
        worse = (at_most - count)[v] if higher_is_better else n - at_most[v]
        return np.minimum(bins, 1 + (worse * bins) // (n - 1))
    order = np.argsort(x)  # ties may come in any order: they share a run of equal values
    ordered = x[order]
    # runs of equal values in sorted order: customers below a run's first position are strictly
    # smaller, those from the next run's first position on strictly larger (what the binary
    # searches ``searchsorted(ordered, ordered, side="left" / "right")`` gave, in one pass)
    new_run = np.empty(n, dtype=bool)
    new_run[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new_run[1:])
    run_start = np.flatnonzero(new_run)
    run = np.cumsum(new_run) - 1
    worse = np.empty(n, dtype=np.int64)
    if higher_is_better:  # customers with a strictly smaller value
        worse[order] = run_start[run]
    else:  # customers with a strictly larger value
        worse[order] = n - np.append(run_start[1:], n)[run]
    return np.minimum(bins, 1 + (worse * bins) // (n - 1))


def _scores(frame: pd.DataFrame, bins: int) -> pd.DataFrame:
    r = _percent_rank_score(frame[DAYS_SINCE_LAST], bins, higher_is_better=False)
    f = _percent_rank_score(frame[ORDERS], bins, higher_is_better=True)
    m = _percent_rank_score(frame[TOTAL_SPEND], bins, higher_is_better=True)
    return pd.DataFrame(
        {
            CUSTOMER_ID: frame[CUSTOMER_ID].to_numpy(),
            R_SCORE: r,
            F_SCORE: f,
            M_SCORE: m,
            FM_SCORE: (f + m + 1) // 2,
        },
        index=frame.index,
    )


def rfm_scores(customers: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """Tie-safe R, F, M and FM scores in ``1..bins``, higher is better.

    Parameters
    ----------
    customers : pandas.DataFrame
        The customer table, one row per customer, with at least ``customer_id``,
        ``days_since_last`` (R), ``orders`` (F) and ``total_spend`` (M); no missing values.
    bins : int, default 5
        Number of score levels.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, r_score, f_score, m_score, fm_score`` (int64), with the index of
        ``customers``. The rule is the percent rank described in the module docstring:
        equal values share a score, scores are monotone in the value, and the worst value
        (e.g. one order) always scores 1 however many customers share it.

    Raises
    ------
    SchemaError
        A required column is missing (the message lists the available columns).
    InputError
        ``bins`` < 2, duplicate or missing ids, non-numeric, missing, infinite or negative
        values.
    MissingDataError
        The table has no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...     "days_since_last": [3, 40, 200, 9], "orders": [1, 1, 1, 4],
    ...     "total_spend": [20.0, 35.0, 10.0, 300.0]})
    >>> rfm_scores(table)[["r_score", "f_score", "m_score"]].to_numpy().tolist()
    [[5, 1, 2], [2, 1, 4], [1, 1, 1], [4, 5, 5]]
    """
    return _scores(_validate(customers, bins), int(bins))


@dataclass(frozen=True)
class RFMResult(Result):
    """RFM segmentation of a customer table.

    Attributes
    ----------
    scheme : str
        The segment map used (a key of `custlens.segments.SCHEMES`).
    bins : int
        Number of score levels.
    customers : pandas.DataFrame
        One row per customer: ``customer_id, days_since_last, orders, total_spend,
        r_score, f_score, m_score, fm_score, segment`` (segment key).
    segments : pandas.DataFrame
        One row per segment of the scheme in display order, zero-count segments included:
        ``segment, customers, share, revenue, revenue_share, mean_recency_days,
        mean_orders, mean_spend, mean_r_score, mean_f_score, mean_m_score``. Shares sum to
        1; revenue sums to the customers' total spend (``revenue_share`` is 0 when that
        total is 0). Means are NaN for an empty segment.
    """

    scheme: str
    bins: int
    customers: pd.DataFrame
    segments: pd.DataFrame

    @property
    def n_customers(self) -> int:
        """Number of customers segmented."""
        return len(self.customers)

    def with_scheme(self, scheme: str) -> "RFMResult":
        """The same customers and scores under another segment map: ``rfm(customers, scheme,
        self.bins)`` without scoring them again (the report shows rfm11 and cn8 of one table).

        Raises
        ------
        InputError
            Unknown scheme, or one that does not fit `bins`.
        """
        seg_map = get_scheme(scheme)
        seg_map.check_bins(self.bins)
        return _segmented(self.customers.drop(columns=SEGMENT), seg_map, self.bins)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """A JSON-friendly summary with segment names, descriptions and actions in ``lang``.

        Returns
        -------
        dict
            ``{"scheme", "title", "bins", "customers", "revenue", "segments": [{"segment",
            "name", "description", "action", "customers", "share", "revenue",
            "revenue_share", "mean_recency_days", ...}]}``; NaN becomes None.
        """
        segments = []
        for row in self.segments.to_dict(orient="records"):
            key = row[SEGMENT]
            item: dict[str, Any] = {SEGMENT: key}
            for part in catalog.PARTS:
                text_key = catalog.text_key(self.scheme, key, part)  # type: ignore[arg-type]
                item[part] = i18n.t(text_key, lang)
            for col in SEGMENT_COLUMNS[1:]:
                item[col] = jsonable(row[col])
            segments.append(item)
        return {
            "scheme": self.scheme,
            "title": i18n.t(catalog.text_key(self.scheme, None, "title"), lang),
            "bins": self.bins,
            "customers": self.n_customers,
            "revenue": jsonable(self.segments["revenue"].sum()),
            "segments": segments,
        }


def rfm(customers: pd.DataFrame, scheme: str = "rfm11", bins: int = 5) -> RFMResult:
    """Score customers and assign each to a segment of a named map.

    Parameters
    ----------
    customers : pandas.DataFrame
        The customer table (see `rfm_scores`).
    scheme : {"rfm11", "rf10", "cn8"}, default "rfm11"
        The segment map (`custlens.segments.SCHEMES`). ``rfm11`` and ``rf10`` are 5 × 5
        grids and need ``bins=5``; ``cn8`` works for any ``bins``.
    bins : int, default 5
        Number of score levels.

    Returns
    -------
    RFMResult

    Raises
    ------
    InputError
        Unknown scheme, a scheme that does not fit ``bins``, or bad input (see `rfm_scores`).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...     "days_since_last": [3, 40, 200, 9], "orders": [1, 1, 1, 4],
    ...     "total_spend": [20.0, 35.0, 10.0, 300.0]})
    >>> rfm(table).customers["segment"].tolist()
    ['potential_loyalist', 'at_risk', 'lost', 'champions']
    """
    seg_map = get_scheme(scheme)
    frame = _validate(customers, bins)
    bins = int(bins)
    seg_map.check_bins(bins)
    scores = _scores(frame, bins)
    table = frame.reset_index(drop=True)
    for col in (R_SCORE, F_SCORE, M_SCORE, FM_SCORE):
        table[col] = scores[col].to_numpy()
    return _segmented(table, seg_map, bins)


def _segmented(table: pd.DataFrame, seg_map: Any, bins: int) -> RFMResult:
    """The result of the scored ``table`` (no segment column yet) under ``seg_map``."""
    # `seg_map.assign` as codes: the keys picked from an object array are the same Python strings
    # without a million-row Unicode array for pandas to convert back (~0.35 s at 1M customers)
    codes = seg_map.codes(*(table[a].to_numpy() for a in seg_map.axes), bins=bins)
    table[SEGMENT] = np.asarray(seg_map.segments, dtype=object)[codes]
    return RFMResult(
        scheme=seg_map.name,
        bins=bins,
        customers=table,
        segments=_segment_table(table, seg_map.segments, codes),
    )


def _segment_table(table: pd.DataFrame, order: tuple[str, ...], codes: np.ndarray) -> pd.DataFrame:
    # grouped on the integer codes of the segments (their positions in ``order``), not on the
    # strings: the same groups with their rows in the same order, so the same sums to the bit
    grouped = table.groupby(codes, sort=False)
    out = pd.DataFrame(
        {
            "customers": grouped.size(),
            "revenue": grouped[TOTAL_SPEND].sum().astype(float),
            "mean_recency_days": grouped[DAYS_SINCE_LAST].mean(),
            "mean_orders": grouped[ORDERS].mean(),
            "mean_spend": grouped[TOTAL_SPEND].mean(),
            "mean_r_score": grouped[R_SCORE].mean(),
            "mean_f_score": grouped[F_SCORE].mean(),
            "mean_m_score": grouped[M_SCORE].mean(),
        }
    ).reindex(range(len(order)))
    out.index = pd.Index(list(order), dtype=object)
    out["customers"] = out["customers"].fillna(0).astype("int64")
    out["revenue"] = out["revenue"].fillna(0.0)
    out["share"] = out["customers"] / len(table)
    total = float(table[TOTAL_SPEND].sum())
    out["revenue_share"] = out["revenue"] / total if total != 0 else 0.0
    out.index.name = SEGMENT
    return out.reset_index()[list(SEGMENT_COLUMNS)]
