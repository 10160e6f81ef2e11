"""A chunk of a frame as the ``<row>`` XML of a worksheet, a column at a time (pyarrow compute).

xlsxwriter costs ~5–10 µs of Python per cell (a call, a tuple, an attribute list and an
f-string per cell); a million customers × 30 columns is minutes. Here each column's cells are
formatted in one vectorised pass (numbers cast to text, strings neutralised and escaped,
cell references joined) and the rows are joined column-wise, so a cell costs well under a
microsecond. `custlens.report.workbook_xlsx` places the result in the sheet's ``<sheetData>``;
the workbook around it (styles, header, widths, filter) stays xlsxwriter's.

The cells are those xlsxwriter writes (ECMA-376 Part 1, §18.3.1.4 ``c``): numbers
``<c r="B2" s="1"><v>12.5</v></c>``, inline strings ``t="inlineStr"``, booleans ``t="b"``;
missing values are no cell at all. Text gets exactly `custlens.safety.xlsx_safe`'s treatment
(a ``'`` before a formula character, U+FFFD for the control characters an .xlsx cannot hold),
then xlsxwriter's escapes (``_xHHHH_`` for CR, ``_x005F`` before a literal ``_xHHHH_``, XML
entities). ``tests/report/test_workbook_cells.py`` checks both against the references.
"""

from __future__ import annotations

import datetime as dt
import numbers
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import _utf16_len, _utf16_truncate, xl_col_to_name

__all__ = ["column_cells", "rows_bytes", "rows_xml"]

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial day 0 of Excel's 1900 date system
_DAY = pd.Timedelta(days=1)
_STR_MAX = 32_767  # Excel's longest cell text, in UTF-16 units
_FORMULA = r"^[=+\-@\t\r]"  # custlens.safety.FORMULA_PREFIXES (a test keeps them equal)
_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"  # as custlens.safety._XLSX_ILLEGAL
_ESCAPED = "[\r\ufffe\uffff&<>]|_x[0-9a-fA-F]{4}_"  # what xlsxwriter escapes in text


def _join(*parts: object) -> pa.Array:
    """Element-wise concatenation; a null part makes the result null (= no cell)."""
    return pc.binary_join_element_wise(*parts, "", null_handling="emit_null")


def _style(xf: int | None) -> str:
    return f' s="{xf}"' if xf else ""


def _number_cells(ref: str, rows: pa.Array, values: np.ndarray, xf: int | None) -> pa.Array:
    """Finite floats as number cells, NaN as no cell, ±inf as the text ``inf``/``-inf``."""
    finite = np.isfinite(values)
    text = pc.cast(pa.array(values, mask=~finite), pa.string())  # shortest round-trip form
    out = _join(f'<c r="{ref}', rows, f'"{_style(xf)}><v>', text, "</v></c>")
    inf = np.isinf(values)
    if inf.any():
        words = pa.array(np.where(values > 0, "inf", "-inf").astype(object), mask=~inf, type=pa.string())
        out = pc.coalesce(out, _string_cells(ref, rows, words, None))
    return out


def _int_cells(ref: str, rows: pa.Array, values: np.ndarray, xf: int | None) -> pa.Array:
    return _join(f'<c r="{ref}', rows, f'"{_style(xf)}><v>', pc.cast(pa.array(values), pa.string()), "</v></c>")


def _bool_cells(ref: str, rows: pa.Array, values: pa.Array) -> pa.Array:
    digit = pc.if_else(values, "1", "0")
    return _join(f'<c r="{ref}', rows, '" t="b"><v>', digit, "</v></c>")


def _safe_text(text: pa.Array) -> pa.Array:
    """`custlens.safety.xlsx_safe`, vectorised: ``'`` before a formula character, U+FFFD for illegal controls."""
    formula = pc.fill_null(pc.match_substring_regex(text, _FORMULA), False)
    if pc.any(formula).as_py():
        text = pc.if_else(formula, pc.binary_join_element_wise("'", text, ""), text)
    if pc.any(pc.match_substring_regex(text, _ILLEGAL)).as_py():  # the passes only when needed
        text = pc.replace_substring_regex(text, _ILLEGAL, "\ufffd")
    return text


def _string_cells(ref: str, rows: pa.Array, text: pa.Array, xf: int | None) -> pa.Array:
    """Inline-string cells of already neutralised text, escaped as xlsxwriter escapes them."""
    long = pc.fill_null(pc.greater(pc.utf8_length(text), _STR_MAX // 2), False)
    if pc.any(long).as_py():  # rare: Excel keeps 32,767 UTF-16 units, as xlsxwriter truncates
        values = text.to_pylist()
        for i in np.flatnonzero(long.to_numpy(zero_copy_only=False)).tolist():
            if _utf16_len(values[i]) > _STR_MAX:
                values[i] = _utf16_truncate(values[i], _STR_MAX)
        text = pa.array(values, type=pa.string())
    if pc.any(pc.match_substring_regex(text, _ESCAPED)).as_py():  # most columns need none of it
        text = pc.replace_substring_regex(text, r"(_x[0-9a-fA-F]{4}_)", r"_x005F\1")
        for raw, esc in (("\r", "_x000D_"), ("\ufffe", "_xFFFE_"), ("\uffff", "_xFFFF_"),
                         ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            text = pc.replace_substring(text, raw, esc)
    preserve = pc.fill_null(pc.match_substring_regex(text, r"^\s|\s$"), False)
    open_t = pc.if_else(preserve, '<t xml:space="preserve">', "<t>")
    return _join(f'<c r="{ref}', rows, f'"{_style(xf)} t="inlineStr"><is>', open_t, text, "</t></is></c>")


def _mixed_cells(ref: str, rows: pa.Array, values: list[object], xf: int | None, date_xf: int | None) -> pa.Array:
    """An object column of mixed types: each kind of value encoded by its own vectorised path."""
    n = len(values)
    kind = np.zeros(n, dtype=np.int8)  # 0 none, 1 text, 2 bool, 3 number, 4 date
    nums = np.full(n, np.nan)
    text: list[str | None] = [None] * n
    for i, v in enumerate(values):
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
            continue
        if isinstance(v, str):
            kind[i], text[i] = 1, v
        elif isinstance(v, (bool, np.bool_)):
            kind[i], nums[i] = 2, float(v)
        elif isinstance(v, (numbers.Real, Decimal)):
            kind[i], nums[i] = 3, float(v)
        elif isinstance(v, (dt.datetime, dt.date)):
            kind[i], nums[i] = 4, (pd.Timestamp(v).tz_localize(None) - _EXCEL_EPOCH) / _DAY
        else:  # lists, objects: their text, made safe like any text
            kind[i], text[i] = 1, str(v)
    out = _string_cells(ref, rows, _safe_text(pa.array(text, type=pa.string())), None)
    number = _number_cells(ref, rows, np.where(kind == 3, nums, np.nan), xf)
    date = _number_cells(ref, rows, np.where(kind == 4, nums, np.nan), date_xf)
    boolean = _bool_cells(ref, rows, pa.array(nums == 1.0, mask=kind != 2))
    return pc.coalesce(out, number, date, boolean)


def column_cells(s: pd.Series, col: int, rows: pa.Array, xf: int | None, date_xf: int | None) -> pa.Array:
    """The cells of column ``col`` (0-based) for the rows ``rows`` (their 1-based numbers as text).

    Parameters
    ----------
    s : pandas.Series
        The column's values for these rows (raw: text is neutralised here).
    col : int
        Zero-based column index.
    rows : pyarrow.Array
        The rows' 1-based numbers as strings, one per value of ``s``.
    xf, date_xf : int or None
        xlsxwriter format indices of the column's number format and of the date format.

    Returns
    -------
    pyarrow.Array
        One string per row: the cell's XML, or null for no cell (a missing value).
    """
    ref = xl_col_to_name(col)
    dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return _bool_cells(ref, rows, pa.array(s.to_numpy(dtype=object, na_value=None), type=pa.bool_()))
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if isinstance(dtype, pd.DatetimeTZDtype):  # Excel has no time zones: wall-clock time
            s = s.dt.tz_localize(None)
        # Always the date format: a text column's chunk of only dates is inferred as dates here.
        return _number_cells(ref, rows, ((s - _EXCEL_EPOCH) / _DAY).to_numpy(dtype=float, na_value=np.nan), date_xf)
    if pd.api.types.is_timedelta64_dtype(dtype):  # durations in days, as pandas' to_excel writes them
        return _number_cells(ref, rows, (s / _DAY).to_numpy(dtype=float, na_value=np.nan), xf)
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        if pd.api.types.is_integer_dtype(dtype) and not s.hasnans:
            return _int_cells(ref, rows, s.to_numpy(dtype=np.int64), xf)
        return _number_cells(ref, rows, s.to_numpy(dtype=float, na_value=np.nan), xf)
    values = s.astype(object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return _string_cells(ref, rows, _safe_text(_text(values)), None)
    return _mixed_cells(ref, rows, values.tolist(), xf, date_xf)


def _text(values: pd.Series) -> pa.Array:
    """A column of text and missing values as Arrow strings (missing: null).

    = ``pa.array(values.where(values.notna(), None).tolist(), type=pa.string())``: Arrow reads the
    objects directly, None, NaN and pd.NA as null (a third of the time: no mask, no list); anything
    else it refuses takes that path.
    """
    try:
        return pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pa.array(values.where(values.notna(), None).tolist(), type=pa.string())


def rows_bytes(cells: list[pa.Array], rows: pa.Array) -> bytes:
    """The ``<row>`` elements of a chunk in UTF-8: each row's cells joined, missing cells left out."""
    filled = [pc.fill_null(c, "") for c in cells]
    joined = pc.binary_join_element_wise('<row r="', rows, '">', *filled, "</row>", "")
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32)[joined.offset:joined.offset + len(joined) + 1]
    return bytes(memoryview(joined.buffers()[2])[offsets[0]:offsets[-1]])


def rows_xml(cells: list[pa.Array], rows: pa.Array) -> str:
    """`rows_bytes` as text."""
    return rows_bytes(cells, rows).decode("utf-8")
