"""Formula injection (OWASP CSV injection) and terminal control codes, cell by cell and file by file."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from custlens.features import export_table
from custlens.safety import FORMULA_PREFIXES, neutralise, neutralise_frame, visible, xlsx_safe

#: Values that a spreadsheet would run, or that openpyxl refuses (the last two).
HOSTILE = ['=HYPERLINK("http://x","y")', "=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx",
           "bell\x07here", "nul\x00x"]


def _frame() -> pd.DataFrame:
    n = len(HOSTILE)
    return pd.DataFrame({
        "customer_id": HOSTILE,
        "category": pd.Categorical(["=cmd|' /C calc'!A0"] * n),
        "amount": [-2.5, -1.0, 0.0, 3.25, -7.0, 1.0, 2.0, 3.0, 4.0],
        "orders": list(range(-4, n - 4)),
        "note": [None, "ok", "-", "a-b", "@", "=", "+", "plain", pd.NA],
    })


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_text_starting_with_a_formula_character_gets_a_quote(value: str) -> None:
    assert neutralise(value) == "'" + value


def test_numbers_and_harmless_text_are_unchanged() -> None:
    for v in (-2, -2.5, 0, 3.0, None, "a=b", "x-1", "'=1"):
        assert neutralise(v) == v
    assert xlsx_safe("a\x1bb") == "a\ufffdb"
    assert xlsx_safe("line\nnext\ttab") == "line\nnext\ttab"  # Excel holds these


def test_frame_keeps_numeric_columns_and_does_not_modify_the_input() -> None:
    df = _frame()
    safe = neutralise_frame(df)
    assert df["customer_id"].tolist() == HOSTILE
    assert safe["amount"].dtype == float and safe["amount"].tolist() == df["amount"].tolist()
    assert safe["orders"].dtype == df["orders"].dtype
    assert safe["note"].isna().sum() == 2


def _assert_inert(value: object) -> None:
    if isinstance(value, str):
        assert not value.startswith(FORMULA_PREFIXES), repr(value)


def test_xlsx_export_has_no_formula_and_keeps_negative_numbers(tmp_path: Path) -> None:
    path = export_table(_frame(), tmp_path / "c.xlsx")
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows())
    assert len(rows) == len(HOSTILE) + 1
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            _assert_inert(cell.value)
    ids = [r[0].value for r in rows[1:]]
    assert ids[:6] == ["'" + v for v in HOSTILE[:6]]
    assert ids[6] == "'_x000D_x"  # CR as Excel's own escape (xlsxwriter's); openpyxl does not unescape
    assert ids[7:] == ["bell\ufffdhere", "nul\ufffdx"]  # was an IllegalCharacterError
    amounts = [r[2].value for r in rows[1:]]
    assert amounts[0] == -2.5 and rows[1][2].data_type == "n"
    assert [r[3].value for r in rows[1:]][:2] == [-4, -3]
    assert openpyxl.load_workbook(path).properties.creator == "custlens"


def test_csv_export_prefixes_text_and_keeps_negative_numbers(tmp_path: Path) -> None:
    path = export_table(_frame(), tmp_path / "c.csv")
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["customer_id", "category", "amount", "orders", "note"]
    for row in rows[1:]:
        for i in (0, 1, 4):  # the text columns; 2 and 3 hold numbers
            _assert_inert(row[i])
        float(row[2]), int(row[3])
    assert [r[0] for r in rows[1:8]] == ["'" + v for v in HOSTILE[:7]]
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert [r[2] for r in rows[1:3]] == ["-2.5", "-1.0"]  # numbers, not "'-2.5"
    assert rows[1][3] == "-4"


def test_parquet_export_keeps_the_data_exactly(tmp_path: Path) -> None:
    df = _frame()
    back = pd.read_parquet(export_table(df, tmp_path / "c.parquet"))
    assert back["customer_id"].tolist() == HOSTILE


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
    ("\x1b[31mred", "\\x1b[31mred"),
    ("csi\x9bx", "csi\\x9bx"),
    ("abc\u202edcba", "abc\\u202edcba"),
    ("a\nb\tc\r", "a\\x0ab\\x09c\\x0d"),
    ("[bold red]BIG[/]", "[bold red]BIG[/]"),
    ("客户 ①", "客户 ①"),
])
def test_visible_shows_control_characters_as_escapes(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert visible("one\ntwo", keep="\n") == "one\ntwo"
