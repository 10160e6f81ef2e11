"""Time, memory and a cProfile of each report section, or of the whole ``custlens report`` process.

    python bench/report_profile.py STORE.duckdb [--top 25] [--out profile.txt] [--sections a,b]
    python bench/report_profile.py STORE.duckdb --whole [--excel] [--report-dir DIR] [--out profile.txt]
    python bench/report_profile.py STORE.duckdb --whole --until-sections    # the start-up alone

Sections (default): builds the sections in order on one `ReportContext` (as `build_report` does, so
shared results such as the customer table are computed by the first section that asks), printing
per section the wall time, the process's CPU time (all its threads: DuckDB's too), the resident
memory after it and its high-water mark so far, and the load average at the start and the end (the
machine is shared: compare CPU times, or wall times of one run). The profile of each section
(cumulative time, ``--top`` rows) is appended to ``--out`` as soon as the section is done, so a run
cut short still leaves the sections it finished.

``--whole``: runs the CLI's ``report`` command in this process (imports included, with the workbook
when ``--excel``) and prints one line per step: the imports, each section, the summary, the HTML's
parts (tables and figures, the page, the font subset, the file), each workbook sheet built, fitted
(Parquet) and written, and the workbook's packing. A step's line gives its wall and CPU time, the
resident memory before and after it and the highest resident memory sampled (every 20 ms) while it
ran, and when it started (seconds after the start); nested steps are indented, a step on another thread
(the customer table built during the imports) is marked with the thread's name (its CPU is the
process's, all threads, over the step). ``--until-sections`` stops where the first section would
start, and every run prints when that was (wall and CPU). ``--out`` receives the table and, with ``--cprofile``, one cProfile of
the whole process (``--top`` rows by own time and by cumulative time; it slows Python code). Give the store a copy you may write: ``custlens report`` saves
the default CLV scores once when they are missing.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import sys
import threading
import time
from pathlib import Path


def _mem() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in MiB."""
    with open("/proc/self/status") as fh:
        vals = {line.split(":")[0]: int(line.split()[1]) // 1024 for line in fh if line.startswith(("VmRSS", "VmHWM"))}
    return vals.get("VmRSS", 0), vals.get("VmHWM", 0)


class Steps:
    """Wall, CPU and resident memory of nested steps, with a thread sampling the RSS every 20 ms."""

    def __init__(self) -> None:
        self.rows: list[list] = []  # [depth, name, wall, cpu, rss_before, rss_after, peak, start, thread]
        self._open: list[list] = []
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        self.main = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            rss = _mem()[0]
            for row in list(self._open):
                row[6] = max(row[6], rss)

    def wrap(self, owner: object, attr: str, label) -> None:
        """Replace ``owner.attr`` by a wrapper that records a step named ``label(*args)``."""
        func = getattr(owner, attr)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            name = label(*args, **kwargs) if callable(label) else label
            rss = _mem()[0]
            me = threading.get_ident()
            if me != self.main:  # a step on another thread: its own nesting, marked
                name = f"[{threading.current_thread().name}] {name}"
            depth = sum(1 for r in list(self._open) if r[8] == me)
            row = [depth, name, 0.0, 0.0, rss, 0, rss, time.perf_counter() - self.t0, me,
                   time.process_time() - self.c0]
            self.rows.append(row)
            self._open.append(row)
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                row[2], row[3] = time.perf_counter() - t0, time.process_time() - c0
                row[5] = _mem()[0]
                row[6] = max(row[6], row[5])
                self._open.remove(row)

        setattr(owner, attr, wrapper)

    def table(self) -> str:
        lines = [f"{'step':<44} {'wall s':>8} {'cpu s':>8} {'rss before':>11} {'rss after':>10} {'peak':>7}"
                 f" {'start s':>8}"]
        for depth, name, wall, cpu, before, after, peak, start, *_ in self.rows:
            lines.append(f"{'  ' * depth + name:<44} {wall:8.2f} {cpu:8.2f} {before:>11,} {after:>10,} {peak:>7,}"
                         f" {start:8.2f}")
        return "\n".join(lines)


class _Stop(BaseException):
    """Raised where the first section would start (``--until-sections``); the CLI lets it through."""


def _wrap_report(steps: Steps, args: argparse.Namespace) -> None:
    """Steps of the report's own modules (imported by now)."""
    import custlens.report as package
    from custlens.clv import pipeline, scores
    from custlens.report import builder, registry, render, workbook, workbook_sheets, workbook_xlsx

    steps.wrap(scores, "score_status", lambda store, table, *a, **k: f"score_status {table}")
    steps.wrap(pipeline, "save_default_scores", "save_default_scores (stale CLV scores)")
    steps.wrap(pipeline, "run_clv", "run_clv")
    steps.wrap(pipeline, "save_clv_scores", "save_clv_scores")

    steps.wrap(package, "build_report", "build_report")
    steps.wrap(registry, "run_section", lambda spec, ctx: f"section {spec.key}")
    steps.wrap(builder, "summary_section", "summary")
    steps.wrap(builder, "render_html", "render_html")
    steps.wrap(render, "_prepare", "tables and figures to HTML")
    steps.wrap(render, "font_face_css", "font subset")
    steps.wrap(package, "write_workbook", "write_workbook")
    steps.wrap(workbook, "_customers_sheet", "sheet customers: build")
    steps.wrap(workbook, "_segments_sheet", lambda ctx, scheme: f"sheet {scheme}: build")
    for key, build in list(workbook_sheets.SHEETS.items()):
        workbook_sheets.SHEETS[key] = build
        steps.wrap(workbook_sheets, build.__name__, f"sheet {key.rsplit('.', 1)[-1]}: build")
        workbook_sheets.SHEETS[key] = getattr(workbook_sheets, build.__name__)
    steps.wrap(workbook, "fit_sheet", lambda frame, lang, path, key, *a, **k: f"fit {key.rsplit('.', 1)[-1]}"
               f" ({len(frame):,} rows)")
    steps.wrap(workbook_xlsx.StreamingBook, "add_sheet", lambda self, name, *a, **k: f"write sheet {name}")
    steps.wrap(workbook_xlsx.StreamingBook, "__exit__", "pack the .xlsx")
    if args.workers is not None:  # the CLI has no such option: the default of build_report
        builder.DEFAULT_WORKERS = args.workers
    if args.until_sections:  # the start-up alone: no section runs

        def stop(*a, **k):  # noqa: ANN002, ANN003
            raise _Stop

        package.build_report = stop
        steps.wrap(package, "build_report", "build_report (stopped: --until-sections)")


def whole(args: argparse.Namespace) -> None:
    """The CLI's ``report`` in this process, its steps timed and its memory sampled.

    The CLI starts the customer table on a thread and imports the report's modules meanwhile
    (`custlens.commands._report_start`), so only the CLI is imported up front and the report's
    steps are wrapped once it has imported them; on code without that start (before it) every
    module is imported first, as the CLI then did before its first query.
    """
    steps = Steps()
    prof = cProfile.Profile() if args.cprofile else None
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    steps.t0, steps.c0 = t0, c0
    if prof is not None:
        prof.enable()
    ti, ci = time.perf_counter(), time.process_time()
    from custlens import cli
    from custlens import store as store_module
    from custlens.cli import app
    from custlens.features import purchase_days

    try:
        from custlens.commands import _report_start
    except ImportError:  # code before the early start
        _report_start = None
    if _report_start is None:
        from custlens.report.registry import _load_builtin_sections

        _load_builtin_sections()
        label = "imports (cli, report, sections)"
    else:
        label = "import custlens.cli"
    steps.rows.append([0, label, time.perf_counter() - ti, time.process_time() - ci, 0, _mem()[0], _mem()[0],
                       ti - t0, steps.main, ci - c0])
    if _report_start is None:
        _wrap_report(steps, args)
    else:
        imports = _report_start.import_report_modules

        def imports_then_wrap() -> None:
            imports()
            _wrap_report(steps, args)

        _report_start.import_report_modules = imports_then_wrap
        steps.wrap(_report_start, "import_report_modules", "import report modules (report, CLV, sections)")
        steps.wrap(_report_start.EarlyBuild, "wait", "wait for the customer table")
    steps.wrap(cli, "parse_as_of", "parse --as-of, open checks")
    steps.wrap(store_module.Store, "__init__",
               lambda self, path=None, read_only=False, **k: f"open store ({'read-only' if read_only else 'read-write'})")
    steps.wrap(store_module.Store, "close", "close store")
    steps.wrap(purchase_days, "build_customer_table", "customer table build")
    argv = ["report", "--store", args.store, "--out", str(args.report_dir)]
    if not args.excel:
        argv.append("--no-excel")
    stopped = False
    try:
        app(argv, standalone_mode=False)
    except _Stop:
        stopped = True
    finally:
        if prof is not None:
            prof.disable()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        steps._stop.set()
        print(steps.table())
        first = next((r for r in steps.rows if r[1].startswith(("section ", "build_report"))), None)
        if first is not None:
            print(f"before the first section: {first[7]:.2f} s wall, {first[9]:.2f} s cpu", flush=True)
        rss, hwm = _mem()
        what = "stopped at the first section" if stopped else "whole process"
        print(f"{what} (after the interpreter's start): {wall:.2f} s wall, {cpu:.2f} s cpu, peak {hwm:,} MiB; "
              "load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
        buf = io.StringIO()
        if prof is not None:
            stats = pstats.Stats(prof, stream=buf)
            stats.sort_stats("tottime").print_stats(args.top)
            stats.sort_stats("cumulative").print_stats(args.top)
        args.out.write_text(steps.table() + "\n\n" + buf.getvalue())


def sections(args: argparse.Namespace) -> None:
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
        if prof is not None:
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", type=Path, default=Path("report_profile.txt"))
    ap.add_argument("--sections", default=None, help="comma-separated section keys (default: all)")
    ap.add_argument("--whole", action="store_true", help="profile the whole `custlens report` process")
    ap.add_argument("--excel", action="store_true", help="with --whole: write the workbook too")
    ap.add_argument("--cprofile", action="store_true", help="with --whole: also a cProfile (slows Python code ~2x)")
    ap.add_argument("--workers", type=int, default=None, help="with --whole: sections built at once (default: build_report's)")
    ap.add_argument("--until-sections", action="store_true",
                    help="with --whole: stop where the first section would start (the start-up alone)")
    ap.add_argument("--report-dir", type=Path, default=Path("report_profile_out"), help="with --whole: --out of the report")
    args = ap.parse_args()
    whole(args) if args.whole else sections(args)


if __name__ == "__main__":
    sys.exit(main())
