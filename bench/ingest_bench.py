"""Ingest throughput: custlens.ingest vs. DuckDB's own read_csv, side by side.

    python bench/ingest_bench.py                      # 2,778,273-line file, 3 repeats each
    python bench/ingest_bench.py --big --repeat 1     # also the 10,000,000-line file
    python bench/ingest_bench.py --lines 200000 --repeat 5 --no-profile
    python bench/ingest_bench.py --file bench/_data/scale_1000000_10_0.csv --repeat 1

The orders CSV (order_id, customer_id, order_date, amount, channel; one row per order,
unique ids) is generated once with DuckDB ``COPY ... TO`` from deterministic hashes and
cached under ``bench/_data/`` (git-ignored). ``--lines`` counts the lines of the file,
header included, so ``wc -l`` gives the number asked for.

Each timed run is a fresh child process writing a fresh store file, and the two contenders
alternate (duckdb, custlens, duckdb, ...) so drift on a noisy machine hits both. A run is
timed from opening the database to closing it (the close includes the checkpoint):

* duckdb:   ``duckdb.connect(db)``; ``CREATE TABLE t AS SELECT * FROM read_csv(file)``; close
* custlens: ``Store(db)``; ``ingest(file, store)``; close

Imports are not timed. Each child also reports its CPU seconds (user + system), which
a busy machine disturbs less than wall time. Peak RSS is the child's high-water mark
(``VmHWM``, else ``ru_maxrss``); "over base" subtracts the RSS after imports. Then one
profiled custlens run (``--no-profile`` skips it) wraps the store connection's
``execute`` (no change to custlens itself) and reports the time of every SQL statement,
grouped by ingest stage, plus the Python-side hashing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
DEFAULT_LINES = 2_778_273
BIG_LINES = 10_000_000
GEN_VERSION = 1  # bump when the generator changes, so cached files are rebuilt


# --------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------
def _u(k: int) -> str:
    """A deterministic uniform (0, 1) per row ``i``, stream ``k``, from DuckDB's hash."""
    return f"((hash(i * 8 + {k}) % 4503599627370496) + 0.5) / 4503599627370496.0"


def generate(lines: int) -> Path:
    """The cached orders CSV with ``lines`` lines (header included); built when missing."""
    import duckdb

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"orders_{lines}_v{GEN_VERSION}.csv"
    if path.exists():
        return path
    rows = lines - 1
    n_cust = max(1000, rows // 5)  # ~5 orders per customer on average
    start = "TIMESTAMP '2021-01-01 00:00:00'"
    span = 4 * 365 * 86400  # 2021..2024; every date well before "today"
    # Orders come in date order with increasing ids, as shop exports do; customers are
    # skewed (a few buy often), amounts log-normal (Box-Muller), channels weighted.
    sql = f"""
        SELECT
            CAST(10000001 + i AS VARCHAR) AS order_id,
            'C' || lpad(CAST(CAST(floor({n_cust} * pow({_u(1)}, 2)) AS BIGINT) + 1 AS VARCHAR), 7, '0')
                AS customer_id,
            strftime({start} + to_seconds(CAST(i * {span} // {rows} + floor({_u(2)} * 600) AS BIGINT)),
                     '%Y-%m-%d %H:%M:%S') AS order_date,
            CAST(round(least(5000, greatest(1, exp(3.6 + 0.8 * sqrt(-2 * ln({_u(3)}))
                 * cos(2 * pi() * {_u(4)})))), 2) AS DECIMAL(12, 2)) AS amount,
            CASE WHEN {_u(5)} < 0.45 THEN 'web' WHEN {_u(5)} < 0.80 THEN 'app'
                 WHEN {_u(5)} < 0.95 THEN 'store' ELSE 'marketplace' END AS channel
        FROM range({rows}) r(i)
        ORDER BY i
    """
    tmp = path.with_suffix(".tmp")
    t0 = time.perf_counter()
    print(f"generating {path.name} ({lines:,} lines) ...", flush=True)
    con = duckdb.connect()
    con.execute(f"COPY ({sql}) TO '{tmp}' (HEADER, DELIMITER ',')")
    con.close()
    with open(tmp, "rb") as fh:
        n = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b""))
    if n != lines:
        raise SystemExit(f"generator wrote {n:,} lines, expected {lines:,}")
    tmp.replace(path)
    print(f"  {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s", flush=True)
    return path


# --------------------------------------------------------------------------------------
# child runs (one per timing, so every run starts cold and RSS is per run)
# --------------------------------------------------------------------------------------
def _rss_mb() -> float:
    """Peak RSS of this process in MB.

    Linux ``VmHWM`` first: ``ru_maxrss`` survives fork+exec, so a child would report the
    parent's peak (e.g. from generating the CSV) as its own.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB; macOS: bytes


def _cpu_s() -> float:
    """User + system CPU seconds of this process: steadier than wall time on a busy machine."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def child_duckdb(csv: str, db: str) -> dict:
    import duckdb

    base, cpu0 = _rss_mb(), _cpu_s()
    t0 = time.perf_counter()
    con = duckdb.connect(db)
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv}')")
    con.close()
    secs, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
    con = duckdb.connect(db, read_only=True)
    rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    con.close()
    return {"seconds": secs, "cpu_s": cpu, "rows": rows, "rss_mb": _rss_mb(), "base_rss_mb": base}


def child_custlens(csv: str, db: str) -> dict:
    from custlens import Store
    from custlens.ingest import ingest

    base, cpu0 = _rss_mb(), _cpu_s()
    t0 = time.perf_counter()
    st = Store(db)
    res = ingest(csv, st)
    st.close()
    secs, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
    return {"seconds": secs, "cpu_s": cpu, "rows": res.rows_loaded, "rows_read": res.rows_read,
            "quarantined": res.rows_quarantined, "duplicates": res.duplicates_skipped,
            "ingest_seconds": res.seconds, "rss_mb": _rss_mb(), "base_rss_mb": base}


# Stage labels for the profiled run: the first pattern found in the SQL names it.
_STAGES = [
    ("TEMP TABLE __custlens_raw", "read: read_csv -> raw temp table (+row_number)"),
    ("DESCRIBE __custlens_raw", "read: describe raw"),
    ("sniff_csv", "read: sniff_csv (delimiter for the log)"),
    ("SELECT count(*) FROM __custlens_raw", "read: count raw rows"),
    ("_ingest_log WHERE sha256", "seen-before check"),
    ("regexp_extract", "detect_date_style (regex scan)"),
    ("FILTER (WHERE regexp_matches", "detect_number_style (regex scan)"),
    ("FILTER (WHERE is_dup)", "summary: counts + count DISTINCT"),
    ("count(DISTINCT", "line-level check: count(DISTINCT order_id) on raw"),
    ("TEMP TABLE __custlens_parsed", "build_parsed (CREATE parsed table)"),
    ("__custlens_raw_bad", "keep_bad_raw (raw shrunk to the quarantined rows)"),
    ("memory_limit", "memory cap set/reset"),
    ("conflicting_duplicate_order_id", "build_parsed: conflicting order id UPDATE"),
    ("SELECT order_id FROM orders", "mark_existing: orders UPDATE"),
    ("FROM returns r", "mark_existing: returns UPDATE"),
    ("INSERT INTO _quarantine", "quarantine INSERT"),
    ("INSERT INTO returns", "insert returns"),
    ("INSERT INTO order_items", "insert order_items"),
    ("INSERT INTO orders", "insert orders"),
    ("BEGIN TRANSACTION", "BEGIN"),
    ("COMMIT", "COMMIT (write to store file)"),
    ("arg_min(CAST(raw", "reason_examples (warnings)"),
    ("GROUP BY reason_q", "summary: reasons"),
    ("INSERT INTO _ingest_log", "ingest log INSERT"),
    ("DROP TABLE", "drop temp tables"),
]


def _stage(sql: str) -> str:
    for pat, label in _STAGES:
        if pat in sql:
            return label
    return "other SQL: " + " ".join(sql.split())[:50]


class _TimedResult:
    """What ``execute`` returned, with the fetch time added to the statement's entry."""

    def __init__(self, inner, entry):
        self._inner, self._entry = inner, entry

    def _timed(self, name):
        fn = getattr(self._inner, name)

        def call(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                self._entry["seconds"] += time.perf_counter() - t0
        return call

    def __getattr__(self, name):
        if name in ("fetchall", "fetchone", "fetchmany", "df", "fetchdf", "arrow", "pl"):
            return self._timed(name)
        return getattr(self._inner, name)


class _TimedCon:
    """Wraps a DuckDB connection; every ``execute`` is logged with its stage and time."""

    def __init__(self, con, log: list):
        self._con, self._log = con, log

    def execute(self, sql, *args, **kwargs):
        entry = {"stage": _stage(sql), "seconds": 0.0, "sql": " ".join(sql.split())}
        self._log.append(entry)
        t0 = time.perf_counter()
        try:
            out = self._con.execute(sql, *args, **kwargs)
        finally:
            entry["seconds"] += time.perf_counter() - t0
        return _TimedResult(out, entry)

    def __getattr__(self, name):
        return getattr(self._con, name)


def child_profile(csv: str, db: str) -> dict:
    from custlens import Store
    from custlens.ingest import ingest
    from custlens.ingest import readers

    log: list[dict] = []

    def timed_py(fn, label):
        def call(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                log.append({"stage": label, "seconds": time.perf_counter() - t0, "sql": ""})
        return call

    # Module-level names the readers look up at call time: wrapping them changes nothing else.
    readers.file_sha256 = timed_py(readers.file_sha256, "python: sha256 of the file")
    readers.detect_encoding = timed_py(readers.detect_encoding, "python: detect_encoding (1 MB sample)")

    t0 = time.perf_counter()
    st = Store(db)
    log.append({"stage": "Store() open + schema", "seconds": time.perf_counter() - t0, "sql": ""})
    st._con = _TimedCon(st._con, log)
    t1 = time.perf_counter()
    res = ingest(csv, st)
    ingest_secs = time.perf_counter() - t1
    t2 = time.perf_counter()
    st._con._con.close()
    log.append({"stage": "Store close (checkpoint)", "seconds": time.perf_counter() - t2, "sql": ""})
    total = time.perf_counter() - t0
    accounted = sum(e["seconds"] for e in log)
    log.append({"stage": "unaccounted (Python glue)", "seconds": total - accounted, "sql": ""})
    return {"total": total, "ingest_seconds": ingest_secs, "rows_loaded": res.rows_loaded,
            "rows_read": res.rows_read, "log": log, "rss_mb": _rss_mb()}


CHILDREN = {"duckdb": child_duckdb, "custlens": child_custlens, "profile": child_profile}


def run_child(kind: str, csv: Path, workdir: Path, tag: str) -> dict:
    db = workdir / f"{kind}_{tag}.duckdb"
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    out = subprocess.run([sys.executable, __file__, "--_child", kind, str(csv), str(db)],
                         capture_output=True, text=True)
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    if out.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------
def bench(lines: int, repeat: int, profile: bool, csv: Path | None = None) -> dict:
    if csv is None:
        csv = generate(lines)
    else:  # an existing file (e.g. bench/scale.py's 10M-order CSV): count its lines
        with open(csv, "rb") as fh:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b""))
    size_mb = csv.stat().st_size / 1e6
    print(f"\n== {csv.name}: {lines:,} lines, {size_mb:.1f} MB, {repeat} repeat(s), "
          f"{os.cpu_count()} cores ==", flush=True)
    runs: dict[str, list[dict]] = {"duckdb": [], "custlens": []}
    with tempfile.TemporaryDirectory(dir=DATA, prefix="stores_") as tmp:
        work = Path(tmp)
        for r in range(repeat):
            for kind in ("duckdb", "custlens"):
                res = run_child(kind, csv, work, str(r))
                runs[kind].append(res)
                print(f"  run {r + 1}/{repeat} {kind:<8} {res['seconds']:7.2f} s  cpu {res['cpu_s']:6.2f} s  "
                      f"rows {res['rows']:,}  peak RSS {res['rss_mb']:.0f} MB", flush=True)
        prof = run_child("profile", csv, work, "p") if profile else None

    summary = {"file": str(csv), "lines": lines, "size_mb": round(size_mb, 1), "repeat": repeat}
    print(f"\n  {'':<10}{'median s':>10}{'min s':>8}{'max s':>8}{'rows/s':>13}{'cpu s':>8}"
          f"{'peak RSS':>10}{'over base':>10}")
    for kind, rs in runs.items():
        secs = [x["seconds"] for x in rs]
        med = statistics.median(secs)
        rows = rs[0]["rows"]
        rss = max(x["rss_mb"] for x in rs)
        over = max(x["rss_mb"] - x["base_rss_mb"] for x in rs)
        cpu = statistics.median(x["cpu_s"] for x in rs)
        summary[kind] = {"median_s": round(med, 3), "runs_s": [round(s, 3) for s in secs],
                         "median_cpu_s": round(cpu, 3),
                         "rows": rows, "rows_per_s": round(rows / med), "peak_rss_mb": round(rss),
                         "rss_over_base_mb": round(over)}
        print(f"  {kind:<10}{med:>10.2f}{min(secs):>8.2f}{max(secs):>8.2f}{rows / med:>13,.0f}{cpu:>8.2f}"
              f"{rss:>8.0f}MB{over:>8.0f}MB")
    ratio = summary["custlens"]["median_s"] / summary["duckdb"]["median_s"]
    cpu_ratio = summary["custlens"]["median_cpu_s"] / summary["duckdb"]["median_cpu_s"]
    summary["ratio"], summary["cpu_ratio"] = round(ratio, 2), round(cpu_ratio, 2)
    file_bytes = csv.stat().st_size
    peak = max(x["rss_mb"] for x in runs["custlens"]) * 2**20  # rss_mb is MiB (VmHWM)
    summary["custlens_peak_over_file"] = round(peak / file_bytes, 2)
    print(f"  custlens peak RSS / file size = {peak / file_bytes:.2f}x (target <= 2x on 10M lines)")
    c = runs["custlens"][0]
    print(f"  ratio custlens/duckdb = {ratio:.2f}x wall (target <= 3x), {cpu_ratio:.2f}x CPU time")
    print(f"  custlens accounting: read {c['rows_read']:,}, loaded {c['rows']:,}, "
          f"quarantined {c['quarantined']:,}, duplicates {c['duplicates']:,}")

    if prof:
        by_stage: dict[str, float] = {}
        for e in prof["log"]:
            by_stage[e["stage"]] = by_stage.get(e["stage"], 0.0) + e["seconds"]
        total = prof["total"]
        print(f"\n  profiled custlens run: {total:.2f} s (Store open -> close), "
              f"peak RSS {prof['rss_mb']:.0f} MB; stages >= 0.01 s, slowest first:")
        for stage, s in sorted(by_stage.items(), key=lambda kv: -kv[1]):
            if s >= 0.01:
                print(f"    {s:7.2f} s  {100 * s / total:5.1f}%  {stage}")
        summary["profile"] = {"total_s": round(total, 3),
                              "stages_s": {k: round(v, 3) for k, v in by_stage.items()}}
        out = DATA / f"profile_{lines}.json"
        out.write_text(json.dumps(prof, indent=1))
        print(f"  every statement with its SQL and time: {out}")
    return summary


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=DEFAULT_LINES,
                    help=f"lines of the generated CSV, header included (default {DEFAULT_LINES:,})")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of each contender (default 3)")
    ap.add_argument("--big", action="store_true", help=f"also bench a {BIG_LINES:,}-line file")
    ap.add_argument("--no-profile", dest="profile", action="store_false",
                    help="skip the per-stage profiled custlens run")
    ap.add_argument("--file", type=Path, help="bench this existing CSV instead of a generated one")
    ap.add_argument("--json", type=Path, help="also write the summary here")
    ap.add_argument("--_child", nargs=3, metavar=("KIND", "CSV", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        kind, csv, db = args._child
        print(json.dumps(CHILDREN[kind](csv, db)))
        return
    if args.file:
        results = [bench(0, args.repeat, args.profile, args.file)]
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
        return
    results = [bench(args.lines, args.repeat, args.profile)]
    if args.big:
        results.append(bench(BIG_LINES, args.repeat, args.profile))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
