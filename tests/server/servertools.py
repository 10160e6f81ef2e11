"""Helpers of the server tests: the token, a hostile store, a live server on a free port."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from custlens.store import Store

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: Customer ids and values a spreadsheet or a browser would run.
SCRIPT_ID = "<script>alert(1)</script>"
FORMULA_ID = "=HYPERLINK(\"http://x\",\"y\")"
FORMULA_CITY = "@SUM(A1:A2)"


def hostile_store(path: Path) -> Path:
    """A small store whose ids and profile values are HTML and spreadsheet formulas."""
    from custlens.ingest import ingest

    rng = pd.Timestamp("2024-01-01")
    rows = []
    ids = [SCRIPT_ID, FORMULA_ID, "-1+1", "plain"] + [f"c{i:02d}" for i in range(20)]
    for k, cid in enumerate(ids):
        for j in range(1 + k % 3):
            rows.append({"order_id": f"o{k}_{j}", "customer_id": cid,
                         "ordered_at": rng + pd.Timedelta(days=7 * k + 30 * j), "amount": 10.0 + k + j})
    st = Store(path)
    ingest(pd.DataFrame(rows), st, table="orders")
    ingest(pd.DataFrame({"customer_id": ids, "city": [FORMULA_CITY] * len(ids)}), st, table="customers")
    st.close()
    return path


@contextlib.contextmanager
def live_server(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 and a free port in a thread; yields the base URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
