"""A store queried from several threads at once: each thread through its own DuckDB connection.

`Store.thread_connection` gives the calling thread a cursor of the store's connection (the same
database, its own connection) and an Ibis backend on it; `Store._con`, `Store.ibis`,
`Store.table` and `Store.execute` then use them in that thread only.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import ibis
import numpy as np
import pandas as pd
import pytest

from custlens.store import Store


@pytest.fixture
def big(tmp_path) -> Store:
    """200,000 orders of 1,000 customers, enough for DuckDB to run each query on several threads."""
    st = Store(tmp_path / "big.duckdb")
    n = 200_000
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(n)],
        "customer_id": [f"c{i % 1000}" for i in range(n)],
        "ordered_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 86400, n), unit="s"),
        "amount": np.round(rng.uniform(1, 100, n), 2),
    })
    st.append("orders", frame)
    yield st
    st.close()


def _per_customer(st: Store) -> pd.DataFrame:
    o = st.table("orders")
    expr = o.group_by("customer_id").aggregate(n=o.count(), total=o.amount.sum()).order_by("customer_id")
    return st.execute(expr)


def test_each_thread_gets_its_own_connection(big: Store) -> None:
    seen: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def work(name: str) -> None:
        with big.thread_connection():
            seen[name] = (big._con, big.ibis)
            barrier.wait()  # both inside at once
    threads = [threading.Thread(target=work, args=(k,)) for k in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cons = {id(v[0]) for v in seen.values()} | {id(big._con)}
    backends = {id(v[1]) for v in seen.values()} | {id(big.ibis)}
    assert len(cons) == 3 and len(backends) == 3  # two cursors and the store's own connection
    assert big._con is big._main_con and big.ibis is big._main_ibis  # outside: the store's own again


def test_two_threads_querying_at_once_get_correct_results(big: Store) -> None:
    expected = _per_customer(big)
    reference = big.read("orders").groupby("customer_id").agg(n=("amount", "size"), total=("amount", "sum"))
    assert expected["n"].tolist() == reference["n"].tolist()

    def work(_: int) -> list[pd.DataFrame]:
        with big.thread_connection():
            return [_per_customer(big) for _ in range(5)]

    with ThreadPoolExecutor(2) as pool:
        results = [frame for frames in pool.map(work, range(4)) for frame in frames]
    for got in results:
        pd.testing.assert_frame_equal(got[["customer_id", "n"]], expected[["customer_id", "n"]])
        np.testing.assert_allclose(got["total"], expected["total"], rtol=1e-12)


def test_registered_frames_and_temp_tables_belong_to_their_thread(big: Store) -> None:
    ready, done = threading.Event(), threading.Event()
    found: dict[str, object] = {}

    def owner() -> None:
        with big.thread_connection():
            big._con.register("_mine", pd.DataFrame({"x": [1, 2, 3]}))
            big._con.execute("CREATE TEMP TABLE _tmp AS SELECT 42 AS y")
            found["owner"] = big._con.execute("SELECT sum(x) FROM _mine").fetchall()[0][0]
            ready.set()
            done.wait(10)

    def other() -> None:
        ready.wait(10)
        with big.thread_connection():
            found["other_sees"] = big.exists("_tmp") or "_mine" in {r[0] for r in big._con.execute(
                "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()").fetchall()}
        done.set()

    threads = [threading.Thread(target=owner), threading.Thread(target=other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert found == {"owner": 6, "other_sees": False}


def test_an_expression_built_in_one_thread_runs_in_another(big: Store) -> None:
    """Ibis compiles an expression to SQL on the backend that executes it: a table expression made
    on the store's connection (e.g. a cached result) runs on a worker's cursor, memtables included."""
    o = big.table("orders")
    ids = ibis.memtable(pd.DataFrame({"cid": ["c1", "c2", "c3"]}))
    f = o.filter(o.customer_id.isin(ids.cid))
    expr = f.aggregate(n=f.count(), total=f.amount.sum())
    expected = big.execute(expr)

    def work(_: int) -> pd.DataFrame:
        with big.thread_connection():
            return big.execute(expr)

    with ThreadPoolExecutor(2) as pool:
        got = list(pool.map(work, range(4)))
    for frame in got:
        assert frame["n"].iloc[0] == expected["n"].iloc[0] == 600
        assert frame["total"].iloc[0] == pytest.approx(expected["total"].iloc[0], rel=1e-12)


def test_nested_thread_connection_keeps_the_cursor(big: Store) -> None:
    with big.thread_connection():
        con = big._con
        with big.thread_connection():
            assert big._con is con
        assert big._con is con
    assert big._con is big._main_con


def test_close_closes_the_cursors(tmp_path) -> None:
    st = Store(tmp_path / "s.duckdb")
    with st.thread_connection():
        cursor = st._con
    assert cursor.execute("SELECT 1").fetchall() == [(1,)]  # still open after the block
    st.close()
    with pytest.raises(Exception):
        cursor.execute("SELECT 1")
