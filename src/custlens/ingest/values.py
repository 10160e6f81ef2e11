"""Value parsing as DuckDB SQL: numbers with currency marks, and dates in many layouts.

Parsing is per column and vectorised: a few aggregate queries decide how a column is
written (decimal comma or point, day-first or month-first), then one expression parses
every value. DuckDB's own timestamp cast and ``strptime`` do the date parsing; this
module only chooses formats and states the decisions.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from custlens.errors import ParseError

# Currency marks and words removed before a number is read.
_CURRENCY = r"[¥￥$€£₩\s]|元|RMB|CNY|USD|EUR|GBP"
_DEC_COMMA = r"^[-+]?(\d{1,3}(\.\d{3})+,\d+|\d+,\d{1,2})$"
_DEC_POINT = r"^[-+]?(\d{1,3}(,\d{3})+|\d+)\.\d+$"
# Day/month/year with any of / . - as separator, optional time.
_DMY = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(\s.*)?$"

_TIME_FORMATS = ["%H:%M:%S", "%H:%M", "%H:%M:%S.%f", ""]


def q(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def _clean_text(col: str) -> str:
    return f"nullif(trim({q(col)}), '')"


_NULL_MARKERS = ("nan", "null", "none", "n/a", "na", "-")


def text_expr(col: str) -> str:
    """Trimmed text; empty and the usual null markers become NULL."""
    t = f"trim({q(col)})"
    # Plain comparisons (not IN, which DuckDB plans as a join per column) on short values only.
    markers = " OR ".join(f"lower({t}) = '{m}'" for m in _NULL_MARKERS)
    return f"CASE WHEN {t} = '' OR (length({t}) <= 4 AND ({markers})) THEN NULL ELSE {t} END"


def id_expr(col: str) -> str:
    """An identifier as text: ``12488.0`` (a float-typed export) becomes ``12488``."""
    t = text_expr(col)
    return f"regexp_replace({t}, '^(\\d+)\\.0+$', '\\1')"


@dataclass
class NumberStyle:
    decimal_comma: bool


def detect_number_style(con: duckdb.DuckDBPyConnection, table: str, col: str) -> NumberStyle:
    has_comma = con.execute(f"SELECT count(*) FROM {table} WHERE contains({q(col)}, ',')").fetchall()[0][0]
    if not has_comma:  # no comma anywhere: no decimal comma possible
        return NumberStyle(decimal_comma=False)
    s = f"regexp_replace({_clean_text(col)}, '{_CURRENCY}', '', 'g')"
    row = con.execute(
        f"SELECT count(*) FILTER (WHERE regexp_matches({s}, '{_DEC_COMMA}')), "
        f"count(*) FILTER (WHERE regexp_matches({s}, '{_DEC_POINT}')) FROM {table}"
    ).fetchall()[0]
    return NumberStyle(decimal_comma=row[0] > row[1])


def number_expr(col: str, style: NumberStyle) -> str:
    """DOUBLE or NULL: currency marks, thousands separators and decimal commas handled."""
    s = f"regexp_replace({_clean_text(col)}, '{_CURRENCY}', '', 'g')"
    if style.decimal_comma:
        s = f"replace(replace({s}, '.', ''), ',', '.')"
    else:
        s = f"replace({s}, ',', '')"
    return f"TRY_CAST({s} AS DOUBLE)"


@dataclass
class DateStyle:
    """How a date column is written; ``dayfirst`` is None when no value needs it."""

    dayfirst: bool | None
    decided_by: str  # 'data', 'user', 'not needed'
    date_format: str | None = None


def _norm_date(col: str) -> str:
    """Chinese 年月日 and full-width marks to ISO separators; trimmed; NULL for blank."""
    return f"translate({_clean_text(col)}, '年月：日号', '--:')"


def detect_date_style(con: duckdb.DuckDBPyConnection, table: str, col: str, source: str,
                      dayfirst: bool | None = None, date_format: str | None = None) -> DateStyle:
    """Decide day-first or month-first from the values; refuse a truly ambiguous column."""
    if date_format:
        return DateStyle(None, "user", date_format)
    s = _norm_date(col)
    # ISO-like values (four digits first) can never be day/month/year: skip the regexes for them.
    iso = f"(SELECT *, regexp_matches(trim({q(col)}), '^\\d{{4}}') AS starts_with_digits FROM {table})"
    table = iso
    row = con.execute(
        f"SELECT count(*), max(TRY_CAST(regexp_extract({s}, '{_DMY}', 1) AS INT)), "
        f"max(TRY_CAST(regexp_extract({s}, '{_DMY}', 2) AS INT)), "
        f"count(*) FILTER (WHERE TRY_CAST(regexp_extract({s}, '{_DMY}', 1) AS INT) "
        f"<> TRY_CAST(regexp_extract({s}, '{_DMY}', 2) AS INT)), "
        f"any_value({s}) FILTER (WHERE TRY_CAST(regexp_extract({s}, '{_DMY}', 1) AS INT) "
        f"<> TRY_CAST(regexp_extract({s}, '{_DMY}', 2) AS INT)) "
        f"FROM {table} WHERE NOT starts_with_digits AND regexp_matches({s}, '{_DMY}')"
    ).fetchall()[0]
    n, max1, max2, n_differ, example = row
    if dayfirst is not None:
        return DateStyle(dayfirst if n else None, "user")
    if not n:
        return DateStyle(None, "not needed")
    if max1 > 12 and max2 > 12:
        raise ParseError(
            f"column {col!r} in {source}: dates mix day-first and month-first values "
            f"(a first part up to {max1} and a second part up to {max2}); fix the rows or pass "
            f"--date-format, e.g. --date-format '%d/%m/%Y'"
        )
    if max1 > 12:
        return DateStyle(True, "data")
    if max2 > 12:
        return DateStyle(False, "data")
    if n_differ == 0:  # day equals month everywhere: either reading gives the same dates
        return DateStyle(False, "not needed")
    raise ParseError(
        f"column {col!r} in {source}: {n:,} dates such as {example!r} could be day-first or "
        f"month-first and no value settles it; pass --dayfirst or --monthfirst "
        f"(or --date-format '%d/%m/%Y')"
    )


def _strptime_list(fmts: list[str]) -> str:
    return "[" + ", ".join("'" + f + "'" for f in fmts) + "]"


def timestamp_expr(col: str, style: DateStyle) -> str:
    """TIMESTAMP or NULL from ISO, Y/M/D, D/M/Y or M/D/Y text, Chinese dates, YYYYMMDD or Excel serials."""
    s = _norm_date(col)
    if style.date_format:
        return f"TRY_STRPTIME({s}, '{style.date_format}')"
    ymd = f"regexp_replace({s}, '^(\\d{{4}})[/.](\\d{{1,2}})[/.](\\d{{1,2}})', '\\1-\\2-\\3')"
    ymd_fmts = [f"%Y-%m-%d {t}".strip() for t in _TIME_FORMATS]
    branches = [
        f"WHEN regexp_matches({s}, '^\\d{{8}}$') THEN TRY_STRPTIME({s}, '%Y%m%d')",
        # Excel serial day numbers (1954..2119), with an optional fraction of a day.
        f"WHEN regexp_matches({s}, '^\\d{{5}}(\\.\\d+)?$') AND TRY_CAST({s} AS DOUBLE) BETWEEN 20000 AND 80000 "
        f"THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(TRY_CAST({s} AS DOUBLE) * 86400000000) AS BIGINT))",
        f"WHEN regexp_matches({s}, '^\\d{{4}}[-/.]') THEN coalesce(TRY_CAST({ymd} AS TIMESTAMP), "
        f"TRY_STRPTIME({ymd}, {_strptime_list(ymd_fmts)}))",
    ]
    if style.dayfirst is not None:
        dm = "%d/%m" if style.dayfirst else "%m/%d"
        fmts = [f"{dm}/%Y {t}".strip() for t in _TIME_FORMATS] + [f"{dm}/%y {t}".strip() for t in _TIME_FORMATS]
        norm = f"regexp_replace({s}, '^(\\d{{1,2}})[/.\\-](\\d{{1,2}})[/.\\-]', '\\1/\\2/')"
        branches.append(f"WHEN regexp_matches({s}, '{_DMY}') THEN TRY_STRPTIME({norm}, {_strptime_list(fmts)})")
    general = f"(CASE {' '.join(branches)} ELSE TRY_CAST({s} AS TIMESTAMP) END)"
    # Fast path: most exports write ISO timestamps, which DuckDB's cast reads directly.
    return (f"(CASE WHEN {q(col)} LIKE '____-__-__%' THEN coalesce(TRY_CAST(trim({q(col)}) AS TIMESTAMP), "
            f"{general}) ELSE {general} END)")
