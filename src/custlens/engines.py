"""Query engines behind the store: DuckDB (default) and Spark (through Ibis's PySpark backend).

The store file is always DuckDB: ingest writes it, and the store's metadata (``has``,
``count``, ``default_as_of``) is read from it. The *engine* is what runs the analyses' Ibis
expressions (`Store.table`, `Store.execute`):

- ``duckdb``: the store's own connection.
- ``spark``: every table of the store is exported once to Parquet in a private temporary
  folder (DuckDB ``COPY``), registered as a Spark temporary view of the same name, and the
  store's Ibis handle is an Ibis PySpark backend on a local Spark session. The DuckDB file is
  opened read-only, so the Spark views are a consistent snapshot; the folder is removed on
  `Store.close`.

Analyses express their queries in Ibis, so they run on either engine. Code that still reaches a
Spark store's DuckDB connection (``store._con``; none does since the quality checks became Ibis) is refused: the
connection is guarded, so it raises `EngineNotSupported` naming itself instead of quietly
computing on DuckDB (`duckdb_only` does the same explicitly).
Which analyses run where is listed in ``docs/scale.md``.

Spark needs the optional extra (``pip install 'custlens[spark]'``) and a Java runtime
(17 or newer; ``make java`` installs Debian's ``default-jre-headless``). Nothing is
downloaded at run time: no Spark packages or jars are requested.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from typing import TYPE_CHECKING, Any

from custlens import i18n
from custlens.errors import EngineNotSupported, MissingDependencyError, StoreError, import_optional

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

__all__ = ["ENGINES", "SPARK_COMMANDS", "EngineNotSupported", "connect", "duckdb_only", "guard", "release",
           "release_active", "spark_session", "set_default_engine", "default_engine", "check_command"]

#: Engines a store can run its Ibis expressions on.
ENGINES: tuple[str, ...] = ("duckdb", "spark")

#: CLI commands whose analyses run entirely through Ibis, hence on Spark (``--engine spark``).
SPARK_COMMANDS: tuple[str, ...] = ("customers", "rfm", "cohorts", "quality", "profile", "behaviour", "lifecycle",
                                   "loyalty", "customer")

#: Environment variables of the Spark session (read when the session is first created).
MASTER_ENV = "CUSTLENS_SPARK_MASTER"  # default local[2]
MEMORY_ENV = "CUSTLENS_SPARK_DRIVER_MEMORY"  # default 2g

i18n.register({
    "error.engine_not_supported": {
        "en": "{what} is not yet available on Spark: it runs SQL on the DuckDB store directly; "
              "open the store with engine='duckdb' (the default), or drop --engine spark",
        "zh": "{what}暂不支持 Spark 引擎：它直接在 DuckDB 数据仓库上执行 SQL；请使用 engine='duckdb'（默认）"
              "打开数据仓库，或去掉 --engine spark",
    },
    "error.engine_command": {
        "en": "`custlens {command}` does not run on Spark yet (commands that do: {commands}); "
              "drop --engine spark (or unset CUSTLENS_ENGINE)",
        "zh": "`custlens {command}` 暂不支持 Spark 引擎（支持的命令：{commands}）；请去掉 --engine spark"
              "（或清除 CUSTLENS_ENGINE）",
    },
    "error.engine_unknown": {
        "en": "engine={engine!r} is unknown; use one of: duckdb, spark",
        "zh": "未知的引擎 {engine!r}；可选：duckdb、spark",
    },
    "error.spark_java": {
        "en": "Spark could not start its Java runtime ({detail}); install Java 17 or newer "
              "(Debian: `make java` or apt-get install default-jre-headless) or set JAVA_HOME",
        "zh": "Spark 无法启动 Java 运行环境（{detail}）；请安装 Java 17 或更新版本"
              "（Debian：`make java` 或 apt-get install default-jre-headless），或设置 JAVA_HOME",
    },
})

_default = "duckdb"
_active: dict[str, Any] = {}  # the one open Spark store of this process: {"path": ..., "dir": ...}


def check_engine(engine: str, path: str | None = None) -> str:
    """``engine`` if known (and usable on the store ``path``), else a clear `StoreError`."""
    if engine not in ENGINES:
        raise StoreError(i18n.t("error.engine_unknown", engine=engine), key="error.engine_unknown", engine=engine)
    if engine == "spark" and path == ":memory:":
        raise StoreError("engine='spark' reads an existing store file, not ':memory:'; ingest into a file "
                         "first, e.g. `custlens ingest FILE --store shop.duckdb`")
    return engine


def set_default_engine(engine: str) -> None:
    """Engine of the stores `custlens.store.open_store` opens read-only (the CLI's ``--engine``)."""
    global _default
    _default = check_engine(engine)


def default_engine() -> str:
    """The engine set by `set_default_engine` (``duckdb`` unless the CLI chose another)."""
    return _default


def check_command(engine: str, command: str | None) -> None:
    """Refuse ``--engine spark`` for a CLI command whose analyses do not run on Spark."""
    check_engine(engine)
    if engine == "duckdb" or command is None or command in SPARK_COMMANDS:
        return
    names = ", ".join(SPARK_COMMANDS)
    raise EngineNotSupported(i18n.t("error.engine_command", command=command, commands=names),
                             key="error.engine_command", command=command, commands=names)


def duckdb_only(store: Any, what: str | None = None) -> None:
    """Raise `EngineNotSupported` when ``store`` runs on another engine than DuckDB.

    Called where an analysis runs SQL text on ``store.con`` (the DuckDB connection), so that
    such an analysis fails loudly on Spark instead of quietly computing on DuckDB.

    Parameters
    ----------
    store : Store
        The store the analysis reads.
    what : str, optional
        The analysis, as people read it; default: the calling function (``module.function``).
    """
    if getattr(store, "engine", "duckdb") == "duckdb":
        return
    if what is None:
        what = _caller()
    raise EngineNotSupported(i18n.t("error.engine_not_supported", what=what),
                             key="error.engine_not_supported", what=what)


def _caller(depth: int = 2) -> str:
    """The analysis that reached the SQL: ``module.function`` of the outermost consecutive frame
    of the first custlens module outside the SQL helpers (e.g. ``custlens.cohorts.cohorts``)."""
    frame = sys._getframe(depth)
    while frame is not None and frame.f_globals.get("__name__") in _HELPERS:
        frame = frame.f_back
    if frame is None:  # pragma: no cover
        return "this analysis"
    module = frame.f_globals.get("__name__", "?")
    while frame.f_back is not None and frame.f_back.f_globals.get("__name__") == module:
        frame = frame.f_back
    return f"{module}.{frame.f_code.co_name}"


#: Modules that only pass SQL on (the analysis is further up the stack).
_HELPERS = ("custlens.engines", "custlens.behaviour._common")
#: Modules allowed to use the DuckDB connection of a Spark store: metadata reads of the store.
_OWNERS = ("custlens.store", "custlens.engines")


class _GuardedConnection:
    """The DuckDB connection of a Spark store: the store itself may use it (metadata, the
    snapshot export); an analysis that runs SQL text on it gets `EngineNotSupported`."""

    def __init__(self, con: "duckdb.DuckDBPyConnection") -> None:
        self._con = con

    def close(self) -> None:
        self._con.close()

    def __getattr__(self, name: str) -> Any:
        if sys._getframe(1).f_globals.get("__name__") not in _OWNERS:
            what = _caller(2)
            raise EngineNotSupported(i18n.t("error.engine_not_supported", what=what),
                                     key="error.engine_not_supported", what=what)
        return getattr(self._con, name)


def guard(con: "duckdb.DuckDBPyConnection", engine: str) -> Any:
    """``con`` itself for DuckDB; for Spark, a wrapper that refuses SQL from analyses."""
    return con if engine == "duckdb" else _GuardedConnection(con)


def spark_session() -> Any:
    """The process's local Spark session, created on first use.

    ``local[2]`` (or ``$CUSTLENS_SPARK_MASTER``), web UI off, few shuffle partitions (the
    default 200 only adds task overhead on one machine), driver memory
    ``$CUSTLENS_SPARK_DRIVER_MEMORY`` (default 2g). No packages or jars are requested, so
    nothing is downloaded. An already active session (e.g. a test fixture's) is reused.
    """
    sql = import_optional("pyspark.sql", "spark")
    active = sql.SparkSession.getActiveSession()
    if active is not None:
        return active
    master = os.environ.get(MASTER_ENV, "local[2]")
    builder = (
        sql.SparkSession.builder.master(master)
        .appName("custlens")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", os.environ.get(MEMORY_ENV, "2g"))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        # results reach pandas through Arrow (row-by-row conversion is ~100x slower)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # pyspark raises its own error types when the JVM cannot start
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "JAVA" in text.upper():
            raise MissingDependencyError(i18n.t("error.spark_java", detail=text), key="error.spark_java",
                                         detail=text) from exc
        raise
    session.sparkContext.setLogLevel("ERROR")
    return session


def connect(con: "duckdb.DuckDBPyConnection", path: str, engine: str) -> Any:
    """The Ibis backend that runs a store's expressions on ``engine``.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The store's DuckDB connection (read-only for Spark).
    path : str
        The store file (for messages and the one-open-Spark-store rule).
    engine : {"duckdb", "spark"}

    Returns
    -------
    ibis.BaseBackend
    """
    import ibis

    if check_engine(engine) == "duckdb":
        return ibis.duckdb.from_connection(con)
    check_engine(engine, path)
    if _active:
        raise StoreError(f"a Spark store is already open in this process ({_active['path']!r}); its tables "
                         f"are the Spark session's views, so close it before opening {path!r}")
    import_optional("pyspark", "spark")
    backend = ibis.pyspark.connect(spark_session())
    folder = tempfile.mkdtemp(prefix="custlens-spark-")
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "ORDER BY table_name").fetchall()]
        for name in tables:
            # Spark skips files whose name starts with '_' or '.': number them instead.
            target = os.path.join(folder, f"t{len(os.listdir(folder))}.parquet")
            con.execute(f"COPY ({_select_for_spark(con, name)}) TO '{target}' (FORMAT parquet)")
            backend.read_parquet(target, table_name=name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _active.update(path=path, dir=folder, tables=tables, backend=backend)
    return backend


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select_for_spark(con: "duckdb.DuckDBPyConnection", table: str) -> str:
    """``SELECT`` of ``table`` in types Spark reads: nanosecond/second/millisecond timestamps
    (Spark refuses ``TIMESTAMP(NANOS)``) become microsecond ``TIMESTAMP``."""
    cols = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                       "ORDER BY ordinal_position", [table]).fetchall()
    parts = [f"CAST({_quote(c)} AS TIMESTAMP) AS {_quote(c)}" if t in ("TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")
             else _quote(c) for c, t in cols]
    return f"SELECT {', '.join(parts)} FROM {_quote(table)}"


def release(store: Any) -> None:
    """Drop a Spark store's views and temporary Parquet folder (a no-op for DuckDB)."""
    if getattr(store, "engine", "duckdb") != "spark" or not _active or _active.get("backend") is not store.ibis:
        return
    release_active()


def release_active() -> None:
    """Drop the views and Parquet folder of the open Spark store, if any (the CLI calls this when
    a command ends, as its commands leave closing the store to the process exit)."""
    if not _active:
        return
    session = spark_session()
    for name in _active["tables"]:
        session.catalog.dropTempView(name)
    shutil.rmtree(_active["dir"], ignore_errors=True)
    _active.clear()
