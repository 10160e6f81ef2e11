"""A tiny hand-built shop for the report tests (rows inserted directly; no ingest)."""

from __future__ import annotations

from typing import Iterator

import pytest

from custlens.store import Store

#: as_of used by the tests: the day after the last order (2024-04-01).
AS_OF = "2024-04-02"


def fill_shop(store: Store) -> Store:
    """Orders of four customers, two returns, order lines, one source with quarantined rows.

    ===  ========  ==========================  ======
    id   customer  ordered_at                  amount
    ===  ========  ==========================  ======
    o1   a         2024-01-05 10:00            100
    o2   a         2024-01-20 08:00            50
    o3   b         2024-01-31 23:59            30
    o4   a         2024-03-02 12:00            20
    o5   c         2024-03-15 09:00            200
    o6   b         2024-03-20 18:00            10
    o7   c         2024-04-01 00:00            5
    o8   d         2024-02-10 10:00            15
    ===  ========  ==========================  ======

    Revenue 430, 8 orders, 4 customers, AOV 53.75, 3 of 4 customers ordered twice or more
    (75%); returns 40 + 25 = 65.
    """
    con = store._con
    con.execute(
        """INSERT INTO orders (order_id, customer_id, ordered_at, amount, channel) VALUES
        ('o1', 'a', '2024-01-05 10:00', 100, 'web'), ('o2', 'a', '2024-01-20 08:00', 50, 'app'),
        ('o3', 'b', '2024-01-31 23:59', 30, 'web'),  ('o4', 'a', '2024-03-02 12:00', 20, 'web'),
        ('o5', 'c', '2024-03-15 09:00', 200, 'app'), ('o6', 'b', '2024-03-20 18:00', 10, 'web'),
        ('o7', 'c', '2024-04-01 00:00', 5, 'web'),   ('o8', 'd', '2024-02-10 10:00', 15, 'app')"""
    )
    con.execute(
        """INSERT INTO returns (order_id, customer_id, returned_at, amount) VALUES
        ('o1', 'a', '2024-01-10', 40), ('o5', 'c', '2024-03-20', 25)"""
    )
    con.execute(
        """INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, line_amount, category)
        VALUES ('o1', 1, 'p1', 2, 50, 100, 'shoes'), ('o5', 1, 'p2', 1, 200, 200, 'bags')"""
    )
    con.execute(
        """INSERT INTO _ingest_log VALUES ('/exports/orders_2024.csv', 'f00', 'orders', 12, 8, 3, 1,
        '2024-04-02 09:00', '2024-04-02 09:01')"""
    )
    con.execute(
        """INSERT INTO _quarantine VALUES
        ('/exports/orders_2024.csv', 'orders', 4, 'o9,,2024-01-01,5', 'missing_customer_id', '2024-04-02 09:01'),
        ('/exports/orders_2024.csv', 'orders', 7, 'o10,e,2024-01-01,', 'missing_customer_id', '2024-04-02 09:01'),
        ('/exports/orders_2024.csv', 'orders', 9, 'o11,f,2024-13-45,9', 'unparseable_date', '2024-04-02 09:01')"""
    )
    con.execute("INSERT INTO _meta VALUES ('shop_name', 'Toy Shop')")
    return store


@pytest.fixture(scope="module")
def shop() -> Iterator[Store]:
    with Store(":memory:") as store:
        yield fill_shop(store)


@pytest.fixture()
def empty_store() -> Iterator[Store]:
    with Store(":memory:") as store:
        yield store


@pytest.fixture()
def make_shop():
    """`fill_shop`, for tests that need the toy shop in a store of their own."""
    return fill_shop
