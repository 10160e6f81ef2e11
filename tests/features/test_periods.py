"""Period and headline KPIs against a hand-computed toy shop.

Orders (customer: date amount)::

    a: 2024-01-05 100, 2024-01-20 50, 2024-03-02 20
    b: 2024-01-31 30, 2024-03-20 10
    c: 2024-03-15 200, 2024-04-01 5
    d: 2024-05-10 999   (after the as_of used below, must never count)

Monthly, as_of = 2024-04-15:

=========  =======  ======  =========  ===  =========  ============  =======
month      revenue  orders  customers  new  returning  aov           repeat
=========  =======  ======  =========  ===  =========  ============  =======
2024-01    180      3       2 (a, b)   2    0          60            0
2024-02    0        0       0          0    0          NaN           NaN
2024-03    230      3       3 (a,b,c)  1    2          76.666...     2/3
2024-04    5        1       1 (c)      0    1          5             1
=========  =======  ======  =========  ===  =========  ============  =======
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from custlens.errors import MissingDataError
from custlens.features.periods import headline_kpis, period_kpis
from custlens.store import Store

AS_OF = "2024-04-15"


@pytest.fixture()
def store() -> Store:
    s = Store(":memory:")
    s._con.execute(
        """INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES
        ('o1', 'a', '2024-01-05 10:00', 100), ('o2', 'a', '2024-01-20 08:00', 50),
        ('o3', 'b', '2024-01-31 23:59', 30),  ('o4', 'a', '2024-03-02 12:00', 20),
        ('o5', 'c', '2024-03-15 09:00', 200), ('o6', 'b', '2024-03-20 18:00', 10),
        ('o7', 'c', '2024-04-01 00:00', 5),   ('o8', 'd', '2024-05-10 10:00', 999)"""
    )
    s._con.execute(
        """INSERT INTO returns (order_id, customer_id, returned_at, amount) VALUES
        ('o1', 'a', '2024-01-10', 40), ('o5', 'c', '2024-03-20', 25), ('o8', 'd', '2024-05-12', 999)"""
    )
    yield s
    s.close()


def test_monthly_kpis_match_hand_computation(store: Store) -> None:
    df = period_kpis(store, "M", as_of=AS_OF)
    assert list(df["period"].dt.strftime("%Y-%m")) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert list(df["revenue"]) == [180.0, 0.0, 230.0, 5.0]
    assert list(df["orders"]) == [3, 0, 3, 1]
    assert list(df["customers"]) == [2, 0, 3, 1]
    assert list(df["new_customers"]) == [2, 0, 1, 0]
    assert list(df["returning_customers"]) == [0, 0, 2, 1]
    assert df["aov"].iloc[0] == 60.0 and math.isnan(df["aov"].iloc[1])
    assert df["aov"].iloc[2] == pytest.approx(230 / 3)
    assert df["repeat_rate"].iloc[0] == 0.0 and math.isnan(df["repeat_rate"].iloc[1])
    assert df["repeat_rate"].iloc[2] == pytest.approx(2 / 3)
    assert df["repeat_rate"].iloc[3] == 1.0
    # April ends after as_of: partial; earlier months are complete.
    assert list(df["partial"]) == [False, False, False, True]
    assert df["period_end"].iloc[0] == pd.Timestamp("2024-02-01")


def test_revenue_is_conserved_across_frequencies(store: Store) -> None:
    totals = {f: period_kpis(store, f, as_of=AS_OF)[["revenue", "orders"]].sum() for f in "DWMQY"}
    for f, s in totals.items():
        assert s["revenue"] == pytest.approx(415.0), f
        assert s["orders"] == 7, f
    # new customers over all periods = distinct customers
    assert period_kpis(store, "W", as_of=AS_OF)["new_customers"].sum() == 3


def test_weekly_periods_start_on_monday(store: Store) -> None:
    df = period_kpis(store, "W", as_of=AS_OF)
    assert (df["period"].dt.day_of_week == 0).all()
    assert df["period"].iloc[0] == pd.Timestamp("2024-01-01")
    assert df["period"].diff().dropna().eq(pd.Timedelta(days=7)).all()


def test_default_as_of_includes_the_last_order(store: Store) -> None:
    df = period_kpis(store, "Y")
    assert list(df["revenue"]) == [1414.0]
    assert list(df["customers"]) == [4]


def test_headline_kpis_match_hand_computation(store: Store) -> None:
    k = headline_kpis(store, as_of=AS_OF)
    assert k["revenue"] == 415.0
    assert k["orders"] == 7
    assert k["customers"] == 3
    assert k["aov"] == pytest.approx(415 / 7)
    assert k["repeat_customers"] == 3  # a: 3 orders, b: 2, c: 2
    assert k["repeat_purchase_rate"] == 1.0
    assert k["first_order_at"] == pd.Timestamp("2024-01-05 10:00")
    assert k["last_order_at"] == pd.Timestamp("2024-04-01")
    assert k["returns_count"] == 2 and k["returns_value"] == 65.0
    assert k["as_of"] == pd.Timestamp(AS_OF)


def test_headline_repeat_rate_counts_one_time_buyers(store: Store) -> None:
    k = headline_kpis(store)  # d (one order) now counts
    assert k["customers"] == 4
    assert k["repeat_purchase_rate"] == 0.75
    assert k["returns_value"] == 65.0  # the return of o8 (2024-05-12) is after as_of


def test_no_returns_table_rows_gives_zero(store: Store) -> None:
    store._con.execute("DELETE FROM returns")
    k = headline_kpis(store, as_of=AS_OF)
    assert (k["returns_count"], k["returns_value"]) == (0, 0.0)


def test_missing_orders_raise_clear_errors() -> None:
    with Store(":memory:") as empty:
        with pytest.raises(MissingDataError, match="custlens ingest"):
            period_kpis(empty)
        with pytest.raises(MissingDataError, match="custlens ingest"):
            headline_kpis(empty)


def test_as_of_before_first_order_and_bad_freq(store: Store) -> None:
    with pytest.raises(MissingDataError, match="no orders before as_of=2023-01-01"):
        period_kpis(store, as_of="2023-01-01")
    with pytest.raises(MissingDataError, match="no orders before"):
        headline_kpis(store, as_of="2023-01-01")
    with pytest.raises(ValueError, match="freq='X' is not supported"):
        period_kpis(store, "X")
