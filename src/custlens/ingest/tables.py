"""Loading the other canonical tables: customers, surveys, feedback, tickets, campaign members.

The same shape as orders, simpler: parse each mapped column by its canonical type,
quarantine rows whose required values are missing or unusable, skip exact duplicates and
keys already in the store, and quarantine a second, different row for the same key.
"""

from __future__ import annotations

import duckdb

from custlens import schema
from custlens.ingest.orders import too_large_expr
from custlens.ingest.readers import RAW
from custlens.ingest.values import DateStyle, NumberStyle, id_expr, number_expr, q, text_expr, timestamp_expr

PARSED = "__custlens_parsed"

# Values that must lie in a range or be unusable (quarantined with the reason given).
_RANGES = {"nps": (0, 10), "csat": (1, 5), "rating": (0, 5), "age": (1, 120)}
_GROUPS = {
    "treatment": ("treatment", "treat", "test", "t", "b", "variant", "exposed", "实验组", "实验", "处理组", "测试组"),
    "control": ("control", "ctrl", "c", "a", "holdout", "hold-out", "baseline", "对照组", "对照", "控制组"),
}


def _value_expr(header: str, canon: str, dtype: str, dates: dict[str, DateStyle],
                numbers: dict[str, NumberStyle]) -> str:
    if dtype == "TIMESTAMP":
        return timestamp_expr(header, dates[canon])
    if dtype == "DATE":
        return f"CAST({timestamp_expr(header, dates[canon])} AS DATE)"
    if dtype in ("DOUBLE", "INTEGER", "BIGINT"):
        return number_expr(header, numbers[canon])
    if canon == "customer_id" or canon.endswith("_id"):
        return id_expr(header)
    if canon == "group":
        t = f"lower({text_expr(header)})"
        return (f"CASE WHEN {t} IN {_GROUPS['treatment']} THEN 'treatment' "
                f"WHEN {t} IN {_GROUPS['control']} THEN 'control' ELSE {text_expr(header)} END")
    return text_expr(header)


def ensure_extra_columns(con: duckdb.DuckDBPyConnection, table: schema.Table, mapping: dict[str, str]) -> None:
    """Add free-form ``score_<attribute>`` survey columns the first time they appear."""
    if table.extra_prefix is None:
        return
    for canon in mapping.values():
        if canon.startswith(table.extra_prefix):
            con.execute(f"ALTER TABLE {table.name} ADD COLUMN IF NOT EXISTS {q(canon)} DOUBLE")


def column_types(table: schema.Table, mapping: dict[str, str]) -> dict[str, str]:
    types = {}
    for canon in mapping.values():
        if table.extra_prefix and canon.startswith(table.extra_prefix):
            types[canon] = "DOUBLE"
        else:
            types[canon] = table.column(canon).dtype
    return types


def build_parsed(con: duckdb.DuckDBPyConnection, table: schema.Table, mapping: dict[str, str],
                 headers: list[str], dates: dict[str, DateStyle], numbers: dict[str, NumberStyle],
                 now_sql: str) -> list[str]:
    """Create the parsed table; returns the canonical columns it holds."""
    types = column_types(table, mapping)
    exprs, checks = [], []
    for header, canon in mapping.items():
        dtype = types[canon]
        exprs.append(f"{_value_expr(header, canon, dtype, dates, numbers)} AS {q(canon)}")
        exprs.append(f"{text_expr(header)} AS {q('__raw_' + canon)}")
    for canon in table.required:
        checks.append(f"WHEN {q('__raw_' + canon)} IS NULL THEN 'missing_{canon}'")
    for canon, dtype in types.items():
        if dtype in ("TIMESTAMP", "DATE"):
            checks.append(f"WHEN {q('__raw_' + canon)} IS NOT NULL AND {q(canon)} IS NULL THEN 'unparseable_{canon}'")
            checks.append(f"WHEN {q(canon)} > {now_sql} THEN '{canon}_in_future'")
        elif dtype == "DOUBLE":
            checks.append(f"WHEN {q('__raw_' + canon)} IS NOT NULL AND {q(canon)} IS NULL THEN 'non_numeric_{canon}'")
            if canon in _RANGES:
                lo, hi = _RANGES[canon]
                checks.append(f"WHEN {q(canon)} NOT BETWEEN {lo} AND {hi} THEN '{canon}_out_of_range'")
        if canon == "group":
            checks.append("WHEN \"group\" NOT IN ('treatment', 'control') THEN 'unknown_group'")
    raw_cols = ", ".join(q(h) for h in headers)
    key = ", ".join(q(k) for k in table.key) if table.key else raw_cols
    checks.insert(0, "WHEN too_large THEN 'field_too_large'")
    reason = f"CASE WHEN is_dup THEN NULL {' '.join(checks)} END"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {PARSED} AS
        WITH p AS (
            SELECT __row, {', '.join(exprs)}, {too_large_expr(headers)} AS too_large,
                   row_number() OVER (PARTITION BY {raw_cols} ORDER BY __row) > 1 AS is_dup
            FROM {RAW}
        )
        SELECT *, {reason} AS reason_q FROM p
    """)
    if table.key:
        con.execute(f"""
            UPDATE {PARSED} SET reason_q = 'conflicting_duplicate_key'
            WHERE __row IN (SELECT __row FROM (
                SELECT __row, row_number() OVER (PARTITION BY {key} ORDER BY __row) AS k
                FROM {PARSED} WHERE NOT is_dup AND reason_q IS NULL) WHERE k > 1)
        """)
        on = " AND ".join(f"t.{q(k)} = p.{q(k)}" for k in table.key)
        con.execute(f"""
            UPDATE {PARSED} p SET is_dup = true
            WHERE NOT is_dup AND reason_q IS NULL AND EXISTS (SELECT 1 FROM {table.name} t WHERE {on})
        """)
    return list(types)


def insert_rows(con: duckdb.DuckDBPyConnection, table: schema.Table, columns: list[str]) -> None:
    cols = ", ".join(q(c) for c in columns)
    con.execute(f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM {PARSED} "
                f"WHERE NOT is_dup AND reason_q IS NULL ORDER BY __row")


def summary(con: duckdb.DuckDBPyConnection) -> dict:
    row = con.execute(f"""
        SELECT count(*) FILTER (WHERE is_dup), count(*) FILTER (WHERE NOT is_dup AND reason_q IS NOT NULL),
               count(*) FILTER (WHERE NOT is_dup AND reason_q IS NULL) FROM {PARSED}
    """).fetchall()[0]
    reasons = dict(con.execute(f"""
        SELECT reason_q, count(*) FROM {PARSED} WHERE NOT is_dup AND reason_q IS NOT NULL
        GROUP BY reason_q ORDER BY count(*) DESC, reason_q
    """).fetchall())
    return {"duplicates_skipped": row[0], "rows_quarantined": row[1], "rows_loaded": row[2],
            "quarantine_reasons": reasons}
