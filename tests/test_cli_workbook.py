"""`custlens report --excel-rows` and `custlens customers --export x.xlsx` through the CLI runner."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from custlens import i18n
from custlens.cli import app
from custlens.store import Store

runner = CliRunner()


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_report_excel_rows_prints_where_the_full_tables_went(toy: Store, tmp_path: Path) -> None:
    """A budget of 2 rows on the toy shop: the CLI names every partial sheet and its Parquet file
    (in the report's language); the workbook opens on the "Read me" sheet."""
    store = toy.path
    customers = len(toy.read("orders")["customer_id"].unique())
    toy.close()  # the CLI opens the file itself
    res = _run("report", "--store", store, "--out", tmp_path / "zh", "--lang", "zh", "--excel-rows", 2)
    assert res.exit_code == 0, res.output
    book = tmp_path / "zh" / "custlens_zh.xlsx"
    sheet = i18n.t("report.sheet.customers", "zh")
    line = i18n.t("report.cli.partial", "zh", sheet=sheet, shown="2", rows=f"{customers:,}",
                  file=str(tmp_path / "zh" / "custlens_zh_customers.parquet"))
    assert line in res.stdout.splitlines()
    assert openpyxl.load_workbook(book).sheetnames[0] == "请先阅读"
    assert len(pd.read_parquet(tmp_path / "zh" / "custlens_zh_customers.parquet")) == customers

    res = _run("report", "--store", store, "--out", tmp_path / "en", "--excel-rows", 0)  # 0: no budget
    assert res.exit_code == 0, res.output
    assert "partial sheet" not in res.stdout and not list((tmp_path / "en").glob("*.parquet"))
    assert openpyxl.load_workbook(tmp_path / "en" / "custlens_en.xlsx").sheetnames[0] == "Customers"

    res = _run("report", "--store", store, "--out", tmp_path / "bad", "--excel-rows", -1)
    assert res.exit_code == 2 and "--excel-rows" in res.output


def test_customers_export_xlsx_is_the_streamed_workbook(toy: Store, tmp_path: Path) -> None:
    store = toy.path
    toy.close()
    res = _run("customers", "--store", store, "--export", tmp_path / "c.xlsx")
    assert res.exit_code == 0, res.output
    back = pd.read_excel(tmp_path / "c.xlsx", sheet_name="customers")
    assert back["customer_id"].is_unique and len(back) > 0
    assert openpyxl.load_workbook(tmp_path / "c.xlsx").properties.creator == "custlens"
