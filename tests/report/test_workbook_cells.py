"""Column-wise cell XML (`custlens.report.workbook_cells`) against xlsxwriter's own per-cell writer."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
import xlsxwriter

from custlens.report.workbook_cells import column_cells
from custlens.report.workbook_xlsx import StreamingBook
from custlens.safety import FORMULA_PREFIXES, xlsx_safe

_EPOCH = pd.Timestamp("1899-12-30")

HOSTILE = ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "a\rb", "bell\x07x", "_x0041_ literal", "a & b < c > d",
           "  leading", "trailing  ", "", "张三", "emoji 😀", "\ufffe", "x" * 40_000, "😀" * 20_000, "plain"]


def _reference(path: Path, frame: pd.DataFrame) -> Path:
    """The same sheet written cell by cell with xlsxwriter's public API (the slow path it replaces)."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    ws = wb.add_worksheet()
    date = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for j, col in enumerate(frame.columns):
        ws.write_string(0, j, col)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            if v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, str):
                ws.write_string(r, j, xlsx_safe(v))
            elif isinstance(v, (bool, np.bool_)):
                ws.write_boolean(r, j, bool(v))
            elif isinstance(v, pd.Timestamp):
                ws.write_number(r, j, (v - _EPOCH) / pd.Timedelta(days=1), date)
            elif math.isinf(v):
                ws.write_string(r, j, "inf" if v > 0 else "-inf")
            else:
                ws.write_number(r, j, float(v))
    wb.close()
    return path


def _cells(path: Path) -> list[list[tuple[object, str, str]]]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    return [[(c.value, c.data_type, c.number_format) for c in row] for row in ws.iter_rows()]


def test_same_cells_as_xlsxwriter_writes_them(tmp_path: Path) -> None:
    """Every kind of column, hostile text included (formula prefixes, controls, xlsxwriter's own
    ``_xHHHH_`` escape, XML characters, edge whitespace, text over Excel's 32,767 units): the
    values, types and formats read back equal those of xlsxwriter's per-cell writer."""
    rng = np.random.default_rng(7)
    n = len(HOSTILE) * 3
    floats = rng.normal(0, 1e6, n)
    floats[[1, 5]] = np.nan
    floats[2], floats[3], floats[4] = np.inf, -np.inf, 1 / 3
    when = pd.Timestamp("2024-02-29 13:45:10") + pd.to_timedelta(rng.integers(-10**8, 10**8, n), unit="s")
    frame = pd.DataFrame({
        "text": (HOSTILE * 3)[:n],
        "float": floats,
        "int": rng.integers(-10**12, 10**12, n),
        "nullable": pd.array([None if i % 4 == 0 else i for i in range(n)], dtype="Int64"),
        "flag": [i % 3 == 0 for i in range(n)],
        "when": pd.Series(when).where(np.arange(n) % 5 != 0),
        "mixed": [["x", 2.5, None, pd.Timestamp("2024-03-01 12:00"), True, "=bad", -7][i % 7] for i in range(n)],
    })
    ours = tmp_path / "ours.xlsx"
    with StreamingBook(ours, chunk_rows=10) as book:  # several chunks
        book.add_sheet("Sheet1", frame)
    got, want = _cells(ours), _cells(_reference(tmp_path / "ref.xlsx", frame))
    assert len(got) == n + 1
    for r, (g, w) in enumerate(zip(got, want)):
        # xlsxwriter writes 16 significant digits, these cells the shortest exact form: equal to 1e-15
        assert [c[1] for c in g] == [c[1] for c in w], r
        assert [c[0] if not isinstance(c[0], float) else pytest.approx(c[0], rel=1e-15) for c in g] == \
            [c[0] for c in w], r
        assert g[5][2] == w[5][2] or r == 0 or g[5][0] is None  # dates keep the date format
    assert got[1][0][0] == "'=1+1" and got[8][0][0] == "bell\ufffdx" and got[9][0][0] == "_x005F_x0041_ literal"  # Excel unescapes, openpyxl not
    assert len(got[17][0][0]) == 32_767  # truncated as xlsxwriter truncates


def test_formula_pattern_covers_every_prefix() -> None:
    """The vectorised check matches exactly `custlens.safety.FORMULA_PREFIXES` at the start of a text."""
    texts = [p + "x" for p in FORMULA_PREFIXES] + ["x=", " =1", "'=1", "1-2"]
    rows = pa.array([str(i + 2) for i in range(len(texts))])
    cells = column_cells(pd.Series(texts, dtype=object), 0, rows, None, None).to_pylist()
    quoted = [c.split("<t")[1].split(">", 1)[1].startswith("'") for c in cells]
    assert quoted == [True] * len(FORMULA_PREFIXES) + [False, False, True, False]


def test_cell_xml_is_the_ooxml_xlsxwriter_writes() -> None:
    """Pinned fragments (ECMA-376 §18.3.1.4): reference, style, number text, no cell for NaN."""
    rows = pa.array(["2", "3", "4"])
    assert column_cells(pd.Series([1.5, np.nan, 1e20]), 1, rows, 3, None).to_pylist() == [
        '<c r="B2" s="3"><v>1.5</v></c>', None, '<c r="B4" s="3"><v>1e+20</v></c>']
    assert column_cells(pd.Series(["a&b", None, " x"]), 27, rows, None, None).to_pylist() == [
        '<c r="AB2" t="inlineStr"><is><t>a&amp;b</t></is></c>', None,
        '<c r="AB4" t="inlineStr"><is><t xml:space="preserve"> x</t></is></c>']
    assert column_cells(pd.Series([True, False, True]), 0, rows, None, None).to_pylist()[1] == \
        '<c r="A3" t="b"><v>0</v></c>'


@pytest.mark.parametrize("values", [[0.1 + 0.2, 123456789.123456789, -1e-300, 5e-324, 1.7976931348623157e308]])
def test_numbers_round_trip_exactly(tmp_path: Path, values: list[float]) -> None:
    """Numbers are written in their shortest round-trip form: read back bit for bit."""
    path = tmp_path / "n.xlsx"
    with StreamingBook(path) as book:
        book.add_sheet("n", pd.DataFrame({"x": values}))
    assert [r[0] for r in openpyxl.load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True)] == values


def test_text_columns_read_as_the_list_path_did() -> None:
    """`_text` (Arrow reading the objects) equals the list it replaced: None, NaN, pd.NA and NaT
    as null, numpy strings, empty and hostile texts, a column of only missing values."""
    from custlens.report.workbook_cells import _text

    columns = [HOSTILE + [None, np.nan, pd.NA], [None, None], [np.str_("numpy"), "str", None], [np.nan] * 3,
               ["a", pd.NaT, None], []]
    for values in columns:
        s = pd.Series(values, dtype=object)
        expected = pa.array(s.where(s.notna(), None).tolist(), type=pa.string())
        got = _text(s)
        assert got.equals(expected), values
