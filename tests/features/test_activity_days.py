"""`activity_from_days` and `cohort_revenue_from_days` (NumPy over the customer table's purchase
days) against the store's own grouping of the orders (`customer_activity`, the cohorts' revenue join).

The activity must be equal field by field (integers). `customer_activity` returns its customers in
no particular order, so the per-customer rows are compared as sorted sets of rows, and the customer
count must match. Edge cases: ties at one second and on one day, one-time buyers, empty months,
zero and missing amounts, a first order in the partial last period, orders on and after ``as_of``,
spans of several activity words and too long for bit sets (days, weeks over six years).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from periodshop import SHOPS, fill, random_orders

from custlens.cohorts import _revenue
from custlens.errors import InputError, MissingDataError
from custlens.features.activity_days import activity_from_days, cohort_revenue_from_days, period_of_days
from custlens.features.periods import CustomerActivity, customer_activity
from custlens.features.purchase_days import build_customer_table
from custlens.store import Store

from .test_purchase_days import edge_shop as fill_edge_shop

FREQS = ["D", "W", "M", "Q", "Y"]


def _rows(act: CustomerActivity) -> np.ndarray:
    """The per-customer fields as rows, sorted (the store's customers come in no set order)."""
    cols = [act.first, act.orders, act.first_day, act.first_period_last_day]
    if act.masks is not None:
        cols += [act.masks[:, j] for j in range(act.masks.shape[1])]
    rows = np.column_stack(cols).astype(np.int64)
    return rows[np.lexsort(rows.T[::-1])]


def assert_same_activity(store: Store, freq: str, as_of) -> CustomerActivity:
    as_of = pd.Timestamp(as_of) if as_of is not None else store.default_as_of()
    want = customer_activity(store, freq, as_of)
    got = activity_from_days(build_customer_table(store, as_of).days, freq, as_of)
    assert (got.freq, got.origin, got.n_periods) == (want.freq, want.origin, want.n_periods)
    assert len(got.orders) == len(want.orders)
    assert (got.masks is None) == (want.masks is None)
    for name in ("first", "orders", "first_day", "first_period_last_day", "masks"):
        value = getattr(got, name)
        assert value is None or value.dtype == np.int64, name
    np.testing.assert_array_equal(_rows(got), _rows(want))
    return got


def assert_same_revenue(store: Store, freq: str, as_of) -> np.ndarray:
    as_of = pd.Timestamp(as_of) if as_of is not None else store.default_as_of()
    act = customer_activity(store, freq, as_of)
    want = _revenue(store, as_of, freq, act.origin, act.n_periods)
    got = cohort_revenue_from_days(build_customer_table(store, as_of).days, freq, act.origin, act.n_periods, as_of)
    assert got.shape == want.shape
    # sums of doubles in another order than the engine's (which varies itself): 1e-12 relative
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, equal_nan=True)
    np.testing.assert_array_equal(got == 0, want == 0)  # the same empty cells
    return got


@pytest.fixture(scope="module", params=list(SHOPS))
def period_shop(request):
    start, end, seed = SHOPS[request.param]
    with Store(":memory:") as st:
        yield fill(st, random_orders(start, end, seed))


@pytest.mark.parametrize("as_of", ["2025-05-17", "2025-04-01", "2023-07-01"])
@pytest.mark.parametrize("freq", FREQS)
def test_period_shops(period_shop, freq: str, as_of: str) -> None:
    got = assert_same_activity(period_shop, freq, as_of)
    assert (got.orders == 1).any()
    if freq in ("Q", "Y") and as_of != "2023-07-01":  # came back within their first period
        assert (got.first_period_last_day > got.first_day).any()
    if freq in ("M", "Q"):
        assert_same_revenue(period_shop, freq, as_of)


def test_many_words_and_none(period_shop) -> None:
    """Six years of months take two activity words; days and weeks are too many for bit sets."""
    as_of = pd.Timestamp("2025-05-17")
    months = assert_same_activity(period_shop, "M", as_of)
    if months.n_periods > 62:
        assert months.masks.shape[1] == 2
    assert assert_same_activity(period_shop, "D", as_of).masks is None


@pytest.mark.parametrize("as_of", ["2024-03-01", "2024-01-06", "2024-02-09", "2024-02-10"])
@pytest.mark.parametrize("freq", FREQS)
def test_edge_shop(store: Store, freq: str, as_of: str) -> None:
    """Null amounts (a day and a whole customer-period without a known amount), same-day orders."""
    fill_edge_shop(store)
    assert_same_activity(store, freq, as_of)
    assert_same_revenue(store, freq, as_of)


def test_null_amounts_give_nan_cells_as_sql_sum(store: Store) -> None:
    """A cohort-period whose every amount is missing is NaN in both (SQL SUM of nulls), 0 when empty."""
    fill(store, pd.DataFrame({"order_id": ["p1", "p2", "p3"], "customer_id": ["x", "y", "y"],
                              "ordered_at": pd.to_datetime(["2024-01-05", "2024-02-03", "2024-02-04"]),
                              "amount": [10.0, None, None]}))
    got = assert_same_revenue(store, "M", "2024-04-01")  # y's February: every amount missing
    assert np.isnan(got).sum() == 1 and np.isnan(got[1, 1]) and got[0, 0] == 10.0 and got[0, 1] == 0.0


def test_random_shop(store: Store) -> None:
    """400 customers, 3,000 orders with cents (sums in another order differ in the last bits), 70% of
    them on one day, some amounts missing."""
    rng = np.random.default_rng(5)
    n = 3000
    day = rng.integers(0, 120, n) * (rng.random(n) < 0.7)
    amount = rng.integers(1, 4000, n) / 100
    fill(store, pd.DataFrame({
        "order_id": [f"o{i}" for i in range(n)], "customer_id": [f"k{k:03d}" for k in rng.integers(0, 400, n)],
        "ordered_at": (pd.Timestamp("2024-01-01") + pd.to_timedelta(day, unit="D")
                       + pd.to_timedelta(rng.integers(0, 86400, n), unit="s")).astype("datetime64[us]"),
        "amount": np.where(rng.random(n) < 0.05, np.nan, amount)}))
    for freq in FREQS:
        assert_same_activity(store, freq, "2024-04-01")
        assert_same_revenue(store, freq, "2024-04-01")


@pytest.mark.parametrize("freq", FREQS)
def test_demo(demo, freq: str) -> None:
    assert_same_activity(demo, freq, None)
    assert_same_revenue(demo, freq, None)


def test_toy(toy) -> None:
    for freq in FREQS:
        assert_same_activity(toy, freq, "2024-04-01")


def test_period_index_matches_the_store() -> None:
    """Every calendar edge from 1969 to 2031 (leap days, year ends, Mondays) by the engine's index."""
    import ibis

    from custlens.features.periods import period_index

    days = np.arange(-400, 22_600, 3, dtype=np.int64)
    table = ibis.memtable(pd.DataFrame({"d": pd.to_datetime(days, unit="D") + pd.Timedelta(hours=23)}))
    with Store(":memory:") as st:
        for freq, origin in (("D", "1969-03-05"), ("W", "1968-12-30"), ("M", "1969-02-01"),
                             ("Q", "1968-10-01"), ("Y", "1969-01-01")):
            want = st.execute(table.select(i=period_index(table.d, freq, pd.Timestamp(origin))))["i"]
            np.testing.assert_array_equal(period_of_days(days, freq, pd.Timestamp(origin)), want.to_numpy(),
                                          err_msg=freq)


def test_errors(toy) -> None:
    build = build_customer_table(toy, "2024-04-01")
    with pytest.raises(InputError, match="as of 2024-04-01, not 2024-03-01"):
        activity_from_days(build.days, "M", pd.Timestamp("2024-03-01"))
    with pytest.raises(ValueError, match="freq='X'"):
        activity_from_days(build.days, "X", pd.Timestamp("2024-04-01"))
    early = build_customer_table(toy, "2000-01-01")
    with pytest.raises(MissingDataError, match="no orders before as_of=2000-01-01"):
        activity_from_days(early.days, "M", pd.Timestamp("2000-01-01"))
    with pytest.raises(MissingDataError, match="no orders before as_of=2000-01-01"):
        customer_activity(toy, "M", "2000-01-01")  # the store's path says the same
