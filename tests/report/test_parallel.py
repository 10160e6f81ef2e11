"""Sections built on two threads give the report a sequential build gives.

`build_report(workers=2)` runs the sections on worker threads (`custlens.report._threads`), each
querying the store through its own cursor, sharing the context's cache. Compared here with
``workers=1`` on the demo shop and on a synthetic shop of `bench/scale.py` (the simulation of
the 100k and 1M benchmarks, smaller): every section's title, texts, tables and figures' data,
and the HTML page apart from its time stamp. DuckDB's parallel sums of doubles are not bitwise
reproducible from one run to the next (two sequential builds differ in the last bits of a few
chart values too), so floats in tables and figures are compared to 1e-9 relative, texts exactly.
"""

from __future__ import annotations

import base64
import importlib.util
import re
import shutil
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pytest

from custlens import i18n
from custlens.errors import ConvergenceError
from custlens.report import ReportContext, Section, build_report, register_section
from custlens.report import builder, registry
from custlens.report._threads import run_parallel, thread_local_warnings
from custlens.report.blocks import Figure, Paragraph, Table
from custlens.store import Store

ROOT = Path(__file__).resolve().parents[2]

i18n.register({
    "report.test_par_ok.title": {"en": "Parallel fine", "zh": "并行正常"},
    "report.test_par_warn.title": {"en": "Parallel warning", "zh": "并行警告"},
    "report.test_par_bug.title": {"en": "Parallel bug", "zh": "并行缺陷"},
})


# -- comparing two builds -------------------------------------------------------------------------
def _same(a: Any, b: Any, where: str) -> None:
    """Equal values, floats (and float arrays) to 1e-9 relative."""
    if isinstance(a, dict) and set(a) >= {"bdata", "dtype"}:  # plotly's base64 arrays
        a, b = _decode(a), _decode(b)
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=0, obj=where)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype, where
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=0, equal_nan=True, err_msg=where)
        else:
            assert np.array_equal(a, b), where
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=0, nan_ok=True), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def _decode(packed: Any) -> Any:
    if not isinstance(packed, dict) or "bdata" not in packed:
        return packed
    arr = np.frombuffer(base64.b64decode(packed["bdata"]), dtype=packed["dtype"])
    shape = packed.get("shape")
    return arr.reshape([int(x) for x in str(shape).split(",")]) if shape else arr


def _content(section: Section) -> dict:
    """What a reader sees of a section: texts, the table frames, the figures' data and layout."""
    blocks = []
    for block in section.blocks:
        if isinstance(block, Table):
            blocks.append({"kind": "table", "frame": block.frame, "caption": block.caption,
                           "headers": dict(block.headers or {}), "formats": dict(block.formats or {})})
        elif isinstance(block, Figure):
            blocks.append({"kind": "figure", "caption": block.caption, "height": block.height,
                           "figure": block.figure.to_plotly_json()})
        else:
            blocks.append({k: v for k, v in vars(block).items()})
    return {"key": section.key, "title": section.title, "intro": section.intro, "missing": section.missing,
            "blocks": blocks}


def _assert_same_sections(seq: list[Section], par: list[Section]) -> None:
    assert [s.key for s in seq] == [s.key for s in par]
    for a, b in zip(seq, par):
        _same(_content(a), _content(b), a.key)


_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
_FLOAT = re.compile(r"-?\d+\.\d+(?:e-?\d+)?")
_BDATA = re.compile(r'"bdata":"[^"]*"')


def _page(path: Path) -> str:
    """The HTML without the generation time stamp; chart payloads compared by `_assert_same_sections`."""
    text = path.read_text(encoding="utf-8")
    return _FLOAT.sub("F", _BDATA.sub("B", _STAMP.sub("T", text)))


def _build_both(store: Store, out: Path, monkeypatch: pytest.MonkeyPatch, sections: list[str] | None = None,
                lang: str = "en") -> None:
    built: list[list[Section]] = []

    def run_sections(*args: Any, **kwargs: Any) -> list[Section]:
        built.append(registry.run_sections(*args, **kwargs))
        return list(built[-1])

    monkeypatch.setattr(builder, "run_sections", run_sections)
    for workers in (1, 2):
        build_report(store, out=out / f"w{workers}.html", lang=lang, sections=sections, workers=workers)
    _assert_same_sections(*built)
    assert _page(out / "w1.html") == _page(out / "w2.html")


@pytest.mark.slow
def test_parallel_report_equals_sequential_on_the_demo(demo_run, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_run.store_path, path)
    with Store(path, read_only=True) as st:
        _build_both(st, tmp_path, monkeypatch, lang="zh")


@pytest.fixture(scope="module")
def sim_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """`bench/scale.py`'s simulated shop (second time stamps, one-time buyers, long gaps), 3,000 customers."""
    from custlens.ingest import ingest

    spec = importlib.util.spec_from_file_location("custlens_bench_scale_par", ROOT / "bench" / "scale.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    folder = tmp_path_factory.mktemp("sim")
    csv = bench.simulate(3_000, 8.0, seed=5, directory=folder)
    with Store(folder / "shop.duckdb") as st:
        ingest(csv, st)
    st = Store(folder / "shop.duckdb", read_only=True)
    yield st
    st.close()


@pytest.mark.slow
def test_parallel_report_equals_sequential_on_a_simulated_shop(sim_shop: Store, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _build_both(sim_shop, tmp_path, monkeypatch)


@pytest.mark.slow
def test_parallel_sections_equal_sequential_ones_without_models(sim_shop: Store, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast part of the above (CI runs both): the sections without the CLV, churn and forecast fits."""
    keys = [s.key for s in registry.registered_sections() if s.key not in ("churn", "clv", "forecast")]
    _build_both(sim_shop, tmp_path, monkeypatch, sections=keys)


def test_workers_must_be_a_whole_number_of_at_least_one(shop: Store, tmp_path: Path) -> None:
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="must be a whole number >= 1"):
            build_report(shop, out=tmp_path / "r.html", workers=bad)


# -- errors ----------------------------------------------------------------------------------------
@pytest.fixture()
def clean_registry() -> Iterator[None]:
    registry._load_builtin_sections()
    saved = dict(registry._REGISTRY)
    yield
    registry._REGISTRY.clear()
    registry._REGISTRY.update(saved)


def test_a_failing_section_becomes_its_note_and_the_others_finish(shop: Store, clean_registry: None) -> None:
    @register_section("test_par_warn", order=1)
    def fails(ctx: ReportContext) -> Section:
        time.sleep(0.2)
        raise ConvergenceError("the model did not converge")

    @register_section("test_par_ok", order=2)
    def fine(ctx: ReportContext) -> Section:
        return Section(ctx.t("report.test_par_ok.title"), blocks=[Paragraph(str(len(ctx.customers())))])

    keys = ["test_par_warn", "test_par_ok", "kpis", "rfm"]
    seq = registry.run_sections(ReportContext(shop), keys, workers=1)
    par = registry.run_sections(ReportContext(shop), keys, workers=2)
    _assert_same_sections(seq, par)
    assert par[0].missing and "did not converge" in par[0].blocks[0].detail
    assert par[1].blocks[0].text == "4"


def test_a_bug_propagates_without_hanging_the_others(shop: Store, clean_registry: None) -> None:
    started: list[str] = []

    @register_section("test_par_bug", order=1)
    def bug(ctx: ReportContext) -> Section:
        raise ZeroDivisionError("a bug")

    @register_section("test_par_ok", order=2)
    def slow(ctx: ReportContext) -> Section:
        started.append("ok")
        time.sleep(0.3)
        return Section("ok")

    t0 = time.perf_counter()
    with pytest.raises(ZeroDivisionError, match="a bug"):
        registry.run_sections(ReportContext(shop), ["test_par_bug", "test_par_ok", "kpis", "rfm", "quality"],
                              workers=2)
    assert time.perf_counter() - t0 < 60


def test_the_first_failure_in_report_order_is_raised() -> None:
    def boom(exc: BaseException):
        def task() -> None:
            time.sleep(0.05 if isinstance(exc, KeyError) else 0.0)
            raise exc
        return task

    with pytest.raises(KeyError):  # the first task fails last, yet its error is the one raised
        run_parallel([boom(KeyError("first")), boom(ValueError("second"))], [0, 0], 2, init=_nothing)


def test_costliest_tasks_start_first() -> None:
    order: list[int] = []
    lock = threading.Lock()

    def task(i: int):
        def run() -> int:
            with lock:
                order.append(i)
            return i * 10
        return run

    out = run_parallel([task(i) for i in range(5)], [0, 5, 1, 9, 0], 1, init=_nothing)
    assert out == [0, 10, 20, 30, 40]  # results in the given order
    assert order == [3, 1, 2, 0, 4]  # started by cost, ties in the given order


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# -- native thread pools ---------------------------------------------------------------------------
def _pools() -> dict[str, int]:
    """Thread count of each loaded BLAS/OpenMP library, as the calling thread sees it."""
    from threadpoolctl import threadpool_info

    return {p["filepath"]: p["num_threads"] for p in threadpool_info()}


def test_thread_pools_are_one_per_section_and_restored_after(shop: Store, clean_registry: None) -> None:
    """Two sections whose ``threadpool_limits(1)`` windows overlap (the CLV fit of churn's features
    beside a clustering) left BLAS, a setting of the whole process, on one thread after the build:
    each window restored the value the other had set. Now BLAS is 1 for the parallel build and put
    back after it; OpenMP (per thread) is 1 in each section thread, the caller's unchanged."""
    from threadpoolctl import threadpool_limits

    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, dict[str, int]] = {}

    @register_section("test_par_ok", order=1)
    def first(ctx: ReportContext) -> Section:
        seen["a"] = _pools()
        with threadpool_limits(limits=1):
            a_in.set()
            assert b_in.wait(30)
        a_out.set()
        return Section("a")

    @register_section("test_par_warn", order=2)
    def second(ctx: ReportContext) -> Section:
        seen["b"] = _pools()
        assert a_in.wait(30)
        with threadpool_limits(limits=1):
            b_in.set()
            assert a_out.wait(30)
        return Section("b")

    import sklearn  # noqa: F401  (its OpenMP runtime)

    before = _pools()
    if 1 in before.values():  # e.g. a one-core machine: a restored value cannot be told from 1
        pytest.skip(f"BLAS/OpenMP run one thread by default here ({before})")
    registry.run_sections(ReportContext(shop), ["test_par_ok", "test_par_warn"], workers=2)
    assert _pools() == before
    assert set(seen["a"].values()) == set(seen["b"].values()) == {1}
    assert seen["a"].keys() == before.keys()


# -- warnings --------------------------------------------------------------------------------------
def test_each_thread_records_its_own_warnings() -> None:
    """Without `thread_local_warnings`, two ``catch_warnings(record=True)`` blocks on two threads
    record each other's warnings, lose their own and leave the process recording into a dead list."""
    logs: dict[str, list[str]] = {}
    barrier = threading.Barrier(3)

    def work(name: str) -> None:
        with warnings.catch_warnings(record=True) as log:
            warnings.simplefilter("always")
            barrier.wait()
            for i in range(20):
                warnings.warn(f"{name}{i}", RuntimeWarning)
                time.sleep(0.001)
            barrier.wait()
        logs[name] = [str(w.message) for w in log]

    filters = list(warnings.filters)
    with thread_local_warnings():
        threads = [threading.Thread(target=work, args=(n,)) for n in "abc"]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert logs == {n: [f"{n}{i}" for i in range(20)] for n in "abc"}
    assert warnings.filters == filters and type(warnings).__name__ == "module"
    with pytest.warns(UserWarning, match="still seen"):  # the process's recording works as before
        warnings.warn("still seen", UserWarning)
