"""Wall and CPU seconds of each data step of the report's churn section (the model fits excluded).

    python bench/churn_data_profile.py STORE.duckdb [--profile prof.txt] [--top 25] [--repeat 1]

Builds the report's customer build first (outside the timing, as the report shares it), then runs
the data side of `churn_analysis` step by step, as it runs them: the horizon, the snapshot dates,
the labels of every snapshot, the stratified draws, the sampled snapshots' features
(`_sampled_snapshots`), the scored customers' features at ``as_of`` (`snapshot_frame` with the
report's table: MBG/NBD, trend, voice of the customer) and `retention_analysis` with its parts
(first-order values, Kaplan-Meier curves, Cox). Each step prints wall and CPU seconds (CPU of every
thread of the process: DuckDB's too) and the load average; ``--profile`` appends a cProfile of each
step to a file. The store is opened read-only.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time
from pathlib import Path
from typing import Any, Callable


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--profile", type=Path, default=None)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import inspect

    from custlens.churn import analysis as an
    from custlens.churn import retention as rt
    from custlens.churn import survival as sv
    from custlens.churn.features import snapshot_frame
    from custlens.churn.labels import default_horizon, snapshot_dates, snapshot_labels
    from custlens.churn.sampling import HOLDOUT_SIZE, SAMPLE_SIZE, stratified_positions
    from custlens.report.context import ReportContext
    from custlens.store import Store

    st = Store(args.store, read_only=True)
    ctx = ReportContext(st)
    t0 = time.perf_counter()
    build = ctx.customer_build()
    table = ctx.customers()
    print(f"customer build (not counted): {time.perf_counter() - t0:.1f} s, {len(table):,} customers")
    if args.profile:
        args.profile.write_text("")
    total = [0.0, 0.0]

    def step(name: str, func: Callable[[], Any], count: bool = True) -> Any:
        prof = cProfile.Profile() if args.profile else None
        load = os.getloadavg()[0]
        w0, c0 = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        out = func()
        if prof:
            prof.disable()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        if count:
            total[0] += wall
            total[1] += cpu
        print(f"{name:<44} wall {wall:7.2f} s  cpu {cpu:7.2f} s  load {load:5.2f} -> {os.getloadavg()[0]:5.2f}",
              flush=True)
        if prof:
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(args.top)
            with args.profile.open("a") as fh:
                fh.write(f"\n==== {name}: {wall:.2f} s wall, {cpu:.2f} s cpu\n{buf.getvalue()}")
        return out

    as_of = ctx.as_of
    seed = args.seed
    # the purchase days where the code takes them (the report passes them); "before" code takes none
    extra = {"days": build.days} if "days" in inspect.signature(default_horizon).parameters else {}
    kw_l = {"days": build.days} if "days" in inspect.signature(snapshot_labels).parameters else {}
    horizon = step("horizon (default_horizon)", lambda: default_horizon(st, as_of, **extra))
    h = horizon.days
    holdout, train = step("snapshot dates", lambda: snapshot_dates(st, as_of, h, 3, None))
    labels = step("labels (snapshot_labels)", lambda: snapshot_labels(st, [*train, holdout], h, **kw_l))
    cap = max(2, SAMPLE_SIZE // max(len(train), 1))
    plan = [(s, cap, seed + i) for i, s in enumerate(train)] + [(holdout, HOLDOUT_SIZE, seed + len(train))]
    drawn = step("stratified draws", lambda: [(s, y, stratified_positions(y.to_numpy(), n, sd))
                                              for s, n, sd in plan for y in [labels[s]]])
    sig = inspect.signature(an._sampled_snapshots).parameters
    kw = {"days": build.days} if "days" in sig else {}
    parts = step("sampled snapshots' features", lambda: an._sampled_snapshots(st, drawn, h, seed, **kw))
    print(f"  rows per snapshot: {[len(p[0]) for p in parts]}")
    kw = {"days": build.days} if "days" in inspect.signature(snapshot_frame).parameters else {}
    X_now, _btyd = step("current features (snapshot_frame, table=)",
                        lambda: snapshot_frame(st, as_of, h, seed=seed, table=table, **kw))
    surv = step("retention_analysis (all)", lambda: rt.retention_analysis(st, as_of=as_of, horizon_days=h,
                                                                          customers=table))
    # its parts, again (the same calls as retention_analysis makes)
    step("  first-order values", lambda: rt._first_order_value(st, as_of), False)
    step("  cohorts", lambda: rt._cohort(table["first_order_at"]), False)
    by = {"cohort": rt._cohort(table["first_order_at"])}
    step("  Kaplan-Meier (cohort grouping only)", lambda: sv.retention_curves(table, h, by), False)
    step("  Cox (cox_model)", lambda: sv.cox_model(table.drop(columns=["customer_id"]), h, None), False)
    print(f"{'data side (top-level steps)':<44} wall {total[0]:7.2f} s  cpu {total[1]:7.2f} s")
    print(f"curves {len(surv.curves):,} rows; features {X_now.shape}; horizon {horizon}")


if __name__ == "__main__":
    main()
