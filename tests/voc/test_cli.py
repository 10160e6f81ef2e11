"""`custlens satisfaction|feedback|service` through Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custlens.cli import app

runner = CliRunner()


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_ahp_json_contract(tmp_path: Path) -> None:
    """The Wikipedia leader matrix: the JSON has exactly the four documented keys."""
    p = tmp_path / "m.csv"
    p.write_text(",Experience,Education,Charisma,Age\nExperience,1,4,3,7\nEducation,1/4,1,1/3,3\n"
                 "Charisma,1/3,3,1,5\nAge,1/7,1/3,1/5,1\n", encoding="utf-8")
    res = _run("satisfaction", "ahp", p, "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert set(d) == {"weights", "lambda_max", "consistency_index", "consistency_ratio"}
    assert list(d["weights"]) == ["Experience", "Education", "Charisma", "Age"]
    assert d["weights"]["Experience"] == pytest.approx(0.547, abs=1.5e-3)
    assert d["consistency_ratio"] == pytest.approx(0.044, abs=1e-3)


def test_inconsistent_matrix_is_a_clean_error(tmp_path: Path) -> None:
    p = tmp_path / "m.csv"
    p.write_text(",a,b,c\na,1,9,1/9\nb,1/9,1,9\nc,9,1/9,1\n", encoding="utf-8")
    res = _run("satisfaction", "ahp", p, "--lang", "zh")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.stderr.startswith("error: the pairwise-comparison matrix is inconsistent: CR = ")
    assert "Most inconsistent judgements: " in res.stderr


def test_missing_tables_name_the_ingest_command(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    from custlens import Store

    Store(store).close()
    for cmd, table in (("feedback", "feedback"), ("service", "tickets")):
        res = _run(cmd, "--store", store)
        assert res.exit_code == 1
        assert f"custlens ingest FILE --table {table}" in res.stderr
    res = _run("satisfaction", "--store", store)
    assert res.exit_code == 1 and "--table surveys" in res.stderr


def test_demo_commands_in_both_languages(demo_run) -> None:
    s = demo_run.store_path
    d = json.loads(_run("satisfaction", "--store", s, "--json").stdout)
    assert d["weight_method"] == "derived" and 0 <= d["index"] <= 100 and len(d["by_period"]) > 4
    zh = _run("satisfaction", "--store", s, "--lang", "zh")
    assert zh.exit_code == 0 and "满意度指数" in zh.stdout and "商品质量" in zh.stdout
    svc = json.loads(_run("service", "--store", s, "--json").stdout)
    assert svc["sla"] == {"first_response_minutes": 60.0, "resolution_hours": 72.0}
    assert svc["findings"][0]["finding"] == "sla_channel"
    out = _run("service", "--store", s, "--lang", "zh").stdout
    assert "的工单首次响应超过 60 分钟" in out
    nps = json.loads(_run("satisfaction", "nps", "--store", s, "--json").stdout)
    assert nps["ci_low"] < nps["nps"] < nps["ci_high"]
    survey = json.loads(_run("satisfaction", "survey", "--store", s, "--json").stdout)
    assert survey["factor_analysis"]["n_factors"] >= 2


def test_feedback_command(demo_run) -> None:
    res = _run("feedback", "--store", demo_run.store_path, "--lang", "zh")
    assert res.exit_code == 0, res.output
    assert "物流配送" in res.stdout and "投诉" in res.stdout
    d = json.loads(_run("feedback", "--store", demo_run.store_path, "--json").stdout)
    assert {c["category"] for c in d["categories"]} == {"logistics", "quality", "refund", "service"}


def test_bad_expert_weights(demo_run) -> None:
    res = _run("satisfaction", "--store", demo_run.store_path, "--weights", "quality=x")
    assert res.exit_code == 1 and res.stderr.startswith("error: --weights 'quality=x'")
