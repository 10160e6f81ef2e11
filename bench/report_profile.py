"""Time, memory and a cProfile of each report section, for finding what dominates `custlens report`.

    python bench/report_profile.py STORE.duckdb [--top 25] [--out profile.txt]

Builds the sections in order on one `ReportContext` (as `build_report` does, so shared results
such as the customer table are computed by the first section that asks), printing per section the
wall time, the process's CPU time (all its threads: DuckDB's too), the resident memory after it and
its high-water mark so far, and the load average at the start and the end (the machine is shared:
compare CPU times, or wall times of one run). The profile of
each section (cumulative time, ``--top`` rows) is appended to ``--out`` as soon as the section is
done, so a run cut short still leaves the sections it finished.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time
from pathlib import Path


def _mem() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in MiB."""
    vals = {line.split(":")[0]: int(line.split()[1]) // 1024 for line in open("/proc/self/status")
            if line.startswith(("VmRSS", "VmHWM"))}
    return vals.get("VmRSS", 0), vals.get("VmHWM", 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", type=Path, default=Path("report_profile.txt"))
    ap.add_argument("--sections", default=None, help="comma-separated section keys (default: all)")
    args = ap.parse_args()
    from custlens.report.context import ReportContext
    from custlens.report.registry import registered_sections, run_section
    from custlens.store import Store

    st = Store(args.store, read_only=True)
    ctx = ReportContext(st)
    args.out.write_text("")
    keys = args.sections.split(",") if args.sections else None
    total, cpu_total = time.perf_counter(), time.process_time()
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    for spec in registered_sections(keys):
        prof = cProfile.Profile()
        t0, c0 = time.perf_counter(), time.process_time()
        prof.enable()
        run_section(spec, ctx)
        prof.disable()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        rss, hwm = _mem()
        print(f"{spec.key:<12} {wall:8.2f} s   cpu {cpu:8.2f} s   rss {rss:>6,} MiB   peak {hwm:>6,} MiB", flush=True)
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(args.top)
        with args.out.open("a") as fh:
            fh.write(f"==== {spec.key}: {wall:.2f} s\n{buf.getvalue()}\n")
    print(f"all sections {time.perf_counter() - total:.2f} s wall, {time.process_time() - cpu_total:.2f} s cpu; "
          "load average at end: {:.2f} {:.2f} {:.2f}; profiles in {}".format(*os.getloadavg(), args.out))


if __name__ == "__main__":
    main()
