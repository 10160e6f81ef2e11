"""Streaming ``.xlsx`` writing in constant memory (xlsxwriter's ``constant_memory`` mode).

A workbook of a million customers held as openpyxl cell objects took ~20 GB and most of a
ten-minute report (issue 13). Here every row goes to disk as soon as it is written: the frame
is read in chunks of `CHUNK_ROWS` rows, each chunk is neutralised (as `custlens.safety.xlsx_safe`:
no cell can become a formula, no control character breaks the file) and formatted as sheet XML
column by column (`custlens.report.workbook_cells`, ~0.3 µs a cell instead of xlsxwriter's
~5–10 µs), and appended to xlsxwriter's row file (beside the output, not in a RAM-backed
``/tmp``). Strings are written inline, so no shared-string table grows with the data either.

The writer keeps what the openpyxl version did: the author is `custlens.outputs.MARK` (the
ownership mark `custlens.outputs` checks), a bold frozen header with an auto-filter, column
widths from a sample of rows, percent / date / money number formats; missing values are blank
cells and ±inf is written as the text ``inf`` / ``-inf`` (as pandas' ``to_excel`` did).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import zipfile
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from custlens.outputs import MARK
from custlens.report.workbook_cells import column_cells, rows_xml
from custlens.safety import xlsx_safe

__all__ = ["CHUNK_ROWS", "StreamingBook", "sheet_name"]

#: Rows converted at a time: large enough to amortise pandas' per-call cost, small enough that a
#: chunk's Python objects (a few MB) do not matter next to the frame itself.
CHUNK_ROWS = 20_000

_INVALID_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})
_WIDTH_SAMPLE = 200
#: Deflate level of the .xlsx (a zip). xlsxwriter uses zlib's default (6); at 1 the sheet XML
#: compresses ~3x faster (about a microsecond less per cell, most of what is left) for a file
#: ~15% larger (bench/README.md, "Workbook").
ZIP_LEVEL = 1
_ZIP_LOCK = threading.Lock()


def sheet_name(name: str) -> str:
    """``name`` made a valid sheet name: no ``[]:*?/\\`` and at most 31 characters."""
    return name.translate(_INVALID_SHEET_CHARS)[:31]


class StreamingBook:
    """An ``.xlsx`` file written sheet by sheet, row by row, in constant memory.

    Parameters
    ----------
    path : pathlib.Path
        The file to write (usually the temporary file of `custlens.outputs.atomic_output`).
    chunk_rows : int, default CHUNK_ROWS
        Rows of a frame converted and written at a time.

    Notes
    -----
    Use it as a context manager: the file is completed when the block ends without an error;
    either way xlsxwriter's temporary row files (in a private folder beside ``path``) are removed.

    Examples
    --------
    >>> with StreamingBook(Path("out.xlsx")) as book:  # doctest: +SKIP
    ...     book.add_sheet("Customers", frame, pct_cols=["Share"])
    """

    def __init__(self, path: Path, chunk_rows: int = CHUNK_ROWS) -> None:
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows={chunk_rows} should be >= 1")
        self.chunk_rows = chunk_rows
        # Row files beside the output (a RAM-backed /tmp would defeat the point), in a folder of
        # their own so that a failure half-way leaves none behind.
        self._tmpdir = tempfile.mkdtemp(prefix=".custlens-xlsx-", dir=Path(path).parent)
        # Cells are written with typed calls only; the generic write()'s guessing stays off anyway.
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

    def add_sheet(self, name: str, frame: pd.DataFrame, pct_cols: list[str] | tuple[str, ...] = (),
                  note: str | None = None) -> Worksheet:
        """Write ``frame`` (header row, then one row per record, index left out) as sheet ``name``.

        A ``note`` (e.g. "the first 100,000 of 1,000,000 rows; the full table is in ...") goes in
        the first row, in bold red above the header, so it cannot be missed.
        """
        ws = self._book.add_worksheet(sheet_name(name))
        top = 0
        if note is not None:
            ws.write_string(0, 0, str(xlsx_safe(note)), self.formats["note"])
            top = 1
        cell_formats = _format(ws, frame, list(pct_cols), self.formats, top)
        _stream(ws, frame, cell_formats, self.chunk_rows, self.formats["header"], self.formats["date"], top)
        return ws

    def __enter__(self) -> "StreamingBook":
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            if exc_type is None:
                with _zip_level(ZIP_LEVEL):
                    self._book.close()  # assemble the file: the rows are already on disk
        finally:
            shutil.rmtree(self._tmpdir, ignore_errors=True)


@contextmanager
def _zip_level(level: int) -> Iterator[None]:
    """xlsxwriter has no option for the deflate level: its module's ``ZipFile`` is swapped for one
    with ``compresslevel`` while the book is packed (under a lock, so two books never race)."""
    with _ZIP_LOCK:
        saved = xlsxwriter.workbook.ZipFile
        xlsxwriter.workbook.ZipFile = partial(zipfile.ZipFile, compresslevel=level)  # type: ignore[misc]
        try:
            yield
        finally:
            xlsxwriter.workbook.ZipFile = saved  # type: ignore[misc]


def _format(ws: Worksheet, frame: pd.DataFrame, pct_cols: list[str],
            formats: dict[str, Format], top: int = 0) -> list[Format | None]:
    """Freeze and filter the header row (row ``top``), size columns from a sample; each column's number format."""
    ws.freeze_panes(top + 1, 1)
    if len(frame.columns):
        ws.autofilter(top, 0, top + len(frame), len(frame.columns) - 1)
    out: list[Format | None] = []
    sample = frame.head(_WIDTH_SAMPLE)
    for i, col in enumerate(frame.columns):
        width = max([_width(str(col))] + [_width(str(v)) for v in sample.iloc[:, i]]) + 2
        ws.set_column(i, i, min(max(width, 8), 60))
        dtype = frame.dtypes.iloc[i]
        if col in pct_cols:
            out.append(formats["pct"])
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            out.append(formats["date"])
        elif pd.api.types.is_float_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
            out.append(formats["float"])
        else:
            out.append(None)
    return out


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _stream(ws: Worksheet, frame: pd.DataFrame, cell_formats: list[Format | None], chunk_rows: int,
            header_format: Format, date_format: Format, top: int = 0) -> None:
    """The header (in row ``top``), then the rows in order, ``chunk_rows`` at a time.

    xlsxwriter writes the header; the data rows are formatted column-wise
    (`custlens.report.workbook_cells`) and appended to the worksheet's constant-memory row file,
    where xlsxwriter's own per-row writer would have put them (it would take ~10x the time).
    """
    for j, col in enumerate(frame.columns):
        ws.write_string(top, j, str(xlsx_safe(str(col))), header_format)
    if frame.empty:
        return
    if not ws.constant_memory:
        raise RuntimeError("rows are appended to the constant-memory row file: open the workbook with constant_memory")
    first = top + 1
    if first + len(frame) > ws.xls_rowmax:  # xlsxwriter would drop them silently; fit_sheet cuts first
        raise ValueError(f"{len(frame):,} rows from row {first + 1:,} do not fit a sheet of {ws.xls_rowmax:,} rows; "
                         f"cut the table with custlens.report.workbook_sheets.fit_sheet")
    ws._write_single_row(first)  # flush the rows xlsxwriter holds (note, header): ours follow them
    xfs = [f._get_xf_index() if f is not None else None for f in cell_formats]
    date_xf = date_format._get_xf_index()
    for start in range(0, len(frame), chunk_rows):
        chunk = frame.iloc[start:start + chunk_rows]
        rows = pc.cast(pa.array(np.arange(first + start + 1, first + start + len(chunk) + 1)), pa.string())
        cells = [column_cells(chunk.iloc[:, j], j, rows, xfs[j], date_xf) for j in range(chunk.shape[1])]
        ws.fh.write(rows_xml(cells, rows))
    last = first + len(frame) - 1
    ws._check_dimensions(last, len(frame.columns) - 1)  # the sheet's <dimension>
    ws.previous_row = last  # nothing of ours is left for xlsxwriter to flush
