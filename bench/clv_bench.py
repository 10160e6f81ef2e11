"""CLV benchmark: custlens vs lifetimes 0.11.3, side by side in one run.

    .venv/bin/python bench/clv_bench.py [--quick] [--lt-reps 3] [--only continuous|day]

Two kinds of data, both simulated from the models' own processes:

* continuous time (time-stamp precision): T from second-resolution first-purchase times,
  recency rounded to the second, in days; nearly every row is distinct, so compression
  cannot help and the compiled kernels (custlens.clv._kernels*) do the work. BG/NBD and
  MBG/NBD on 1,000,000 customers, Pareto/NBD on 100,000;
* day resolution (weeks of whole days), which compresses to few distinct rows.

Both sides are timed in-process (custlens in this process, lifetimes inside its own
process, fit only, no start-up or data loading), median of repeated fits; the numba
compile time of custlens' kernels is measured apart, in a fresh process with an empty
cache, and the fits are timed after it. The same optimum is checked: lifetimes'
parameters are scored with custlens' log-likelihood (relative difference <= 1e-6) and
the parameters compared (relative difference <= 1e-4).

lifetimes runs in its own virtual environment (/tmp/lt, created here when missing with
``pip install "numpy<2" "pandas<2.2" "scipy<1.14" "pyarrow<18" lifetimes==0.11.3``), called
through a subprocess on the same simulated data (written to a temporary .npz file).
Prints medians (wall clock, and CPU time of the fitting process: the machine may be shared),
ratios, the number of unique (frequency, recency, T) rows the fit works on, the fitted
parameters and log-likelihoods of both, and the peak RSS of the 10M fit.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

# Measure the checkout this file lives in, not whichever custlens the interpreter has installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

LT = Path("/tmp/lt")
LT_PY = LT / "bin" / "python"

LT_SCRIPT = r"""
import json, sys, time, numpy as np, pandas as pd
from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter
d = np.load(sys.argv[1]); kind = sys.argv[2]; reps = int(sys.argv[3])
fitter = {"bgnbd": BetaGeoFitter, "mbgnbd": ModifiedBetaGeoFitter, "pnbd": ParetoNBDFitter}[kind]
times, cpu = [], []
for _ in range(reps):
    f = fitter()
    t, c = time.perf_counter(), time.process_time()
    f.fit(pd.Series(d["x"]), pd.Series(d["tx"]), pd.Series(d["T"]))
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
print(json.dumps({"times": times, "cpu": cpu, "params": {k: float(v) for k, v in f.params_.items()}}))
"""


def ensure_lifetimes() -> None:
    if LT_PY.exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(LT)], check=True)
    subprocess.run([str(LT / "bin" / "pip"), "install", "-q", "numpy<2", "pandas<2.2", "scipy<1.14",
                    "pyarrow<18", "lifetimes==0.11.3"], check=True)


def simulate(kind: str, n: int, seed: int = 0) -> pd.DataFrame:
    """Weekly data as summary_from_transactions gives it: T and recency in whole days / 7."""
    from custlens.clv.simulate import simulate_bgnbd, simulate_pareto_nbd

    rng = np.random.default_rng(seed)
    age = rng.integers(1, 365, n) / 7.0
    if kind == "bgnbd":
        d = simulate_bgnbd(n, 0.243, 4.414, 0.793, 2.426, T=age, random_state=seed)
    else:
        d = simulate_pareto_nbd(n, 0.553, 10.578, 0.606, 11.669, T=age, random_state=seed)
    d["recency"] = np.minimum(np.round(d["recency"] * 7) / 7, d["T"])
    return d[["frequency", "recency", "T"]]


TRUE = {"bgnbd": (0.243, 4.414 * 7, 0.793, 2.426), "mbgnbd": (0.243, 4.414 * 7, 0.793, 2.426),
        "pnbd": (0.553, 10.578 * 7, 0.606, 11.669 * 7)}  # CDNOW's fits, in days


def simulate_continuous(kind: str, n: int, seed: int = 0) -> pd.DataFrame:
    """Time-stamp precision: first purchases at whole seconds over a year, in days."""
    from custlens.clv.simulate import simulate_bgnbd, simulate_pareto_nbd

    rng = np.random.default_rng(seed)
    age = rng.integers(86_400, 365 * 86_400, n) / 86_400.0
    if kind == "pnbd":
        d = simulate_pareto_nbd(n, *TRUE[kind], T=age, random_state=seed)
    else:
        d = simulate_bgnbd(n, *TRUE[kind], T=age, modified=kind == "mbgnbd", random_state=seed)
    d["recency"] = np.minimum(np.round(d["recency"] * 86_400) / 86_400, d["T"])
    return d[["frequency", "recency", "T"]]


def compile_time() -> None:
    """First-call numba compile time (empty cache) and the cached load, in fresh processes."""
    code = (
        "import time, sys; sys.path.insert(0, %r)\n"
        "from clv_bench import simulate_continuous\n"
        "from custlens.clv import BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel\n"
        "d = simulate_continuous('bgnbd', 2000)\n"
        "t = time.perf_counter(); BetaGeoModel().fit(d); ModifiedBetaGeoModel().fit(d)\n"
        "bg = time.perf_counter() - t\n"
        "t = time.perf_counter(); ParetoNBDModel().fit(d); pn = time.perf_counter() - t\n"
        "print(bg, pn)\n"
    ) % str(Path(__file__).parent)
    with tempfile.TemporaryDirectory() as cache:
        for label in ("empty cache (compiles)", "warm cache"):
            env = {**os.environ, "NUMBA_CACHE_DIR": cache}
            out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                 text=True, env=env)
            bg, pn = map(float, out.stdout.split())
            print(f"numba kernels, first fits in a fresh process, {label}: BG/NBD+MBG/NBD {bg:.2f} s, "
                  f"Pareto/NBD {pn:.2f} s (2,000 customers)")


def time_custlens(model_cls: type, data: pd.DataFrame, reps: int) -> tuple[list[float], list[float], object]:
    times, cpu, model = [], [], None
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        model = model_cls().fit(data)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return times, cpu, model


def time_lifetimes(kind: str, data: pd.DataFrame, reps: int) -> tuple[list[float], list[float], dict]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.npz"
        np.savez(path, x=data["frequency"].to_numpy(), tx=data["recency"].to_numpy(), T=data["T"].to_numpy())
        out = subprocess.run([str(LT_PY), "-c", LT_SCRIPT, str(path), kind, str(reps)],
                             check=True, capture_output=True, text=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return res["times"], res["cpu"], res["params"]


def fmt(params: dict) -> str:
    return ", ".join(f"{k}={v:.4f}" for k, v in params.items())


def compare(kind: str, n: int, reps: int, lt_reps: int, continuous: bool = False) -> None:
    from custlens.clv import BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel

    data = simulate_continuous(kind, n) if continuous else simulate(kind, n)
    cls = {"bgnbd": BetaGeoModel, "mbgnbd": ModifiedBetaGeoModel, "pnbd": ParetoNBDModel}[kind]
    cls().fit(data.head(2000))  # kernels compiled / loaded before timing (compile_time() reports it)
    ours, ours_cpu, model = time_custlens(cls, data, reps)
    theirs, theirs_cpu, p_lt = time_lifetimes(kind, data, lt_reps)
    m_ours, m_lt = statistics.median(ours), statistics.median(theirs)
    c_ours, c_lt = statistics.median(ours_cpu), statistics.median(theirs_cpu)
    label = "continuous" if continuous else "day-resolution"
    print(f"fit {kind} {label} n={n:,} ({model.n_unique_:,} rows fitted): custlens {m_ours:.3f} s "
          f"(runs {', '.join(f'{t:.3f}' for t in ours)}), lifetimes {m_lt:.3f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in theirs)}), ratio {m_lt / m_ours:.1f}x; "
          f"CPU {c_ours:.3f} s vs {c_lt:.3f} s, ratio {c_lt / c_ours:.1f}x")
    # both parameter sets scored with the same (custlens) log-likelihood
    theta_lt = np.array([p_lt[k] for k in cls._param_names])
    ll_lt = float(np.sum(cls._loglik(theta_lt, tuple(
        data[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T")))[0]))
    rel_ll = abs(ll_lt - model.log_likelihood_) / abs(model.log_likelihood_)
    rel_p = max(abs(p_lt[k] - v) / abs(v) for k, v in model.params_.items())
    same = "same optimum" if rel_ll <= 1e-6 and rel_p <= 1e-4 else "DIFFERENT OPTIMUM"
    if model.log_likelihood_ >= ll_lt and rel_p > 1e-4:
        same += f" (custlens' log-lik is higher by {model.log_likelihood_ - ll_lt:.2e}: lifetimes stopped short)"
    print(f"    custlens  {fmt(model.params_)}, log-lik {model.log_likelihood_:.4f}\n"
          f"    lifetimes {fmt(p_lt)}, log-lik {ll_lt:.4f}\n"
          f"    {same}: log-lik rel. diff {rel_ll:.1e} (<= 1e-6), params max rel. diff {rel_p:.1e} (<= 1e-4)")


def scoring(n: int, reps: int, continuous: bool = False) -> None:
    from custlens.clv import BetaGeoModel, score_customers
    from custlens.clv.simulate import simulate_spend

    data = simulate_continuous("bgnbd", n, seed=1) if continuous else simulate("bgnbd", n, seed=1)
    data["monetary_value"] = simulate_spend(data["frequency"], 6.25, 3.74, 15.44, random_state=1)
    # CDNOW's parameters in the data's unit: days (continuous) or weeks (day resolution)
    r, alpha, a, b = TRUE["bgnbd"] if continuous else (0.243, 4.414, 0.793, 2.426)
    unit = "D" if continuous else "W"
    model = BetaGeoModel.from_params(r=r, alpha=alpha, a=a, b=b)
    score_customers(model, data.head(1000), horizon_months=12, time_unit=unit)  # numba load, untimed
    times, cpu = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        score_customers(model, data, horizon_months=12, time_unit=unit)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    label = "continuous" if continuous else "day-resolution"
    print(f"score {label} n={n:,} (expected purchases, P(alive), 12-month CLV): "
          f"median {statistics.median(times):.3f} s (CPU {statistics.median(cpu):.3f} s)")


def big_fit(n: int) -> None:
    code = (
        "import resource, time, sys; sys.path.insert(0, %r)\n"
        "from clv_bench import simulate\n"
        "from custlens.clv import BetaGeoModel\n"
        "d = simulate('bgnbd', %d)\n"
        "t = time.perf_counter(); m = BetaGeoModel().fit(d); el = time.perf_counter() - t\n"
        "print(el, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, m.params_)\n"
    ) % (str(Path(__file__).parent), n)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    el, rss, params = out.stdout.split(" ", 2)
    print(f"fit bgnbd n={n:,}: {float(el):.2f} s, peak RSS {float(rss):.0f} MiB (incl. data simulation) {params.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (CI smoke run)")
    parser.add_argument("--reps", type=int, default=5, help="custlens fits per task (median)")
    parser.add_argument("--lt-reps", type=int, default=3, help="lifetimes fits per task (median)")
    parser.add_argument("--only", choices=["continuous", "day", "score"], help="run one part only")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    if args.only == "score":  # custlens only: lifetimes has no fast scoring to compare with
        scoring(1_000_000 // scale, reps=args.reps, continuous=True)
        scoring(1_000_000 // scale, reps=args.reps)
        return
    ensure_lifetimes()
    import custlens
    from custlens.clv import _kernels

    print(f"custlens from {Path(custlens.__file__).parent}; compiled kernels: {_kernels.available()}")
    scale = 10 if args.quick else 1
    if args.only != "day":
        compile_time()
        for kind, n in (("bgnbd", 1_000_000), ("mbgnbd", 1_000_000), ("pnbd", 100_000)):
            compare(kind, n // scale, reps=args.reps, lt_reps=args.lt_reps, continuous=True)
        scoring(1_000_000 // scale, reps=5, continuous=True)
    if args.only != "continuous":
        compare("bgnbd", 1_000_000 // scale, reps=args.reps, lt_reps=args.lt_reps)
        compare("pnbd", 100_000 // scale, reps=args.reps, lt_reps=args.lt_reps)
        scoring(1_000_000 // scale, reps=5)
        big_fit(10_000_000 // scale)


if __name__ == "__main__":
    main()
