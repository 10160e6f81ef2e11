"""Fixtures for the feature tests: small stores filled directly through ``store._con``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from custlens import Store


def _insert(store: Store, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Insert ``rows`` into ``table`` (named columns, the others stay null)."""
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    store._con.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [list(r) for r in rows])


ORDER_COLS = ("order_id", "customer_id", "ordered_at", "amount", "discount", "channel")
ITEM_COLS = ("order_id", "line_no", "category", "quantity", "unit_price", "line_amount")
RETURN_COLS = ("order_id", "customer_id", "returned_at", "amount")

#: The hand-computed shop; as_of = 2024-03-01 (2024 is a leap year: February has 29 days).
AS_OF = "2024-03-01"
ORDERS = [
    # A: four orders on three purchase days (two on Jan 1), one order on as_of itself.
    ("a1", "A", "2024-01-01 09:00:00", 100.0, 10.0, "web"),
    ("a2", "A", "2024-01-01 18:30:00", 50.0, None, "app"),
    ("a3", "A", "2024-01-11 12:00:00", 30.0, None, "web"),
    ("a4", "A", "2024-01-31 23:59:59", 60.0, 5.0, "app"),
    ("a5", "A", "2024-03-01 00:00:00", 999.0, 99.0, "web"),
    # B: one order.
    ("b1", "B", "2024-02-10 15:00:00", 25.0, None, "web"),
    # C: two orders on Feb 20, one on Feb 25, no channel.
    ("c1", "C", "2024-02-20 10:00:00", 40.0, None, None),
    ("c2", "C", "2024-02-20 20:00:00", 20.0, None, None),
    ("c3", "C", "2024-02-25 08:00:00", 10.0, None, None),
    # D: only after as_of.
    ("d1", "D", "2024-03-02 11:00:00", 80.0, None, "web"),
]
ITEMS = [
    ("a1", 1, "books", 2.0, 30.0, 60.0),
    ("a1", 2, "toys", 1.0, 40.0, 40.0),
    ("a2", 1, "toys", 1.0, 50.0, None),  # line amount missing: quantity x unit price
    ("a3", 1, "books", 1.0, 30.0, 30.0),
    ("a5", 1, "garden", 1.0, 999.0, 999.0),  # on as_of: ignored
    ("d1", 1, "garden", 1.0, 80.0, 80.0),
]
RETURNS = [
    ("a1", "A", "2024-01-05 10:00:00", 20.0),
    ("a4", "A", "2024-03-05 10:00:00", 50.0),  # after as_of: ignored
    ("c1", "C", "2024-02-26 10:00:00", 5.0),
    ("c3", "C", "2024-02-26 11:00:00", 10.0),
]
CUSTOMERS = [
    ("A", "2023-12-01 08:00:00"),
    ("B", None),
    ("C", "2024-03-15 00:00:00"),  # signup after as_of: unknown at as_of
    ("E", "2023-01-01 00:00:00"),  # never ordered
]


def fill_shop(store: Store) -> Store:
    _insert(store, "orders", ORDER_COLS, ORDERS)
    _insert(store, "order_items", ITEM_COLS, ITEMS)
    _insert(store, "returns", RETURN_COLS, RETURNS)
    _insert(store, "customers", ("customer_id", "signup_at"), CUSTOMERS)
    return store


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(":memory:") as s:
        yield s


@pytest.fixture
def shop(store: Store) -> Store:
    return fill_shop(store)


@pytest.fixture
def insert():
    """``insert(store, table, columns, rows)``: put rows straight into a store table."""
    return _insert
