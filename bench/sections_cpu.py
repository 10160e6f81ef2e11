"""CPU and wall seconds of report sections on one `ReportContext`, with the customer build reused.

    python bench/sections_cpu.py STORE.duckdb --src SRC [--sections kpis,rfm,...] [--build-cache FILE.pkl]

Runs the sections (report order) of the `custlens` found under ``SRC`` (e.g. this tree's ``src`` or an
exported older commit's, to compare two versions back to back in separate processes) and prints one
line: the load average at the start and the end, each section's CPU seconds of the process (all
threads, DuckDB's too) and the totals. The customer table and its purchase days
(`build_customer_table`, ~8 s at 1M customers; `custlens report` builds them before the sections)
are read from ``--build-cache`` when it exists, else built and written there, and put into the
context's cache: the sections' own work is measured, as in the whole report. The cached build
must come from the same store and ``as_of``.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time

DEFAULT = "kpis,rfm,behaviour,timing,cohorts,lifecycle,loyalty,forecast,quality"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--src", required=True, help="the directory holding the custlens package to time")
    ap.add_argument("--sections", default=DEFAULT)
    ap.add_argument("--build-cache", help="pickle of build_customer_table(store) (written when missing)")
    args = ap.parse_args()
    src = os.path.abspath(args.src)
    sys.path.insert(0, src)
    import custlens

    if not custlens.__file__.startswith(src):
        raise SystemExit(f"custlens imported from {custlens.__file__}, not from {src}")
    from custlens.features.purchase_days import build_customer_table
    from custlens.report import registry
    from custlens.report.context import ReportContext
    from custlens.store import Store

    store = Store(args.store, read_only=True)
    ctx = ReportContext(store)
    if args.build_cache and os.path.exists(args.build_cache):
        with open(args.build_cache, "rb") as fh:
            build = pickle.load(fh)
        if build.days.as_of != ctx.as_of:
            raise SystemExit(f"{args.build_cache} is as of {build.days.as_of}, the store's as_of is {ctx.as_of}")
    else:
        build = build_customer_table(store, ctx.as_of)
        if args.build_cache:
            with open(args.build_cache, "wb") as fh:
                pickle.dump(build, fh, protocol=5)
    ctx.cache["customer_build"] = build
    ctx.cache["customers"] = build.frame
    load0 = os.getloadavg()[0]
    rows = []
    for spec in registry.registered_sections(args.sections.split(",")):
        t0, c0 = time.perf_counter(), time.process_time()
        spec.func(ctx)
        rows.append((spec.key, time.perf_counter() - t0, time.process_time() - c0))
    print(f"load {load0:.1f}->{os.getloadavg()[0]:.1f} " + " ".join(f"{k}={c:.2f}" for k, _, c in rows)
          + f" | total cpu {sum(c for *_, c in rows):.2f} wall {sum(w for _, w, _ in rows):.2f}", flush=True)


if __name__ == "__main__":
    main()
