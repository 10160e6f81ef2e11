"""Hostile text made harmless: spreadsheet formulas in exports and control codes on the terminal.

Two audiences read custlens' output and both execute what they are given. A spreadsheet runs
any cell that starts with ``=``, ``+``, ``-`` or ``@`` (OWASP "CSV injection"), and a terminal
obeys escape sequences (colours, window titles, hyperlinks, cursor moves). Data values come from
shop exports nobody checked, so every writer and every printer passes them through here.

Examples
--------
>>> neutralise("=HYPERLINK(\\"http://x\\",\\"y\\")")
'\\'=HYPERLINK("http://x","y")'
>>> neutralise(-2.5)
-2.5
>>> visible("a\\x1b]0;title\\x07b")
'a\\\\x1b]0;title\\\\x07b'
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise", "neutralise_frame", "visible", "xlsx_safe"]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Characters an .xlsx file cannot hold (openpyxl's IllegalCharacterError): C0 controls except
# tab, newline and carriage return.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Shown as escapes on a terminal: C0 and C1 controls, DEL, and the bidirectional overrides that
# reorder what is displayed ("Trojan Source").
_TERMINAL_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def neutralise(value: Any) -> Any:
    """One cell made inert for a spreadsheet: a text starting with a formula character gets ``'``.

    Numbers, dates and missing values are returned unchanged, so a genuine negative number
    stays a number; only text is touched.

    Parameters
    ----------
    value : Any
        A cell value.

    Returns
    -------
    Any
        ``"'" + value`` for a string starting with one of `FORMULA_PREFIXES`, else ``value``.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def xlsx_safe(value: Any) -> Any:
    """`neutralise` plus the control characters an .xlsx cannot store, replaced by U+FFFD."""
    value = neutralise(value)
    if isinstance(value, str) and _XLSX_ILLEGAL.search(value):
        return _XLSX_ILLEGAL.sub("\ufffd", value)
    return value


def neutralise_frame(df: pd.DataFrame, xlsx: bool = False) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names are safe to open in a spreadsheet.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to export. Numeric, boolean and datetime columns are kept as they are.
    xlsx : bool, default False
        Also replace the control characters an Excel file cannot hold (for .xlsx writers).

    Returns
    -------
    pandas.DataFrame
        The neutralised copy (the input is not modified).
    """
    fix = xlsx_safe if xlsx else neutralise
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(fix, na_action="ignore")
    out.columns = [fix(c) for c in out.columns]
    return out


def visible(text: Any, keep: str = "") -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\u202e``).

    Parameters
    ----------
    text : Any
        A value to print; converted with ``str``.
    keep : str, default ""
        Control characters to leave as they are (e.g. ``"\\n"`` for multi-line messages).

    Returns
    -------
    str
        Text a terminal prints literally (Rich markup is a separate concern: print it with
        ``markup=False`` or as a ``rich.text.Text``).
    """
    text = str(text)

    def esc(m: re.Match[str]) -> str:
        ch = m.group(0)
        if ch in keep:
            return ch
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return _TERMINAL_CONTROL.sub(esc, text)
