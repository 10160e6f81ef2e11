"""The customer table against a hand-computed shop, leakage, invariants and portability."""

from __future__ import annotations

import math

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custlens import Store
from custlens.errors import InputError, MissingDataError
from custlens.features import CUSTOMER_TABLE_COLUMNS, customer_table, customer_table_expr
from custlens.features import columns as c

AS_OF = "2024-03-01"


def row(table: pd.DataFrame, customer: str) -> pd.Series:
    return table.set_index("customer_id").loc[customer]


def test_columns_and_rows(shop: Store) -> None:
    table = customer_table(shop, AS_OF)
    assert tuple(table.columns) == CUSTOMER_TABLE_COLUMNS
    # D ordered only after as_of, E never ordered.
    assert table["customer_id"].tolist() == ["A", "B", "C"]


def test_customer_with_same_day_orders_returns_discounts(shop: Store) -> None:
    """Customer A, by hand (as_of 2024-03-01; a5 on as_of itself is ignored).

    Purchase days Jan 1 (100 + 50), Jan 11 (30), Jan 31 (60): frequency 2, gaps 10 and 20
    days. Jan 31 -> Mar 1 = 30 days, Jan 1 -> Mar 1 = 60 days, Dec 1 -> Mar 1 = 91 days.
    Monetary value = mean of the repeat days (30 + 60) / 2 = 45. Discounts 10 + 5 over
    spend 240: 15 / 255. Books 60 + 30 = 90 ties toys 40 + 1 x 50 = 90: books (alphabetical).
    Channels web 2, app 2: app (alphabetical). One return of 20 before as_of.
    """
    a = row(customer_table(shop, AS_OF), "A")
    assert a[c.FIRST_ORDER_AT] == pd.Timestamp("2024-01-01 09:00:00")
    assert a[c.LAST_ORDER_AT] == pd.Timestamp("2024-01-31 23:59:59")
    assert a[c.ORDERS] == 4
    assert a[c.PURCHASE_DAYS] == 3
    assert a[c.FREQUENCY] == 2
    assert a[c.DAYS_SINCE_LAST] == 30.0
    assert a[c.RECENCY_DAYS] == 30.0
    assert a[c.T_DAYS] == 60.0
    assert a[c.RECENCY] == pytest.approx(30 / 7)
    assert a[c.T] == pytest.approx(60 / 7)
    assert a[c.TOTAL_SPEND] == pytest.approx(240.0)
    assert a[c.AOV] == pytest.approx(60.0)
    assert a[c.MONETARY_VALUE] == pytest.approx(45.0)
    assert a[c.TENURE_DAYS] == 91.0
    assert a[c.GAP_MEAN_DAYS] == pytest.approx(15.0)
    assert a[c.GAP_STD_DAYS] == pytest.approx(math.sqrt(50.0))
    assert a[c.RETURNS_COUNT] == 1
    assert a[c.RETURNS_VALUE] == pytest.approx(20.0)
    assert a[c.RETURN_RATE] == pytest.approx(20 / 240)
    assert a[c.DISCOUNT_SHARE] == pytest.approx(15 / 255)
    assert a[c.FAVOURITE_CATEGORY] == "books"
    assert a[c.FAVOURITE_CHANNEL] == "app"


def test_one_time_customer(shop: Store) -> None:
    """Customer B: one order on Feb 10; Feb 10 -> Mar 1 = 20 days; no signup date."""
    b = row(customer_table(shop, AS_OF), "B")
    assert (b[c.ORDERS], b[c.PURCHASE_DAYS], b[c.FREQUENCY]) == (1, 1, 0)
    assert (b[c.DAYS_SINCE_LAST], b[c.RECENCY_DAYS], b[c.T_DAYS]) == (20.0, 0.0, 20.0)
    assert b[c.MONETARY_VALUE] == 0.0
    assert b[c.TENURE_DAYS] == 20.0  # no signup: T_days
    assert pd.isna(b[c.GAP_MEAN_DAYS]) and pd.isna(b[c.GAP_STD_DAYS])
    assert (b[c.RETURNS_COUNT], b[c.RETURNS_VALUE], b[c.RETURN_RATE]) == (0, 0.0, 0.0)
    assert b[c.DISCOUNT_SHARE] == 0.0  # the shop records discounts, B had none
    assert pd.isna(b[c.FAVOURITE_CATEGORY])
    assert b[c.FAVOURITE_CHANNEL] == "web"


def test_same_day_orders_merge_and_future_signup_is_ignored(shop: Store) -> None:
    """Customer C: Feb 20 (40 + 20) and Feb 25 (10); signup Mar 15 is after as_of."""
    cc = row(customer_table(shop, AS_OF), "C")
    assert (cc[c.ORDERS], cc[c.PURCHASE_DAYS], cc[c.FREQUENCY]) == (3, 2, 1)
    assert (cc[c.DAYS_SINCE_LAST], cc[c.RECENCY_DAYS], cc[c.T_DAYS]) == (5.0, 5.0, 10.0)
    assert cc[c.AOV] == pytest.approx(70 / 3)
    assert cc[c.MONETARY_VALUE] == pytest.approx(10.0)
    assert cc[c.TENURE_DAYS] == 10.0
    assert cc[c.GAP_MEAN_DAYS] == 5.0
    assert pd.isna(cc[c.GAP_STD_DAYS])  # one gap: no spread
    assert (cc[c.RETURNS_COUNT], cc[c.RETURNS_VALUE]) == (2, 15.0)
    assert cc[c.RETURN_RATE] == pytest.approx(15 / 70)
    assert pd.isna(cc[c.FAVOURITE_CHANNEL])


def test_default_as_of_is_day_after_last_order(shop: Store) -> None:
    table = customer_table(shop)  # last order Mar 2 -> as_of Mar 3
    assert table["customer_id"].tolist() == ["A", "B", "C", "D"]
    d = row(table, "D")
    assert (d[c.T_DAYS], d[c.DAYS_SINCE_LAST]) == (1.0, 1.0)
    a = row(table, "A")
    assert a[c.ORDERS] == 5 and a[c.FAVOURITE_CATEGORY] == "garden"


def test_time_of_day_in_as_of_is_dropped(shop: Store) -> None:
    pd.testing.assert_frame_equal(
        customer_table(shop, "2024-03-01 18:00"), customer_table(shop, AS_OF)
    )


@pytest.mark.parametrize("bad", ["not a date", "2024-13-45"])
def test_bad_as_of_is_a_clear_error(shop: Store, bad: str) -> None:
    with pytest.raises(InputError, match="is not a date"):
        customer_table(shop, bad)


def test_no_orders_is_a_clear_error(store: Store) -> None:
    with pytest.raises(MissingDataError, match="orders"):
        customer_table(store)


def test_as_of_before_every_order_gives_an_empty_table(shop: Store) -> None:
    table = customer_table(shop, "2020-01-01")
    assert len(table) == 0
    assert tuple(table.columns) == CUSTOMER_TABLE_COLUMNS


def test_no_leakage_from_after_as_of(shop: Store, insert) -> None:
    before = customer_table(shop, AS_OF)
    insert(
        shop,
        "orders",
        ("order_id", "customer_id", "ordered_at", "amount", "discount", "channel"),
        [
            ("f1", "B", "2024-03-01 00:00:00", 500.0, 50.0, "app"),
            ("f2", "C", "2025-01-01 00:00:00", 10.0, 1.0, "shop"),
            ("f3", "Z", "2024-06-01 00:00:00", 10.0, None, "web"),
        ],
    )
    insert(shop, "order_items", ("order_id", "line_no", "category", "line_amount"),
           [("f1", 1, "zzz", 500.0), ("f2", 1, "aaa", 10.0)])
    insert(shop, "returns", ("order_id", "customer_id", "returned_at", "amount"),
           [("b1", "B", "2024-03-01 00:00:00", 25.0)])
    insert(shop, "customers", ("customer_id", "signup_at"), [("B", "2024-04-01 00:00:00")])
    pd.testing.assert_frame_equal(customer_table(shop, AS_OF), before)


def test_discount_share_is_null_without_discounts_before_as_of(store: Store, insert) -> None:
    insert(store, "orders", ("order_id", "customer_id", "ordered_at", "amount", "discount"), [
        ("o1", "A", "2024-01-01", 10.0, None),
        ("o2", "A", "2024-02-01", 10.0, 3.0),  # after as_of
    ])
    table = customer_table(store, "2024-01-15")
    assert table[c.DISCOUNT_SHARE].isna().all()
    assert customer_table(store)[c.DISCOUNT_SHARE].iloc[0] == pytest.approx(3 / 23)


def test_duplicate_customer_rows_do_not_duplicate_customers(store: Store, insert) -> None:
    insert(store, "orders", ("order_id", "customer_id", "ordered_at", "amount"),
           [("o1", "A", "2024-01-10", 10.0)])
    insert(store, "customers", ("customer_id", "signup_at"),
           [("A", "2024-01-01"), ("A", "2023-12-31")])
    table = customer_table(store)
    assert len(table) == 1
    assert table[c.TENURE_DAYS].iloc[0] == 11.0  # earliest signup, Dec 31 -> Jan 11


@pytest.mark.parametrize("dialect", ["postgres", "snowflake", "trino", "bigquery"])
def test_expression_compiles_for_other_engines(shop: Store, dialect: str) -> None:
    """The feature layer is plain Ibis: other SQL engines can compile the same expression."""
    sql = ibis.to_sql(customer_table_expr(shop, AS_OF), dialect=dialect)
    assert "customer_id" in sql


# -- against a pandas reference on random shops ---------------------------------------


def _reference(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """A direct pandas computation of the core columns (test oracle only)."""
    o = orders[orders["ordered_at"] < as_of].copy()
    o["day"] = o["ordered_at"].dt.normalize()
    days = o.groupby(["customer_id", "day"], as_index=False)["amount"].sum()
    out = []
    for cid, g in days.groupby("customer_id"):
        g = g.sort_values("day")
        n = len(g)
        gaps = g["day"].diff().dt.days.dropna().to_numpy(dtype=float)
        first, last = g["day"].iloc[0], g["day"].iloc[-1]
        out.append({
            "customer_id": cid,
            c.ORDERS: int((o["customer_id"] == cid).sum()),
            c.FREQUENCY: n - 1,
            c.RECENCY_DAYS: float((last - first).days),
            c.T_DAYS: float((as_of - first).days),
            c.DAYS_SINCE_LAST: float((as_of - last).days),
            c.TOTAL_SPEND: float(g["amount"].sum()),
            c.MONETARY_VALUE: float(g["amount"].iloc[1:].mean()) if n > 1 else 0.0,
            c.GAP_STD_DAYS: float(np.std(gaps, ddof=1)) if len(gaps) >= 2 else np.nan,
        })
    return pd.DataFrame(out)


orders_strategy = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(0, 60 * 24 * 3),  # half-hour steps: ~90 days
        st.floats(0.5, 500, allow_nan=False).map(lambda v: round(v, 2)),
    ),
    min_size=1,
    max_size=40,
)


def _check_against_reference(insert, orders: pd.DataFrame, as_of: pd.Timestamp) -> None:
    with Store(":memory:") as store:
        insert(store, "orders", list(orders.columns), orders.itertuples(index=False))
        got = customer_table(store, as_of)
    want = _reference(orders, as_of)
    assert len(got) == len(want)
    if want.empty:
        return
    got = got.set_index("customer_id").loc[want["customer_id"]].reset_index()
    for col in want.columns.drop("customer_id"):
        np.testing.assert_allclose(
            got[col].to_numpy(dtype=float), want[col].to_numpy(dtype=float), rtol=1e-9, err_msg=col
        )
    assert (got[c.RECENCY] >= 0).all() and (got[c.RECENCY] <= got[c.T]).all()
    assert (got[c.FREQUENCY] <= got[c.ORDERS] - 1).all()
    assert (got[c.DAYS_SINCE_LAST] >= 1).all()
    assert got[c.TOTAL_SPEND].sum() == pytest.approx(orders.loc[orders.ordered_at < as_of, "amount"].sum())


def test_matches_pandas_reference_on_a_random_shop(insert) -> None:
    rng = np.random.default_rng(7)
    n = 400
    orders = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(n)],
        "customer_id": rng.choice([f"c{i}" for i in range(60)], n),
        "ordered_at": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 200 * 48, n) * 30, unit="m"),
        "amount": rng.integers(50, 50_000, n) / 100,
    })
    _check_against_reference(insert, orders, pd.Timestamp("2023-05-01"))


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=orders_strategy, as_of_day=st.integers(1, 90))
def test_matches_pandas_reference_and_invariants(insert, rows, as_of_day) -> None:
    start = pd.Timestamp("2023-01-01")
    orders = pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(len(rows))],
            "customer_id": [r[0] for r in rows],
            "ordered_at": [start + pd.Timedelta(minutes=r[1] * 30) for r in rows],
            "amount": [r[2] for r in rows],
        }
    )
    _check_against_reference(insert, orders, start + pd.Timedelta(days=as_of_day))
