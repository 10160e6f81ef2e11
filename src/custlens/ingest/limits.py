"""Input limits: how large a field, a line or an Excel file custlens accepts, and the checks.

Each limit has a sane default and an environment variable to change it:

==============================  =========  =====================================================
variable                        default    what happens beyond it
==============================  =========  =====================================================
``CUSTLENS_MAX_FIELD_MB``       2          the row is quarantined as ``field_too_large``
``CUSTLENS_MAX_LINE_MB``        64         the CSV file is refused (no reader can split it safely)
``CUSTLENS_MAX_XLSX_UNPACKED_MB`` 500      the .xlsx is refused before it is parsed
``CUSTLENS_MAX_XLSX_ROWS``      2,000,000  the .xlsx is refused before it is parsed
``CUSTLENS_INGEST_MEMORY_MB``   see below  DuckDB spills the ingest's work tables to disk
==============================  =========  =====================================================

The ingest's memory: DuckDB's ``memory_limit`` is set, for the time of one ingest into a
file store, to 1.2 times the input file and at least 512 MB (or ``CUSTLENS_INGEST_MEMORY_MB``);
beyond it the raw and parsed work tables spill to ``<store>.tmp``, so a large file peaks at
about twice its size instead of six times (measured in ``bench/README.md``).

The Excel checks read only the zip directory (the declared unpacked sizes) and the first
kilobytes of the sheet (its ``<dimension ref="A1:H2000000">``), so a small file that
unpacks to gigabytes (a "zip bomb") is refused in milliseconds instead of being parsed.
"""

from __future__ import annotations

import os
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

import duckdb

from custlens.errors import InputError

_DEFAULTS = {"CUSTLENS_MAX_FIELD_MB": 2.0, "CUSTLENS_MAX_LINE_MB": 64.0,
             "CUSTLENS_MAX_XLSX_UNPACKED_MB": 500.0, "CUSTLENS_MAX_XLSX_ROWS": 2_000_000.0,
             "CUSTLENS_INGEST_MEMORY_MB": 0.0}  # 0: derived from the file's size
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*:?[A-Z]*(\d+)"')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"')
_REL = re.compile(rb'<Relationship\b[^>]*>')
_HEAD_BYTES = 1 << 16
_SMALL_XML = 16 << 20


def limit(name: str) -> float:
    """The value of limit ``name`` (an environment variable of the table above)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "" or name == "CUSTLENS_INGEST_MEMORY_MB" and raw.strip() == "0":
        return _DEFAULTS[name]
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        example = _DEFAULTS[name] or 1024  # 0 means "derived" (the ingest memory): show a real value
        raise InputError(f"environment variable {name}={raw!r} is not a positive number; "
                         f"unset it (default {_DEFAULTS[name]:g}) or set e.g. {name}={example:g}")
    return value


def max_field_bytes() -> int:
    """Longest field (in bytes) loaded; longer ones are quarantined as ``field_too_large``."""
    return int(limit("CUSTLENS_MAX_FIELD_MB") * 2**20)


def max_line_bytes() -> int:
    """Longest CSV line (in bytes) the reader accepts at all."""
    return int(max(limit("CUSTLENS_MAX_LINE_MB"), limit("CUSTLENS_MAX_FIELD_MB") + 1) * 2**20)


_MIN_INGEST_MB = 512
_INGEST_SHARE = 1.2


def ingest_memory_mb(source: Any) -> int | None:
    """DuckDB memory limit (MB) for ingesting ``source``; None leaves DuckDB's default.

    ``CUSTLENS_INGEST_MEMORY_MB`` when set, else 1.2 times the size of a source file, at
    least 512 MB. A DataFrame is already in memory: no limit is set for it.
    """
    told = limit("CUSTLENS_INGEST_MEMORY_MB")
    if told:
        return int(told)
    if not isinstance(source, (str, os.PathLike)) or not Path(source).is_file():
        return None
    return max(_MIN_INGEST_MB, int(_INGEST_SHARE * Path(source).stat().st_size / 2**20))


@contextmanager
def bounded_memory(con: duckdb.DuckDBPyConnection, source: Any, store_path: str) -> Iterator[None]:
    """Cap DuckDB's memory for one ingest (see the table above), restoring the setting after.

    Only where DuckDB can spill: a store in memory has no temporary directory, and capping
    it would turn a large file into an out-of-memory error instead of a slower ingest.
    """
    mb = ingest_memory_mb(source)
    if mb is None or store_path == ":memory:":
        yield
        return
    def current() -> str:
        return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]

    # DuckDB shows the limit rounded ("18.8 GiB"): restore its default by RESET, exactly.
    before = current()
    con.execute("RESET memory_limit")
    own = before if before != current() else None
    con.execute(f"SET memory_limit = '{mb}MB'")
    try:
        yield
    finally:
        con.execute("RESET memory_limit")
        if own is not None:
            con.execute(f"SET memory_limit = '{own}'")


def max_xlsx_rows() -> int:
    return int(limit("CUSTLENS_MAX_XLSX_ROWS"))


def _first_sheet(zf: zipfile.ZipFile) -> str | None:
    """Path inside the zip of the workbook's first sheet (the one pandas reads)."""
    names = set(zf.namelist())
    try:
        if zf.getinfo("xl/workbook.xml").file_size > _SMALL_XML:
            return None
        book = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
    except KeyError:
        return None
    m = _SHEET.search(book)
    if m is None:
        return None
    for rel in _REL.findall(rels):
        if f'Id="{m.group(1).decode()}"'.encode() in rel:
            target = re.search(rb'Target="([^"]+)"', rel)
            if target:
                t = target.group(1).decode()
                path = t.lstrip("/") if t.startswith("/") else str(PurePosixPath("xl") / t)
                return path if path in names else None
    return None


def check_xlsx(path: Path) -> None:
    """Refuse an .xlsx whose unpacked size or first sheet's row count is over the limits.

    Raises
    ------
    InputError
        Naming the size found, the limit and the variable that raises it.
    """
    max_mb = limit("CUSTLENS_MAX_XLSX_UNPACKED_MB")
    max_rows = max_xlsx_rows()
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
            if unpacked > max_mb * 2**20:
                raise InputError(
                    f"{path}: the Excel file unpacks to {unpacked / 2**20:,.0f} MB (it is "
                    f"{path.stat().st_size / 2**20:,.1f} MB packed), over the limit of {max_mb:g} MB; "
                    f"export the sheet as CSV, or raise the limit with CUSTLENS_MAX_XLSX_UNPACKED_MB "
                    f"if you trust the file")
            sheet = _first_sheet(zf)
            if sheet is None:
                return
            with zf.open(sheet) as fh:
                head = fh.read(_HEAD_BYTES)
    except zipfile.BadZipFile as exc:
        raise InputError(f"{path}: not a valid .xlsx file ({exc}); open and save it again in Excel, "
                         "or export it as CSV") from exc
    m = _DIMENSION.search(head)
    if m and int(m.group(1)) > max_rows + 1:  # + 1: the header row
        raise InputError(
            f"{path}: the sheet declares {int(m.group(1)):,} rows, over the limit of {max_rows:,}; "
            f"split the file or export it as CSV, or raise the limit with CUSTLENS_MAX_XLSX_ROWS")
