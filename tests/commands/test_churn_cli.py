"""`custlens churn` through the CLI runner: the JSON contract, exports, labelled mode, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from custlens.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_churn_json_contract_and_export(demo_run, tmp_path: Path) -> None:
    store = tmp_path / "demo.duckdb"
    shutil.copy(demo_run.store_path, store)
    export = tmp_path / "lists.csv"
    res = runner.invoke(app, ["churn", "--store", str(store), "--json", "--export", str(export), "--save"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    for key in ("definition", "horizon_days", "customers_scored", "auc", "baselines", "high_risk"):
        assert key in d
    assert set(d["baselines"]) == {"recency", "p_alive"}
    assert d["auc"] > d["baselines"]["recency"]
    lists = pd.read_csv(export)
    assert len(lists) == d["early_warning"] + d["win_back"]
    assert {"customer_id", "churn_probability", "reasons", "action"} <= set(lists.columns)
    from custlens import Store

    with Store(store, read_only=True) as st:
        assert len(st.read("churn_scores")) == d["customers_scored"]


def test_churn_labelled_mode_prints_the_definition(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    tenure = rng.integers(1, 72, 400)
    churn = rng.random(400) < 1 / (1 + np.exp(-(1.5 - 0.08 * tenure)))
    path = tmp_path / "telco.csv"
    pd.DataFrame({"customerID": [f"u{i}" for i in range(400)], "tenure": tenure,
                  "Churn": np.where(churn, "Yes", "No")}).to_csv(path, index=False)
    res = runner.invoke(app, ["churn", "--labels", str(path), "--label-column", "Churn", "--lang", "zh"])
    assert res.exit_code == 0, res.output
    assert "流失 = 标注表中的 'Churn' 列" in res.stdout


def test_churn_errors_are_clean(tmp_path: Path) -> None:
    res = runner.invoke(app, ["churn", "--labels", str(tmp_path / "nope.csv")])
    assert res.exit_code == 1 and "error: --labels" in res.stderr and "Traceback" not in res.output
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": range(30), "Churn": [0] * 29 + [1]}).to_csv(path, index=False)
    res = runner.invoke(app, ["churn", "--labels", str(path), "--label-column", "Churn"])
    assert res.exit_code == 1
    assert "error: not enough data to model churn: the labelled rows hold 1 churned and 29 retained" in res.stderr
