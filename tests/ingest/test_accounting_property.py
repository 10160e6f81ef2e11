"""Property: whatever the rows, every one is loaded, quarantined or skipped, and revenue adds up."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custlens import Store
from custlens.ingest import ingest

_ids = st.sampled_from(["A", "B", "C", "C9", "", "D"])
_customers = st.sampled_from(["c1", "c2", "", "c3"])
_dates = st.sampled_from(["2024-01-05", "2024/02/30", "2099-01-01", "", "2023年5月6日", "1985-01-01", "45000"])
_amounts = st.sampled_from(["10", "-5", "¥1,200.50", "N/A", "abc", "0", "3,5", ""])
_rows = st.lists(st.tuples(_ids, _customers, _dates, _amounts, st.sampled_from(["p", "q"])), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows, line_level=st.booleans())
def test_every_row_accounted_for(rows: list[tuple], line_level: bool) -> None:
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "amount", "product_id"])
    if not line_level:
        frame = frame.drop(columns="product_id")
    with Store(":memory:") as store:
        res = ingest(frame, store, today=dt.date(2026, 1, 1))
        assert res.rows_read == len(rows)
        assert res.rows_read == res.rows_loaded + res.rows_quarantined + res.duplicates_skipped
        assert store.count("_quarantine") == res.rows_quarantined
        assert sum(res.quarantine_reasons.values()) == res.rows_quarantined
        assert store.count("returns") == res.returns
        total = store._con.execute("SELECT coalesce(sum(amount), 0) FROM orders").fetchall()[0][0]
        assert abs(total - res.revenue) < 1e-6
        assert store._con.execute("SELECT count(*) FROM orders WHERE amount < 0").fetchall()[0][0] == 0
