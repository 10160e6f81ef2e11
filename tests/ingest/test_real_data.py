"""The real public data sets in ../shared/data load with every row accounted for."""

from __future__ import annotations

from pathlib import Path

import pytest

from custlens import Store
from custlens.ingest import ingest


def test_cdnow_master_whitespace_file(shared_data: Path, store: Store) -> None:
    """CDNOW master: 69,659 purchases by 23,570 customers (data/README.md)."""
    res = ingest(shared_data / "cdnow" / "CDNOW_master.txt", store)
    assert res.rows_read == 69_659
    assert res.rows_loaded == 69_659 and res.rows_quarantined == 0
    assert res.customers == 23_570
    assert store.count("orders") == 69_659
    first = store._con.execute("SELECT min(ordered_at), max(ordered_at) FROM orders").fetchall()[0]
    assert str(first[0].date()) == "1997-01-01" and str(first[1].date()) == "1998-06-30"


def test_online_retail_sample_cancellations_and_accounting(shared_data: Path, store: Store) -> None:
    """UCI Online Retail sample: 2,709 lines, 668 without CustomerID; C-invoices are returns."""
    path = shared_data / "online_retail" / "online_retail_sample_small.csv"
    res = ingest(path, store)
    assert res.rows_read == 2_709
    assert res.rows_read == res.rows_loaded + res.rows_quarantined + res.duplicates_skipped
    assert res.quarantine_reasons.get("missing_customer_id") == 668
    # Every cancellation invoice with a customer is a return, and no order id starts with C.
    n_c = store._con.execute("SELECT count(*) FROM returns WHERE order_id LIKE 'C%'").fetchall()[0][0]
    assert n_c == res.returns > 0
    assert store._con.execute("SELECT count(*) FROM orders WHERE order_id LIKE 'C%'").fetchall()[0][0] == 0
    # Revenue is conserved from the lines: orders = sum of their items.
    gap = store._con.execute("""
        SELECT max(abs(o.amount - i.s)) FROM orders o
        JOIN (SELECT order_id, sum(line_amount) s FROM order_items GROUP BY order_id) i USING (order_id)
    """).fetchall()[0][0]
    assert gap < 0.01
    assert res.customers == store._con.execute("SELECT count(DISTINCT customer_id) FROM orders").fetchall()[0][0]
    assert any("month-first" in d for d in res.decisions)
    again = ingest(path, store)
    assert again.rows_loaded == 0 and again.duplicates_skipped == 2_709
