"""CPU seconds of the parts of the churn section's sampled snapshots (`_sampled_snapshots`).

    python bench/churn_snap_parts.py STORE.duckdb [REPEATS]

Builds the report's customer build, horizon, labels and stratified draws first (not counted),
then runs `custlens.churn.analysis._sampled_snapshots` as `churn_analysis` does, with
`time.process_time` wrappers (CPU of every thread: DuckDB's too) around its parts: the copy of
the sampled rows (`SampledRows`), the customer tables, the MBG/NBD fits, the trend, the voice of
the customer and the demographics. The store is opened read-only.
"""
import sys, time, os, functools, collections
from custlens.churn import analysis as an, features as F
from custlens.churn.labels import default_horizon, snapshot_dates, snapshot_labels
from custlens.churn.sampling import HOLDOUT_SIZE, SAMPLE_SIZE, stratified_positions
from custlens.report.context import ReportContext
from custlens.store import Store
import custlens.clv  # imports outside the timing
import custlens.clv.diagnostics
acc = collections.defaultdict(float)
def wrap(mod, name):
    f = getattr(mod, name)
    @functools.wraps(f)
    def g(*a, **k):
        c0 = time.process_time(); out = f(*a, **k); acc[name] += time.process_time() - c0; return out
    setattr(mod, name, g)
for n in ("customer_table", "_btyd", "_trend_from_days", "_voc", "_demographics"):
    wrap(F, n)
orig_init = F.SampledRows.__init__
def init(self, *a, **k):
    c0 = time.process_time(); orig_init(self, *a, **k); acc["SampledRows copy"] += time.process_time() - c0
F.SampledRows.__init__ = init
st = Store(sys.argv[1], read_only=True)
ctx = ReportContext(st)
build = ctx.customer_build()
as_of = ctx.as_of
h = default_horizon(st, as_of, days=build.days).days
holdout, train = snapshot_dates(st, as_of, h, 3, None)
labels = snapshot_labels(st, [*train, holdout], h, days=build.days)
cap = max(2, SAMPLE_SIZE // max(len(train), 1))
plan = [(s, cap, i) for i, s in enumerate(train)] + [(holdout, HOLDOUT_SIZE, len(train))]
drawn = [(s, labels[s], stratified_positions(labels[s].to_numpy(), n, sd)) for s, n, sd in plan]
for rep in range(int(sys.argv[2]) if len(sys.argv) > 2 else 1):
    acc.clear()
    l0 = os.getloadavg()[0]; w0, c0 = time.perf_counter(), time.process_time()
    parts = an._sampled_snapshots(st, drawn, h, 0, build.days)
    print(f"run {rep}: _sampled_snapshots wall {time.perf_counter()-w0:.2f} cpu {time.process_time()-c0:.2f} load {l0:.2f}->{os.getloadavg()[0]:.2f}")
    for k, v in acc.items():
        print(f"   {k:<22} cpu {v:.2f}")
