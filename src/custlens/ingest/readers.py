"""Readers: any supported source into a DuckDB temp table of text columns.

Every source becomes the same thing, a table of VARCHAR columns plus ``__row`` (the
1-based data row number), so that parsing, validation and quarantine are one SQL path
whatever the input format. DuckDB's CSV sniffer finds delimiters, quotes and headers;
charset-normalizer finds the encoding. Encodings DuckDB cannot read natively (GBK,
GB18030, Big5, ...) are transcoded to a temporary UTF-8 file first.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from charset_normalizer import from_bytes

from custlens.errors import InputError
from custlens.ingest import limits

RAW = "__custlens_raw"
_CANDIDATES = ("gb18030", "big5", "cp1252", "latin_1", "utf_16", "shift_jis", "euc_kr")
_SAMPLE_BYTES = 1 << 20
_NATIVE = {"utf_8": "utf-8", "ascii": "utf-8", "utf_8_sig": "utf-8", "latin_1": "latin-1",
           "iso8859_1": "latin-1", "utf_16": "utf-16", "utf_16_le": "utf-16",
           "utf_16_be": "utf-16"}


@dataclass
class RawSource:
    """What a reader produced: the raw table's headers and how the source was read."""

    name: str
    headers: list[str]
    rows: int
    sha256: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def detect_encoding(path: Path) -> str:
    """Python codec name of the file's encoding, judged from its first megabyte."""
    with open(path, "rb") as fh:
        sample = fh.read(_SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf_8_sig"
    try:
        # Cut at the last newline so a multi-byte character is never split.
        cut = sample.rfind(b"\n") if len(sample) == _SAMPLE_BYTES else -1
        (sample[:cut] if cut > 0 else sample).decode("utf-8")
        return "utf_8"
    except UnicodeDecodeError:
        pass
    # Shop exports come in few encodings; judging among them alone keeps short
    # Western files from being read as Chinese (any byte pair decodes in GB18030).
    best = from_bytes(sample, cp_isolation=list(_CANDIDATES)).best()
    if best is None:
        raise InputError(f"{path}: cannot tell the text encoding; save the file as UTF-8")
    enc = best.encoding
    # GB2312 and GBK are subsets of GB18030: decode with the superset so rare characters load.
    return "gb18030" if enc in {"gb2312", "gbk", "gb18030"} else enc


def _transcode(path: Path, encoding: str) -> Path:
    fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="custlens_")
    with open(path, encoding=encoding, errors="replace", newline="") as src, os.fdopen(
        fd, "w", encoding="utf-8", newline=""
    ) as dst:
        for chunk in iter(lambda: src.read(1 << 22), ""):
            dst.write(chunk)
    return Path(tmp)


def _create_raw(con: duckdb.DuckDBPyConnection, select_sql: str) -> list[str]:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {RAW} AS "
        f"SELECT *, row_number() OVER () AS __row FROM ({select_sql})"
    )
    cols = [r[0] for r in con.execute(f"DESCRIBE {RAW}").fetchall()]
    return [c for c in cols if c != "__row"]


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def read_csv(con: duckdb.DuckDBPyConnection, path: Path, delimiter: str | None = None,
             names: list[str] | None = None) -> RawSource:
    enc = detect_encoding(path)
    native = _NATIVE.get(enc.replace("-", "_").lower())
    notes: list[str] = []
    src, tmp = path, None
    if native is None:
        tmp = _transcode(path, enc)
        src, native = tmp, "utf-8"
        notes.append(f"transcoded from {enc} to UTF-8")
    try:
        opts = f"all_varchar=true, encoding='{native}', null_padding=true, max_line_size={limits.max_line_bytes()}"
        if names:
            opts += ", header=false, names=[" + ", ".join("'" + n.replace("'", "''") + "'" for n in names) + "]"
        else:
            opts += ", header=true"
        if delimiter:
            opts += f", delim='{delimiter}'"
        if not delimiter and _whitespace_separated(src, native):
            headers = _read_whitespace(con, src, native, names)
            delimiter = "whitespace"
            notes.append("columns separated by runs of spaces")
        else:
            headers = _read_delimited(con, path, src, opts)
        sniff = delimiter
        if sniff is None:
            row = con.execute(f"SELECT Delimiter FROM sniff_csv({_quote(src)}, encoding='{native}', "
                              f"max_line_size={limits.max_line_bytes()})").fetchall()
            sniff = row[0][0] if row else None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    rows = int(con.execute(f"SELECT count(*) FROM {RAW}").fetchall()[0][0])
    return RawSource(str(path), headers, rows, file_sha256(path), "csv", enc, sniff, notes)


def _read_delimited(con: duckdb.DuckDBPyConnection, path: Path, src: Path, opts: str) -> list[str]:
    sql = f"SELECT * FROM read_csv({_quote(src)}, {opts})"
    try:
        try:
            return _create_raw(con, sql)
        except duckdb.Error as exc:
            # DuckDB's parallel scanner cannot split a file whose quoted fields hold line
            # breaks; the single-threaded scanner reads them correctly.
            if "quoted new lines" not in str(exc):
                raise
            return _create_raw(con, f"SELECT * FROM read_csv({_quote(src)}, {opts}, parallel=false)")
    except duckdb.OutOfMemoryException:
        raise  # not a fault of the file: the caller knows the memory cap
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        if "Maximum line size" in str(exc):
            raise InputError(
                f"{path}: a line is longer than {limits.max_line_bytes() / 2**20:g} MB ({first}); "
                "check that the file is a CSV export, or raise the limit with CUSTLENS_MAX_LINE_MB") from exc
        raise InputError(f"{path}: cannot read as CSV ({first}); check the file or pass --delimiter") from exc


def _whitespace_separated(src: Path, encoding: str) -> bool:
    """True for text whose first line has no usual delimiter but several space-separated fields."""
    with open(src, encoding=encoding.replace("-", "_"), errors="replace") as fh:
        first = fh.readline()
    return not any(d in first for d in ",;\t|") and len(first.split()) > 1


def _read_whitespace(con: duckdb.DuckDBPyConnection, src: Path, encoding: str,
                     names: list[str] | None = None) -> list[str]:
    """Fixed-width-looking text (CDNOW): split each line on runs of white space in SQL."""
    lines = (f"SELECT line FROM read_csv({_quote(src)}, columns={{'line': 'VARCHAR'}}, header=false, "
             f"delim='\\x1f', quote='', escape='', encoding='{encoding}', max_line_size={limits.max_line_bytes()})")
    try:
        headers = names or con.execute(f"{lines} LIMIT 1").fetchall()[0][0].split()
        parts = "regexp_split_to_array(trim(line), '\\s+')"
        cols = ", ".join(f'{parts}[{i + 1}] AS "{h}"' for i, h in enumerate(headers))
        sql = f"SELECT {cols} FROM ({lines}{'' if names else ' OFFSET 1'}) WHERE trim(line) <> ''"
        return _create_raw(con, sql)
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as exc:
        raise InputError(f"{src}: cannot read the space-separated text ({str(exc).splitlines()[0]}); "
                         "check the file, or raise CUSTLENS_MAX_LINE_MB for very long lines") from exc


def read_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> RawSource:
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({_quote(path)})").fetchall()]
    casts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in cols)
    headers = _create_raw(con, f"SELECT {casts} FROM read_parquet({_quote(path)})")
    rows = int(con.execute(f"SELECT count(*) FROM {RAW}").fetchall()[0][0])
    return RawSource(str(path), headers, rows, file_sha256(path), "parquet")


def read_frame(con: duckdb.DuckDBPyConnection, frame: Any, name: str, sha: str | None = None) -> RawSource:
    """A pandas or polars DataFrame (anything with ``to_arrow``/``__arrow_c_stream__``)."""
    if isinstance(frame, pd.DataFrame):
        df = frame.copy()
        df.columns = [str(c) for c in df.columns]
        for c in df.columns:
            if isinstance(df[c].dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(df[c]):
                df[c] = df[c].dt.floor("us")
        if sha is None:
            sha = hashlib.sha256(pd.util.hash_pandas_object(df.astype(str), index=False).values.tobytes()).hexdigest()
    else:
        df = frame
        if sha is None:
            sha = hashlib.sha256(repr(frame.shape).encode() + str(frame.head(1000)).encode()).hexdigest()
    con.register("__custlens_frame", df)
    try:
        cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM __custlens_frame").fetchall()]
        casts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in cols)
        headers = _create_raw(con, f"SELECT {casts} FROM __custlens_frame")
    finally:
        con.unregister("__custlens_frame")
    rows = int(con.execute(f"SELECT count(*) FROM {RAW}").fetchall()[0][0])
    return RawSource(name, headers, rows, sha, "dataframe")


def read_excel(con: duckdb.DuckDBPyConnection, path: Path, sheet: str | int = 0) -> RawSource:
    if path.suffix.lower() != ".xls":
        limits.check_xlsx(path)
    max_rows = limits.max_xlsx_rows()
    try:
        # nrows caps the parse even when the sheet's declared dimension is missing or lies.
        df = pd.read_excel(path, sheet_name=sheet, dtype=object, nrows=max_rows + 1)
    except Exception as exc:  # openpyxl raises many kinds
        raise InputError(f"{path}: cannot read as Excel ({exc})") from exc
    if len(df) > max_rows:
        raise InputError(f"{path}: the sheet has more than {max_rows:,} rows, over the limit; split the "
                         "file or export it as CSV, or raise the limit with CUSTLENS_MAX_XLSX_ROWS")
    # Excel cells arrive as datetimes, numbers or text: give every cell its text form.
    df = df.map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else
                (v.isoformat(sep=" ") if hasattr(v, "isoformat") else str(v)))
    src = read_frame(con, df.astype("string"), str(path), sha=file_sha256(path))
    src.format = "excel"
    return src


def read_source(con: duckdb.DuckDBPyConnection, source: Any, name: str | None = None,
                delimiter: str | None = None, names: list[str] | None = None) -> RawSource:
    """Read ``source`` (path or DataFrame) into the raw temp table."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise InputError(f"no such file: {str(path)!r}")
        if path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty")
        suffix = path.suffix.lower()
        if suffix in {".xlsx", ".xlsm", ".xls"}:
            return read_excel(con, path)
        if suffix in {".parquet", ".pq"}:
            return read_parquet(con, path)
        return read_csv(con, path, delimiter, names)
    if hasattr(source, "columns"):
        return read_frame(con, source, name or "<dataframe>")
    raise InputError(f"cannot ingest a {type(source).__name__}; pass a file path or a DataFrame")
