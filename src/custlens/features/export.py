"""Write a table (e.g. the customer table) to CSV, Parquet or Excel, chosen by extension."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from custlens.errors import InputError
from custlens.features.money import round_money

#: Excel's sheet limit, header row included.
EXCEL_MAX_ROWS = 1_048_576

_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel"}


def export_table(df: pd.DataFrame, path: str | os.PathLike[str], sheet_name: str = "customers") -> Path:
    """Write ``df`` to ``path``; the format follows the file extension.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to write; the index is not written.
    path : str or PathLike
        Target file ending in ``.csv`` (UTF-8 with a byte-order mark, so Excel reads Chinese
        correctly), ``.parquet`` / ``.pq`` or ``.xlsx``. Money columns
        (`custlens.features.money`) are rounded to cents. Missing parent folders are created.
    sheet_name : str, default "customers"
        The worksheet name for Excel.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        For another extension, or more rows than an Excel sheet holds.

    Examples
    --------
    >>> export_table(customer_table(store), "customers.parquet")  # doctest: +SKIP
    """
    path = Path(path)
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(sorted(_FORMATS))
        raise InputError(
            f"cannot export to {str(path)!r}: unknown extension {path.suffix or '(none)'!r}; "
            f"use one of {supported}"
        )
    if kind == "excel" and len(df) + 1 > EXCEL_MAX_ROWS:
        raise InputError(
            f"cannot export {len(df):,} rows to Excel {str(path)!r}: a sheet holds at most "
            f"{EXCEL_MAX_ROWS - 1:,} rows; export to .parquet or .csv instead"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    df = round_money(df)  # cents, not 1299.0999999999999
    if kind == "csv":
        # with a BOM, so Excel opens Chinese text as UTF-8 (without it Excel guesses the ANSI code page)
        df.to_csv(path, index=False, encoding="utf-8-sig")
    elif kind == "parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_excel(path, index=False, sheet_name=sheet_name)
    return path
