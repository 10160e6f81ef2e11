"""`ReportContext.cached` under threads: one computation per key, waits, failures, nesting."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from custlens.report import ReportContext
from custlens.store import Store


@pytest.fixture
def ctx(tmp_path) -> ReportContext:
    st = Store(tmp_path / "empty.duckdb")
    yield ReportContext(st)
    st.close()


def test_one_computation_per_key_under_threads(ctx: ReportContext) -> None:
    calls: list[int] = []

    def compute() -> object:
        calls.append(threading.get_ident())
        time.sleep(0.2)  # long enough for every thread to ask while it runs
        return object()

    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: ctx.cached("k", compute), range(16)))
    assert len(calls) == 1
    assert all(g is got[0] for g in got)
    assert ctx.cache == {"k": got[0]} and ctx._pending == {}


def test_different_keys_compute_at_the_same_time(ctx: ReportContext) -> None:
    barrier = threading.Barrier(2, timeout=10)  # each computation waits for the other: no global lock

    def compute(name: str) -> str:
        barrier.wait()
        return name

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(lambda k: ctx.cached(k, lambda: compute(k)), ["a", "b"])) == ["a", "b"]


def test_a_failed_computation_is_retried_by_the_waiting_thread(ctx: ReportContext) -> None:
    """As in a sequential build, where the next section asking computes the key again."""
    started = threading.Event()
    calls: list[str] = []

    def failing() -> str:
        calls.append("first")
        started.set()
        time.sleep(0.2)
        raise RuntimeError("first try fails")

    def second() -> str:
        calls.append("second")
        return "value"

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(ctx.cached, "k", failing)
        started.wait(10)
        waiter = pool.submit(ctx.cached, "k", second)
        with pytest.raises(RuntimeError, match="first try fails"):
            first.result(10)
        assert waiter.result(10) == "value"
    assert calls == ["first", "second"] and ctx.cache["k"] == "value" and ctx._pending == {}


def test_nested_keys_across_threads_do_not_deadlock(ctx: ReportContext) -> None:
    """Thread 1 computes "outer", which needs "inner"; thread 2 computes "inner" meanwhile."""
    inner_started = threading.Event()

    def inner() -> int:
        inner_started.set()
        time.sleep(0.2)
        return 1

    def outer() -> int:
        inner_started.wait(10)
        return ctx.cached("inner", lambda: 99) + 1  # waits for thread 2's value, computes nothing

    with ThreadPoolExecutor(2) as pool:
        b = pool.submit(ctx.cached, "inner", inner)
        a = pool.submit(ctx.cached, "outer", outer)
        assert a.result(10) == 2 and b.result(10) == 1


def test_a_thread_asking_again_for_its_own_key_computes_it(ctx: ReportContext) -> None:
    """A sequential build would compute it again too (the key is not stored yet): no self-deadlock."""
    def outer() -> str:
        return "outer:" + ctx.cached("k", lambda: "inner")

    assert ctx.cached("k", outer) == "outer:inner"
    assert ctx.cache["k"] == "outer:inner" and ctx._pending == {}
