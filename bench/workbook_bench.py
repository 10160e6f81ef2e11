"""Workbook benchmark: time and peak memory of `write_workbook` on an existing store.

    python bench/workbook_bench.py --store shop.duckdb                 # customer + segment sheets
    python bench/workbook_bench.py --store shop.duckdb --analyses      # plus CLV, churn, clusters...

Two phases in one process, as `custlens report` runs them with a shared context:

* context   what the HTML report has computed already (customer table, RFM; with ``--analyses``
            the analyses too), timed but not the workbook's cost;
* workbook  `write_workbook(..., context=ctx)`: building the sheets from the context and
            streaming them to the file.

Peak memory is the process' resident high-water mark (``VmHWM``), reset before the workbook
phase (``/proc/self/clear_refs``), so the workbook's peak is its own: the context's frames plus
whatever writing adds. The store is opened read-only. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path


def _hwm_mib() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024


def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", required=True)
    ap.add_argument("--analyses", action="store_true", help="include the analysis sheets")
    ap.add_argument("--out", type=Path, default=None, help="the .xlsx (default: a temp dir)")
    args = ap.parse_args()

    from custlens.report import ReportContext, write_workbook
    from custlens.report.workbook_sheets import analysis_sheets
    from custlens.store import open_store

    st = open_store(args.store, read_only=True)
    t0, c0 = time.perf_counter(), _cpu()
    ctx = ReportContext(st, lang="en")
    n = len(ctx.customers())
    ctx.rfm("rfm11"), ctx.rfm("cn8")
    if args.analyses:
        analysis_sheets(ctx)  # fills the context's cache as the report's sections would
    t_ctx, c_ctx, hwm_ctx, rss_ctx = time.perf_counter() - t0, _cpu() - c0, _hwm_mib(), _rss_mib()

    out = args.out or Path(tempfile.mkdtemp(prefix="custlens_wb_")) / "workbook.xlsx"
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset VmHWM to the current RSS
    t1, c1 = time.perf_counter(), _cpu()
    path = write_workbook(st, out, lang="en", analyses=args.analyses, context=ctx, force=True)
    t_wb, c_wb, hwm_wb = time.perf_counter() - t1, _cpu() - c1, _hwm_mib()
    parquet = sorted(path.parent.glob(f"{path.stem}_*.parquet"))
    print(f"customers {n:,}; analyses {'yes' if args.analyses else 'no'}")
    print(f"context  : wall {t_ctx:7.1f} s  cpu {c_ctx:7.1f} s  peak {hwm_ctx:8,.0f} MiB  (RSS after {rss_ctx:,.0f} MiB)")
    print(f"workbook : wall {t_wb:7.1f} s  cpu {c_wb:7.1f} s  peak {hwm_wb:8,.0f} MiB  "
          f"(+{hwm_wb - rss_ctx:,.0f} MiB over the context)")
    print(f"file     : {path} {path.stat().st_size / 2**20:,.1f} MiB" + "".join(
        f"; {p.name} {p.stat().st_size / 2**20:,.1f} MiB" for p in parquet))


if __name__ == "__main__":
    main()
