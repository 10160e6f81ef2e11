"""Scale benchmark: a whole shop of N customers through every stage, time and peak memory each.

    python bench/scale.py                          # 1,000,000 customers, ~10,000,000 orders
    python bench/scale.py --customers 100000       # a tenth
    python bench/scale.py --big                    # 10,000,000 customers, ~100,000,000 orders
    python bench/scale.py --stages ingest,report   # only some stages (needs the earlier ones' store)

The orders CSV (order_id, customer_id, ordered_at with second precision, amount, channel) is
simulated once per size and cached under ``bench/_data/`` (git-ignored): every customer has a
first order in the first two years of a three-year window, a Poisson purchase rate drawn from a
gamma distribution and an exponential lifetime, so the data has real repeat buyers, one-time
buyers and lapsed customers, and continuous recency and T (time stamps to the second).

Each stage runs in a fresh child process on the same store file, so its time includes imports
and its peak memory is its own high-water mark (``VmHWM``; ``ru_maxrss`` would inherit the
parent's across ``exec``):

* ingest       ``custlens ingest orders.csv`` (parse, validate, quarantine accounting, insert)
* customers    ``customer_table(store)``: one row per customer, computed in the store
* rfm          customer table + ``rfm(...)`` scores and segments
* clv          ``run_clv(store)``: model comparison on a holdout, refit, scores
* churn        ``churn_analysis(store)``: snapshots, models, scores
* report       ``custlens report --store ... --no-excel``: the HTML report
* report-core  the same HTML report through `build_report` without the churn and CLV sections
  (``--exclude`` them by name; the CLI has no section option), to measure the rest of the report
  while those two are being made fast elsewhere
* workbook     ``custlens report --store ...``: the HTML report and the Excel workbook (not run by default)

Nothing is asserted here: the script prints a table (and ``--json`` writes it) for
``bench/README.md``. A stage that fails is reported with its exit code and the last line of its
error, and later stages still run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
START = np.datetime64("2023-01-01T00:00:00", "s")
WINDOW_DAYS = 3 * 365

STAGES: dict[str, str] = {
    "customers": (
        "from custlens.store import Store; from custlens.features import customer_table\n"
        "st = Store({store!r}, read_only=True); t = customer_table(st); print(len(t))"
    ),
    "rfm": (
        "from custlens.store import Store; from custlens.features import customer_table\n"
        "from custlens.segments import rfm\n"
        "st = Store({store!r}, read_only=True); r = rfm(customer_table(st)); print(len(r.segments))"
    ),
    "clv": (
        "from custlens.store import Store; from custlens.clv.pipeline import run_clv\n"
        "st = Store({store!r}); r = run_clv(st); print(r.model)"
    ),
    "churn": (
        "from custlens.store import Store; from custlens.churn import churn_analysis\n"
        "st = Store({store!r}); r = churn_analysis(st); print(type(r).__name__)"
    ),
}


def simulate(n_customers: int, orders_per_customer: float, seed: int = 0, directory: Path | None = None) -> Path:
    """Write (once) the orders CSV of ``n_customers`` simulated customers; return its path.

    The file goes to ``directory`` (default ``bench/_data``) and is reused when it exists.
    """
    directory = DATA if directory is None else Path(directory)
    path = directory / f"scale_{n_customers}_{orders_per_customer:g}_{seed}.csv"
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    first = rng.uniform(0, 2 * 365, n_customers)
    life = rng.exponential(500.0, n_customers)
    active = np.minimum(life, WINDOW_DAYS - first)
    rate = rng.gamma(0.8, 1.0, n_customers)
    rate *= (orders_per_customer - 1) / float(np.mean(rate * active))  # hit the mean order count
    repeats = rng.poisson(rate * active)
    counts = 1 + repeats
    owner = np.repeat(np.arange(n_customers), counts)
    offset = np.zeros(owner.size)
    is_repeat = np.ones(owner.size, dtype=bool)
    is_repeat[np.cumsum(counts) - counts] = False  # each customer's first row is the first order
    offset[is_repeat] = rng.uniform(0, 1, int(is_repeat.sum())) * active[owner[is_repeat]]
    seconds = ((first[owner] + offset) * 86400).astype("int64")
    stamps = START + seconds.astype("timedelta64[s]")
    amount = np.round(rng.lognormal(3.5, 0.8, owner.size), 2)
    channels = np.array(["app", "web", "mini-program", "store"])[rng.integers(0, 4, owner.size)]
    import pandas as pd

    frame = pd.DataFrame({
        "order_id": np.char.add("O", np.arange(owner.size).astype(str)),
        "customer_id": np.char.add("C", owner.astype(str)),
        "ordered_at": pd.to_datetime(stamps).strftime("%Y-%m-%d %H:%M:%S"),
        "amount": amount,
        "channel": channels,
    })
    tmp = path.with_suffix(".tmp")
    frame.to_csv(tmp, index=False)
    tmp.rename(path)
    return path


def run_stage(name: str, argv: list[str]) -> dict:
    """Run one stage in a child process; its wall time, CPU time, peak RSS and outcome."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, errtext = proc.communicate()
    wall = time.perf_counter() - t0
    # The wrapper prints its own rusage as the last JSON line of stderr.
    lines = errtext.strip().splitlines()
    stats = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    row = {"stage": name, "wall_s": round(wall, 2), "exit": proc.returncode,
           "cpu_s": stats.get("cpu_s"), "peak_rss_mb": stats.get("peak_rss_mb")}
    if proc.returncode != 0:
        text = [line for line in lines if not line.startswith("{")]
        row["error"] = text[-1] if text else "(no message)"
    return row


WRAP = """
import json, os, resource, runpy, sys, time
argv = json.loads(sys.argv[1])
code = 0
try:
    if argv[0] == '-c':
        exec(compile(argv[1], '<stage>', 'exec'), {'__name__': '__main__'})
    else:
        sys.argv = argv
        from custlens.cli import app
        app(standalone_mode=False)
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
except BaseException as exc:
    import traceback; traceback.print_exc(); code = 1
ru = resource.getrusage(resource.RUSAGE_SELF)
# VmHWM is this process's own high-water mark; ru_maxrss would carry over the parent's across exec.
hwm = [int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:')]
sys.stdout.flush()
print(json.dumps({"cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
                  "peak_rss_mb": round((hwm[0] if hwm else ru.ru_maxrss) / 1024)}), file=sys.stderr)
sys.exit(code)
"""


def child(argv: list[str]) -> list[str]:
    """The command line that runs ``argv`` (``-c CODE`` or CLI words) under the measuring wrapper."""
    return [sys.executable, "-c", WRAP, json.dumps(argv)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--orders-per-customer", type=float, default=10.0)
    ap.add_argument("--big", action="store_true", help="10,000,000 customers, ~100,000,000 orders")
    ap.add_argument("--stages", default="ingest,customers,rfm,clv,churn,report")
    ap.add_argument("--workdir", type=Path, default=None, help="where the store and report go (default: a temp dir)")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args()
    n = 10_000_000 if args.big else args.customers

    t0 = time.perf_counter()
    csv = simulate(n, args.orders_per_customer)
    print(f"data: {csv.name}, {csv.stat().st_size / 2**20:,.0f} MiB (simulated in {time.perf_counter() - t0:.1f} s "
          f"or cached)", flush=True)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="custlens_scale_"))
    work.mkdir(parents=True, exist_ok=True)
    store = str(work / "shop.duckdb")
    wanted = [s.strip() for s in args.stages.split(",") if s.strip()]
    if "ingest" in wanted:
        for suffix in ("", ".wal"):
            Path(store + suffix).unlink(missing_ok=True)
    rows = []
    for name in wanted:
        if name == "ingest":
            argv = ["custlens", "ingest", str(csv), "--store", store, "--json"]
        elif name == "report":
            argv = ["custlens", "report", "--store", store, "--out", str(work / "report"), "--no-excel"]
        elif name == "report-core":
            code = ("from custlens.report import build_report\n"
                    "from custlens.report.registry import registered_sections\n"
                    "keys = [s.key for s in registered_sections() if s.key not in ('churn', 'clv')]\n"
                    f"build_report({store!r}, out={str(work / 'report_core.html')!r}, sections=keys)")
            argv = ["-c", code]
        elif name == "workbook":
            argv = ["custlens", "report", "--store", store, "--out", str(work / "report")]
        elif name in STAGES:
            argv = ["-c", STAGES[name].format(store=store)]
        else:
            raise SystemExit(f"unknown stage {name!r}; choose from ingest, {', '.join(STAGES)}, report, "
                             "report-core, workbook")
        row = run_stage(name, child(argv))
        rows.append(row)
        print(f"{name:<10} wall {row['wall_s']:>8.2f} s  cpu {row['cpu_s'] or float('nan'):>8.2f} s  "
              f"peak {row['peak_rss_mb'] or float('nan'):>7,.0f} MiB  exit {row['exit']}"
              + (f"  {row['error']}" if row.get("error") else ""), flush=True)
    print("\n| stage | wall | CPU | peak RSS | exit |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['stage']} | {r['wall_s']:.1f} s | {r['cpu_s']} s | {r['peak_rss_mb']:,} MiB | {r['exit']} |"
              if r["peak_rss_mb"] is not None else f"| {r['stage']} | {r['wall_s']:.1f} s | – | – | {r['exit']} |")
    if args.json:
        args.json.write_text(json.dumps({"customers": n, "csv": csv.name, "stages": rows}, indent=2))
    print(f"\nstore and report in {work}")


if __name__ == "__main__":
    main()
