"""CPU seconds of the parts of the report's churn section (`churn_analysis` + `retention_analysis`).

    PYTHONPATH=src python bench/churn_section_parts.py STORE.duckdb [REPEATS]

Builds the report's customer build first (not counted: the report shares it), then runs what the
churn section runs (`churn_analysis(table=, days=)` and `retention_analysis(customers=, days=)`)
``REPEATS`` times, with `time.process_time` wrappers (the process's CPU, every thread: DuckDB's
too) around its parts, and prints one line per part and run. A part nested in another is counted
in both (e.g. the trees inside the predictions). The store is opened read-only. Runs whatever
custlens is on PYTHONPATH, so the same script times two branches back to back.
"""
import collections
import functools
import os
import sys
import time

from custlens import analyses
from custlens.churn import analysis as A, features as F, retention as R, drivers as D, reasons as RS, trees as T
from custlens.churn import model as M
from custlens.report.context import ReportContext
from custlens.store import Store
import custlens.clv.diagnostics  # noqa: F401  (imports outside the timing)
import lifelines  # noqa: F401

acc: dict[str, float] = collections.defaultdict(float)


def wrap(owner, name, label=None):
    f = getattr(owner, name)

    @functools.wraps(f)
    def g(*a, **k):
        c0 = time.process_time()
        try:
            return f(*a, **k)
        finally:
            acc[label or name] += time.process_time() - c0
    setattr(owner, name, g)


for name in ("_sampled_snapshots", "snapshot_frame", "score_frame", "early_warning", "win_back",
             "permutation_importance", "partial_dependence", "chunked", "reference_values", "reasons_for", "_joined",
             "contributions", "snapshot_labels", "default_horizon"):
    if hasattr(A, name):
        wrap(A, name)
for name in ("customer_table", "_btyd", "_trend_from_days"):
    wrap(F, name, f"  snapshots: {name}")
wrap(F.SampledRows, "__init__", "  snapshots: SampledRows copy")
wrap(M.ChurnModel, "fit", "ChurnModel.fit")
wrap(RS, "reasons_for", "  score_frame: reasons_for")
for name in ("cox_model", "retention_curves", "_first_order_value"):
    wrap(R, name, f"  retention: {name}")
wrap(T, "tree_values", "  trees (tree_values, everywhere)")

st = Store(sys.argv[1], read_only=True)
ctx = ReportContext(st)
build = ctx.customer_build()
for rep in range(int(sys.argv[2]) if len(sys.argv) > 2 else 1):
    acc.clear()
    l0 = os.getloadavg()[0]
    w0, c0 = time.perf_counter(), time.process_time()
    res = analyses.churn(st, as_of=ctx.as_of, table=ctx.customers(), days=build.days)
    c1 = time.process_time()
    analyses.retention(st, as_of=ctx.as_of, horizon_days=res.horizon.days, customers=ctx.customers(),
                       days=build.days)
    c2 = time.process_time()
    print(f"run {rep}: churn_analysis cpu {c1 - c0:.2f}, retention cpu {c2 - c1:.2f}, both wall "
          f"{time.perf_counter() - w0:.2f}; load {l0:.1f} -> {os.getloadavg()[0]:.1f}; auc {res.auc:.6f}")
    for k in sorted(acc):
        print(f"   {k:<40} cpu {acc[k]:6.2f}")
