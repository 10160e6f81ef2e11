"""Number and date formatting for people, in English or Chinese.

Compact amounts use the customary units of each language: thousands and millions in
English (``12.3K``, ``4.56M``), 万 (10⁴) and 亿 (10⁸) in Chinese (``1.23万``). Missing
values show as an en dash.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = [
    "FORMATS",
    "MISSING",
    "fmt_compact",
    "fmt_date",
    "fmt_datetime",
    "fmt_float",
    "fmt_int",
    "fmt_money",
    "fmt_p",
    "fmt_pct",
    "fmt_value",
    "infer_format",
    "is_missing",
]

MISSING = "–"

_COMPACT_UNITS: dict[str, tuple[tuple[float, str], ...]] = {
    "en": ((1e9, "B"), (1e6, "M"), (1e3, "K")),
    "zh": ((1e8, "亿"), (1e4, "万")),
}


def is_missing(x: Any) -> bool:
    """True for None, NaN and NaT."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def fmt_int(x: Any) -> str:
    """``1234.4 -> '1,234'``."""
    return MISSING if is_missing(x) else f"{round(float(x)):,}"


def fmt_float(x: Any, digits: int = 1) -> str:
    """``1234.56 -> '1,234.6'`` with ``digits`` decimals."""
    return MISSING if is_missing(x) else f"{float(x):,.{digits}f}"


def fmt_money(x: Any) -> str:
    """An amount with two decimals: ``12345.6 -> '12,345.60'``."""
    return MISSING if is_missing(x) else f"{float(x):,.2f}"


def fmt_compact(x: Any, lang: str = "en") -> str:
    """Short amount for cards: ``1234567 -> '1.23M'`` (en) or ``'123.5万'`` (zh)."""
    if is_missing(x):
        return MISSING
    v = float(x)
    for size, unit in _COMPACT_UNITS.get(lang, _COMPACT_UNITS["en"]):
        if abs(v) >= size:
            scaled = v / size
            digits = 2 if abs(scaled) < 10 else 1 if abs(scaled) < 100 else 0
            return f"{scaled:,.{digits}f}{unit}"
    return fmt_money(v)


def fmt_pct(x: Any, digits: int = 1) -> str:
    """A share as a percentage: ``0.1234 -> '12.3%'``."""
    return MISSING if is_missing(x) else f"{100 * float(x):.{digits}f}%"


def fmt_date(x: Any) -> str:
    """``Timestamp('2024-03-01 10:00') -> '2024-03-01'``."""
    return MISSING if is_missing(x) else pd.Timestamp(x).strftime("%Y-%m-%d")


def fmt_datetime(x: Any) -> str:
    """``'2024-03-01 10:00'``."""
    return MISSING if is_missing(x) else pd.Timestamp(x).strftime("%Y-%m-%d %H:%M")


def fmt_p(p: Any, digits: int = 3) -> str:
    """A p-value: ``'< 0.001'`` below one in a thousand, else ``digits`` decimals (``'0.042'``).

    Never ``'0.00'``: a p-value is never zero, only smaller than what is shown.
    """
    if is_missing(p):
        return MISSING
    p = float(p)
    floor = 10.0 ** -digits
    return f"< {floor:.{digits}f}" if p < floor else f"{p:.{digits}f}"


#: Format kinds a `Table` column can take (``p`` is a p-value, see `fmt_p`).
FORMATS = ("int", "float", "float2", "money", "pct", "date", "datetime", "text", "p")


def fmt_value(x: Any, kind: str, lang: str = "en") -> str:
    """Format ``x`` as ``kind`` (one of `FORMATS`)."""
    if kind == "int":
        return fmt_int(x)
    if kind == "float":
        return fmt_float(x, 1)
    if kind == "float2":
        return fmt_float(x, 2)
    if kind == "money":
        return fmt_money(x)
    if kind == "pct":
        return fmt_pct(x)
    if kind == "date":
        return fmt_date(x)
    if kind == "datetime":
        return fmt_datetime(x)
    if kind == "p":
        return fmt_p(x)
    if kind == "text":
        return MISSING if is_missing(x) else str(x)
    raise ValueError(f"format {kind!r} is unknown; use one of {', '.join(FORMATS)}")


def infer_format(series: pd.Series) -> str:
    """The default format of a column from its dtype."""
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        values = series.dropna()
        if len(values) and bool((values == values.round()).all()) and values.abs().max() < 1e15:
            return "int"
        return "float2"
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.dropna()
        if len(values) and bool((values == values.dt.normalize()).all()):
            return "date"
        return "datetime"
    return "text"
