"""Loading orders: order-level or line-item files, returns split off, quarantine, dedupe.

Everything happens in DuckDB: one parse pass builds ``__custlens_parsed`` with each row's
fate (``order``, ``return``, ``quarantine`` or ``dup``) and reason; the inserts then read
that table. No Python loop touches rows.
"""

from __future__ import annotations

import duckdb

from custlens.ingest.discount import DiscountStyle, discount_expr
from custlens.ingest.limits import max_field_bytes
from custlens.ingest.readers import RAW
from custlens.ingest.values import (DateStyle, NumberStyle, id_expr, number_expr, q, text_expr,
                                    timestamp_expr)

PARSED = "__custlens_parsed"
DUPS = "__custlens_dups"
#: The parsed table with every column, absent ones as typed NULLs (a view: costs nothing).
ALL = "__custlens_parsed_all"
#: Columns of the parsed orders table (besides ``__row`` and the fate flags) and their types.
PARSED_COLUMNS = {"order_id": "VARCHAR", "customer_id": "VARCHAR", "ordered_at": "TIMESTAMP",
                  "amount": "DOUBLE", "quantity": "DOUBLE", "unit_price": "DOUBLE", "discount": "DOUBLE",
                  "product_id": "VARCHAR", "product_name": "VARCHAR", "category": "VARCHAR",
                  "brand": "VARCHAR", "channel": "VARCHAR", "payment_method": "VARCHAR",
                  "currency": "VARCHAR", "status": "VARCHAR", "region": "VARCHAR", "reason": "VARCHAR"}
CANCELLED_STATUS = ("cancelled", "canceled", "refunded", "returned", "refund", "return",
                    "已取消", "取消", "已退款", "退款", "已退货", "退货", "交易关闭")


def build_parsed(con: duckdb.DuckDBPyConnection, mapping: dict[str, str], headers: list[str],
                 dates: DateStyle, numbers: dict[str, NumberStyle], line_level: bool,
                 now_sql: str, ids_unique: bool = False, discount: DiscountStyle | None = None) -> None:
    """Create the parsed table of the raw rows with their fate and quarantine reason.

    ``ids_unique`` (every row has its own order id) lets the duplicate and conflict checks,
    which need sorts over the whole file, be skipped: exact duplicates share an order id.
    """
    col = {canon: h for h, canon in mapping.items()}

    def text(c: str) -> str:
        return text_expr(col[c]) if c in col else "NULL"

    def num(c: str) -> str:
        return number_expr(col[c], numbers[c]) if c in col else "NULL"

    has_id = "order_id" in col
    raw_amount = text("amount")
    qty, price = num("quantity"), num("unit_price")
    if "amount" in col:
        amount = num("amount")  # a present but blank or bad amount is quarantined, not guessed
    else:
        amount = f"{qty} * {price}"
    raw_cols = ", ".join(q(h) for h in headers)
    # Exact duplicates are only recognisable when rows carry an order id: without one,
    # two identical rows may be two real purchases. Only rows whose id repeats can be one.
    dup = "false"
    if has_id and not ids_unique:
        idc = q(col["order_id"])
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {DUPS} AS
            SELECT __row FROM (
                SELECT __row, row_number() OVER (PARTITION BY {raw_cols} ORDER BY __row) AS k
                FROM {RAW} WHERE {idc} IN (SELECT {idc} FROM {RAW} GROUP BY {idc} HAVING count(*) > 1))
            WHERE k > 1
        """)
        dup = f"__row IN (SELECT __row FROM {DUPS})"
    order_id = id_expr(col["order_id"]) if has_id else (
        "'R' || substr(md5(concat_ws('|', " + raw_cols + ", CAST(row_number() OVER (PARTITION BY "
        + raw_cols + " ORDER BY __row) AS VARCHAR))), 1, 20)")
    status = f"lower({text('status')})"
    # Only the columns the file has are kept: an absent column would be a whole column of
    # NULLs held in memory (ten of them doubled the peak); the view `ALL` adds them back.
    present = {"order_id", "customer_id", "ordered_at", "amount"} | set(col)
    kept = [c for c in PARSED_COLUMNS if c in present]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {PARSED} AS
        WITH p AS (
            SELECT __row,
                {order_id} AS order_id,
                {id_expr(col['customer_id'])} AS customer_id,
                {text('ordered_at')} AS date_raw,
                {timestamp_expr(col['ordered_at'], dates)} AS ordered_at,
                {raw_amount} AS amount_raw,
                round({amount}, 4) AS amount,
                {qty} AS quantity, {price} AS unit_price,
                {discount_expr(col['discount'], numbers['discount'], discount, amount)
                 if discount is not None and 'discount' in col else num('discount')} AS discount,
                {id_expr(col['product_id']) if 'product_id' in col else 'NULL'} AS product_id,
                {text('product_name')} AS product_name, {text('category')} AS category,
                {text('brand')} AS brand, {text('channel')} AS channel,
                {text('payment_method')} AS payment_method, {text('currency')} AS currency,
                {text('status')} AS status, {text('region')} AS region, {text('reason')} AS reason,
                {dup} AS is_dup, {too_large_expr(headers)} AS too_large,
                (coalesce({amount} < 0, false) OR coalesce({qty} < 0, false)
                 OR coalesce({status} IN {CANCELLED_STATUS}, false)
                 OR regexp_matches(coalesce({order_id if has_id else "''"}, ''), '^C\\d')) AS is_return
            FROM {RAW}
        )
        SELECT __row, {", ".join(kept)}, is_dup, is_return,
            CASE
                WHEN is_dup THEN NULL
                WHEN too_large THEN 'field_too_large'
                WHEN {'order_id IS NULL' if has_id else 'false'} THEN 'missing_order_id'
                WHEN customer_id IS NULL THEN 'missing_customer_id'
                WHEN date_raw IS NULL THEN 'missing_date'
                WHEN ordered_at IS NULL THEN 'unparseable_date'
                WHEN ordered_at < TIMESTAMP '1990-01-01' THEN 'date_before_1990'
                WHEN ordered_at > {now_sql} THEN 'date_in_future'
                WHEN amount IS NULL AND amount_raw IS NULL THEN 'missing_amount'
                WHEN amount IS NULL THEN 'non_numeric_amount'
                WHEN amount = 0 AND is_return THEN 'zero_amount'
            END AS reason_q
        FROM p
    """)
    missing = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in PARSED_COLUMNS.items() if c not in present)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {ALL} AS SELECT *{', ' + missing if missing else ''} FROM {PARSED}")
    if line_level:
        _line_checks(con)
    elif not ids_unique:
        # Order-level file: a second, different row with the same order id conflicts.
        con.execute(f"""
            UPDATE {PARSED} SET reason_q = 'conflicting_duplicate_order_id'
            WHERE __row IN (
                SELECT __row FROM (
                    SELECT __row, row_number() OVER (PARTITION BY order_id ORDER BY __row) AS k
                    FROM {PARSED} WHERE NOT is_dup AND reason_q IS NULL AND NOT is_return)
                WHERE k > 1)
        """)


def keep_bad_raw(con: duckdb.DuckDBPyConnection, parsed: str = PARSED) -> None:
    """Shrink the raw table to the rows with a quarantine reason, once every reason is known.

    After the parse only quarantined rows need their raw text (for ``_quarantine`` and the
    warnings); dropping the rest before the inserts means the raw and the parsed copies of
    a large file are never held in full together.
    """
    keep = "__custlens_raw_bad"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {keep} AS SELECT r.* FROM {RAW} r "
                f"SEMI JOIN (SELECT __row FROM {parsed} WHERE reason_q IS NOT NULL) b ON r.__row = b.__row")
    con.execute(f"DROP TABLE {RAW}")
    con.execute(f"ALTER TABLE {keep} RENAME TO {RAW}")


def too_large_expr(headers: list[str]) -> str:
    """SQL: true when a raw field of the row is longer than the field limit (in bytes)."""
    longest = "greatest(" + ", ".join(f"coalesce(strlen({q(h)}), 0)" for h in headers) + ", 0)"
    return f"({longest} > {max_field_bytes()})"


def _line_checks(con: duckdb.DuckDBPyConnection) -> None:
    """Order-level check on line items: one customer per order."""
    con.execute(f"""
        UPDATE {PARSED} SET reason_q = v.why FROM (
            SELECT order_id,
                'conflicting_customer_in_order' AS why
            FROM {PARSED} WHERE NOT is_dup AND reason_q IS NULL AND NOT is_return
            GROUP BY order_id
            HAVING count(DISTINCT customer_id) > 1
        ) v
        WHERE {PARSED}.order_id = v.order_id AND NOT is_dup AND reason_q IS NULL AND NOT is_return
    """)


def mark_existing(con: duckdb.DuckDBPyConnection) -> None:
    """Rows already in the store (an order id loaded before, an identical return) are duplicates."""
    con.execute(f"""
        UPDATE {PARSED} SET is_dup = true
        WHERE NOT is_dup AND reason_q IS NULL AND NOT is_return
          AND order_id IN (SELECT order_id FROM orders)
    """)
    con.execute(f"""
        UPDATE {PARSED} SET is_dup = true WHERE __row IN (
            SELECT p.__row FROM {ALL} p
            WHERE NOT p.is_dup AND p.reason_q IS NULL AND p.is_return AND EXISTS (
                SELECT 1 FROM returns r
                WHERE r.order_id = p.order_id AND r.customer_id = p.customer_id
                  AND r.returned_at = p.ordered_at AND r.amount = abs(p.amount)
                  AND r.product_id IS NOT DISTINCT FROM p.product_id))
    """)


def insert_rows(con: duckdb.DuckDBPyConnection, source: str, line_level: bool) -> None:
    """Write orders, order items and returns from the parsed table."""
    ok = f"FROM {ALL} WHERE NOT is_dup AND reason_q IS NULL"
    con.execute(f"""
        INSERT INTO returns (order_id, customer_id, returned_at, amount, reason, product_id, quantity, source)
        SELECT order_id, customer_id, ordered_at, round(abs(coalesce(nullif(amount, 0), quantity * unit_price)), 2),
               coalesce(reason, status), product_id, abs(quantity), ? {ok} AND is_return
        ORDER BY __row
    """, [source])
    if line_level:
        con.execute(f"""
            INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, line_amount,
                                     product_name, category, brand)
            SELECT order_id, row_number() OVER (PARTITION BY order_id ORDER BY __row), product_id,
                   quantity, unit_price, round(amount, 2), product_name, category, brand
            {ok} AND NOT is_return
        """)
    cols = "order_id, customer_id, ordered_at, amount, discount, channel, payment_method, currency, status, region"
    if line_level:
        con.execute(f"""
            INSERT INTO orders ({cols}, source)
            SELECT order_id, min(customer_id), min(ordered_at), round(sum(amount), 2), sum(discount),
                   min(channel), min(payment_method), min(currency), min(status), min(region), ?
            {ok} AND NOT is_return
            GROUP BY order_id
        """, [source])
    else:  # one row per order already: no aggregation needed
        con.execute(f"""
            INSERT INTO orders ({cols}, source)
            SELECT order_id, customer_id, ordered_at, round(amount, 2), discount, channel, payment_method,
                   currency, status, region, ? {ok} AND NOT is_return
        """, [source])


#: Longest raw value kept verbatim in ``_quarantine``; a longer one (a ``field_too_large``
#: row) keeps its start and its length, so the quarantine cannot be used to bloat the store.
RAW_KEEP_CHARS = 1000


def _raw_value(h: str) -> str:
    col = f"r.{q(h)}"
    return (f"CASE WHEN length({col}) > {RAW_KEEP_CHARS} THEN left({col}, {RAW_KEEP_CHARS}) || "
            f"'… [' || length({col}) || ' characters]' ELSE {col} END")


def raw_json(headers: list[str]) -> str:
    """SQL for one raw row as a JSON object keyed by the file's own headers."""
    return "to_json(struct_pack(" + ", ".join(f"{q(h)} := {_raw_value(h)}" for h in headers) + "))"


def mark_quarantined(con: duckdb.DuckDBPyConnection, table: str, headers: list[str],
                     parsed: str = PARSED) -> None:
    """Bad rows already in ``_quarantine`` (same table, reason and raw values) are duplicates.

    The key is a hash of the raw row, the reason and the table, counted as a multiset: a file
    holding the same bad row twice quarantines it twice, but ingesting an overlapping export
    or re-running after a crash never quarantines a row more often than it occurs.
    """
    con.execute(f"""
        UPDATE {parsed} SET is_dup = true FROM (
            SELECT x.__row FROM (
                SELECT p.__row, p.reason_q, md5({raw_json(headers)}) AS h,
                       row_number() OVER (PARTITION BY md5({raw_json(headers)}), p.reason_q
                                          ORDER BY p.__row) AS k
                FROM {parsed} p JOIN {RAW} r ON r.__row = p.__row
                WHERE NOT p.is_dup AND p.reason_q IS NOT NULL) x
            JOIN (SELECT md5(raw) AS h, reason, count(*) AS n FROM _quarantine
                  WHERE table_name = ? GROUP BY ALL) e ON e.h = x.h AND e.reason = x.reason_q
            WHERE x.k <= e.n) d
        WHERE {parsed}.__row = d.__row
    """, [table])


def quarantine(con: duckdb.DuckDBPyConnection, source: str, table: str, headers: list[str],
               parsed: str = PARSED) -> None:
    """Copy the rejected rows, with their raw values, into ``_quarantine``."""
    con.execute(f"""
        INSERT INTO _quarantine (source, table_name, row_number, raw, reason, ingested_at)
        SELECT ?, ?, p.__row, {raw_json(headers)}, p.reason_q, current_localtimestamp()
        FROM {parsed} p JOIN {RAW} r ON r.__row = p.__row
        WHERE NOT p.is_dup AND p.reason_q IS NOT NULL ORDER BY p.__row
    """, [source, table])


def summary(con: duckdb.DuckDBPyConnection, line_level: bool = True) -> dict:
    """Counts of the fates and the loaded orders, for the IngestResult."""
    ok = "NOT is_dup AND reason_q IS NULL"
    # Without line items every loaded sale row is one order: no distinct count needed.
    n_orders = "count(DISTINCT order_id)" if line_level else "count(*)"
    row = con.execute(f"""
        SELECT count(*) FILTER (WHERE is_dup),
               count(*) FILTER (WHERE NOT is_dup AND reason_q IS NOT NULL),
               count(*) FILTER (WHERE {ok}),
               {n_orders} FILTER (WHERE {ok} AND NOT is_return),
               count(DISTINCT customer_id) FILTER (WHERE {ok} AND NOT is_return),
               coalesce(sum(amount) FILTER (WHERE {ok} AND NOT is_return), 0),
               count(*) FILTER (WHERE {ok} AND is_return)
        FROM {PARSED}
    """).fetchall()[0]
    reasons = dict(con.execute(f"""
        SELECT reason_q, count(*) FROM {PARSED} WHERE NOT is_dup AND reason_q IS NOT NULL
        GROUP BY reason_q ORDER BY count(*) DESC, reason_q
    """).fetchall())
    return {"duplicates_skipped": row[0], "rows_quarantined": row[1], "rows_loaded": row[2],
            "orders": row[3], "customers": row[4], "revenue": round(float(row[5]), 2),
            "returns": row[6], "quarantine_reasons": reasons}


def reason_examples(con: duckdb.DuckDBPyConnection, headers: list[str],
                    parsed: str = PARSED) -> list[tuple[str, int, int, str]]:
    """(reason, count, first row, that row as JSON) per reason, for warnings."""
    return con.execute(f"""
        SELECT reason_q, count(*), min(p.__row), arg_min(CAST({raw_json(headers)} AS VARCHAR), p.__row)
        FROM {parsed} p JOIN {RAW} r ON r.__row = p.__row
        WHERE NOT p.is_dup AND p.reason_q IS NOT NULL GROUP BY reason_q
    """).fetchall()
