"""``custlens forecast`` through Typer's runner: JSON contract, text output, clean errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custlens.cli import app

runner = CliRunner()


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def demo_path(demo_run, tmp_path: Path) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_run.store_path, path)
    return path


def _check_rows(rows: list[dict]) -> None:
    for r in rows:
        assert r["lo"] <= r["mean"] <= r["hi"], r
        assert len(r["date"]) == 10


def test_json_contract_for_orders(demo_path: Path) -> None:
    res = _run("forecast", "--store", demo_path, "--metric", "orders", "--horizon", "4", "--freq", "W",
               "--models", "AutoETS", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {"metric", "model", "forecast", "backtest"} <= set(data)
    assert data["metric"] == "orders" and data["model"] in data["backtest"]
    assert set(data["backtest"]) == {"AutoETS", "SeasonalNaive"}
    assert all(set(v) == {"mase", "smape"} for v in data["backtest"].values())
    # --horizon counts weeks; as_of is 2026-10-01, a Thursday: the partly observed week of 2026-09-28
    # is not shown, the 4 weeks start after the origin
    assert [r["date"] for r in data["forecast"]] == ["2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26"]
    assert data["horizon_periods"] == 4
    _check_rows(data["forecast"])
    assert data["level"] == 95
    assert len(data["clv"]) == 4 and all(0 < r["clv_orders"] < r["ts_orders"] for r in data["clv"])


def test_json_for_category_has_every_series(demo_path: Path) -> None:
    res = _run("forecast", "--store", demo_path, "--metric", "category", "--horizon", "2", "--freq", "W",
               "--models", "AutoETS", "--level", "80", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["series"] == sorted(["服饰", "美妆", "数码", "家居", "食品", "母婴"])
    per_series = {}
    for r in data["forecast"]:
        per_series[r["series"]] = per_series.get(r["series"], 0) + 1
    assert set(per_series) == set(data["series"]) and set(per_series.values()) == {2}
    _check_rows(data["forecast"])
    assert "SeasonalNaive" in data["backtest"] and data["level"] == 80


def test_text_output(demo_path: Path) -> None:
    res = _run("forecast", "--store", demo_path, "--metric", "revenue", "--horizon", "7", "--models", "AutoETS",
               "--windows", "2")
    assert res.exit_code == 0, res.output
    first = res.stdout.splitlines()[0]
    assert first.startswith("forecast revenue (D), 7 days from 2026-10-01: model ")
    assert "vs seasonal naive" in first and "2 windows of 7 periods" in first
    assert "SeasonalNaive" in res.stdout and "High 95%" in res.stdout and "2026-10-07" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metric", "profit"], "error: metric='profit' is not supported"),
        (["--level", "90"], "error: --level 90 is not available; use 80 or 95"),
        (["--freq", "Q"], "error: freq='Q' is not supported"),
        (["--models", "Prophet"], "error: model 'Prophet' is not supported"),
        (["--horizon", "0"], "error: horizon=0 days must be at least 1"),
    ],
)
def test_clean_errors(demo_path: Path, args: list[str], message: str) -> None:
    res = _run("forecast", "--store", demo_path, *args)
    assert res.exit_code == 1
    assert res.stderr.startswith(message), res.stderr


def test_missing_store(tmp_path: Path) -> None:
    res = _run("forecast", "--store", tmp_path / "nope.duckdb")
    assert res.exit_code == 1 and res.stderr.startswith("error: no store at")
