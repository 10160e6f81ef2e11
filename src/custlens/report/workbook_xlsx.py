"""Streaming ``.xlsx`` writing in constant memory (xlsxwriter's ``constant_memory`` mode).

A workbook of a million customers held as openpyxl cell objects took ~20 GB and most of a
ten-minute report (issue 13). Here every row goes to disk as soon as it is written: the frame
is read in chunks of `CHUNK_ROWS` rows, each chunk is neutralised (`custlens.safety.xlsx_safe`:
no cell can become a formula, no control character breaks the file) and converted to plain
Python values column by column, and xlsxwriter keeps only the current row in memory (its
temporary row files live beside the output, not in a RAM-backed ``/tmp``). Strings are written
inline, so no shared-string table grows with the data either.

The writer keeps what the openpyxl version did: the author is `custlens.outputs.MARK` (the
ownership mark `custlens.outputs` checks), a bold frozen header with an auto-filter, column
widths from a sample of rows, percent / date / money number formats; missing values are blank
cells and ±inf is written as the text ``inf`` / ``-inf`` (as pandas' ``to_excel`` did).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import shutil
import tempfile
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from custlens.outputs import MARK
from custlens.safety import neutralise_frame, xlsx_safe

__all__ = ["CHUNK_ROWS", "StreamingBook", "sheet_name"]

#: Rows converted at a time: large enough to amortise pandas' per-call cost, small enough that a
#: chunk's Python objects (a few MB) do not matter next to the frame itself.
CHUNK_ROWS = 20_000

_INVALID_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial day 0 of Excel's 1900 date system
_DAY = pd.Timedelta(days=1)
_WIDTH_SAMPLE = 200

# A cell writer: (worksheet, row, column, value, format) -> None.
_Writer = Callable[[Worksheet, int, int, Any, "Format | None"], Any]


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
            "pct": self._book.add_format({"num_format": "0.0%"}),
            "date": self._book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            "float": self._book.add_format({"num_format": "#,##0.00"}),
        }

    def add_sheet(self, name: str, frame: pd.DataFrame, pct_cols: list[str] | tuple[str, ...] = ()) -> Worksheet:
        """Write ``frame`` (header row, then one row per record, index left out) as sheet ``name``."""
        ws = self._book.add_worksheet(sheet_name(name))
        cell_formats = _format(ws, frame, list(pct_cols), self.formats)
        _stream(ws, frame, cell_formats, self.chunk_rows, self.formats["header"], self.formats["date"])
        return ws

    def __enter__(self) -> "StreamingBook":
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            if exc_type is None:
                self._book.close()  # assemble the file: the rows are already on disk
        finally:
            shutil.rmtree(self._tmpdir, ignore_errors=True)


def _format(ws: Worksheet, frame: pd.DataFrame, pct_cols: list[str],
            formats: dict[str, Format]) -> list[Format | None]:
    """Freeze and filter the header row, size columns from a sample; the number format of each column."""
    ws.freeze_panes(1, 1)
    if len(frame.columns):
        ws.autofilter(0, 0, len(frame), len(frame.columns) - 1)
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
            header_format: Format, date_format: Format) -> None:
    """The header, then the rows in order, ``chunk_rows`` at a time (constant-memory mode needs row order)."""
    for j, col in enumerate(frame.columns):
        ws.write_string(0, j, str(xlsx_safe(str(col))), header_format)
    for start in range(0, len(frame), chunk_rows):
        chunk = neutralise_frame(frame.iloc[start:start + chunk_rows], xlsx=True)
        columns = [_cells(chunk.iloc[:, j], cell_formats[j], date_format) for j in range(chunk.shape[1])]
        values = [c[0] for c in columns]
        writers = [c[1] for c in columns]
        fmts = [c[2] for c in columns]
        for r, row in enumerate(zip(*values), start=start + 1):
            for j, v in enumerate(row):
                if v is not None:
                    writers[j](ws, r, j, v, fmts[j])


def _cells(s: pd.Series, fmt: Format | None, date_fmt: Format) -> tuple[list[Any], _Writer, Format | None]:
    """A column as Python values (None = blank cell), the writer for them and their format."""
    dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return _nullable(s), Worksheet.write_boolean, None
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if isinstance(dtype, pd.DatetimeTZDtype):  # Excel has no time zones: wall-clock time
            s = s.dt.tz_localize(None)
        serial = ((s - _EXCEL_EPOCH) / _DAY).to_numpy(dtype=float, na_value=np.nan)
        # Always the date format: a text column's chunk of only dates is inferred as dates here.
        return _numbers(serial), Worksheet.write_number, date_fmt
    if pd.api.types.is_timedelta64_dtype(dtype):  # durations in days, as pandas' to_excel writes them
        return _numbers((s / _DAY).to_numpy(dtype=float, na_value=np.nan)), Worksheet.write_number, fmt
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        if pd.api.types.is_integer_dtype(dtype) and not s.hasnans:
            return s.tolist(), Worksheet.write_number, fmt
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        if np.isfinite(arr).all():
            return arr.tolist(), Worksheet.write_number, fmt
        return _numbers(arr), _write_any, fmt
    return _nullable(s), partial(_write_any, date_fmt=date_fmt), fmt


def _nullable(s: pd.Series) -> list[Any]:
    """Values with every missing marker (None, NaN, NaT, pd.NA) as None."""
    return s.astype(object).where(s.notna(), None).tolist()


def _numbers(arr: np.ndarray) -> list[Any]:
    """Floats with NaN as None and ±inf as text (an Excel number cannot be infinite)."""
    out: list[Any] = arr.tolist()
    for i in np.flatnonzero(~np.isfinite(arr)).tolist():
        v = out[i]
        out[i] = None if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return out


def _write_any(ws: Worksheet, r: int, c: int, v: Any, fmt: Format | None, date_fmt: Format | None = None) -> None:
    """One cell of a mixed (object) column, by the value's type; its text is already neutralised."""
    if isinstance(v, str):
        ws.write_string(r, c, v)
    elif isinstance(v, (bool, np.bool_)):
        ws.write_boolean(r, c, bool(v))
    elif isinstance(v, (numbers.Real, Decimal)):
        f = float(v)
        if math.isfinite(f):
            ws.write_number(r, c, f, fmt)
        elif not math.isnan(f):
            ws.write_string(r, c, "inf" if f > 0 else "-inf")
    elif isinstance(v, (dt.datetime, dt.date)):  # a pd.Timestamp is a datetime
        if isinstance(v, pd.Timestamp):
            v = v.to_pydatetime()
        ws.write_datetime(r, c, v, date_fmt)
    else:  # anything else (lists, objects): its text, made safe like any text
        ws.write_string(r, c, str(xlsx_safe(str(v))))
