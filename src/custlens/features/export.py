"""Write a table (e.g. the customer table) to CSV, Parquet or Excel, chosen by extension.

Text cells are neutralised against formula injection (`custlens.safety`) in CSV and Excel, and
the file is written atomically without overwriting a file custlens did not write
(`custlens.outputs`). Excel goes through the report's streaming writer
(`custlens.report.workbook_xlsx`): constant memory, and a table longer than a sheet goes whole to
Parquet beside the workbook, as in the report's workbook.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
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
                 force: bool = False, lang: str = "en") -> Path:
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
    lang : {"en", "zh"}, default "en"
        Language of the note of a partial Excel sheet.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        For another extension.
    OutputExistsError
        ``path`` (or the Parquet file of a table too long for Excel) exists, was not written by
        custlens, and ``force`` is False.

    Notes
    -----
    In CSV and Excel a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR is written
    with a leading ``'`` so no spreadsheet runs it as a formula; numbers stay numbers. Parquet
    keeps the values exactly (it is typed data, not a spreadsheet).

    Excel is written in constant memory. A table longer than a sheet holds (1,048,575 rows) is
    written whole to ``<stem>_<sheet_name>.parquet`` beside the workbook; the sheet then shows its
    first 1,048,574 rows under a note (its first row) naming that file and the row counts.

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
        # The report's writer (imported here: the report sits above the features).
        from custlens.report.workbook_sheets import fit_sheet
        from custlens.report.workbook_xlsx import StreamingBook, sheet_name as valid_sheet_name

        with ExitStack() as stack:  # the Parquet of a too-long table lands only with the workbook
            fit = fit_sheet(df, lang, path, f"sheet.{valid_sheet_name(sheet_name)}", EXCEL_MAX_ROWS,
                            force=force, stack=stack)
            with atomic_output(path, force) as tmp, StreamingBook(tmp) as book:
                book.add_sheet(sheet_name, fit.frame, note=fit.note)
    return path
