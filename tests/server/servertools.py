"""Helpers of the server tests: the token, a hostile store, a live server on a free port."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from custlens.store import Store

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: Customer ids and values a spreadsheet or a browser would run.
SCRIPT_ID = "<script>alert(1)</script>"
FORMULA_ID = "=HYPERLINK(\"http://x\",\"y\")"
FORMULA_CITY = "@SUM(A1:A2)"


def hostile_store(path: Path) -> Path:
    """A small store whose ids and profile values are HTML and spreadsheet formulas."""
    from custlens.ingest import ingest

    rng = pd.Timestamp("2024-01-01")
    rows = []
    ids = [SCRIPT_ID, FORMULA_ID, "-1+1", "plain"] + [f"c{i:02d}" for i in range(20)]
    for k, cid in enumerate(ids):
        for j in range(1 + k % 3):
            rows.append({"order_id": f"o{k}_{j}", "customer_id": cid,
                         "ordered_at": rng + pd.Timedelta(days=7 * k + 30 * j), "amount": 10.0 + k + j})
    st = Store(path)
    ingest(pd.DataFrame(rows), st, table="orders")
    ingest(pd.DataFrame({"customer_id": ids, "city": [FORMULA_CITY] * len(ids)}), st, table="customers")
    st.close()
    return path
