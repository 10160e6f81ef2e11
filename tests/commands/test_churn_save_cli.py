"""`custlens churn` saves its scores only with --save, with their context (issue 11.9)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custlens import Store
from custlens.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_ad_hoc_churn_run_leaves_the_saved_scores_alone(demo_run, tmp_path: Path) -> None:
    store = tmp_path / "demo.duckdb"
    shutil.copy(demo_run.store_path, store)
    res = runner.invoke(app, ["churn", "--store", str(store), "--horizon", "120", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["saved"] is False
    with Store(store, read_only=True) as st:
        assert not st.exists("churn_scores")
    res = runner.invoke(app, ["churn", "--store", str(store), "--horizon", "120", "--save"])
    assert res.exit_code == 0, res.output
    assert "churn scores saved in the store (120 days, as of 2026-10-01)" in res.stdout
    with Store(store, read_only=True) as st:
        table = st.read("churn_scores")
    assert set(table["horizon_days"]) == {120.0} and set(table["as_of"].astype(str)) == {"2026-10-01"}
    # the 360 shows them with their context
    res = runner.invoke(app, ["customer", str(table["customer_id"].iloc[0]), "--store", str(store)])
    assert "no order within 120 days, as of 2026-10-01" in res.stdout
