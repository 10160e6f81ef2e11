"""CPU and wall of the report's segments section, built as the CLI builds it.

    python bench/segments_profile.py STORE.duckdb [--reps 3] [--label before]

The context first gets what the CLI computes before the sections (not timed): the customer build,
the rfm section's RFM (migration reads it) and the CLV fit (`custlens report` fits CLV before the
sections when the store's scores are stale, the value matrix then takes its Gamma-Gamma fit). Then
`segments_section` runs ``reps + 1`` times with the section's own caches cleared; the first run
(imports, numba kernels loaded) is left out and the median and range of the others printed. CPU
seconds are the process's (DuckDB's threads included): on a shared machine compare those.
"""

from __future__ import annotations

import argparse
import os
import time

from custlens import analyses
from custlens.report.context import ReportContext
from custlens.report.sections.segments import segments_section
from custlens.store import Store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    st = Store(args.store, read_only=True)
    ctx = ReportContext(st)
    ctx.rfm("rfm11")
    ctx.cached("clv", lambda: analyses.clv(st, as_of=ctx.as_of, customers=ctx.customer_build()))
    base = dict(ctx.cache)
    cpu, wall = [], []
    for run in range(args.reps + 1):
        ctx.cache.clear()
        ctx.cache.update(base)
        c, w = time.process_time(), time.perf_counter()
        segments_section(ctx)
        if run:
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
    cpu.sort()
    wall.sort()
    print(f"{args.label} segments: CPU median {cpu[len(cpu) // 2]:.2f} s (range {cpu[0]:.2f}-{cpu[-1]:.2f}), "
          f"wall median {wall[len(wall) // 2]:.1f} s; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
