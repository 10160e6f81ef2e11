"""The CLI through Typer's runner: exact output for errors, JSON contracts, help everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custlens.cli import app

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_every_command_has_help_with_an_example() -> None:
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        res = _run(name, "--help")
        assert res.exit_code == 0, name
        assert "Example: custlens" in (command.callback.__doc__ or ""), name


def test_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    res = _run("ingest", tmp_path / "nope.csv", "--store", tmp_path / "s.duckdb")
    assert res.exit_code == 1
    assert res.stderr == f"error: no such file: '{tmp_path / 'nope.csv'}'\n"
    assert "Traceback" not in res.output


def test_unmappable_file_shows_headers_and_the_map_flag(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Kunde,Datum,Betrag\nk1,2024-01-01,5\n")
    res = _run("ingest", path, "--store", tmp_path / "s.duckdb")
    assert res.exit_code == 1
    assert res.stderr == (
        f"error: {path}: cannot find the orders column(s) 'customer_id' (looked for headers like "
        "customer_id, customerid, customer, customer no), 'ordered_at' (looked for headers like "
        "ordered_at, order date, orderdate, invoicedate), 'amount' (looked for headers like amount, "
        "sales, sale amount, total). The file's columns are: 'Kunde', 'Datum', 'Betrag'. Name the right "
        "column with --map, e.g. --map \"COLUMN=customer_id\". If the file is not an orders export, pass "
        "--table customers|surveys|feedback|tickets|campaign_members.\n"
    )
    res = _run("ingest", path, "--store", tmp_path / "s.duckdb", "--map", "Kunde=customer_id",
               "--map", "Datum=ordered_at", "--map", "Betrag=amount", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["rows_loaded"] == 1


def test_ambiguous_dates_error_names_the_flags(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("order_id,customer_id,date,amount\n1,a,01/02/2024,5\n")
    res = _run("ingest", path, "--store", tmp_path / "s.duckdb")
    assert res.exit_code == 1
    assert res.stderr == (
        f"error: column 'date' in {path}: 1 dates such as '01/02/2024' could be day-first or month-first "
        "and no value settles it; pass --dayfirst or --monthfirst (or --date-format '%d/%m/%Y')\n"
    )
    assert _run("ingest", path, "--store", tmp_path / "s.duckdb", "--dayfirst").exit_code == 0


def test_ingest_json_contract(tmp_path: Path, shared_data: Path) -> None:
    res = _run("ingest", shared_data / "online_retail" / "online_retail_sample_small.csv",
               "--store", tmp_path / "s.duckdb", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for key in ("rows_read", "rows_loaded", "rows_quarantined", "duplicates_skipped", "orders", "customers",
                "revenue", "returns", "quarantine_reasons"):
        assert key in data
    assert data["rows_read"] == data["rows_loaded"] + data["rows_quarantined"] + data["duplicates_skipped"]
    assert data["quarantine_reasons"] == {"missing_customer_id": 668}


def test_headerless_file_with_columns(tmp_path: Path, shared_data: Path) -> None:
    path = shared_data / "cdnow" / "CDNOW_sample.txt"
    res = _run("ingest", path, "--store", tmp_path / "s.duckdb", "--json")
    assert res.exit_code == 1 and "--columns" in res.stderr
    res = _run("ingest", path, "--store", tmp_path / "s.duckdb", "--json",
               "--columns", "master_id,customer_id,date,quantity,amount")
    data = json.loads(res.stdout)
    assert (data["rows_loaded"], data["customers"]) == (6919, 2357)


def test_bad_table_and_lang(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n")
    res = _run("ingest", path, "--table", "products", "--store", tmp_path / "s.duckdb")
    assert res.exit_code == 1
    assert res.stderr.startswith("error: --table 'products' is not a table custlens loads; use one of orders,")


def test_rfm_quality_customers_and_report_on_the_demo(demo_store, tmp_path: Path) -> None:
    store = demo_store.path
    demo_store.close()  # the CLI opens the file itself
    res = _run("rfm", "--scheme", "cn8", "--store", store, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["scheme"] == "cn8" and len(data["segments"]) == 8
    assert abs(sum(s["share"] for s in data["segments"]) - 1) < 1e-9
    assert sum(s["customers"] for s in data["segments"]) == data["customers"]
    res = _run("rfm", "--scheme", "rfm12", "--store", store)
    assert res.exit_code == 1 and res.stderr == "error: --scheme 'rfm12' is unknown; use one of rfm11, rf10, cn8\n"

    res = _run("quality", "--store", store, "--json")
    assert res.exit_code == 0, res.output
    q = json.loads(res.stdout)
    assert 0 <= q["score"] <= 100 and q["grade"] in "ABCDF"
    res = _run("quality", "--store", store, "--lang", "zh")
    assert res.stdout.startswith("数据质量：")

    out = tmp_path / "customers.csv"
    res = _run("customers", "--store", store, "--export", out, "--json")
    assert res.exit_code == 0, res.output
    exported = json.loads(res.stdout)
    import pandas as pd

    table = pd.read_csv(out)
    assert len(table) == exported["customers"] and table["customer_id"].is_unique
    assert {"clv", "p_alive"} <= set(table.columns)  # the demo run saved CLV scores

    res = _run("report", "--store", store, "--out", tmp_path / "rep", "--lang", "zh", "--no-excel")
    assert res.exit_code == 0, res.output
    html = (tmp_path / "rep" / "report_zh.html").read_text(encoding="utf-8")
    assert "冠军客户" in html and html.count("<script") >= 1


def test_as_of_and_lang_are_checked(tmp_path: Path) -> None:
    res = _run("rfm", "--as-of", "yesterday-ish", "--store", tmp_path / "s.duckdb")
    assert res.exit_code == 1 and "error:" in res.stderr
    res = _run("rfm", "--lang", "fr", "--store", tmp_path / "s.duckdb")
    assert res.exit_code == 1 and res.stderr == "error: --lang 'fr' is not supported; use en or zh\n"
