"""Write a table (e.g. the customer table) to CSV, Parquet or Excel, chosen by extension.

Text cells are neutralised against formula injection (`custlens.safety`) in CSV and Excel, and
the file is written atomically without overwriting a file custlens did not write
(`custlens.outputs`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from custlens.errors import InputError
from custlens.outputs import MARK, atomic_output, csv_header_check
from custlens.safety import neutralise_frame
from custlens.features.money import round_money

#: Excel's sheet limit, header row included.
EXCEL_MAX_ROWS = 1_048_576

_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel"}


def export_table(df: pd.DataFrame, path: str | os.PathLike[str], sheet_name: str = "customers",
                 force: bool = False) -> Path:
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
    force : bool, default False
        Replace an existing file that custlens did not write (see `custlens.outputs`).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        For another extension, or more rows than an Excel sheet holds.
    OutputExistsError
        ``path`` exists, was not written by custlens, and ``force`` is False.

    Notes
    -----
    In CSV and Excel a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR is written
    with a leading ``'`` so no spreadsheet runs it as a formula; numbers stay numbers. Parquet
    keeps the values exactly (it is typed data, not a spreadsheet).

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
    df = round_money(df)  # cents, not 1299.0999999999999
    if kind == "csv":
        safe = neutralise_frame(df)
        with atomic_output(path, force, csv_header_check(safe.head(0).to_csv(index=False))) as tmp:
            # CRLF rows (RFC 4180): the csv writer then quotes a field holding a bare CR too; a BOM so
            # Excel opens Chinese text as UTF-8 (without it Excel guesses the ANSI code page).
            safe.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    elif kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), MARK.encode(): b"1"})
        with atomic_output(path, force) as tmp:
            pq.write_table(table, tmp)
    else:
        with atomic_output(path, force) as tmp:
            # No `with`: on an error its exit would save a broken book and hide the error.
            writer = pd.ExcelWriter(tmp, engine="openpyxl")
            writer.book.properties.creator = MARK
            neutralise_frame(df, xlsx=True).to_excel(writer, index=False, sheet_name=sheet_name)
            writer.close()
    return path
