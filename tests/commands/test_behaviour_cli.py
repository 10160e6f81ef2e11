"""The behaviour commands through Typer's runner: JSON contracts, text output, clean errors."""

from __future__ import annotations

import json

import pytest
import toyshop
from typer.testing import CliRunner

from custlens.cli import app
from custlens.store import Store

runner = CliRunner()


@pytest.fixture
def toy_path(tmp_path) -> str:
    st = toyshop.fill(Store(tmp_path / "toy.duckdb"))
    st.close()
    return str(tmp_path / "toy.duckdb")


def _run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_customer_json_has_the_contract_keys(toy_path) -> None:
    res = _run("customer", "a", "--store", toy_path, "--as-of", toyshop.AS_OF, "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    for key in ("customer_id", "orders", "revenue", "first_order", "last_order", "segment", "lifecycle_stage"):
        assert key in d
    assert (d["customer_id"], d["orders"], d["revenue"], d["first_order"]) == ("a", 3, 180.0, "2024-01-05T10:00:00")


def test_customer_text_and_unknown_id(toy_path) -> None:
    res = _run("customer", "a", "--store", toy_path, "--lang", "zh")
    assert res.exit_code == 0, res.output
    assert "客户 a" in res.stdout and "订单数: 3" in res.stdout and "最近订单" in res.stdout
    res = _run("customer", "zz", "--store", toy_path)
    assert res.exit_code == 1
    assert res.stderr == (f"error: customer 'zz' is not in the store '{toy_path}' (no order and no customer record); "
                          "customer ids look like 'a', 'b', 'c'\n")


def test_json_of_every_analysis(toy_path) -> None:
    out = {}
    for cmd in ("profile", "behaviour", "cohorts", "lifecycle", "loyalty"):
        res = _run(cmd, "--store", toy_path, "--as-of", toyshop.AS_OF, "--json")
        assert res.exit_code == 0, (cmd, res.output)
        out[cmd] = json.loads(res.stdout)
    assert out["behaviour"]["frequency"]["repeat_rate"] == pytest.approx(0.6)
    assert out["behaviour"]["basket"]["n_baskets"] == 5
    assert out["cohorts"]["average"][1]["retention"] == pytest.approx(0.25)
    assert {s["stage"] for s in out["lifecycle"]["stages"]} >= {"prospect", "new", "churned"}
    assert out["loyalty"]["nps"] == 0.0 and out["loyalty"]["nps_counts"]["responses"] == 5
    assert isinstance(out["profile"]["findings"], list) and out["profile"]["n_customers"] == 6


def test_text_output_in_both_languages(toy_path) -> None:
    res = _run("lifecycle", "--store", toy_path, "--as-of", toyshop.AS_OF, "--from", "2024-03-05")
    assert res.exit_code == 0, res.output
    assert "Prospect" in res.stdout and "Stage transitions from 2024-03-05 to 2024-04-01" in res.stdout
    res = _run("loyalty", "--store", toy_path, "--as-of", toyshop.AS_OF, "--window", "30", "--lang", "zh")
    assert res.exit_code == 0 and "忠诚度指数: 53.0/100" in res.stdout
    res = _run("behaviour", "--store", toy_path, "--lang", "zh")  # no country in the toy data: said, no 春节
    assert res.exit_code == 0 and "复购率: 60.0%" in res.stdout and "春节" not in res.stdout
    assert "未知（数据中没有国家、地区或币种）" in res.stdout and "--country" in res.stdout
    res = _run("behaviour", "--store", toy_path, "--lang", "zh", "--country", "CN")
    assert res.exit_code == 0 and "春节" in res.stdout and "CN（用户指定）" in res.stdout
    res = _run("cohorts", "--store", toy_path, "--freq", "quarter")
    assert res.exit_code == 0 and "Average retention curve" in res.stdout
    res = _run("profile", "--store", toy_path)
    assert res.exit_code == 0 and "Cramér's V" in res.stdout


def test_clean_errors(tmp_path, toy_path) -> None:
    empty = tmp_path / "empty.duckdb"
    Store(empty).close()
    res = _run("behaviour", "--store", empty)
    assert res.exit_code == 1
    assert res.stderr == ("error: purchase frequency needs the 'orders' table, which is empty; load it with "
                          "`custlens ingest FILE --table orders`\n")
    res = _run("cohorts", "--store", toy_path, "--freq", "week")
    assert res.exit_code == 1 and res.stderr == "error: freq='week' is unknown; use one of month, quarter\n"
    res = _run("lifecycle", "--store", toy_path, "--lang", "fr")
    assert res.exit_code == 1 and "--lang 'fr'" in res.stderr
