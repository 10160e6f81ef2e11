"""Bounded load test of `custlens serve` on loopback: latency and throughput of the 360 and scoring.

Starts ``custlens serve`` (uvicorn) in a subprocess on 127.0.0.1 and a free port, polls
``/api/status`` until the customer index is ready (timed from launch, with the server's RSS), runs
the 360 at once (the CLV and churn models are then still being fitted in the background, as a
user would meet the server), waits for the models (``--models-timeout``; the fit times come from
``/api/status``), then runs the score endpoint. Requests are sent at a fixed rate
(open loop: a request's latency counts from its scheduled start, so queueing shows) with a
fixed request count and a time cap. Prints p50/p99 latency, the throughput reached and the
errors, one line per endpoint, and a Markdown row for bench/README.md.

    python bench/serve_load.py --store custlens_demo/custlens.duckdb
    python bench/serve_load.py --demo-customers 100000 --rate 50 --requests 3000 --cap 60

The 360 goal: p99 < 50 ms at 50 requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(store: Path, port: int, token: str) -> subprocess.Popen:
    env = {**os.environ, "CUSTLENS_TOKEN": token}
    src = Path(__file__).resolve().parents[1] / "src"
    env["PYTHONPATH"] = f"{src}{os.pathsep}{env.get('PYTHONPATH', '')}"
    return subprocess.Popen([sys.executable, "-c", "from custlens.cli import app; app()", "serve", "--store",
                             str(store), "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _rss_gb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of the server process (GB), from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return tuple(int(fields[k].split()[0]) / 1e6 for k in ("VmRSS", "VmHWM"))  # type: ignore[return-value]


def _wait(client: httpx.Client, proc: subprocess.Popen, what: str, timeout: float) -> dict | None:
    """Poll ``/api/status`` until ``what`` (``index`` or ``models``) is ready; None after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            r = client.get("/api/status")
            if r.status_code == 200:
                status = r.json()
                if status[what] == "failed":
                    raise SystemExit(f"{what} failed on this store: {status}")
                if status[what] == "ready":
                    return status
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    return None


async def _run(base: str, token: str, make: list, rate: float, n: int, cap: float) -> dict:
    """Send ``n`` requests at ``rate`` per second (stopping after ``cap`` seconds)."""
    lat: list[float] = []
    late: list[bool] = []  # the request was due after the first `warmup` seconds
    warmup = 10.0
    errors = 0
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=cap,
                                 limits=limits) as client:
        start = time.perf_counter()

        async def one(i: int) -> None:
            nonlocal errors
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            method, url, body = make[i % len(make)]
            try:
                r = await client.request(method, url, json=body)
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                lat.append(time.perf_counter() - due)
                late.append(i / rate >= warmup)
            else:
                errors += 1

        tasks = [asyncio.create_task(one(i)) for i in range(n)]
        done, pending = await asyncio.wait(tasks, timeout=cap)
        for t in pending:
            t.cancel()
        elapsed = time.perf_counter() - start
    ms = np.array(lat) * 1000
    return {"sent": len(done), "ok": len(lat), "errors": errors, "unfinished": len(pending),
            "elapsed_s": elapsed, "throughput": len(lat) / elapsed,
            "p50_ms": float(np.percentile(ms, 50)) if len(ms) else float("nan"),
            "p99_ms": float(np.percentile(ms, 99)) if len(ms) else float("nan"),
            "p99_after_10s_ms": float(np.percentile(ms[np.array(late, bool)], 99)) if any(late) else float("nan")}


def _ids(client: httpx.Client, total: int, k: int = 1000) -> list[str]:
    """About ``k`` customer ids spread over the whole sorted id list (search pages at even offsets)."""
    ids: list[str] = []
    pages = 10
    for off in range(0, total, max(total // pages, 1)):
        ids += [x["customer_id"] for x in client.get(f"/api/customers?offset={off}&limit={k // pages}").json()["customers"]]
    return ids


def _score_bodies(client: httpx.Client, ids: list[str], k: int) -> list:
    """Histories of real customers (their recent orders) to post to /api/score."""
    bodies = []
    for cid in ids[:k]:
        d = client.get(f"/api/customers/{cid}").json()
        orders = [{"ordered_at": o["ordered_at"], "amount": o["amount"]} for o in d["recent_orders"]]
        if orders:
            bodies.append(("POST", "/api/score", {"orders": orders}))
    return bodies


def _line(name: str, rate: float, r: dict) -> str:
    return (f"{name:>5}: {r['ok']:,} ok, {r['errors']} errors, {r['unfinished']} unfinished in {r['elapsed_s']:.1f} s "
            f"at {rate:g}/s offered -> {r['throughput']:.1f}/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms "
            f"(p99 of requests due after the first 10 s: {r['p99_after_10s_ms']:.1f} ms)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, help="a store; default: build a demo store")
    ap.add_argument("--demo-customers", type=int, default=2000, help="size of the demo store to build")
    ap.add_argument("--rate", type=float, default=50.0, help="360 requests per second")
    ap.add_argument("--requests", type=int, default=3000, help="360 requests (fixed count)")
    ap.add_argument("--score-rate", type=float, default=2.0, help="score requests per second")
    ap.add_argument("--score-requests", type=int, default=60, help="score requests (fixed count)")
    ap.add_argument("--cap", type=float, default=60.0, help="time cap of each run, seconds")
    ap.add_argument("--ready-timeout", type=float, default=900.0, help="seconds to wait for the customer index")
    ap.add_argument("--models-timeout", type=float, default=1800.0,
                    help="seconds to wait (after the 360 run) for the CLV and churn fits; the score run is skipped after it")
    ap.add_argument("--after-models", action="store_true",
                    help="run the 360 after the fits (default: at once, while the models are fitted)")
    args = ap.parse_args()

    store = args.store
    if store is None:
        from custlens.pipeline import run_demo

        out = Path(tempfile.mkdtemp(prefix="custlens-load-"))
        t = time.perf_counter()
        store = run_demo(out, customers=args.demo_customers, seed=7, report=False).store_path
        print(f"demo store of {args.demo_customers:,} customers built in {time.perf_counter() - t:.0f} s: {store}")
    token, port = secrets.token_urlsafe(24), _free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    t0 = time.perf_counter()
    proc = _start(store, port, token)
    runs: dict[str, dict] = {}
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as c:
            status = _wait(c, proc, "index", args.ready_timeout)
            if status is None:
                raise SystemExit(f"the customer index was not ready within {args.ready_timeout:.0f} s")
            rss, peak = _rss_gb(proc.pid)
            print(f"index ready {time.perf_counter() - t0:.1f} s after launch (build {status['seconds'].get('index')} s); "
                  f"server RSS {rss:.2f} GB (peak {peak:.2f} GB); models: {status['models']}")
            if args.after_models and _wait(c, proc, "models", args.models_timeout) is None:
                raise SystemExit(f"models not fitted within {args.models_timeout:g} s")
            n_customers = c.get("/api/customers?limit=1").json()["total"]
            ids = _ids(c, n_customers)
            random.Random(0).shuffle(ids)
            runs["360"] = asyncio.run(_run(base, token, [("GET", f"/api/customers/{i}", None) for i in ids],
                                           args.rate, args.requests, args.cap))
            models_during = c.get("/api/status").json()["models"]
            print(_line("360", args.rate, runs["360"]) + f"  (models {models_during} at the end of the run)")
            status = _wait(c, proc, "models", args.models_timeout)
            if status is None:
                print(f"models not fitted {time.perf_counter() - t0:.0f} s after launch (--models-timeout "
                      f"{args.models_timeout:g} s): score endpoint not measured")
            else:
                rss, peak = _rss_gb(proc.pid)
                print(f"models ready {time.perf_counter() - t0:.1f} s after launch (fits {status['seconds']}); "
                      f"server RSS {rss:.2f} GB (peak {peak:.2f} GB)")
                bodies = _score_bodies(c, ids, 50)
                runs["score"] = asyncio.run(_run(base, token, bodies, args.score_rate, args.score_requests, args.cap))
                print(_line("score", args.score_rate, runs["score"]))
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:  # requests still queued in the server's thread pool
            proc.kill()
            proc.wait()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, rate in (("360", args.rate), ("score", args.score_rate)):
        if name in runs:
            r = runs[name]
            print(f"| {n_customers:,} | {name} | {rate:g}/s | {r['ok']:,}/{r['sent']:,} | {r['throughput']:.1f}/s "
                  f"| {r['p50_ms']:.1f} | {r['p99_ms']:.1f} |")


if __name__ == "__main__":
    main()
