"""`ingest`: one source (file or DataFrame) into the store, every row accounted for."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import duckdb

from custlens import schema
from custlens.errors import InputError
from custlens.ingest import limits
from custlens.ingest import orders as _orders
from custlens.ingest._faults import reach
from custlens.ingest import tables as _tables
from custlens.ingest.discount import DiscountStyle, detect_discount_style
from custlens.ingest.mapping import guess_table, map_columns, parse_overrides
from custlens.ingest.readers import RAW, RawSource, read_source
from custlens.ingest.result import IngestResult
from custlens.ingest.values import DateStyle, NumberStyle, detect_date_style, detect_number_style
from custlens.store import Store, open_store

TABLE_CHOICES = ("orders", "order_items", "customers", "surveys", "feedback", "tickets",
                 "campaign_members", "returns")
_NUMERIC_ORDER_COLS = ("amount", "quantity", "unit_price", "discount")
_WARN_SHARE = 0.2


def ingest(
    source: Any,
    store: Store | str | Path | None = None,
    *,
    table: str | None = None,
    mapping: dict[str, str] | list[str] | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    delimiter: str | None = None,
    columns: list[str] | None = None,
    name: str | None = None,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    pseudonymise: bool = False,
    salt_file: str | Path | None = None,
) -> IngestResult:
    """Load a file or DataFrame into the store.

    Parameters
    ----------
    source : path or DataFrame
        CSV/TSV/TXT (any common delimiter, UTF-8 with or without BOM, GBK/GB18030,
        latin-1...), Excel ``.xlsx``, Parquet, or a pandas/polars DataFrame.
    store : Store or path, optional
        Default ``./custlens.duckdb``.
    table : str, optional
        Target canonical table; guessed from the headers when omitted. ``order_items``
        loads a line-item file (aggregated into ``orders`` as well).
    mapping : dict or list of "SOURCE=CANONICAL", optional
        Explicit column mapping; overrides the header aliases.
    dayfirst : bool, optional
        Settle ``01/02/2024``-style dates when the data cannot.
    date_format : str, optional
        A strptime format for the date columns, e.g. ``"%d.%m.%Y"``.
    delimiter : str, optional
        CSV delimiter, when the sniffer's choice is wrong.
    columns : list of str, optional
        Column names for a text file without a header row.
    name : str, optional
        The source name recorded in the store (default: the path, or ``<dataframe>``).
    today : date, optional
        Dates after this day are quarantined (default: the real today).
    progress : callable, optional
        Called with a short label at each stage (for progress bars).
    pseudonymise : bool, default False
        Replace customer ids, and hash personal columns (e-mail, phone, name, address,
        found by header or by value), with keyed hashes before anything is stored, and mark
        the store so every later ingest does the same (see `custlens.privacy`). A store
        already marked pseudonymises whatever this says.
    salt_file : path, optional
        The secret key file; default ``CUSTLENS_SALT_FILE``, ``CUSTLENS_SALT`` or
        ``<store>.key`` (created with permissions 0600 when missing).

    Returns
    -------
    IngestResult
        The accounting: ``rows_read == rows_loaded + rows_quarantined + duplicates_skipped``.

    Notes
    -----
    Into a file store, DuckDB's memory is capped for the time of the ingest at 1.2 times the
    file (at least 512 MB; ``CUSTLENS_INGEST_MEMORY_MB``) and the work tables spill to
    ``<store>.tmp`` beyond it; see `custlens.ingest.limits` and ``docs/ingest.md``.

    Examples
    --------
    >>> from custlens import Store
    >>> from custlens.ingest import ingest
    >>> result = ingest("orders.csv", Store("shop.duckdb"))  # doctest: +SKIP
    >>> result.rows_read == result.rows_loaded + result.rows_quarantined + result.duplicates_skipped
    True
    """
    t0 = time.perf_counter()
    step = progress or (lambda _label: None)
    if table is not None and table not in TABLE_CHOICES:
        raise InputError(f"--table {table!r} is not a table custlens loads; use one of {', '.join(TABLE_CHOICES)}")
    st = open_store(store)
    con = st._con
    args = (st, source, table, mapping, dayfirst, date_format, delimiter, columns, name, today, step,
            pseudonymise, salt_file, t0)
    cap = limits.ingest_memory_mb(source) if st.path != ":memory:" else None
    try:
        with limits.bounded_memory(con, source, st.path):
            return _ingest(*args)
    except duckdb.OutOfMemoryException as exc:
        # The transaction was rolled back and the work tables dropped: nothing is half-written.
        if cap is None:
            raise
        if limits.limit("CUSTLENS_INGEST_MEMORY_MB"):
            raise InputError(
                f"{name or source}: the ingest needs more memory than CUSTLENS_INGEST_MEMORY_MB={cap} "
                f"allows ({str(exc).splitlines()[0]}); raise the variable or unset it (default: 1.2 times "
                "the file, at least 512 MB)") from exc
        # The derived cap was too tight for this file (some joins cannot spill): load uncapped.
        res = _ingest(*args)
        res.decisions.append(f"memory cap of {cap:,} MB too small for this file: loaded without a cap")
        return res


def _ingest(st, source, table, mapping, dayfirst, date_format, delimiter, columns, name, today, step,
            pseudonymise, salt_file, t0) -> IngestResult:
    con = st._con
    step("read")
    raw = read_source(con, source, name=name, delimiter=delimiter, names=columns)
    reach("read")
    label = name or raw.name
    try:
        overrides = parse_overrides(mapping)
        target = table or guess_table(raw.headers, overrides, label)
        load_as = "orders" if target == "order_items" else target
        cols = map_columns(raw.headers, load_as, overrides, label)
        decisions = _read_decisions(raw, cols)
        if _seen_before(st, raw.sha256, target):
            res = IngestResult(label, target, rows_read=raw.rows, duplicates_skipped=raw.rows, mapping=cols,
                               decisions=decisions + ["this exact file was ingested before: nothing loaded again"])
            _log(st, res, raw.sha256, t0)
            return res
        _pseudonymise(st, raw, cols, pseudonymise, salt_file, decisions)
        now_sql = f"TIMESTAMP '{(today or date.today()) + timedelta(days=1)}'"
        step("parse")
        load = _load_orders if load_as == "orders" else _load_table
        return load(st, raw, cols, target, label, dayfirst, date_format, now_sql, decisions, step, t0)
    finally:
        con.execute(f"DROP VIEW IF EXISTS {_orders.ALL}")
        for tmp in (RAW, _orders.PARSED, _orders.DUPS):
            con.execute(f"DROP TABLE IF EXISTS {tmp}")


def _read_decisions(raw: RawSource, cols: dict[str, str]) -> list[str]:
    out = [f"format: {raw.format}"]
    if raw.encoding:
        out.append(f"encoding: {raw.encoding}")
    if raw.delimiter:
        out.append(f"delimiter: {raw.delimiter!r}")
    out.extend(raw.notes)
    out.append("columns: " + ", ".join(f"{h} -> {c}" for h, c in cols.items()))
    return out


def _pseudonymise(st: Store, raw: RawSource, cols: dict[str, str], wanted: bool,
                  salt_file: str | Path | None, decisions: list[str]) -> None:
    """Hash customer ids and personal columns in the raw table, before any row is stored."""
    from custlens.privacy import detect
    from custlens.privacy import pseudo as ps

    on = ps.is_pseudonymised(st)
    if not (on or wanted):
        return
    key = ps.load_key(st, salt_file, create=not on)
    ps.enable(st, key)
    ids = [h for h, c in cols.items() if c == schema.CUSTOMER_ID]
    for h in ids:
        ps.pseudonymise_column(st, RAW, h, key, as_id=True)
    # Mapped columns feed the analyses and are not personal by design; the rest is checked.
    personal = detect.personal_columns(st, RAW, [h for h in raw.headers if h not in cols])
    for h in personal:
        ps.pseudonymise_column(st, RAW, h, key, as_id=False)
    decisions.append("pseudonymised: customer ids" + (
        " and personal columns " + ", ".join(repr(h) for h in personal) if personal else "")
        + " replaced by keyed hashes")


def _seen_before(st: Store, sha: str, table: str) -> bool:
    rows = st._con.execute("SELECT count(*) FROM _ingest_log WHERE sha256 = ? AND table_name = ?",
                          [sha, table]).fetchall()
    return rows[0][0] > 0


def _styles(st: Store, cols: dict[str, str], date_cols: list[str], num_cols: list[str], label: str,
            dayfirst: bool | None, date_format: str | None, decisions: list[str]
            ) -> tuple[dict[str, DateStyle], dict[str, NumberStyle]]:
    header = {c: h for h, c in cols.items()}
    dates, numbers = {}, {}
    for c in date_cols:
        if c in header:
            ds = detect_date_style(st._con, RAW, header[c], label, dayfirst, date_format)
            dates[c] = ds
            if ds.dayfirst is not None and ds.decided_by != "not needed":
                how = "day-first" if ds.dayfirst else "month-first"
                why = "as told" if ds.decided_by == "user" else "decided from the data"
                decisions.append(f"dates in {header[c]!r} read {how} ({why})")
    for c in num_cols:
        if c in header:
            ns = detect_number_style(st._con, RAW, header[c])
            numbers[c] = ns
            if ns.decimal_comma:
                decisions.append(f"numbers in {header[c]!r} use a decimal comma")
    return dates, numbers


def _warnings(con, rows: int, headers: list[str], parsed: str = _orders.PARSED) -> list[str]:
    from custlens.privacy.detect import redact_json  # the example row is shown: no personal data in it

    out = []
    for reason, n, first_row, example in _orders.reason_examples(con, headers, parsed):
        if rows and n / rows >= _WARN_SHARE:
            example = redact_json(example)
            out.append(f"{n:,} of {rows:,} rows quarantined as {reason} (row {first_row}: {example[:160] + ('…' if len(example) > 160 else '')}); "
                       "check the column mapping (--map) or the date/number format")
    return out


def _discount_style(con, cols: dict[str, str], numbers: dict[str, NumberStyle], decisions: list[str]
                    ) -> DiscountStyle | None:
    """Rates or money in the discount column (`custlens.ingest.discount`), said in the decisions."""
    header = next((h for h, c in cols.items() if c == "discount"), None)
    if header is None or "discount" not in numbers:
        return None
    style = detect_discount_style(con, RAW, header, numbers["discount"])
    if style.rate:
        decisions.append(style.decision(header))
    return style


def _load_orders(st, raw, cols, target, label, dayfirst, date_format, now_sql, decisions, step, t0) -> IngestResult:
    con = st._con
    dates, numbers = _styles(st, cols, ["ordered_at"], list(_NUMERIC_ORDER_COLS), label, dayfirst,
                             date_format, decisions)
    canon = set(cols.values())
    line_level = target == "order_items" or ("order_id" in canon and bool(
        canon & {"quantity", "unit_price", "product_id", "product_name", "category"}))
    ids_unique = False
    if "order_id" in canon:
        h = next(k for k, v in cols.items() if v == "order_id")
        n_ids = con.execute(f'SELECT count(DISTINCT "{h}"), count(*) FROM {RAW}').fetchall()[0]
        ids_unique = n_ids[0] == n_ids[1]
        line_level = line_level or not ids_unique
    if "order_id" not in canon:
        decisions.append("no order id column: each row is one order (ids derived from the row content)")
    discount = _discount_style(con, cols, numbers, decisions)
    _orders.build_parsed(con, cols, raw.headers, dates["ordered_at"], numbers, line_level, now_sql, ids_unique,
                         discount)
    _orders.keep_bad_raw(con)
    reach("parsed")
    step("load")
    # Row order inside the store's tables carries no meaning; not keeping it makes inserts cheaper.
    con.execute("SET preserve_insertion_order = false")
    try:
        # Rows, quarantine and the log row commit together: a crash leaves all or nothing.
        with st.transaction():
            reach("begin")
            _orders.mark_existing(con)
            _orders.mark_quarantined(con, "orders", raw.headers)
            _orders.quarantine(con, label, "orders", raw.headers)
            reach("quarantined")
            _orders.insert_rows(con, label, line_level)
            reach("inserted")
            s = _orders.summary(con, line_level)
            if line_level:
                decisions.append(f"line items: {s['rows_loaded'] - s['returns']:,} lines aggregated into "
                                 f"{s['orders']:,} orders")
            res = IngestResult(label, target, rows_read=raw.rows, mapping=cols, decisions=decisions, **s)
            res.warnings = _warnings(con, raw.rows, raw.headers)
            res.seconds = round(time.perf_counter() - t0, 3)
            _log(st, res, raw.sha256, t0)
            reach("logged")
        reach("committed")  # right after COMMIT: nothing the store needs may come after this
    finally:
        con.execute("RESET preserve_insertion_order")
    return res


def _load_table(st, raw, cols, table_name, label, dayfirst, date_format, now_sql, decisions, step, t0) -> IngestResult:
    con = st._con
    table = schema.DATA_TABLES[table_name]
    types = _tables.column_types(table, cols)
    date_cols = [c for c, t in types.items() if t in ("TIMESTAMP", "DATE")]
    num_cols = [c for c, t in types.items() if t == "DOUBLE"]
    dates, numbers = _styles(st, cols, date_cols, num_cols, label, dayfirst, date_format, decisions)
    columns = _tables.build_parsed(con, table, cols, raw.headers, dates, numbers, now_sql)
    reach("parsed")
    step("load")
    with st.transaction():
        reach("begin")
        _tables.ensure_extra_columns(con, table, cols)
        _orders.mark_quarantined(con, table_name, raw.headers, _tables.PARSED)
        _orders.quarantine(con, label, table_name, raw.headers, _tables.PARSED)
        reach("quarantined")
        _tables.insert_rows(con, table, columns)
        reach("inserted")
        s = _tables.summary(con)
        res = IngestResult(label, table_name, rows_read=raw.rows, mapping=cols, decisions=decisions, **s)
        res.warnings = _warnings(con, raw.rows, raw.headers, _tables.PARSED)
        res.seconds = round(time.perf_counter() - t0, 3)
        _log(st, res, raw.sha256, t0)
        reach("logged")
    reach("committed")  # right after COMMIT: nothing the store needs may come after this
    return res


def _log(st: Store, res: IngestResult, sha: str, t0: float) -> None:
    started = datetime.now() - timedelta(seconds=time.perf_counter() - t0)
    st._con.execute(
        "INSERT INTO _ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [res.source, sha, res.table, res.rows_read, res.rows_loaded, res.rows_quarantined,
         res.duplicates_skipped, started, datetime.now()],
    )
