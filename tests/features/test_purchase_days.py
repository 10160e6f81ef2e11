"""The two-pass customer table (`build_customer_table`) against the one-expression form
(`customer_table_expr`, the session-3 query, still what the web service's scratch store runs),
column by column, on the hand-computed shop, an edge-case shop, random shops and the demo.

Amounts that are multiples of 1/4 add up exactly in any order, so there every column must be
bit-identical. With cents the sums of several day totals (``monetary_value``) may be added in
another order than DuckDB's parallel aggregate chose (which itself varies from run to run):
equal to 1e-12. ``gap_std_days`` is now computed from exact integer sums, the store's
``STDDEV_SAMP`` by a running update: equal to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens import Store
from custlens.features import CUSTOMER_TABLE_COLUMNS, customer_table, customer_table_expr
from custlens.features import columns as c
from custlens.features import purchase_days as pdays
from custlens.features.purchase_days import build_customer_table

from .conftest import ITEM_COLS, ORDER_COLS, RETURN_COLS, _insert

ROUNDED = (c.MONETARY_VALUE, c.GAP_STD_DAYS)


def reference(store: Store, as_of) -> pd.DataFrame:
    return store.execute(customer_table_expr(store, as_of)).reset_index(drop=True)[list(CUSTOMER_TABLE_COLUMNS)]


def assert_same(store: Store, as_of, exact: bool = True) -> pd.DataFrame:
    ref, got = reference(store, as_of), customer_table(store, as_of)
    if exact:
        close = [c.GAP_STD_DAYS]
    else:
        close = list(ROUNDED)
    for col in close:
        np.testing.assert_allclose(got[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-12,
                                   atol=0, equal_nan=True, err_msg=col)
    pd.testing.assert_frame_equal(got.drop(columns=close), ref.drop(columns=close), check_exact=True)
    return got


@pytest.mark.parametrize("as_of", ["2024-03-01", None, "2024-01-11", "2024-01-01", "2023-06-01"])
def test_hand_computed_shop(shop: Store, as_of) -> None:
    assert_same(shop, as_of)


def edge_shop(store: Store) -> Store:
    """Ties in channel counts and category spend, one-time buyers, several orders on one day,
    null channels, returns, a null amount, signups after as_of, a customer only after as_of."""
    orders = [
        ("t1", "tie", "2024-01-05 10:00:00", 50.0, None, "web"),
        ("t2", "tie", "2024-01-05 11:00:00", 25.0, 5.0, "app"),  # same day, other channel
        ("t3", "tie", "2024-02-01 09:00:00", 75.0, None, None),
        ("t4", "tie", "2024-02-09 09:00:00", 12.5, None, "store"),
        ("t5", "tie", "2024-02-09 19:00:00", 12.5, None, "store"),  # store 2 beats web/app 1
        ("u1", "tie2", "2024-01-02 10:00:00", 10.0, None, "web"),
        ("u2", "tie2", "2024-01-03 10:00:00", 10.0, None, "app"),  # app = web: app wins
        ("o1", "one", "2024-02-28 23:59:59", 8.25, None, None),  # one-time, null channel
        ("n1", "nul", "2024-01-10 10:00:00", None, None, "web"),  # null amount
        ("n2", "nul", "2024-01-20 10:00:00", 4.0, None, "web"),
        ("n3", "nul", "2024-01-20 12:00:00", None, None, "web"),
        ("z1", "zero", "2024-01-15 10:00:00", 0.0, None, "app"),  # free orders
        ("z2", "zero", "2024-01-16 10:00:00", 0.0, 0.0, "app"),
        ("l1", "late", "2024-03-01 00:00:00", 30.0, None, "web"),  # on as_of: ignored
        ("ü1", "ünï", "2024-01-07 10:00:00", 3.0, None, "Ärger"),  # non-ASCII order
        ("ü2", "ünï", "2024-01-08 10:00:00", 3.0, None, "Zoo"),
    ]
    items = [
        ("t1", 1, "books", 1.0, 50.0, 50.0),
        ("t2", 1, "toys", 1.0, 25.0, 25.0),
        ("t3", 1, "toys", 1.0, 25.0, None),  # toys 25 + 25 = books 50: books wins
        ("u1", 1, "garden", 1.0, 10.0, 10.0),
        ("o1", 1, None, 1.0, 8.25, 8.25),  # no category
    ]
    returns = [("t1", "tie", "2024-01-09 10:00:00", 5.0), ("t1", "tie", "2024-03-09 10:00:00", 5.0),
               ("z1", "zero", "2024-01-20 10:00:00", 1.0)]
    customers = [("tie", "2023-12-01 00:00:00"), ("one", "2024-05-01 00:00:00"), ("nul", None),
                 ("ghost", "2023-01-01 00:00:00")]
    _insert(store, "orders", ORDER_COLS, orders)
    _insert(store, "order_items", ITEM_COLS, items)
    _insert(store, "returns", RETURN_COLS, returns)
    _insert(store, "customers", ("customer_id", "signup_at"), customers)
    return store


@pytest.mark.parametrize("as_of", ["2024-03-01", "2024-01-06", "2024-02-09", "2024-02-10"])
def test_edge_cases(store: Store, as_of) -> None:
    got = assert_same(edge_shop(store), as_of).set_index("customer_id")
    if as_of == "2024-03-01":
        assert got.loc["tie", c.FAVOURITE_CHANNEL] == "store" and got.loc["tie2", c.FAVOURITE_CHANNEL] == "app"
        assert got.loc["tie", c.FAVOURITE_CATEGORY] == "books" and pd.isna(got.loc["one", c.FAVOURITE_CHANNEL])
        assert got.loc["tie", c.PURCHASE_DAYS] == 3 and got.loc["tie", c.ORDERS] == 5
        assert got.loc["nul", c.MONETARY_VALUE] == 4.0 and got.loc["ünï", c.FAVOURITE_CHANNEL] == "Zoo"
        assert "late" not in got.index and "ghost" not in got.index


def test_many_channels_and_the_store_ranking(store: Store, monkeypatch) -> None:
    """More channels than are counted one by one (bincount), and than are coded (ranked in the store)."""
    rng = np.random.default_rng(3)
    rows = [(f"o{i}", f"c{i % 40}", f"2024-01-{1 + i % 28:02d} 10:00:00", float(rng.integers(1, 40)) / 4,
             None, None if i % 11 == 0 else f"ch{rng.integers(0, 30):02d}") for i in range(900)]
    _insert(store, "orders", ORDER_COLS, rows)
    assert_same(store, "2024-02-01")
    monkeypatch.setattr(pdays, "MAX_CHANNEL_CODES", 5)
    assert_same(store, "2024-02-01")


def random_shop(store: Store, seed: int, cents: bool) -> Store:
    rng = np.random.default_rng(seed)
    n = 3000
    customer = rng.integers(0, 400, n)
    day = rng.integers(0, 120, n) * (rng.random(n) < 0.7)  # many orders on day 0: ties and same days
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(day, unit="D") + pd.to_timedelta(
        rng.integers(0, 86400, n), unit="s")
    amount = rng.integers(1, 4000, n) / (100 if cents else 4)
    rows = [(f"o{i}", f"k{customer[i]:03d}", str(when[i]), float(amount[i]),
             float(amount[i]) / 10 if rng.random() < 0.2 else None,
             None if rng.random() < 0.1 else ["web", "app", "store"][rng.integers(0, 3)]) for i in range(n)]
    _insert(store, "orders", ORDER_COLS, rows)
    lines = [(f"o{i}", 1, ["books", "toys", None][rng.integers(0, 3)], 1.0, float(amount[i]),
              float(amount[i])) for i in range(0, n, 2)]
    _insert(store, "order_items", ITEM_COLS, lines)
    _insert(store, "returns", RETURN_COLS, [(f"o{i}", f"k{customer[i]:03d}", str(when[i] + pd.Timedelta(days=2)),
                                            float(amount[i]) / 2) for i in range(0, n, 17)])
    return store


@pytest.mark.parametrize("seed", [0, 1])
def test_random_shop_quarters_exact(store: Store, seed: int) -> None:
    got = assert_same(random_shop(store, seed, cents=False), "2024-04-01")
    assert (got[c.ORDERS] == 1).any() and (got[c.ORDERS] > got[c.PURCHASE_DAYS]).any()


def test_random_shop_cents(store: Store) -> None:
    assert_same(random_shop(store, 7, cents=True), "2024-03-15", exact=False)


def test_demo_shop(demo: Store) -> None:
    as_of = demo.default_as_of()
    for when in (as_of, as_of - pd.Timedelta(days=180)):
        assert_same(demo, when, exact=False)


def test_purchase_days_agree_with_the_table(shop: Store) -> None:
    build = build_customer_table(shop, "2024-03-01")
    days, frame = build.days, build.frame
    assert list(days.customer_id) == list(frame["customer_id"])
    assert (np.diff(days.start) == frame[c.PURCHASE_DAYS]).all()
    a = slice(days.start[0], days.start[1])  # A: Jan 1 (100 + 50, 2 orders), Jan 11 (30), Jan 31 (60)
    assert list(days.total[a]) == [150.0, 30.0, 60.0] and list(days.orders[a]) == [2, 1, 1]
    assert list(np.diff(days.day[a])) == [10, 20]
    assert list(days.customer_index) == [0, 0, 0, 1, 2, 2]


def test_misaligned_passes_are_refused(shop: Store, monkeypatch) -> None:
    """An engine that sorted the customers one way in one query and another in the other would
    give every customer someone else's days: refused, not returned."""
    real = pdays._stream

    def shuffled(*args):
        out = real(*args)
        return {k: v[::-1].copy() for k, v in out.items()}

    monkeypatch.setattr(pdays, "_stream", shuffled)
    with pytest.raises(RuntimeError, match="sorted the customers differently"):
        build_customer_table(shop, "2024-03-01")


# --- session 5: the NumPy steps rewritten (bincount) against the session-4 code, kept here ------
def _old_day_totals(amount: np.ndarray, new_day: np.ndarray, at: np.ndarray) -> np.ndarray:
    missing = np.isnan(amount)
    values = np.where(missing, 0.0, amount) if missing.any() else amount
    total = values[at].copy()
    extra = np.flatnonzero(~new_day)
    day_of = np.cumsum(new_day) - 1
    np.add.at(total, day_of[extra], values[extra])
    if missing.any():
        known = (~missing[at]).astype(np.int64)
        np.add.at(known, day_of[extra], (~missing[extra]).astype(np.int64))
        total[known == 0] = np.nan
    return total


def _old_favourite(code: np.ndarray, starts: np.ndarray, k: int) -> np.ndarray:
    n = len(starts) - 1
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    counts = np.stack([np.add.reduceat(code == j, starts[:-1], dtype=np.int32) for j in range(k)], axis=1)
    best = counts.argmax(axis=1)
    return np.where(counts.max(axis=1) > 0, best, -1)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("with_nulls", [False, True])
def test_day_totals_equal_session4(seed, with_nulls) -> None:
    """Cents added in row order: bincount gives the old ``np.add.at`` totals to the bit (days of
    one order, days of many orders, a day whose amounts are all null)."""
    rng = np.random.default_rng(seed)
    n = 20_000
    day = np.sort(rng.integers(0, 3000, n))
    amount = rng.integers(1, 100_000, n) / 100.0 + rng.random(n) * 1e-3
    if with_nulls:
        amount[rng.random(n) < 0.2] = np.nan
        amount[day == day[0]] = np.nan  # a day with every amount null
    new_day = np.ones(n, dtype=bool)
    new_day[1:] = day[1:] != day[:-1]
    at = np.flatnonzero(new_day)
    ref = _old_day_totals(amount, new_day, at)
    got = pdays._day_totals(amount, np.cumsum(new_day) - 1, len(at))
    np.testing.assert_array_equal(got, ref)
    assert np.isnan(got[0]) == with_nulls


@pytest.mark.parametrize("k", [1, 3, 17])
def test_favourite_equal_session4(k) -> None:
    """Favourite code per customer run: ties to the smallest code, -1 when every code is null
    (-1), customers of one order."""
    rng = np.random.default_rng(k)
    counts = rng.integers(1, 8, 3000)
    counts[:5] = 1
    code = rng.integers(-1, k, counts.sum()).astype(np.int32)
    code[:3] = -1  # customers 0..2: one order, null channel
    starts = np.concatenate([[0], np.cumsum(counts)])
    got = pdays._favourite(code, counts, k)
    np.testing.assert_array_equal(got, _old_favourite(code, starts, k))
    assert (got[:3] == -1).all()
