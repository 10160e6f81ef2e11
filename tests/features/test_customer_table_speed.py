"""The customer table on a million synthetic orders (slow: the generation itself takes a moment)."""

from __future__ import annotations

import time

import pytest

from custlens import Store
from custlens.features import customer_table

N_ORDERS = 1_000_000
N_CUSTOMERS = 200_000


def _fill(store: Store) -> None:
    store._con.execute(
        f"""
        INSERT INTO orders (order_id, customer_id, ordered_at, amount, discount, channel)
        SELECT 'o' || i, 'c' || (hash(i) % {N_CUSTOMERS}),
               TIMESTAMP '2022-01-01' + to_seconds((hash(i * 7) % (730 * 86400))::BIGINT),
               1 + (hash(i * 13) % 50000)::BIGINT / 100.0,
               CASE WHEN i % 5 = 0 THEN 2.5 END,
               ['web', 'app', 'shop'][1 + i % 3]
        FROM range({N_ORDERS}) t(i)
        """
    )
    store._con.execute(
        """
        INSERT INTO order_items (order_id, line_no, category, quantity, unit_price, line_amount)
        SELECT order_id, 1, ['books', 'toys', 'garden', 'food'][1 + (hash(order_id) % 4)::BIGINT], 1, amount, amount
        FROM orders
        """
    )
    store._con.execute(
        """
        INSERT INTO returns (order_id, customer_id, returned_at, amount)
        SELECT order_id, customer_id, ordered_at + INTERVAL 3 DAY, amount / 2
        FROM orders WHERE hash(order_id) % 20 = 0
        """
    )


@pytest.mark.slow
def test_a_million_orders() -> None:
    with Store(":memory:") as store:
        _fill(store)
        start = time.perf_counter()
        table = customer_table(store)
        seconds = time.perf_counter() - start
        customers = store._con.execute("SELECT count(DISTINCT customer_id) FROM orders").fetchall()[0][0]
    print(f"\ncustomer_table on {N_ORDERS:,} orders: {seconds:.2f} s, {len(table):,} customers")
    assert table["orders"].sum() == N_ORDERS
    assert len(table) == customers
    assert seconds < 30
