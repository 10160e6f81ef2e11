"""Discount columns holding rates are converted to money; money stays money; the decision is said."""

from __future__ import annotations

import pandas as pd
import pytest

from custlens.features import customer_table
from custlens.ingest import ingest

TODAY = pd.Timestamp("2030-01-01").date()


def _orders(discounts: list, header: str = "Discount", amounts: list[float] | None = None) -> pd.DataFrame:
    n = len(discounts)
    return pd.DataFrame({"Order ID": [f"o{i}" for i in range(n)], "Customer ID": ["a", "a", "b", "b"][:n],
                         "Order Date": [f"2024-01-0{i + 1}" for i in range(n)],
                         "Sales": amounts or [80.0, 55.0, 100.0, 30.0][:n], header: discounts})


def _discounts(store) -> list[float]:
    got = store._con.execute("SELECT discount FROM orders ORDER BY order_id").fetchall()
    return [None if d is None else round(d, 6) for (d,) in got]


def test_superstore_rates_become_money_with_the_net_amount(store) -> None:
    """Sales 80 after 20% off: gross 100, discount 20; 55 after 45% off: gross 100, discount 45."""
    res = ingest(_orders([0.2, 0.45, 0.0, 0.8]), store, table="orders", today=TODAY)
    assert _discounts(store) == pytest.approx([20.0, 45.0, 0.0, 120.0])
    said = [d for d in res.decisions if d.startswith("discounts in")]
    assert len(said) == 1 and "rates" in said[0] and "values in [0, 1]" in said[0] and "net paid" in said[0]
    share = customer_table(store).set_index("customer_id")["discount_share"]
    assert share["a"] == pytest.approx(65 / 200)  # (20 + 45) / (80 + 55 + 20 + 45)


def test_money_discounts_stay_money(store) -> None:
    res = ingest(_orders([5.0, 0.0, 12.5, 3.0]), store, table="orders", today=TODAY)
    assert _discounts(store) == [5.0, 0.0, 12.5, 3.0]
    assert not any("rates" in d for d in res.decisions)


def test_money_header_keeps_small_values_as_money(store) -> None:
    res = ingest(_orders([0.5, 0.2, 0.0, 0.9], header="Discount Amount"), store, table="orders", today=TODAY)
    assert _discounts(store) == [0.5, 0.2, 0.0, 0.9]
    assert not any("rates" in d for d in res.decisions)


def test_rate_header_and_percent_sign(store, tmp_path) -> None:
    res = ingest(_orders([0.1, 0.0, 0.5, 0.25], header="折扣率"), store, table="orders", today=TODAY)
    assert _discounts(store) == pytest.approx([80 * 0.1 / 0.9, 0.0, 100.0, 10.0])
    assert any("(header)" in d for d in res.decisions)
    from custlens import Store

    other = Store(tmp_path / "pct.duckdb")
    try:
        res = ingest(_orders(["20%", "0%", "50 %", "25%"]), other, table="orders", today=TODAY)
        assert _discounts(other) == pytest.approx([20.0, 0.0, 100.0, 10.0])
        assert any("percent sign" in d for d in res.decisions)
    finally:
        other.close()


def test_line_rates_are_converted_before_the_lines_are_summed(store) -> None:
    """Two lines of one order, 10% and 50% off: 90 + 50 net, 10 + 50 off (not a rate of 0.6)."""
    lines = pd.DataFrame({"InvoiceNo": ["o1", "o1"], "CustomerID": ["a", "a"], "InvoiceDate": ["2024-01-01"] * 2,
                          "StockCode": ["p1", "p2"], "Quantity": [1, 1], "UnitPrice": [90.0, 50.0],
                          "Discount": [0.1, 0.5]})
    res = ingest(lines, store, table="orders", today=TODAY)
    assert _discounts(store) == pytest.approx([60.0])
    assert any("rates" in d for d in res.decisions)
