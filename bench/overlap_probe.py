"""Where the CPU of a report's sections goes with one and with two section threads.

    python bench/overlap_probe.py STORE.duckdb [--runs 1,2,1,2] [--sections a,b] [--duckdb-threads N]
        [--switch S]

Each run builds the sections (`run_sections`, as `build_report` does) on a fresh `ReportContext`
of the store (read-only) and prints, per section, its wall and the CPU of the Python thread that
built it (``time.thread_time``: its own Python, NumPy and its share of DuckDB's work), then the
CPU of every OS thread of the process over the run (``/proc/self/task``), grouped by what started
the thread: the main and section threads, DuckDB's pool (threads born when the store opened),
OpenBLAS (born at NumPy's import) and the rest (OpenMP teams, numba, ...). Runs alternate in one
process so that the machine's load hits both alike; compare CPU seconds, not wall (the machine is
shared). The options change one cause at a time for the runs with more than one worker:
``--duckdb-threads`` sets DuckDB's ``threads`` for the build, ``--switch`` the GIL's switch
interval. Environment variables (``OMP_WAIT_POLICY``) apply to the whole process. (A parallel
build already runs BLAS and OpenMP on one thread per section thread: `section_thread_limits`.)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
from collections import defaultdict

_CLK = os.sysconf("SC_CLK_TCK")


def _tasks() -> dict[int, float]:
    """CPU seconds (user + system) of every OS thread of this process, by thread id."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as fh:
                s = fh.read()
        except FileNotFoundError:  # ended meanwhile
            continue
        f = s[s.rindex(")") + 2:].split()
        out[int(tid)] = (int(f[11]) + int(f[12])) / _CLK
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--runs", default="1,2,1,2")
    ap.add_argument("--sections", default=None)
    ap.add_argument("--duckdb-threads", type=int, default=None)
    ap.add_argument("--switch", type=float, default=None)
    args = ap.parse_args()

    born = {"python": set(_tasks())}
    import numpy  # noqa: F401  (OpenBLAS starts its threads here)

    born["openblas"] = set(_tasks()) - born["python"]
    from threadpoolctl import threadpool_info

    from custlens.report import registry
    from custlens.report.context import ReportContext
    from custlens.store import Store

    st = Store(args.store, read_only=True)
    born["duckdb"] = set(_tasks()) - born["python"] - born["openblas"]
    registry._load_builtin_sections()
    print("threadpools:", [(p["internal_api"], p["num_threads"]) for p in threadpool_info()],
          "OMP_WAIT_POLICY=", os.environ.get("OMP_WAIT_POLICY"), "duckdb threads=",
          st._con.execute("SELECT current_setting('threads')").fetchone()[0], flush=True)

    per_section: dict[str, tuple[float, float, int]] = {}
    orig = registry.run_section

    def timed(spec, ctx):  # type: ignore[no-untyped-def]
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            return orig(spec, ctx)
        finally:
            per_section[spec.key] = (time.perf_counter() - t0, time.thread_time() - c0, threading.get_native_id())

    registry.run_section = timed
    keys = args.sections.split(",") if args.sections else None
    for workers in [int(w) for w in args.runs.split(",")]:
        per_section.clear()
        ctx = ReportContext(st)
        stack = contextlib.ExitStack()
        if workers > 1 and args.duckdb_threads:
            old = st._con.execute("SELECT current_setting('threads')").fetchone()[0]
            st._con.execute(f"SET threads = {args.duckdb_threads}")
            stack.callback(lambda o=old: st._con.execute(f"SET threads = {o}"))
        if workers > 1 and args.switch:
            old_sw = sys.getswitchinterval()
            sys.setswitchinterval(args.switch)
            stack.callback(lambda o=old_sw: sys.setswitchinterval(o))
        before, load0 = _tasks(), os.getloadavg()[0]
        t0, c0 = time.perf_counter(), time.process_time()
        with stack:
            registry.run_sections(ctx, keys, workers=workers)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        after = _tasks()
        sec_tids = {tid for _, _, tid in per_section.values()}
        groups: dict[str, float] = defaultdict(float)
        for tid, c in after.items():
            d = c - before.get(tid, 0.0)
            g = ("section threads" if tid in sec_tids else "duckdb pool" if tid in born["duckdb"]
                 else "openblas" if tid in born["openblas"] else "main" if tid in born["python"] else "other (new)")
            groups[g] += d
        gone = cpu - sum(after[t] - before.get(t, 0.0) for t in after)
        print(f"\n== workers={workers}: wall {wall:.2f} s, cpu {cpu:.2f} s, load {load0:.1f} -> {os.getloadavg()[0]:.1f}")
        for g, c in sorted(groups.items()):
            print(f"   threads {g:<16} {c:7.2f} s")
        print(f"   threads ended during run  {gone:7.2f} s")
        print("   thread pools after the run:", [(p["internal_api"], p["num_threads"]) for p in threadpool_info()])
        print(f"   sum of section threads' own cpu: {sum(c for _, c, _ in per_section.values()):.2f} s")
        for key, (w, c, tid) in sorted(per_section.items(), key=lambda kv: -kv[1][1]):
            if w > 0.05:
                print(f"   {key:<12} wall {w:7.2f}  own cpu {c:7.2f}  thread {tid}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
