"""The store: one DuckDB file holding the canonical tables, read through Ibis.

Analyses ask the store for Ibis tables (``store.table("orders")``) and run expressions with
``store.execute``; only ingest and the store itself speak SQL to DuckDB directly, so another
Ibis backend can run the feature layer later (``tests/test_engine_boundary.py`` enforces it).

The DuckDB connection is private (``Store._con``). Writes that Ibis cannot express (deleting a
customer, rewriting a staging column in place, appending rows, the ``_meta`` key/value table)
are methods here, each saying why it needs SQL. Tests may use ``store._con`` directly to set
up hostile cases with raw SQL; library code outside this module and ``ingest/`` may not.
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator, Mapping

import duckdb
import ibis
import pandas as pd

from custlens import engines, i18n, schema
from custlens.errors import MissingDataError, StoreError

i18n.register({
    "error.table_empty": {
        "en": "needs the '{table}' table, which is empty; load it with `custlens ingest FILE --table {table}`",
        "zh": "需要“{table}”表，但该表为空；请用 `custlens ingest FILE --table {table}` 导入",
    },
    "error.optional_dependency": {
        "en": "this analysis needs the optional package '{package}'; install it with pip install 'custlens[{extra}]'",
        "zh": "此分析需要可选依赖包“{package}”；请用 pip install 'custlens[{extra}]' 安装",
    },
    "error.no_orders": {
        "en": "the store has no orders yet; load them with `custlens ingest FILE`",
        "zh": "数据仓库中还没有订单；请用 `custlens ingest FILE` 导入",
    },
})

DEFAULT_STORE = "custlens.duckdb"
#: Where `Store.delete_customer` records each erasure (a hash of the id, never the id).
FORGET_LOG = "_forget_log"


def _create_sql(table: schema.Table) -> str:
    cols = ", ".join(f'"{c.name}" {c.dtype}' for c in table.columns)
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" ({cols})'


class Store:
    """An open custlens store.

    Parameters
    ----------
    path : str or Path, default "custlens.duckdb"
        The DuckDB file; created with every canonical table when missing. ``":memory:"``
        gives a throw-away store.
    read_only : bool, default False
        Open without write access (e.g. for the web service).
    engine : {"duckdb", "spark"}, default "duckdb"
        What runs the Ibis expressions of `table`/`execute`. ``"spark"`` (extra
        ``custlens[spark]`` and Java 17+) opens the file read-only and runs them on a local
        PySpark session over a Parquet snapshot of the tables (`custlens.engines`); ingest
        and writes stay on DuckDB.

    Examples
    --------
    >>> with Store(":memory:") as store:
    ...     store.count("orders")
    0
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_STORE, read_only: bool = False,
                 engine: str = "duckdb"):
        self.path = str(path)
        self._local = threading.local()  # a worker thread's own connection (`thread_connection`)
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self.engine = engines.check_engine(engine, self.path)
        read_only = read_only or engine == "spark"  # the Spark views are a snapshot: no writes under them
        self.read_only = read_only
        self._con = _connect(self.path, read_only)
        try:
            self._check_store(read_only)  # before anything is created or changed
            if not read_only:
                self._init_schema()
        except BaseException:
            self._con.close()
            raise
        try:
            self.ibis = engines.connect(self._con, self.path, self.engine)
        except BaseException:
            self._con.close()
            raise
        self._con = engines.guard(self._con, self.engine)  # Spark: nothing outside the store reads its DuckDB file

    # -- connections: one per thread -------------------------------------------------
    # A DuckDB connection must not run two queries at once, and temporary tables, registered
    # frames and Ibis memtables belong to one connection. `_con` and `ibis` are therefore the
    # calling thread's: the store's own unless the thread entered `thread_connection`.
    @property
    def _con(self):  # type: ignore[no-untyped-def]
        return getattr(self._local, "con", None) or self._main_con

    @_con.setter
    def _con(self, con) -> None:  # type: ignore[no-untyped-def]
        self._main_con = con

    @property
    def ibis(self):  # type: ignore[no-untyped-def]
        """The Ibis backend of the calling thread (see `thread_connection`)."""
        return getattr(self._local, "ibis", None) or self._main_ibis

    @ibis.setter
    def ibis(self, backend) -> None:  # type: ignore[no-untyped-def]
        self._main_ibis = backend

    @contextmanager
    def thread_connection(self) -> Iterator["Store"]:
        """Give the calling thread its own DuckDB connection to the store while the block runs.

        Inside the block, `table`, `execute`, `ibis` and the SQL helpers of this store use a
        cursor of the store's connection (``con.cursor()``: the same database, its own
        connection) and an Ibis backend on it, so that several threads can query the store at
        once (`custlens.report.builder.build_report` with ``workers=2``). Temporary tables and
        registered frames of the block are the thread's own. The cursor stays open until
        `close`, so Ibis expressions built in the block can still run later (Ibis compiles an
        expression to SQL on whichever backend executes it; they name the same tables).

        Raises
        ------
        EngineNotSupported
            On a Spark store (its session is not shared by threads here: build with one worker).
        """
        if self.engine != "duckdb":
            raise engines.EngineNotSupported(
                i18n.t("error.engine_not_supported", what="a report built on several threads"),
                key="error.engine_not_supported", what="a report built on several threads")
        if getattr(self._local, "con", None) is not None:  # nested: keep the thread's connection
            yield self
            return
        con = self._main_con.cursor()
        self._cursors.append(con)
        self._local.con, self._local.ibis = con, ibis.duckdb.from_connection(con)
        try:
            yield self
        finally:
            self._local.con = self._local.ibis = None

    # -- lifecycle -----------------------------------------------------------------
    def _init_schema(self) -> None:
        for table in schema.ALL_TABLES.values():
            self._con.execute(_create_sql(table))
        have = self._con.execute("SELECT value FROM _meta WHERE key = 'schema_version'").fetchall()
        if not have:
            self._con.execute(
                "INSERT INTO _meta VALUES ('schema_version', ?), ('created_at', ?)",
                [str(schema.SCHEMA_VERSION), datetime.now().isoformat(timespec="seconds")],
            )

    def _check_store(self, read_only: bool) -> None:
        """Refuse a foreign DuckDB file, or a store of another schema version, without changing it."""
        tables = [r[0] for r in self._con.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY table_name").fetchall()]
        if not tables:
            if read_only and self.path != ":memory:":
                raise StoreError(f"{self.path!r} is an empty DuckDB file, not a custlens store; load data "
                                 f"with `custlens ingest FILE --store {self.path}`")
            return  # a new store
        version = None
        if schema.META.name in tables:
            row = self._con.execute("SELECT value FROM _meta WHERE key = 'schema_version'").fetchall()
            version = row[0][0] if row else None
        if version is None:
            shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
            raise StoreError(f"{self.path!r} is a DuckDB database but not a custlens store (tables: {shown}; "
                             f"no custlens schema version in _meta); custlens leaves it unchanged: pass "
                             f"another --store path")
        try:
            number = int(str(version).strip())
        except ValueError:
            raise StoreError(f"store {self.path!r} has an unknown schema version {version!r} (this custlens "
                             f"reads version {schema.SCHEMA_VERSION}); it was not changed: use another --store "
                             f"path and re-ingest the exports") from None
        if number > schema.SCHEMA_VERSION:
            raise StoreError(f"store {self.path!r} was written by a newer custlens (schema version {number}, "
                             f"this one reads {schema.SCHEMA_VERSION}); it was not changed: upgrade custlens")
        if number < schema.SCHEMA_VERSION:
            raise StoreError(f"store {self.path!r} has the older schema version {number}, this custlens needs "
                             f"{schema.SCHEMA_VERSION}; it was not changed: re-ingest into a new store")

    @property
    def schema_version(self) -> int:
        return int(self.meta("schema_version"))  # type: ignore[arg-type]

    def close(self) -> None:
        engines.release(self)
        for con in self._cursors:
            con.close()
        self._cursors.clear()
        self._main_con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block atomically: everything or nothing is written."""
        self._con.execute("BEGIN TRANSACTION")
        try:
            yield self._con
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        else:
            self._con.execute("COMMIT")

    # -- reading ---------------------------------------------------------------------
    def has(self, name: str) -> bool:
        """True when table ``name`` exists and holds at least one row."""
        return self.exists(name) and self.count(name) > 0

    def exists(self, name: str) -> bool:
        row = self._con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchall()
        return bool(row[0][0])

    def count(self, name: str) -> int:
        return int(self._con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0])

    def columns(self, name: str) -> list[str]:
        return [r[0] for r in self._con.execute(f'DESCRIBE "{name}"').fetchall()]

    def table(self, name: str) -> ibis.Table:
        """The Ibis table ``name``; raises `MissingDataError` when it is absent."""
        if not self.exists(name):
            raise MissingDataError(f"the store {self.path!r} has no table {name!r}")
        return self.ibis.table(name)

    def require(self, name: str, purpose: str) -> ibis.Table:
        """The Ibis table ``name``, or a clear error saying ``purpose`` needs it loaded."""
        if not self.has(name):
            raise MissingDataError(
                f"{purpose} needs the '{name}' table, which is empty; load it with "
                f"`custlens ingest FILE --table {name}`", key="error.table_empty", table=name
            )
        return self.ibis.table(name)

    def execute(self, expr: ibis.Expr) -> pd.DataFrame:
        """Run an Ibis expression and return pandas."""
        return self.ibis.execute(expr)

    def read(self, name: str) -> pd.DataFrame:
        """A whole table as pandas."""
        return self._con.execute(f'SELECT * FROM "{name}"').df()

    def max_timestamp(self, table: str, column: str) -> pd.Timestamp | None:
        if not self.has(table):
            return None
        value = self._con.execute(f'SELECT max("{column}") FROM "{table}"').fetchall()[0][0]
        return None if value is None else pd.Timestamp(value)

    def default_as_of(self) -> pd.Timestamp:
        """The day after the last order: the default ``as_of`` of every analysis."""
        last = self.max_timestamp("orders", schema.ORDERED_AT)
        if last is None:
            raise MissingDataError(
                "the store has no orders yet; load them with `custlens ingest FILE`", key="error.no_orders"
            )
        return last.normalize() + pd.Timedelta(days=1)

    # -- writing ---------------------------------------------------------------------
    def write(self, name: str, df: pd.DataFrame, replace: bool = True) -> None:
        """Write a derived table (e.g. customer scores); canonical tables go through ingest."""
        if name in schema.ALL_TABLES:
            raise StoreError(f"{name!r} is a canonical table; load it with custlens.ingest")
        self._con.register("_custlens_write", df)
        try:
            if replace or not self.exists(name):
                self._con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _custlens_write')
            else:
                self._con.execute(f'INSERT INTO "{name}" SELECT * FROM _custlens_write')
        finally:
            self._con.unregister("_custlens_write")


    def append(self, name: str, frame: pd.DataFrame) -> int:
        """Insert the rows of ``frame`` into the existing table ``name``; returns rows added.

        Columns are matched by name (the table's other columns stay NULL). SQL because Ibis's
        ``insert`` matches columns by position and cannot leave columns out. Used for scratch
        stores (the server scores a posted history in one); loading shop data goes through ingest.
        """
        cols = ", ".join(_q(c) for c in frame.columns)
        self._con.register("_custlens_append", frame)
        try:
            self._con.execute(f"INSERT INTO {_q(name)} ({cols}) SELECT {cols} FROM _custlens_append")
        finally:
            self._con.unregister("_custlens_append")
        return len(frame)

    def clear(self, name: str) -> None:
        """Delete every row of table ``name`` (its definition stays). SQL: Ibis has no DELETE."""
        self._con.execute(f"DELETE FROM {_q(name)}")

    def prepare(self, expr: ibis.Expr) -> Callable[[], pd.DataFrame]:
        """Compile ``expr`` once and return a function that runs it (as `execute` would).

        For a query run many times on changing data (the web service scores each posted
        history in a scratch store): compiling the customer-table expression costs about
        0.9 s, running it about 5 ms. Ibis has no prepared statements, so the compiled SQL
        is kept here.
        """
        if self.engine != "duckdb":  # the compiled text is the engine's dialect, not DuckDB's
            return lambda: self.execute(expr)
        sql = str(self.ibis.compile(expr))
        return lambda: self._con.execute(sql).df()

    # -- _meta: key/value settings of the store -----------------------------------------
    def meta(self, key: str) -> str | None:
        """The value of ``key`` in ``_meta`` (None when unset)."""
        row = self._con.execute("SELECT value FROM _meta WHERE key = ?", [key]).fetchall()
        return row[0][0] if row else None

    def set_meta(self, values: Mapping[str, str]) -> None:
        """Add settings to ``_meta`` (e.g. the pseudonymisation mode). SQL: Ibis cannot insert
        literal rows into a table portably."""
        self._con.executemany("INSERT INTO _meta VALUES (?, ?)", [[k, v] for k, v in values.items()])

    # -- privacy writes ---------------------------------------------------------------------
    def delete_customer(self, customer_id: str, raw_matches: Callable[[str], bool], id_hash: str) -> dict[str, int]:
        """Delete every row of one customer in one transaction and log it in ``_forget_log``.

        Not expressible in Ibis (DELETE, the catalogue of tables, DuckDB's ``rowid``), so it
        lives here. Tables: ``order_items`` through the customer's orders, then every base table
        with a ``customer_id`` column (canonical and derived, e.g. saved scores), then the
        ``_quarantine`` rows whose ``raw`` text holds ``customer_id`` and for which
        ``raw_matches(raw)`` is true (the caller parses the raw values).

        Parameters
        ----------
        customer_id : str
            The id as stored (the pseudonym in a pseudonymised store).
        raw_matches : callable
            Decides whether a quarantined raw row (JSON text) belongs to the customer.
        id_hash : str
            What the log records instead of the id.

        Returns
        -------
        dict
            ``{table: rows removed}`` for the tables that lost rows.
        """
        con = self._con
        removed: dict[str, int] = {}
        with self.transaction():
            con.execute(f"CREATE TABLE IF NOT EXISTS {FORGET_LOG} (forgotten_at TIMESTAMP, id_hash VARCHAR, "
                        "rows_removed VARCHAR, total BIGINT)")
            n = con.execute("DELETE FROM order_items WHERE order_id IN "
                            "(SELECT order_id FROM orders WHERE customer_id = ?)", [customer_id]).fetchall()[0][0]
            removed["order_items"] = int(n)
            for table in self._tables_with_column(schema.CUSTOMER_ID):
                n = con.execute(f"DELETE FROM {_q(table)} WHERE customer_id = ?", [customer_id]).fetchall()[0][0]
                removed[table] = int(n)
            like = "%" + customer_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = [rowid for rowid, raw in con.execute(
                "SELECT rowid, raw FROM _quarantine WHERE raw LIKE ? ESCAPE '\\'", [like]).fetchall()
                if raw_matches(raw)]
            if rows:
                con.execute("DELETE FROM _quarantine WHERE list_contains(?, rowid)", [rows])
            removed["_quarantine"] = len(rows)
            removed = {t: n for t, n in removed.items() if n}
            con.execute(f"INSERT INTO {FORGET_LOG} VALUES (?, ?, ?, ?)",
                        [datetime.now(), id_hash, json.dumps(removed, sort_keys=True), sum(removed.values())])
        con.execute("CHECKPOINT")  # write the deletion into the file now, not at the next open
        return removed

    def _tables_with_column(self, column: str) -> list[str]:
        rows = self._con.execute(
            "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name = ? "
            "AND table_schema = 'main' AND table_catalog = current_database() ORDER BY table_name",
            [column]).fetchall()
        kinds = dict(self._con.execute("SELECT table_name, table_type FROM information_schema.tables "
                                       "WHERE table_schema = 'main'").fetchall())
        return [r[0] for r in rows if kinds.get(r[0]) == "BASE TABLE"]

    def map_column(self, table: str, column: str, key_sql: str, mapping: Callable[[str], str]) -> int:
        """Replace each value of ``column`` in ``table`` by ``mapping(key)``; returns distinct keys.

        Ingest pseudonymises its staging table with it before anything is stored. ``key_sql``
        is the SQL expression ingest cleans the value with (``custlens.ingest.values``: ids such
        as ``12488.0`` become ``12488``), so the key is the cleaned value. Kept in SQL: an
        in-place UPDATE of a table, and ingest's cleaning expressions are SQL.
        """
        values = [r[0] for r in self._con.execute(
            f"SELECT DISTINCT {key_sql} FROM {table} WHERE {key_sql} IS NOT NULL").fetchall()]
        frame = pd.DataFrame({"__custlens_v": pd.Series(values, dtype="string"),
                              "__custlens_p": pd.Series([mapping(v) for v in values], dtype="string")})
        self._con.register("__custlens_pseudonyms", frame)
        try:
            self._con.execute(f"UPDATE {table} SET {_q(column)} = m.__custlens_p FROM __custlens_pseudonyms m "
                              f"WHERE {key_sql} = m.__custlens_v")
        finally:
            self._con.unregister("__custlens_pseudonyms")
        return len(values)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _connect(path: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection, or a `StoreError` that says what is wrong with the file and what to do."""
    try:
        return duckdb.connect(path, read_only=read_only)
    except duckdb.Error as exc:
        msg = str(exc)
        low = msg.lower()
        if "not a valid duckdb database" in low:
            size = Path(path).stat().st_size if Path(path).exists() else -1
            if size == 0:
                hint = "it is an empty (0-byte) file; delete it so custlens creates a new store, or pass another --store"
            else:
                hint = ("it is not a DuckDB database (another kind of file, or damaged); restore it from a backup "
                        "or pass another --store path")
            raise StoreError(f"cannot open store {path!r}: {hint}") from None
        if "lock" in low or "different configuration" in low:
            raise StoreError(f"store {path!r} is in use by another process or connection that writes to it; "
                             f"wait until it has finished, then run the command again") from None
        if "permission denied" in low or "read-only file system" in low:
            raise StoreError(f"cannot open store {path!r} for writing: permission denied; make the file "
                             f"writable, or use a command that only reads (they open the store read-only)") from None
        raise StoreError(f"cannot open store {path!r}: {msg}; if the file is damaged (truncated, failed "
                         f"checksum), restore it from a backup or re-ingest the exports into a new store") from None


def open_store(path: str | os.PathLike[str] | Store | None = None, read_only: bool = False) -> Store:
    """Open a store from a path, or pass an open `Store` through.

    A read-only store runs on `custlens.engines.default_engine` (DuckDB unless the CLI's
    ``--engine`` chose Spark); a writable one always on DuckDB.
    """
    if isinstance(path, Store):
        return path
    if path is None:
        path = DEFAULT_STORE
    if read_only and str(path) != ":memory:" and not Path(path).exists():
        raise StoreError(f"no store at {str(path)!r}; create it with `custlens ingest FILE --store {path}`")
    return Store(path, read_only=read_only, engine=engines.default_engine() if read_only else "duckdb")
