"""Workbook benchmark: time and peak memory of `write_workbook` on an existing store.

    python bench/workbook_bench.py --store shop.duckdb                 # customer + segment sheets
    python bench/workbook_bench.py --store shop.duckdb --analyses      # plus CLV, churn, clusters...
    python bench/workbook_bench.py --store shop.duckdb --excel-rows 0  # no row budget (Excel's limit)
    python bench/workbook_bench.py --cells 30000                       # CPU per cell by column kind

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
    ap.add_argument("--store")
    ap.add_argument("--analyses", action="store_true", help="include the analysis sheets")
    ap.add_argument("--out", type=Path, default=None, help="the .xlsx (default: a temp dir)")
    ap.add_argument("--excel-rows", type=int, default=None, help="row budget of a sheet (default: the report's)")
    ap.add_argument("--cells", type=int, default=0, metavar="ROWS",
                    help="only the per-cell costs: ROWS x 10 columns of each kind, and xlsxwriter's own floor")
    args = ap.parse_args()
    if args.cells:
        return _cells(args.cells)
    if not args.store:
        ap.error("--store is required (or --cells)")

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
    budget = {} if args.excel_rows is None else {"excel_rows": args.excel_rows}
    path = write_workbook(st, out, lang="en", analyses=args.analyses, context=ctx, force=True, **budget)
    t_wb, c_wb, hwm_wb = time.perf_counter() - t1, _cpu() - c1, _hwm_mib()
    parquet = sorted(path.parent.glob(f"{path.stem}_*.parquet"))
    print(f"customers {n:,}; analyses {'yes' if args.analyses else 'no'}")
    print(f"context  : wall {t_ctx:7.1f} s  cpu {c_ctx:7.1f} s  peak {hwm_ctx:8,.0f} MiB  (RSS after {rss_ctx:,.0f} MiB)")
    print(f"workbook : wall {t_wb:7.1f} s  cpu {c_wb:7.1f} s  peak {hwm_wb:8,.0f} MiB  "
          f"(+{hwm_wb - rss_ctx:,.0f} MiB over the context)")
    print(f"file     : {path} {path.stat().st_size / 2**20:,.1f} MiB" + "".join(
        f"; {p.name} {p.stat().st_size / 2**20:,.1f} MiB" for p in parquet))


def _cells(n: int, k: int = 10) -> None:
    """CPU per cell of `StreamingBook` by column kind, and of a bare xlsxwriter loop (its floor)."""
    import numpy as np
    import pandas as pd
    import xlsxwriter

    from custlens.report.workbook_xlsx import StreamingBook

    rng = np.random.default_rng(0)
    f = rng.normal(100, 50, (n, k))
    ids = np.array([f"customer-{i:08d}" for i in range(n)], dtype=object)
    hostile = ids.copy()
    hostile[::7], hostile[1::7] = "=cmd", "-neg"  # 2 in 7 need a quote
    nan = f.copy()
    nan[rng.random((n, k)) < 0.5] = np.nan
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**8, n), unit="s")
    kinds = {
        "float": pd.DataFrame(f).add_prefix("f"),
        "int": pd.DataFrame(rng.integers(0, 1000, (n, k))).add_prefix("i"),
        "float, 50% NaN": pd.DataFrame(nan).add_prefix("n"),
        "string": pd.DataFrame({f"s{j}": ids for j in range(k)}),
        "string, 2/7 neutralised": pd.DataFrame({f"h{j}": hostile for j in range(k)}),
        "datetime": pd.DataFrame({f"d{j}": when for j in range(k)}),
    }
    tmp = Path(tempfile.mkdtemp(prefix="custlens_cells_", dir="."))
    for name, frame in kinds.items():
        c0 = _cpu()
        with StreamingBook(tmp / "k.xlsx") as book:
            book.add_sheet("s", frame)
        print(f"custlens   {name:24s} {(_cpu() - c0) / frame.size * 1e6:6.2f} us/cell CPU")
    for name, rows in (("write_number", f.tolist()), ("write_string", [[s] * k for s in ids.tolist()])):
        book = xlsxwriter.Workbook(str(tmp / "f.xlsx"), {"constant_memory": True, "tmpdir": str(tmp)})
        ws = book.add_worksheet()
        write = getattr(ws, name)
        c0 = _cpu()
        for r, row in enumerate(rows, 1):
            for j, v in enumerate(row):
                write(r, j, v)
        c1 = _cpu()
        book.close()
        c2 = _cpu()
        print(f"xlsxwriter bare {name:19s} {(c2 - c0) / (n * k) * 1e6:6.2f} us/cell CPU "
              f"(calls {(c1 - c0) / (n * k) * 1e6:.2f}, packing at zlib level 6 {(c2 - c1) / (n * k) * 1e6:.2f})")
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
