"""The streaming workbook writer: constant memory, neutralised cells, formats, the ownership mark."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from custlens.outputs import is_ours
from custlens.report.workbook_xlsx import StreamingBook


def _write(path: Path, frame: pd.DataFrame, pct: tuple[str, ...] = (), chunk_rows: int = 4) -> Path:
    with StreamingBook(path, chunk_rows=chunk_rows) as book:
        book.add_sheet("Sheet: [one]/?", frame, pct)
    return path


def test_cells_of_every_chunk_are_neutralised(tmp_path: Path) -> None:
    """Formula-like text and control characters in later chunks (chunk of 4 rows) are made inert;
    numbers, negative ones too, stay numbers."""
    hostile = ["ok", "=HYPERLINK(\"http://x\",\"y\")", "+1+1", "@SUM(A1)", "-2+3", "\tTAB", "bell\x07x",
               "=1+1", "plain", "\x1b[31mred"]
    frame = pd.DataFrame({"id": [f"c{i}" for i in range(10)], "text": hostile,
                          "amount": [-2.5, 1, 2, 3, 4, 5, 6, 7, 8, -9.25],
                          "=evil header": range(10)})
    wb = openpyxl.load_workbook(_write(tmp_path / "h.xlsx", frame))
    ws = wb.worksheets[0]
    assert ws.title == "Sheet   one   "  # []:*?/\ are not allowed in sheet names
    assert [c.value for c in ws[1]] == ["id", "text", "amount", "'=evil header"]
    rows = list(ws.iter_rows(min_row=2))
    assert [r[1].value for r in rows] == [
        "ok", "'=HYPERLINK(\"http://x\",\"y\")", "'+1+1", "'@SUM(A1)", "'-2+3", "'\tTAB", "bell\ufffdx",
        "'=1+1", "plain", "\ufffd[31mred"]
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)  # no formula anywhere
    assert [r[2].value for r in rows][::9] == [-2.5, -9.25] and rows[0][2].data_type == "n"
    assert [r[3].value for r in rows] == list(range(10))


def test_types_formats_and_sheet_setup(tmp_path: Path) -> None:
    """Dates round-trip through openpyxl's own serial-date reading; NaN and NaT are blank cells,
    ±inf text (as pandas' to_excel wrote them); shares get a percent format, floats two decimals."""
    when = pd.to_datetime(["2024-01-05 10:00", None, "1999-12-31 23:59:30", "2024-02-29 00:00"], format="ISO8601")
    frame = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"],
        "first_order_at": when,
        "share": [0.125, np.nan, 1.0, 0.5],
        "spend": [1299.1, np.inf, -np.inf, 0.0],
        "orders": pd.array([1, None, 3, 4], dtype="Int64"),
        "flag": [True, False, True, False],
        "mixed": ["x", 2.5, None, pd.Timestamp("2024-03-01 12:00")],
    })
    path = _write(tmp_path / "t.xlsx", frame, pct=("share",), chunk_rows=3)
    assert is_ours(path)  # the ownership mark custlens.outputs checks
    wb = openpyxl.load_workbook(path)
    assert wb.properties.creator == "custlens"
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == "A1:G5"
    assert ws["A1"].font.b
    got = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[1] for r in got] == [when[0].to_pydatetime(), None, when[2].to_pydatetime(), when[3].to_pydatetime()]
    assert ws["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert [r[2] for r in got] == [0.125, None, 1.0, 0.5] and ws["C2"].number_format == "0.0%"
    assert [r[3] for r in got] == [1299.1, "inf", "-inf", 0] and ws["D2"].number_format == "#,##0.00"
    assert [r[4] for r in got] == [1, None, 3, 4]
    assert [r[5] for r in got] == [True, False, True, False]
    assert [r[6] for r in got] == ["x", 2.5, None, pd.Timestamp("2024-03-01 12:00").to_pydatetime()]
    assert ws.column_dimensions["A"].width >= 8  # sized from the sample, at least 8


def test_a_failure_leaves_no_temporary_files(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": range(10)})
    with pytest.raises(RuntimeError):
        with StreamingBook(tmp_path / "x.xlsx", chunk_rows=2) as book:
            book.add_sheet("a", frame)
            raise RuntimeError("half-way")
    assert list(tmp_path.iterdir()) == []


def _peak_bytes(path: Path, frame: pd.DataFrame) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        _write(path, frame, chunk_rows=2_000)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    """Peak Python memory while writing 15,000 vs 60,000 rows (the frames built beforehand): the
    rows go to disk, so 4x the rows may not cost more than a chunk's worth more. An in-memory
    writer (openpyxl's normal mode, xlsxwriter without constant_memory) keeps every cell and
    grows about linearly (checked by hand: xlsxwriter without constant_memory peaks at ~4x)."""
    def frame(n: int) -> pd.DataFrame:
        return pd.DataFrame({"customer_id": [f"customer-{i:08d}" for i in range(n)],
                             "spend": np.linspace(0, 1e4, n), "orders": np.arange(n) % 17})

    small, big = frame(15_000), frame(60_000)
    _peak_bytes(tmp_path / "warm.xlsx", small.head(100))  # imports and first-call caches
    peak_small = _peak_bytes(tmp_path / "s.xlsx", small)
    peak_big = _peak_bytes(tmp_path / "b.xlsx", big)
    assert len(pd.read_excel(tmp_path / "b.xlsx")) == 60_000
    assert peak_big < 1.25 * peak_small + 256 * 1024, (peak_small, peak_big)


def test_more_rows_than_a_sheet_holds_is_an_error_not_a_silent_cut(tmp_path: Path) -> None:
    """xlsxwriter drops cells beyond row 1,048,576 without a word; the writer refuses instead
    (`fit_sheet` cuts a table first). A 2-row sheet limit stands in for Excel's."""
    with pytest.raises(ValueError, match="3 rows from row 2 do not fit a sheet of 2 rows"):
        with StreamingBook(tmp_path / "x.xlsx") as book:
            ws = book._book.add_worksheet("big")
            ws.xls_rowmax = 2
            from custlens.report.workbook_xlsx import _format, _stream

            fmts = _format(ws, pd.DataFrame({"a": [1, 2, 3]}), [], book.formats)
            _stream(ws, pd.DataFrame({"a": [1, 2, 3]}), fmts, 10, book.formats["header"], book.formats["date"])
