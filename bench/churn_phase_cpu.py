"""CPU and wall seconds of `churn_analysis`'s phases on a store (opened read-only), model side vs data side.

    PYTHONPATH=src python bench/churn_phase_cpu.py STORE.duckdb

Wraps the functions `churn_analysis` calls with `time.process_time()` timers (the process's CPU, all
its threads), computes the customer table first as the report does (outside the timing), and prints
one line per phase; phases named "data:" belong to the churn data side (features, labels, horizon).
Runs whatever custlens is on PYTHONPATH, so the same script times two branches back to back.
"""
import os
import sys
import time
from collections import defaultdict
from custlens.churn import analysis as A
from custlens.features.customer_table import customer_table
from custlens.store import Store
cpu = defaultdict(float); wall = defaultdict(float)
depth = [0]
def wrap(mod, name, label):
    f = getattr(mod, name)
    def g(*a, **k):
        depth[0] += 1
        c0, t0 = time.process_time(), time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                cpu[label] += time.process_time() - c0; wall[label] += time.perf_counter() - t0
    setattr(mod, name, g)
from custlens.churn import model as M
orig_fit = M.ChurnModel.fit
def fit(self, X, y):
    c0, t0 = time.process_time(), time.perf_counter(); depth[0] += 1
    try: return orig_fit(self, X, y)
    finally:
        depth[0] -= 1; cpu["fits"] += time.process_time() - c0; wall["fits"] += time.perf_counter() - t0
M.ChurnModel.fit = fit
wrap(A, "_sampled_snapshots", "data: sampled snapshots (churndata)")
wrap(A, "snapshot_frame", "data: scored snapshot (churndata)")
wrap(A, "snapshot_labels", "data: labels (churndata)")
wrap(A, "default_horizon", "data: horizon (churndata)")
wrap(A, "evaluate", "evaluation")
wrap(A, "_rule_metrics", "evaluation")
wrap(A, "calibration_table", "evaluation")
wrap(A, "chunked", "predictions (held-out + scoring)")
wrap(A, "permutation_importance", "importance")
wrap(A, "partial_dependence", "partial dependence")
wrap(A, "score_frame", "score_frame (bands, reasons)")
wrap(A, "early_warning", "lists")
wrap(A, "win_back", "lists")
wrap(A, "capacity_cutoffs", "lists")
st = Store(sys.argv[1], read_only=True)
t = customer_table(st, st.default_as_of())
l0 = os.getloadavg(); c0, t0 = time.process_time(), time.perf_counter()
res = A.churn_analysis(st, table=t)
total_c, total_w = time.process_time() - c0, time.perf_counter() - t0
model_c = sum(v for k, v in cpu.items() if not k.startswith("data"))
model_w = sum(v for k, v in wall.items() if not k.startswith("data"))
for k in sorted(cpu): print(f"{k:<40} cpu {cpu[k]:7.2f}  wall {wall[k]:7.2f}")
print(f"{'model side (sum of the non-data rows)':<40} cpu {model_c:7.2f}  wall {model_w:7.2f}")
print(f"{'churn_analysis total':<40} cpu {total_c:7.2f}  wall {total_w:7.2f}  load {l0} -> {os.getloadavg()}")
print("auc", res.auc, "top drivers", list(res.importance.feature[:4]))
