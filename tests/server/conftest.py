"""Fixtures of the server tests: the demo store served by an app, a hostile toy store, the token."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from fastapi.testclient import TestClient

from custlens.server.app import create_app
from custlens.store import Store

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: Customer ids and values a spreadsheet or a browser would run.
SCRIPT_ID = "<script>alert(1)</script>"
FORMULA_ID = "=HYPERLINK(\"http://x\",\"y\")"
FORMULA_CITY = "@SUM(A1:A2)"


@pytest.fixture(scope="session")
def demo_path(demo_run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo store (with saved CLV scores, no churn scores)."""
    path = tmp_path_factory.mktemp("server_demo") / "demo.duckdb"
    shutil.copy(demo_run.store_path, path)
    return path


@pytest.fixture(scope="session")
def client(demo_path: Path) -> TestClient:
    """One app over the demo store for the whole session: the models are fitted once."""
    return TestClient(create_app(str(demo_path), TOKEN), headers=AUTH)


@pytest.fixture(scope="session")
def anon(client: TestClient) -> TestClient:
    """The same app without the token."""
    return TestClient(client.app)


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
