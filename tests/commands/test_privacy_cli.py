"""CLI: personal data never printed, --pseudonymise, and `custlens forget`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from custlens.cli import app

runner = CliRunner()
PII = ("alice@example.com", "13812345678", "Alice Wong", "bob@example.com", "13987654321", "Bob Li")
ORDERS = ("order_id,customer_id,ordered_at,amount,name,email,phone\n"
          "A1,,2024-01-05,10,Alice Wong,alice@example.com,13812345678\n"
          "A2,,2024-01-06,20,Bob Li,bob@example.com,13987654321\n"
          "A3,c3,2024-01-07,30,Carol,carol@example.com,13711112222\n")


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_quarantine_warning_and_quality_json_redact_personal_fields(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    store = tmp_path / "s.duckdb"
    res = run("ingest", path, "--store", store)
    assert res.exit_code == 0, res.output
    assert "missing_customer_id" in res.output and "<redacted>" in res.output
    for secret in PII:
        assert secret not in res.output
    res = run("quality", "--store", store, "--json")
    assert res.exit_code == 0, res.output
    assert "<redacted>" in res.output
    for secret in PII:
        assert secret not in res.output
    problems = json.loads(res.output)["problems"]
    raw = [json.loads(e["raw"]) for p in problems for e in p["examples"] if "raw" in e]
    assert raw and all(r["email"] == "<redacted>" and r["order_id"] in ("A1", "A2") for r in raw)


def test_pseudonymise_then_forget_with_the_original_id(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS.replace("A1,,", "A1,c1,"), encoding="utf-8")
    store = tmp_path / "p.duckdb"
    res = run("ingest", path, "--store", store, "--pseudonymise", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["rows_loaded"] == 2
    assert (tmp_path / "p.duckdb.key").exists()
    res = run("forget", "c1", "--store", store, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["rows_removed"] == {"orders": 1} and data["id_hash"].startswith("p_")
    res = run("forget", "c1", "--store", store, "--lang", "zh")
    assert res.exit_code == 0 and "未找到该客户的数据" in res.output


def test_forget_plain_store_prints_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    store = tmp_path / "s.duckdb"
    assert run("ingest", path, "--store", store).exit_code == 0
    res = run("forget", "c3", "--store", store)
    assert res.exit_code == 0, res.output
    assert res.output.startswith("forgot one customer: 1 rows removed (orders 1)")
    assert "c3" not in res.output.replace("c3 --", "")


def test_a_wrong_salt_file_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS.replace("A1,,", "A1,c1,"), encoding="utf-8")
    store = tmp_path / "p.duckdb"
    assert run("ingest", path, "--store", store, "--pseudonymise").exit_code == 0
    wrong = tmp_path / "wrong.key"
    wrong.write_text("a-completely-different-secret\n")
    wrong.chmod(0o600)
    res = run("forget", "c1", "--store", store, "--salt-file", wrong)
    assert res.exit_code == 1
    assert "does not match the one the store" in res.output
