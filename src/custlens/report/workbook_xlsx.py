"""Streaming ``.xlsx`` writing in constant memory (xlsxwriter's ``constant_memory`` mode).

A workbook of a million customers held as openpyxl cell objects took ~20 GB and most of a
ten-minute report (issue 13). Here every row goes to disk as soon as it is written: the frame
is read in chunks of `CHUNK_ROWS` rows, each chunk is neutralised (as `custlens.safety.xlsx_safe`:
no cell can become a formula, no control character breaks the file) and formatted as sheet XML
column by column (`custlens.report.workbook_cells`, ~0.3 µs a cell instead of xlsxwriter's
~5–10 µs), and appended as UTF-8 bytes to a row file of the sheet (beside the output, not in a
RAM-backed ``/tmp``). Strings are written inline, so no shared-string table grows with the data
either. xlsxwriter writes the rest of the package (styles, the note and header rows, widths,
filter, panes) with empty sheets; `StreamingBook` then packs the final .xlsx with `zipfile`, each
row file streamed into its sheet's ``<sheetData>`` (xlsxwriter's own constant-memory path would
read and write every row again as text: ~200 MB at 1M customers) at deflate level `ZIP_LEVEL`.

The writer keeps what the openpyxl version did: the author is `custlens.outputs.MARK` (the
ownership mark `custlens.outputs` checks), a bold frozen header with an auto-filter, column
widths from a sample of rows, percent / date / money number formats; missing values are blank
cells and ±inf is written as the text ``inf`` / ``-inf`` (as pandas' ``to_excel`` did).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from custlens.outputs import MARK
from custlens.report.workbook_cells import column_cells, rows_bytes
from custlens.safety import xlsx_safe

__all__ = ["CHUNK_ROWS", "StreamingBook", "sheet_name"]

#: Rows converted at a time: large enough to amortise pandas' per-call cost, small enough that a
#: chunk's Python objects (a few MB) do not matter next to the frame itself.
CHUNK_ROWS = 20_000

_INVALID_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})
_WIDTH_SAMPLE = 200
#: Deflate level of the .xlsx (a zip). xlsxwriter uses zlib's default (6); at 1 the sheet XML
#: compresses ~3x faster (about a microsecond less per cell, most of what is left) for a file
#: ~15% larger (bench/README.md, "Workbook"). `zipfile`'s ``compresslevel`` sets it.
ZIP_LEVEL = 1
_COPY_BLOCK = 1 << 20  # bytes of a row file read at a time into the zip
_SHEET_PART = "xl/worksheets/sheet{}.xml"  # xlsxwriter's part of its n-th worksheet (1-based)
_DIMENSION = re.compile(rb'<dimension ref="[A-Z0-9:]+"/>')
_END = b"</sheetData>"
_ZIP64_AT = (1 << 31) - 1  # zip's 32-bit sizes: a bigger part needs Zip64 fields, known before it is written


@dataclass
class _Rows:
    """A sheet's data rows, written to ``path`` as the XML of its ``<sheetData>``: they follow
    xlsxwriter's note and header rows, and the sheet's ``<dimension>`` becomes ``dimension``."""

    part: str
    path: Path
    dimension: bytes


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
    either way the temporary files (in a private folder beside ``path``) are removed.

    Examples
    --------
    >>> with StreamingBook(Path("out.xlsx")) as book:  # doctest: +SKIP
    ...     book.add_sheet("Customers", frame, pct_cols=["Share"])
    """

    def __init__(self, path: Path, chunk_rows: int = CHUNK_ROWS) -> None:
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows={chunk_rows} should be >= 1")
        self.chunk_rows = chunk_rows
        self.path = Path(path)
        # Row files beside the output (a RAM-backed /tmp would defeat the point), in a folder of
        # their own so that a failure half-way leaves none behind.
        self._tmpdir = tempfile.mkdtemp(prefix=".custlens-xlsx-", dir=self.path.parent)
        self._rows: list[_Rows] = []
        # xlsxwriter writes the package without the data rows (`_pack` adds them). Cells are
        # written with typed calls only; the generic write()'s guessing stays off anyway.
        self._skeleton = Path(self._tmpdir) / "skeleton.xlsx"
        self._book = xlsxwriter.Workbook(str(self._skeleton), {
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
            if len(frame.columns):  # styles numbered as before (`_stream`): the note's row went out first
                self.formats["note"]._get_xf_index()
        cell_formats = _format(ws, frame, list(pct_cols), self.formats, top)
        n = len(self._book.worksheets())  # xlsxwriter numbers its sheet parts in this order
        path = Path(self._tmpdir) / f"rows{n}.xml"
        with open(path, "wb") as out:
            last = _stream(ws, frame, cell_formats, self.chunk_rows, self.formats["header"], self.formats["date"],
                           top, out)
        if last is not None:  # the sheet's cells now span A1 to the last row's last column
            ref = xl_rowcol_to_cell(0, 0) + ":" + xl_rowcol_to_cell(last, len(frame.columns) - 1)
            self._rows.append(_Rows(_SHEET_PART.format(n), path, f'<dimension ref="{ref}"/>'.encode()))
        else:
            path.unlink()
        return ws

    def __enter__(self) -> "StreamingBook":
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            if exc_type is None:
                self._book.close()  # the package, its sheets without our rows
                _pack(self._skeleton, self.path, self._rows)
        finally:
            shutil.rmtree(self._tmpdir, ignore_errors=True)


def _pack(skeleton: Path, path: Path, rows: list[_Rows]) -> None:
    """The .xlsx at ``path``: every part of xlsxwriter's ``skeleton``, in its order, deflated at
    `ZIP_LEVEL`; each sheet of ``rows`` with its row file streamed in before ``</sheetData>``
    (after xlsxwriter's note and header rows, where its constant-memory writer would have copied
    them) and its ``<dimension>`` covering them."""
    pending = {r.part: r for r in rows}
    with zipfile.ZipFile(skeleton) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED,
                                                           compresslevel=ZIP_LEVEL) as out:
        for info in src.infolist():
            data = src.read(info)
            r = pending.pop(info.filename, None)
            if r is None:
                part = zipfile.ZipInfo(info.filename, info.date_time)
                part.external_attr = info.external_attr
                out.writestr(part, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL)
                continue
            if data.count(_END) != 1 or len(_DIMENSION.findall(data)) != 1:
                raise RuntimeError(f"{info.filename} of xlsxwriter's package has not one <dimension> and one "
                                   f"</sheetData>; the rows cannot be placed (xlsxwriter {xlsxwriter.__version__})")
            end = data.index(_END)
            head, tail = _DIMENSION.sub(r.dimension, data[:end], count=1), data[end:]
            size = len(head) + r.path.stat().st_size + len(tail)
            # the name (not a ZipInfo) takes the archive's compresslevel; Zip64 only when needed
            with out.open(info.filename, "w", force_zip64=size * 1.05 > _ZIP64_AT) as dst, \
                    open(r.path, "rb") as rows_file:
                dst.write(head)
                shutil.copyfileobj(rows_file, dst, _COPY_BLOCK)
                dst.write(tail)
            r.path.unlink()  # the disk it took is free before the next sheet
    if pending:
        raise RuntimeError(f"xlsxwriter's package has no part {sorted(pending)}; the rows cannot be placed "
                           f"(xlsxwriter {xlsxwriter.__version__})")


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
            header_format: Format, date_format: Format, top: int = 0, out: BinaryIO | None = None) -> int | None:
    """The header (in row ``top``), then the rows in order, ``chunk_rows`` at a time, to ``out``.

    xlsxwriter writes the header; the data rows are formatted column-wise
    (`custlens.report.workbook_cells`, ~10x faster than xlsxwriter's own per-cell writer) and
    written to ``out`` as the XML that follows the header in the sheet's ``<sheetData>``
    (`_pack` places it). Returns the last row's index (0-based), None for no data rows.
    """
    for j, col in enumerate(frame.columns):
        ws.write_string(top, j, str(xlsx_safe(str(col))), header_format)
    if frame.empty:
        return None
    first = top + 1
    if first + len(frame) > ws.xls_rowmax:  # xlsxwriter would drop them silently; fit_sheet cuts first
        raise ValueError(f"{len(frame):,} rows from row {first + 1:,} do not fit a sheet of {ws.xls_rowmax:,} rows; "
                         f"cut the table with custlens.report.workbook_sheets.fit_sheet")
    if out is None:
        raise ValueError("out: the file that receives the rows' XML is missing")
    # xlsxwriter numbers the cell styles in the order they are first used; the header's first,
    # then the columns', as when its constant-memory writer flushed the header before our rows
    # (tests/report/test_workbook_xlsx.py: every part of the file as before, byte for byte).
    header_format._get_xf_index()
    xfs = [f._get_xf_index() if f is not None else None for f in cell_formats]
    date_xf = date_format._get_xf_index()
    for start in range(0, len(frame), chunk_rows):
        chunk = frame.iloc[start:start + chunk_rows]
        rows = pc.cast(pa.array(np.arange(first + start + 1, first + start + len(chunk) + 1)), pa.string())
        cells = [column_cells(chunk.iloc[:, j], j, rows, xfs[j], date_xf) for j in range(chunk.shape[1])]
        out.write(rows_bytes(cells, rows))
    return first + len(frame) - 1
