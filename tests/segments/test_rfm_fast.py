"""`rfm` (segment codes, one pass over the sorted values) against the previous implementation,
kept here verbatim as the reference: the result's customer table and segment table must be equal
to the bit (same dtypes, same values), on the demo shop and on tables with the edge cases (ties,
one-time buyers, one customer, all values equal, empty segments, cents)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.features import customer_table
from custlens.segments import rfm
from custlens.segments.rfm import (DAYS_SINCE_LAST, F_SCORE, FM_SCORE, M_SCORE, ORDERS, R_SCORE, SEGMENT,
                                   SEGMENT_COLUMNS, TOTAL_SPEND, _validate)
from custlens.segments.rfm_maps import get_scheme


def _old_percent_rank_score(values: pd.Series, bins: int, *, higher_is_better: bool) -> np.ndarray:
    x = values.to_numpy(dtype=float)
    n = len(x)
    if n == 1:
        return np.ones(1, dtype=np.int64)
    order = np.argsort(x)
    ordered = x[order]
    worse = np.empty(n, dtype=np.int64)
    if higher_is_better:
        worse[order] = np.searchsorted(ordered, ordered, side="left")
    else:
        worse[order] = n - np.searchsorted(ordered, ordered, side="right")
    return np.minimum(bins, 1 + (worse * bins) // (n - 1))


def _old_segment_table(table: pd.DataFrame, order: tuple[str, ...]) -> pd.DataFrame:
    grouped = table.groupby(SEGMENT, sort=False)
    out = pd.DataFrame({
        "customers": grouped.size(),
        "revenue": grouped[TOTAL_SPEND].sum().astype(float),
        "mean_recency_days": grouped[DAYS_SINCE_LAST].mean(),
        "mean_orders": grouped[ORDERS].mean(),
        "mean_spend": grouped[TOTAL_SPEND].mean(),
        "mean_r_score": grouped[R_SCORE].mean(),
        "mean_f_score": grouped[F_SCORE].mean(),
        "mean_m_score": grouped[M_SCORE].mean(),
    }).reindex(list(order))
    out["customers"] = out["customers"].fillna(0).astype("int64")
    out["revenue"] = out["revenue"].fillna(0.0)
    out["share"] = out["customers"] / len(table)
    total = float(table[TOTAL_SPEND].sum())
    out["revenue_share"] = out["revenue"] / total if total != 0 else 0.0
    out.index.name = SEGMENT
    return out.reset_index()[list(SEGMENT_COLUMNS)]


def old_rfm(customers: pd.DataFrame, scheme: str, bins: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The session-5 `rfm`: string labels from `assign`, grouped by label."""
    seg_map = get_scheme(scheme)
    frame = _validate(customers, bins)
    r = _old_percent_rank_score(frame[DAYS_SINCE_LAST], bins, higher_is_better=False)
    f = _old_percent_rank_score(frame[ORDERS], bins, higher_is_better=True)
    m = _old_percent_rank_score(frame[TOTAL_SPEND], bins, higher_is_better=True)
    table = frame.reset_index(drop=True)
    for col, v in ((R_SCORE, r), (F_SCORE, f), (M_SCORE, m), (FM_SCORE, (f + m + 1) // 2)):
        table[col] = v
    table[SEGMENT] = seg_map.assign(*(table[a].to_numpy() for a in seg_map.axes), bins=bins)
    return table, _old_segment_table(table, seg_map.segments)


CASES = [("rfm11", 5), ("rf10", 5), ("cn8", 5), ("cn8", 3), ("cn8", 2)]


def assert_same(table: pd.DataFrame) -> None:
    for scheme, bins in CASES:
        got = rfm(table, scheme=scheme, bins=bins)
        want_customers, want_segments = old_rfm(table, scheme, bins)
        pd.testing.assert_frame_equal(got.customers, want_customers, check_exact=True)
        pd.testing.assert_frame_equal(got.segments, want_segments, check_exact=True)


def test_demo_shop(demo) -> None:
    table = customer_table(demo)
    assert_same(table)
    assert_same(table.iloc[::7])  # another index, every third segment count changed


def _table(days, orders, spend) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [f"c{i:05d}" for i in range(len(days))],
                         "days_since_last": np.asarray(days, dtype=float),
                         "orders": np.asarray(orders, dtype=np.int64), "total_spend": np.asarray(spend, dtype=float)})


@pytest.mark.parametrize("seed", range(4))
def test_random_tables_with_ties_and_one_time_buyers(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 4000))
    orders = np.where(rng.random(n) < 0.6, 1, rng.geometric(0.4, n))  # mostly one-time buyers
    days = np.where(rng.random(n) < 0.2, 0, rng.integers(0, 700, n))
    spend = np.round(rng.gamma(2.0, 40.0, n), 2) * (rng.random(n) < 0.95)  # cents, some free
    assert_same(_table(days, orders, spend))


def test_small_and_degenerate_tables() -> None:
    assert_same(_table([3], [1], [10.0]))  # one customer: every score 1
    assert_same(_table([5, 5, 5, 5], [2, 2, 2, 2], [7.5, 7.5, 7.5, 7.5]))  # all equal
    assert_same(_table([0, 1], [1, 9], [0.0, -0.0]))  # signed zero ties
    # whole numbers counted per value (range <= 4 n) and sorted (wider), negative spend included
    assert_same(_table([0, 7, 7, 30_000, 2], [1, 1, 3, 2, 1], [-5.0, 12.0, 12.0, 1e6, 3.0]))
    table = _table([1, 2, 3, 400, 500], [1, 1, 1, 1, 1], [1.0, 2.0, 3.0, 4.0, 5.0])
    assert_same(table)
    assert (rfm(table).segments["customers"] == 0).any()  # empty segments stay, with NaN means


def test_with_scheme_equals_a_second_scoring(demo) -> None:
    """The report's cn8 (and any scheme) from the rfm11 result equals `rfm` run on the table again."""
    from custlens.errors import InputError

    table = customer_table(demo).iloc[::3]
    base = rfm(table, scheme="rfm11")
    before = base.customers.copy()
    for scheme in ("cn8", "rf10", "rfm11"):
        got, want = base.with_scheme(scheme), rfm(table, scheme=scheme)
        assert got.scheme == want.scheme and got.bins == want.bins
        pd.testing.assert_frame_equal(got.customers, want.customers, check_exact=True)
        pd.testing.assert_frame_equal(got.segments, want.segments, check_exact=True)
    pd.testing.assert_frame_equal(base.customers, before)  # the source result is left as it was
    with pytest.raises(InputError, match="scheme='nope'"):
        base.with_scheme("nope")
    with pytest.raises(InputError, match="bins=3"):
        rfm(table, scheme="cn8", bins=3).with_scheme("rfm11")
