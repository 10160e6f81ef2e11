"""Tie-safe RFM scoring: hand-computed cases, edge cases, invariants and input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlens.errors import InputError, MissingDataError, SchemaError
from custlens.segments import rfm_scores


def table(days, orders, spend, ids=None) -> pd.DataFrame:
    n = len(days)
    return pd.DataFrame(
        {
            "customer_id": ids if ids is not None else [f"c{i}" for i in range(n)],
            "days_since_last": days,
            "orders": orders,
            "total_spend": spend,
        }
    )


def test_hand_computed_frequency_with_a_large_tie():
    """orders = six 1s, two 2s, a 3 and a 10 (n = 10, so n - 1 = 9), bins = 5.

    score = min(5, 1 + floor(5 * worse / 9)), worse = customers with fewer orders:
    1 order: worse = 0   -> 1
    2 orders: worse = 6  -> 1 + floor(30 / 9) = 4
    3 orders: worse = 8  -> 1 + floor(40 / 9) = 5
    10 orders: worse = 9 -> min(5, 1 + 5)     = 5
    """
    orders = [1, 1, 1, 1, 1, 1, 2, 2, 3, 10]
    scores = rfm_scores(table(list(range(10)), orders, [1.0] * 10))
    assert scores["f_score"].tolist() == [1] * 6 + [4, 4, 5, 5]


def test_hand_computed_distinct_values_are_quintiles():
    # 10 distinct values: two per score, recency reversed (fewer days is better).
    days = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    spend = [10.0, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    s = rfm_scores(table(days, [1] * 10, spend))
    assert s["m_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert s["r_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    # All equal orders: nobody beats anybody.
    assert s["f_score"].tolist() == [1] * 10
    # fm = (f + m + 1) // 2: halves round up, (1 + 2) / 2 -> 2.
    assert s["fm_score"].tolist() == [1, 1, 2, 2, 2, 2, 3, 3, 3, 3]


def test_one_customer_scores_one():
    s = rfm_scores(table([12], [1], [30.0]))
    assert s.loc[0, ["r_score", "f_score", "m_score", "fm_score"]].tolist() == [1, 1, 1, 1]


@pytest.mark.parametrize("bins", [2, 3, 4, 5, 10])
def test_all_equal_values_score_one_and_two_customers_span_the_scale(bins):
    s = rfm_scores(table([7] * 9, [2] * 9, [5.0] * 9), bins=bins)
    for col in ("r_score", "f_score", "m_score"):
        assert set(s[col]) == {1}
    two = rfm_scores(table([30, 2], [1, 3], [5.0, 9.0]), bins=bins)
    assert two["r_score"].tolist() == two["f_score"].tolist() == [1, bins]


def test_one_order_majority_is_frequency_one():
    """Where pandas.qcut fails, one-order customers all get F = 1, the rest F = 5."""
    orders = [1] * 95 + [2, 2, 3, 5, 8]
    t = table(list(range(100)), orders, [10.0] * 100)
    with pytest.raises(ValueError):
        pd.qcut(t["orders"], 5)  # the failure this rule exists for
    f = rfm_scores(t)["f_score"]
    assert set(f[:95]) == {1}
    assert set(f[95:]) == {5}  # each beats at least 95 of the 99 others


def test_index_and_ids_are_kept():
    t = table([1, 2, 3], [1, 2, 3], [1.0, 2.0, 3.0], ids=["x", "y", "z"])
    t.index = [10, 20, 30]
    s = rfm_scores(t)
    assert s.index.tolist() == [10, 20, 30]
    assert s["customer_id"].tolist() == ["x", "y", "z"]
    assert list(s.columns) == ["customer_id", "r_score", "f_score", "m_score", "fm_score"]


values = st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=60)


@settings(max_examples=80, deadline=None)
@given(data=st.data(), bins=st.integers(min_value=2, max_value=10))
def test_scores_are_in_range_tie_consistent_and_monotone(data, bins):
    days = data.draw(values)
    n = len(days)
    orders = data.draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    spend = data.draw(
        st.lists(st.floats(0, 1e6, allow_nan=False, allow_subnormal=False), min_size=n, max_size=n)
    )
    t = table(days, orders, spend)
    s = rfm_scores(t, bins=bins)
    for value_col, score_col, sign in (
        ("days_since_last", "r_score", -1),
        ("orders", "f_score", 1),
        ("total_spend", "m_score", 1),
    ):
        x = sign * t[value_col].to_numpy(dtype=float)
        sc = s[score_col].to_numpy()
        assert sc.min() >= 1 and sc.max() <= bins
        # monotone: a better value never has a lower score; equal values equal scores.
        order = np.argsort(x, kind="stable")
        assert np.all(np.diff(sc[order]) >= 0)
        for v in np.unique(x):
            assert len(set(sc[x == v])) == 1
        # The worst value always scores 1; score k means beating >= (k-1)/bins of the others.
        assert set(sc[x == x.min()]) == {1}
        worse = np.array([(x < v).sum() for v in x])
        n = len(x)
        assert np.all(worse * bins >= (sc - 1) * max(n - 1, 1))
        assert np.all((sc == bins) | (worse * bins < sc * max(n - 1, 1)))
    assert s["fm_score"].between(1, bins).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=40), st.permutations(range(40)))
def test_scores_do_not_depend_on_row_order(orders, perm):
    n = len(orders)
    t = table(list(range(n)), orders, [1.0] * n)
    idx = [i for i in perm if i < n]
    shuffled = t.iloc[idx]
    a = rfm_scores(t).set_index("customer_id")["f_score"]
    b = rfm_scores(shuffled).set_index("customer_id")["f_score"]
    assert a.sort_index().tolist() == b.sort_index().tolist()


# --- errors -----------------------------------------------------------------------------


def test_missing_column_names_it_and_the_available_columns():
    t = table([1], [1], [1.0]).drop(columns="orders").rename(columns={"total_spend": "spend"})
    with pytest.raises(SchemaError) as err:
        rfm_scores(t)
    msg = str(err.value)
    assert "missing columns 'orders', 'total_spend'" in msg
    assert "available columns: customer_id, days_since_last, spend" in msg
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    ("column", "bad", "expected"),
    [
        ("days_since_last", np.nan, "column 'days_since_last': 1 of 3 values are missing or infinite (customer 'c1': nan)"),
        ("total_spend", np.inf, "column 'total_spend': 1 of 3 values are missing or infinite (customer 'c1': inf)"),
        ("orders", -1, "column 'orders': 1 of 3 values are negative (customer 'c1': -1"),
        ("days_since_last", -2, "column 'days_since_last': 1 of 3 values are negative"),
    ],
)
def test_bad_values_are_reported_with_the_customer(column, bad, expected):
    t = table([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    t.loc[1, column] = bad
    with pytest.raises(InputError) as err:
        rfm_scores(t)
    assert expected in str(err.value)


def test_non_numeric_column():
    t = table([1, 2], ["1", "2"], [1.0, 2.0])
    with pytest.raises(InputError, match=r"column 'orders' must be numeric; .*first value '1'"):
        rfm_scores(t)


def test_duplicate_and_missing_ids():
    with pytest.raises(InputError, match=r"1 duplicate ids \(e\.g\. 'a'\); .*one row per customer"):
        rfm_scores(table([1, 2, 3], [1, 1, 1], [1.0, 1.0, 1.0], ids=["a", "a", "b"]))
    with pytest.raises(InputError, match=r"'customer_id': 1 of 2 values are missing"):
        rfm_scores(table([1, 2], [1, 1], [1.0, 1.0], ids=["a", None]))


def test_empty_table_and_bad_bins_and_not_a_frame():
    with pytest.raises(MissingDataError, match="at least one customer"):
        rfm_scores(table([], [], []))
    for bins in (1, 0, 2.5, True, "5"):
        with pytest.raises(InputError, match="bins must be an integer >= 2"):
            rfm_scores(table([1], [1], [1.0]), bins=bins)
    with pytest.raises(InputError, match="must be a pandas DataFrame; got dict|got dict"):
        rfm_scores({"customer_id": ["a"]})
