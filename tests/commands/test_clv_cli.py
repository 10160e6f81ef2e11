"""``custlens clv`` through Typer's runner: JSON contract, tables, export, clean errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from custlens.cli import app
from custlens.store import Store

runner = CliRunner()


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def demo_path(demo_run, tmp_path: Path) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_run.store_path, path)
    return path


def test_json_contract_and_export(demo_path: Path, tmp_path: Path) -> None:
    export = tmp_path / "clv.csv"
    res = _run("clv", "--store", demo_path, "--model", "bgnbd", "--horizon", "180", "--json",
               "--export", export)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["model"] == "bgnbd"
    assert set(data["params"]) == {"r", "alpha", "a", "b"}
    assert isinstance(data["log_likelihood"], float) and data["log_likelihood"] < 0
    assert data["customers"] == 1876
    assert data["horizon_days"] == 180 and data["discount_rate"] == 0.01
    scores = pd.read_csv(export)
    assert len(scores) == data["customers"]
    assert data["total_clv"] == pytest.approx(scores["clv"].sum())
    assert data["export"] == str(export)
    with Store(demo_path, read_only=True) as st:
        assert st.count("clv_scores") == data["customers"]


def test_human_output(demo_path: Path) -> None:
    res = _run("clv", "--store", demo_path, "--model", "bgnbd", "--top", "3")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("BG/NBD: 1,876 customers as of 2026-10-01, total CLV ")
    for heading in ("Parameters (95% intervals)", "Model comparison",
                    "Holdout: purchases per customer by calibration frequency", "Most valuable customers"):
        assert heading in res.stdout
    assert any(line.startswith("holdout: predicted ") for line in lines)
    assert "Validation: the models were fitted on orders before" in res.stdout
    zh = _run("clv", "--store", demo_path, "--model", "bgnbd", "--lang", "zh", "--holdout-days", "0")
    assert zh.exit_code == 0, zh.output
    assert "最有价值的客户" in zh.stdout and "未做留出验证" in zh.stdout


def test_errors_are_clean(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as st:
        st._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES "
                       "('o1', 'a', '2024-01-01', 10), ('o2', 'a', '2024-02-01', 12), "
                       "('o3', 'b', '2024-01-05', 8)")
    res = _run("clv", "--store", path)
    assert res.exit_code == 1
    assert res.stderr == (
        "error: customer lifetime value needs at least 100 customers, 30 of them with repeat "
        "purchases (orders on two or more dates); before 2024-02-02 the store has 2 customers, 1 of them with "
        "repeat purchases. Load a longer order history (or pass a later --as-of)\n")
    res = _run("clv", "--store", path, "--model", "nbd")
    assert res.exit_code == 1
    assert res.stderr == "error: --model 'nbd' is unknown; use one of auto, bgnbd, mbgnbd, pnbd, bgbb\n"
    assert "Traceback" not in res.output
    res = _run("clv", "--store", tmp_path / "nope.duckdb")
    assert res.exit_code == 1 and res.stderr.startswith("error: no store at ")
    assert not (tmp_path / "nope.duckdb").exists()


def test_ad_hoc_run_leaves_the_saved_scores_alone(demo_path: Path) -> None:
    """Issue 11.9: `clv --model bgnbd --horizon 180` used to overwrite what the 360 and the report show."""
    def saved() -> tuple:
        with Store(demo_path, read_only=True) as st:
            t = st.read("clv_scores")
        return set(t["model"]), set(t["horizon_days"]), len(t)

    before = saved()  # the demo saved the defaults: auto (BG/NBD here), 365 days
    assert before[1] == {365.0}
    res = _run("clv", "--store", demo_path, "--model", "mbgnbd", "--horizon", "180", "--top", "1")
    assert res.exit_code == 0, res.output
    assert "scores not saved (pass --save" in res.stdout
    assert saved() == before
    res = _run("clv", "--store", demo_path, "--model", "mbgnbd", "--horizon", "180", "--top", "1", "--save",
               "--lang", "zh")
    assert res.exit_code == 0, res.output
    assert "评分已保存到数据库（MBG/NBD，180 天，截至 2026-10-01）" in res.stdout
    assert saved() == ({"mbgnbd"}, {180.0}, before[2])


def test_rule_and_model_are_named(demo_path: Path) -> None:
    res = _run("clv", "--store", demo_path, "--top", "1")
    assert res.exit_code == 0, res.output
    assert "Model chosen automatically: BG/NBD. Rule: among the fits that pass the soundness checks" in res.stdout
    assert "(at least one order in the next 365 days)" in res.stdout.splitlines()[0]
    assert "BG/NBD      │ r " in res.stdout and "Gamma-Gamma │ p " in res.stdout  # parameters by model


def test_fit_sample_is_stated(demo_path: Path) -> None:
    res = _run("clv", "--store", demo_path, "--model", "bgnbd", "--fit-sample", "300", "--seed", "3",
               "--lang", "zh")
    assert res.exit_code == 0, res.output
    assert "模型在 1,876 位客户中随机抽取的 300 位上拟合（随机种子 3）；所有客户均已评分。" in res.stdout
    data = json.loads(_run("clv", "--store", demo_path, "--model", "bgnbd", "--fit-sample", "0",
                           "--json").stdout)
    assert data["fit_sample"] is None and data["customers"] == 1876
    bad = _run("clv", "--store", demo_path, "--fit-sample", "50")
    assert bad.exit_code != 0 and "fit_sample=50 must be a whole number >= 100" in bad.output
