"""Forecast many demand series at once: hundreds of product series of the demo shop.

    .venv/bin/python bench/forecast_bench.py                      # 5,000-customer demo, products, weekly
    .venv/bin/python bench/forecast_bench.py --store custlens.duckdb --by category --freq D

Reports the numba compile warm-up (statsforecast's first model fit in the process) apart
from the timed run: building the series in the store (one query), and the backtest plus
forecast over all series (one StatsForecast call each, ``n_jobs=1``). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="A store (default: generate the demo shop in a temp folder).")
    ap.add_argument("--customers", type=int, default=5000)
    ap.add_argument("--by", default="product_id", choices=["category", "product_id", "brand"])
    ap.add_argument("--freq", default="W", choices=["D", "W", "M"])
    ap.add_argument("--horizon", type=int, default=4, help="Periods to forecast.")
    ap.add_argument("--windows", type=int, default=2)
    ap.add_argument("--models", default="", help="Comma-separated (default: custlens' choice for categories).")
    args = ap.parse_args()

    from custlens.forecast import DEFAULT_MODELS, build_series, forecast_frame
    from custlens.store import Store

    t0 = time.perf_counter()
    if args.store:
        path = Path(args.store)
    else:
        from custlens.pipeline import run_demo

        path = run_demo(Path(tempfile.mkdtemp()), customers=args.customers, seed=42, report=False).store_path
    setup = time.perf_counter() - t0

    # Warm-up: the first fit of each model compiles statsforecast's numba code.
    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    toy = pd.DataFrame({"unique_id": "toy", "ds": pd.date_range("2024-01-01", periods=120, freq="D"),
                        "y": rng.poisson(10, 120).astype(float)})
    models = [m for m in args.models.split(",") if m] or list(DEFAULT_MODELS[("category", args.freq)])
    forecast_frame(toy, "D", 7, models=models, n_windows=1)
    warmup = time.perf_counter() - t0

    with Store(path, read_only=True) as st:
        t0 = time.perf_counter()
        series = build_series(st, "category", args.freq, by=args.by)
        t_series = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = forecast_frame(series, args.freq, args.horizon, models=models, n_windows=args.windows)
    t_fc = time.perf_counter() - t0
    n = series["unique_id"].nunique()
    print(json.dumps({
        "series": n,
        "periods_per_series": int(len(series) / n),
        "freq": args.freq,
        "by": args.by,
        "models": models,
        "horizon": args.horizon,
        "windows": res.n_windows,
        "chosen": res.model,
        "backtest": {r.model: {"mase": round(r.mase, 3), "smape": round(r.smape, 2)}
                     for r in res.backtest.itertuples()},
        "seconds": {"demo_setup": round(setup, 2), "numba_warmup": round(warmup, 2),
                    "build_series": round(t_series, 2), "backtest_and_forecast": round(t_fc, 2),
                    "per_series_ms": round(1000 * t_fc / n, 1)},
    }, indent=2))


if __name__ == "__main__":
    main()
