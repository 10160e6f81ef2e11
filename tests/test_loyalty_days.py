"""Loyalty from the customer table's purchase days equals loyalty from its own order query.

Session 5: the report passes ``customers=ctx.customer_build()``; the repeat rate, the retention
windows' base and retained counts and the first order's date then come from the purchase days
instead of a pass over the orders. Compared with the order query (still the path without
``customers``) on the toy and demo shops and on the lifecycle's edge-case shop (orders exactly
at midnight on a window's first day and one second before it, one-time buyers, same-day orders,
orders after ``as_of``), with windows that start before the first order and after.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
import toyshop
from test_lifecycle_onepass import AS_OF, _insert, _orders, edge_customers, edge_rows

from custlens.errors import InputError
from custlens.features.purchase_days import build_customer_table
from custlens.loyalty import loyalty
from custlens.store import Store


def assert_same(st: Store, as_of: pd.Timestamp | str | None, window_days: int) -> None:
    as_of = pd.Timestamp(as_of) if as_of is not None else st.default_as_of()
    old = loyalty(st, as_of=as_of, window_days=window_days)
    new = loyalty(st, as_of=as_of, window_days=window_days, customers=build_customer_table(st, as_of))
    assert (new.base, new.retained) == (old.base, old.retained)
    for name in ("repeat_rate", "retention_rate", "index"):
        a, b = getattr(new, name), getattr(old, name)
        assert (math.isnan(a) and math.isnan(b)) or a == b, name
    pd.testing.assert_frame_equal(new.components, old.components)


@pytest.fixture
def edge(tmp_path) -> Store:
    st = Store(tmp_path / "edge.duckdb")
    _insert(st, "orders", _orders(edge_rows()))
    _insert(st, "customers", edge_customers())
    yield st
    st.close()


@pytest.mark.parametrize("as_of, window_days", [
    (AS_OF, 365),                         # d0_first at midnight on the current window's first day
    (AS_OF, 183),                         # d0_last_second one second before the previous window
    (AS_OF, 30), (AS_OF, 1),
    (AS_OF + pd.Timedelta(days=1), 365),  # on_as_of observed now
    ("2023-04-10", 60),                   # two windows reaching before the first order: no retention
])
def test_edge_shop(edge, as_of, window_days) -> None:
    assert_same(edge, as_of, window_days)


def test_edge_shop_counts_something(edge) -> None:
    res = loyalty(edge, as_of=AS_OF, window_days=365, customers=build_customer_table(edge, AS_OF))
    assert res.base > 3 and 0 < res.retained < res.base and 0 < res.repeat_rate < 1


@pytest.mark.parametrize("window_days", [30, 60])
def test_toy_shop(toy, window_days) -> None:
    assert_same(toy, toyshop.AS_OF, window_days)


def test_demo_shop(demo) -> None:
    for window_days in (90, 365):
        assert_same(demo, None, window_days)


def test_the_build_must_share_the_as_of(edge) -> None:
    with pytest.raises(InputError, match="customer table is as of 2024-07-01, the loyalty as of 2024-06-01"):
        loyalty(edge, as_of="2024-06-01", customers=build_customer_table(edge, AS_OF))
