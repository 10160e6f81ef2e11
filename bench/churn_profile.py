"""Time, CPU, peak memory and a per-phase cProfile of `churn_analysis` on a store (opened read-only).

    python bench/churn_profile.py STORE.duckdb [--sample-size N] [--table] [--no-profile] [--out prof.txt]

Prints the load average before and after, wall and CPU seconds of the call, the process's peak
resident memory (``VmHWM``), the held-out ROC-AUC / PR-AUC of the model and of the recency rule,
the stated samples, and (unless ``--no-profile``) the cumulative time of each phase from the
profile: snapshot features (customer table, MBG/NBD, trend), labels, model fits (and of them the
calibration folds), permutation importance, partial dependence, scoring, reasons. The phases
overlap (a fit inside scoring is counted in both); read them as "where the time went".
``--table`` computes the customer table first (outside the timing) and passes it, as the report
does (`churn_analysis(table=...)`); ``--retention`` also times `retention_analysis` with it (the
report's churn section runs both).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import time
from pathlib import Path

#: (label, function name, file suffix) of the phases read from the profile.
PHASES = [
    ("labels (all snapshots)", "snapshot_labels", "churn/labels.py"),
    ("labels (old, per snapshot)", "churn_labels", "churn/labels.py"),
    ("snapshot features", "snapshot_frame", "churn/features.py"),
    ("  customer table", "customer_table", "features/customer_table.py"),
    ("  MBG/NBD fit + P(alive)", "_btyd", "churn/features.py"),
    ("  trend", "_trend", "churn/features.py"),
    ("model fits (ChurnModel.fit)", "fit", "churn/model.py"),
    ("  calibration folds", "_folds", "churn/model.py"),
    ("  logistic baseline", "fit", "sklearn/pipeline.py"),
    ("predict_proba (all calls)", "predict_encoded", "churn/model.py"),
    ("permutation importance", "permutation_importance", "churn/drivers.py"),
    ("  trees re-scored (TreeSum.leaves)", "leaves", "churn/trees.py"),
    ("partial dependence", "partial_dependence", "churn/drivers.py"),
    ("score_frame (scoring + reasons)", "score_frame", "churn/analysis.py"),
    ("  contributions", "contributions", "churn/reasons.py"),
    ("  reasons_for (texts)", "reasons_for", "churn/reasons.py"),
    ("customer value", "customer_value", "churn/analysis.py"),
    ("horizon (gaps)", "default_horizon", "churn/labels.py"),
    ("retention_analysis", "retention_analysis", "churn/retention.py"),
    ("  Cox model", "cox_model", "churn/survival.py"),
]


def _hwm() -> int:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) // 1024
    return 0


def phase_table(stats: pstats.Stats) -> list[tuple[str, float, int]]:
    """(label, cumulative seconds, calls) of each of `PHASES` found in ``stats``."""
    out = []
    for label, name, suffix in PHASES:
        cum, calls = 0.0, 0
        for (path, _line, func), (_cc, nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
            if func == name and path.endswith(suffix):
                cum, calls = cum + ct, calls + nc
        if calls:
            out.append((label, cum, calls))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--sample-size", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--table", action="store_true", help="pass the customer table, as the report does")
    ap.add_argument("--retention", action="store_true", help="time retention_analysis too (needs --table)")
    ap.add_argument("--out", type=Path, default=None, help="write the full profile (top 60 cumulative) here")
    ap.add_argument("--json", type=Path, default=None, help="append one JSON line of the figures here")
    args = ap.parse_args()
    from custlens.churn import churn_analysis, retention_analysis
    from custlens.features.customer_table import customer_table
    from custlens.store import Store

    st = Store(args.store, read_only=True)
    table = customer_table(st, st.default_as_of()) if args.table or args.retention else None
    load0 = os.getloadavg()
    kw = {"random_state": args.seed, "table": table}
    if args.sample_size:
        kw["sample_size"] = args.sample_size
    prof = None if args.no_profile else cProfile.Profile()
    t0, c0 = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    res = churn_analysis(st, **kw)
    if args.retention:
        retention_analysis(st, horizon_days=res.horizon.days, customers=table)
    if prof:
        prof.disable()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    load1 = os.getloadavg()
    m = res.metrics
    fig = {"store": args.store, "table_given": table is not None, "retention": args.retention, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "peak_mib": _hwm(),
           "load_before": [round(x, 2) for x in load0], "load_after": [round(x, 2) for x in load1],
           "profiled": prof is not None, "n_train": res.n_train, "n_holdout": res.n_holdout,
           "customers_scored": len(res.scores), "horizon_days": res.horizon.days,
           "roc_auc": round(float(m.loc["gradient_boosting", "roc_auc"]), 4),
           "pr_auc": round(float(m.loc["gradient_boosting", "pr_auc"]), 4),
           "recency_roc_auc": round(float(m.loc["recency_rule", "roc_auc"]), 4),
           "brier": round(float(m.loc["gradient_boosting", "brier"]), 4),
           "mean_p": round(float(m.loc["gradient_boosting", "mean_probability"]), 4),
           "base_rate": round(float(m.loc["gradient_boosting", "base_rate"]), 4),
           "sample": res.sample.to_dict() if res.sample else None,
           "top_drivers": res.importance.head(4).round(5).to_dict(orient="records")}
    print(json.dumps(fig, indent=1, default=str))
    if prof:
        stats = pstats.Stats(prof)
        print(f"{'phase':<34} {'cum s':>8} {'calls':>6}")
        for label, cum, calls in phase_table(stats):
            print(f"{label:<34} {cum:8.1f} {calls:6d}")
        if args.out:
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(60)
            args.out.write_text(buf.getvalue())
    if args.json:
        with args.json.open("a") as fh:
            fh.write(json.dumps(fig, default=str) + "\n")


if __name__ == "__main__":
    main()
