"""Fixtures of the churn tests: the demo shop's churn analysis (computed once) and toy stores."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from custlens import Store
from custlens.ingest import ingest


@pytest.fixture(scope="session")
def churn_demo(demo_run, tmp_path_factory: pytest.TempPathFactory):
    """``(result, store, demo_run)``: `churn_analysis` on a private copy of the demo store."""
    from custlens.churn import churn_analysis

    path = tmp_path_factory.mktemp("churn") / "demo.duckdb"
    shutil.copy(demo_run.store_path, path)
    st = Store(path)
    result = churn_analysis(st)
    yield result, st, demo_run
    st.close()


def orders_frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """``(order_id, customer_id, ordered_at, amount)`` rows as an orders export."""
    return pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "amount"])


@pytest.fixture
def make_store(tmp_path: Path):
    """Build a store from order rows: ``make_store(rows)``."""
    stores: list[Store] = []

    def make(rows: list[tuple[str, str, str, float]]) -> Store:
        st = Store(tmp_path / f"s{len(stores)}.duckdb")
        ingest(orders_frame(rows), st, table="orders", today=pd.Timestamp("2030-01-01").date())
        stores.append(st)
        return st

    yield make
    for st in stores:
        st.close()
