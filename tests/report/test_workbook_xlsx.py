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


class _Session5Book:
    """The writer before session 6, kept as the reference: data rows appended to xlsxwriter's
    constant-memory row file (which xlsxwriter copies into the sheet XML as text when it packs),
    the file packed by xlsxwriter with its module's ``ZipFile`` swapped for one at level 1."""

    def __init__(self, path: Path, chunk_rows: int) -> None:
        import tempfile

        import xlsxwriter

        from custlens.outputs import MARK

        self.chunk_rows = chunk_rows
        self._tmpdir = tempfile.mkdtemp(dir=path.parent)
        self._book = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "tmpdir": self._tmpdir, "remove_timezone": True,
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
        self._book.set_properties({"author": MARK})
        self.formats = {
            "header": self._book.add_format({"bold": True}),
            "note": self._book.add_format({"bold": True, "font_color": "#C00000"}),
            "pct": self._book.add_format({"num_format": "0.0%"}),
            "date": self._book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            "float": self._book.add_format({"num_format": "#,##0.00"}),
        }

    def add_sheet(self, name: str, frame: pd.DataFrame, pct_cols: tuple[str, ...] = (), note: str | None = None) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        from custlens.report.workbook_cells import column_cells, rows_xml
        from custlens.report.workbook_xlsx import _format, sheet_name
        from custlens.safety import xlsx_safe

        ws = self._book.add_worksheet(sheet_name(name))
        top = 0
        if note is not None:
            ws.write_string(0, 0, str(xlsx_safe(note)), self.formats["note"])
            top = 1
        cell_formats = _format(ws, frame, list(pct_cols), self.formats, top)
        for j, col in enumerate(frame.columns):
            ws.write_string(top, j, str(xlsx_safe(str(col))), self.formats["header"])
        if frame.empty:
            return
        first = top + 1
        ws._write_single_row(first)
        xfs = [f._get_xf_index() if f is not None else None for f in cell_formats]
        date_xf = self.formats["date"]._get_xf_index()
        for start in range(0, len(frame), self.chunk_rows):
            chunk = frame.iloc[start:start + self.chunk_rows]
            rows = pc.cast(pa.array(np.arange(first + start + 1, first + start + len(chunk) + 1)), pa.string())
            cells = [column_cells(chunk.iloc[:, j], j, rows, xfs[j], date_xf) for j in range(chunk.shape[1])]
            ws.fh.write(rows_xml(cells, rows))
        last = first + len(frame) - 1
        ws._check_dimensions(last, len(frame.columns) - 1)
        ws.previous_row = last

    def close(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import shutil
        import zipfile
        from functools import partial

        import xlsxwriter.workbook

        with monkeypatch.context() as m:
            m.setattr(xlsxwriter.workbook, "ZipFile", partial(zipfile.ZipFile, compresslevel=1))
            self._book.close()
        shutil.rmtree(self._tmpdir)


def _parts(path: Path) -> list[tuple[str, bytes]]:
    """The .xlsx's parts in order, uncompressed; the creation and modification times left out."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None  # every part's CRC checks
        return [(i.filename, re.sub(rb"<dcterms:(created|modified)[^<]*</dcterms:\w+>", b"", z.read(i)))
                for i in z.infolist()]


@pytest.mark.parametrize("chunk_rows", [1, 3, 1000])
def test_the_package_equals_xlsxwriters_constant_memory_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           chunk_rows: int) -> None:
    """Every part of the .xlsx (sheet XML, styles, workbook, content types...) equals, byte for
    byte, what the session-5 writer made with xlsxwriter's own constant-memory packing: sheets
    with and without a note, empty ones, one column, every kind of cell, text in Chinese, a
    header that looks like XML; the file is deflated (level 1) and opens in openpyxl."""
    import zipfile

    when = pd.to_datetime(["2024-01-05 10:00", None, "1999-12-31 23:59:30", "2024-02-29 00:00"] * 5, format="ISO8601")
    big = pd.DataFrame({"customer_id": [f"c{i}" for i in range(20)], "at": when,
                        "share": np.linspace(0, 1, 20), "spend": [1299.1, np.inf, -np.inf, np.nan] * 5,
                        "orders": pd.array(list(range(19)) + [None], dtype="Int64"), "flag": [True, False] * 10,
                        "名称 </sheetData>": ["中文", "=1+1", None, "a&b"] * 5})
    sheets = [("Read me", pd.DataFrame({"Sheet": ["Customers"], "Rows": [3]}), (), "see the Parquet file"),
              ("Customers", big, ("share",), "PARTIAL SHEET: the first 20 of 1,000 rows"),
              ("Empty", big.head(0), (), None), ("No columns", pd.DataFrame(), (), None),
              ("One", pd.DataFrame({"x": [1.5]}), (), None), ("Segments", big.iloc[:7, ::-1], (), None)]
    new, old = tmp_path / "new.xlsx", tmp_path / "old.xlsx"
    with StreamingBook(new, chunk_rows=chunk_rows) as book:
        for name, frame, pct, note in sheets:
            book.add_sheet(name, frame, pct, note=note)
    ref = _Session5Book(old, chunk_rows)
    for name, frame, pct, note in sheets:
        ref.add_sheet(name, frame, pct, note=note)
    ref.close(monkeypatch)
    assert _parts(new) == _parts(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.xlsx", "old.xlsx"]  # no temporary file left
    with zipfile.ZipFile(new) as z:
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}
        sheet = z.getinfo("xl/worksheets/sheet2.xml")
        assert sheet.compress_size < sheet.file_size / 3
    wb = openpyxl.load_workbook(new, read_only=True)
    ws = wb["Customers"]
    assert ws.max_row == 22 and ws.max_column == 7  # the <dimension>: note, header, 20 rows
    last = [c.value for c in next(ws.iter_rows(min_row=22, max_row=22))]
    assert last[:3] == ["c19", pd.Timestamp("2024-02-29").to_pydatetime(), 1.0]


def test_a_sheet_part_over_the_zip32_limit_gets_zip64_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet's XML over 2 GiB needs Zip64 sizes, decided before the part is written (its size
    is known: the row file's plus xlsxwriter's head and tail). With the limit lowered to 100
    bytes the sheets take that path: the file reads back the same."""
    import zipfile

    import custlens.report.workbook_xlsx as writer

    frame = pd.DataFrame({"id": [f"c{i}" for i in range(50)], "x": np.arange(50) / 8})
    _write(tmp_path / "small.xlsx", frame)
    monkeypatch.setattr(writer, "_ZIP64_AT", 100)
    _write(tmp_path / "zip64.xlsx", frame)
    assert _parts(tmp_path / "zip64.xlsx") == _parts(tmp_path / "small.xlsx")
    def local_extra(path: Path, part: str) -> bytes:
        """The extra field of ``part``'s local header (where Zip64 sizes of a streamed part go)."""
        import struct

        with zipfile.ZipFile(path) as z, open(path, "rb") as fh:
            fh.seek(z.getinfo(part).header_offset)
            name, extra = struct.unpack("<HH", fh.read(30)[26:30])
            fh.seek(name, 1)
            return fh.read(extra)

    assert local_extra(tmp_path / "zip64.xlsx", "xl/worksheets/sheet1.xml")[:2] == b"\x01\x00"  # Zip64 (0x0001)
    assert local_extra(tmp_path / "small.xlsx", "xl/worksheets/sheet1.xml")[:2] != b"\x01\x00"
    assert local_extra(tmp_path / "zip64.xlsx", "xl/styles.xml")[:2] != b"\x01\x00"
    pd.testing.assert_frame_equal(pd.read_excel(tmp_path / "zip64.xlsx"), frame)
