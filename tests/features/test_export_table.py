"""Exporting the customer table to CSV, Parquet and Excel."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from custlens import Store
from custlens.errors import InputError
from custlens.features import customer_table, export_table
from custlens.features import export as export_module


@pytest.mark.parametrize("name", ["out.csv", "out.parquet", "out.pq", "sub/dir/out.xlsx", "OUT.CSV"])
def test_round_trip(shop: Store, tmp_path: Path, name: str) -> None:
    table = customer_table(shop, "2024-03-01")
    path = export_table(table, tmp_path / name)
    assert path.exists()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        back = pd.read_csv(path, parse_dates=["first_order_at", "last_order_at"])
    elif suffix == ".xlsx":
        back = pd.read_excel(path, sheet_name="customers")
    else:
        back = pd.read_parquet(path)
    assert list(back.columns) == list(table.columns)
    assert back["customer_id"].tolist() == ["A", "B", "C"]
    assert back["total_spend"].tolist() == pytest.approx(table["total_spend"].tolist())
    assert back["orders"].tolist() == [4, 1, 3]
    assert pd.Timestamp(back["first_order_at"].iloc[0]) == pd.Timestamp("2024-01-01 09:00")


@pytest.mark.parametrize("name", ["out.json", "out"])
def test_unknown_extension_says_which_ones_work(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match=r"unknown extension .*use one of \.csv, \.parquet, \.pq, \.xlsx"):
        export_table(pd.DataFrame({"a": [1]}), tmp_path / name)
    assert not (tmp_path / name).exists()


def test_too_many_rows_for_excel_go_whole_to_parquet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Excel's limit set to 4 rows: the sheet shows the first 2 under a note, the Parquet file
    beside it has all 5 (money in cents as in the sheet), both marked as custlens'."""
    from custlens.outputs import is_ours

    monkeypatch.setattr(export_module, "EXCEL_MAX_ROWS", 4)
    df = pd.DataFrame({"customer_id": ["=cmd", "b", "c", "d", "e"], "total_spend": [1.004, 2, 3, 4, 5]})
    path = export_table(df, tmp_path / "x.xlsx")
    raw = openpyxl.load_workbook(path)["customers"]
    assert raw["A1"].value == ("PARTIAL SHEET: the first 2 of 5 rows, in this sheet's order; all rows are in "
                               "x_customers.parquet beside this workbook.")
    sheet = pd.read_excel(path, header=1)
    assert sheet["customer_id"].tolist() == ["'=cmd", "b"] and sheet["total_spend"].tolist() == [1.0, 2.0]
    full = pd.read_parquet(tmp_path / "x_customers.parquet")
    assert full["customer_id"].tolist() == ["=cmd", "b", "c", "d", "e"]  # typed data: kept as it is
    assert full["total_spend"].tolist() == [1.0, 2, 3, 4, 5]
    assert is_ours(path) and is_ours(tmp_path / "x_customers.parquet")


def test_excel_export_is_streamed_and_neutralised(tmp_path: Path) -> None:
    """`customers --export x.xlsx` writes with the streaming writer: no formula, dates as dates."""
    df = pd.DataFrame({"customer_id": ["=HYPERLINK(1)", "b"], "when": pd.to_datetime(["2024-01-02 03:04", None]),
                       "total_spend": [-1.5, 2.0]})
    path = export_table(df, tmp_path / "y.xlsx")
    ws = openpyxl.load_workbook(path)["customers"]
    assert [c.value for c in ws[2]] == ["'=HYPERLINK(1)", pd.Timestamp("2024-01-02 03:04").to_pydatetime(), -1.5]
    assert ws["B2"].number_format == "yyyy-mm-dd hh:mm" and ws["B3"].value is None
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


def test_csv_has_a_bom_for_excel_and_money_in_cents(tmp_path: Path) -> None:
    df = pd.DataFrame({"customer_id": ["张三", "b"], "total_spend": [1299.0999999999999, 10.005],
                       "aov": [1 / 3, 2.0], "return_rate": [1 / 3, 0.0], "p_alive": [0.123456, 1.0]})
    path = export_table(df, tmp_path / "audience.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel then reads UTF-8
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[1].split(",") == ["张三", "1299.1", "0.33", "0.3333333333333333", "0.123456"]
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back.columns[0] == "customer_id"  # the BOM is not part of the first header
    assert df["total_spend"].iloc[0] == 1299.0999999999999  # the caller's frame is left alone


def test_money_columns_by_name() -> None:
    from custlens.features.money import is_money

    assert all(is_money(c) for c in ("amount", "total_spend", "clv", "expected_loss", "returns_value", "aov"))
    assert not any(is_money(c) for c in ("p_alive", "return_rate", "orders", "customer_id", "share"))
