"""A hand-built shop for the forecast tests (rows inserted directly, no ingest)."""

from __future__ import annotations

import pytest

from custlens.store import Store


def fill(store: Store) -> Store:
    """Five orders of three customers in January 2024, two with order lines.

    ===  ========  ================  ======  =====================================
    id   customer  ordered_at        amount  lines (category, quantity)
    ===  ========  ================  ======  =====================================
    o1   a         2024-01-01 10:00  100     shoes 2, bags 1
    o2   b         2024-01-01 23:59  50
    o3   a         2024-01-03 08:00  20      shoes 1
    o4   c         2024-01-09 12:00  30
    o5   b         2024-01-15 09:00  40
    ===  ========  ================  ======  =====================================

    The day after the last order is 2024-01-16 (a Tuesday); 2024-01-01 is a Monday.
    """
    store._con.execute(
        """INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES
        ('o1', 'a', '2024-01-01 10:00', 100), ('o2', 'b', '2024-01-01 23:59', 50),
        ('o3', 'a', '2024-01-03 08:00', 20), ('o4', 'c', '2024-01-09 12:00', 30),
        ('o5', 'b', '2024-01-15 09:00', 40)"""
    )
    store._con.execute(
        """INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, line_amount, category)
        VALUES ('o1', 1, 'p1', 2, 40, 80, 'shoes'), ('o1', 2, 'p2', 1, 20, 20, 'bags'),
               ('o3', 1, 'p1', 1, 20, 20, 'shoes')"""
    )
    return store


@pytest.fixture
def shop(store: Store) -> Store:
    return fill(store)
