"""Customer table + RFM at 10M transactions: DuckDB vs Spark local[2], time and peak memory.

    python bench/spark_bench.py                                  # bench/_data/scale_1000000_10_0.csv
    python bench/spark_bench.py --csv bench/_data/scale_100000_10_0.csv
    python bench/spark_bench.py --engines spark --json out.json

The orders come from ``bench/scale.py``'s generator (1,000,000 customers, ~10,000,000 orders;
run ``python bench/scale.py --stages ingest`` once to make the CSV). The store is built once
next to the CSV (``spark_bench_<csv stem>.duckdb``) straight from DuckDB's ``read_csv`` into
the canonical ``orders`` table: ingest is benchmarked elsewhere, and the Spark engine reads a
DuckDB store anyway.

Each engine runs in a fresh child process: open the store (for Spark: start the JVM, export the
tables to Parquet, register them), ``customer_table(store)``, ``rfm(...)``. The child reports
the time of each phase, its CPU time and the peak memory (``VmHWM``) of itself and, for Spark,
of its Java child (the driver, which in local mode also runs the executors). Both engines must
return the same number of customers, the same total spend (to the cent) and the same segment
counts: the script exits non-zero otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
SRC = HERE.parent / "src"

CHILD = r"""
import json, os, resource, sys, time
t0 = time.perf_counter()
from custlens.store import Store
from custlens.features import customer_table
from custlens.segments import rfm

def peak_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0

def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                for line in open(f"/proc/{d}/status"):
                    if line.startswith("PPid:") and int(line.split()[1]) == pid:
                        out.append(int(d))
            except OSError:
                pass
    return out

t_import = time.perf_counter()
st = Store(sys.argv[1], engine=sys.argv[2])
t_open = time.perf_counter()
table = customer_table(st)
t_table = time.perf_counter()
res = rfm(table)
t_rfm = time.perf_counter()
jvm = sum(peak_kib(p) for p in children(os.getpid()))
st.close()
ru = resource.getrusage(resource.RUSAGE_SELF)
ru_c = resource.getrusage(resource.RUSAGE_CHILDREN)  # the JVM, once it has exited
print(json.dumps({
    "import_s": t_import - t0, "open_s": t_open - t_import, "customer_table_s": t_table - t_open,
    "rfm_s": t_rfm - t_table, "total_s": t_rfm - t0,
    "cpu_s": ru.ru_utime + ru.ru_stime,
    "peak_python_mib": peak_kib(os.getpid()) / 1024, "peak_jvm_mib": jvm / 1024,
    "customers": len(table), "total_spend": round(float(table["total_spend"].sum()), 2),
    "segments": {k: int(v) for k, v in zip(res.segments["segment"], res.segments["customers"])},
}))
"""


def build_store(csv: Path, store: Path) -> None:
    """The canonical ``orders`` table straight from the CSV (read_csv), once."""
    sys.path.insert(0, str(SRC))
    from custlens.store import Store

    if store.exists():
        return
    t = time.perf_counter()
    with Store(store) as st:
        st._con.execute(
            "INSERT INTO orders (order_id, customer_id, ordered_at, amount, channel) "
            "SELECT order_id, customer_id, CAST(ordered_at AS TIMESTAMP), CAST(amount AS DOUBLE), channel "
            "FROM read_csv(?, header = true, all_varchar = true)", [str(csv)])
        n = st.count("orders")
    print(f"store {store.name}: {n:,} orders from {csv.name} in {time.perf_counter() - t:.1f} s", flush=True)


def run(store: Path, engine: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(store), engine], capture_output=True, text=True,
                          env=env)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        raise SystemExit(f"{engine}: exit {proc.returncode}: {tail}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_s"] = wall
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DATA / "scale_1000000_10_0.csv")
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not args.csv.exists():
        raise SystemExit(f"{args.csv} is missing; make it with `python bench/scale.py --stages ingest`")
    store = args.csv.with_name(f"spark_bench_{args.csv.stem}.duckdb")
    build_store(args.csv, store)
    results = {}
    for engine in args.engines.split(","):
        results[engine] = r = run(store, engine)
        print(f"{engine:7s} open {r['open_s']:7.1f} s  customer table {r['customer_table_s']:7.1f} s  "
              f"rfm {r['rfm_s']:5.1f} s  total {r['total_s']:7.1f} s  CPU(python) {r['cpu_s']:6.1f} s  "
              f"peak python {r['peak_python_mib']:,.0f} MiB  JVM {r['peak_jvm_mib']:,.0f} MiB  "
              f"customers {r['customers']:,}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if len(results) > 1:
        keys = ("customers", "total_spend", "segments")
        first, *rest = results.values()
        same = all(all(r[k] == first[k] for k in keys) for r in rest)
        print("same customers, total spend and segment counts on every engine:", "yes" if same else "NO")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
