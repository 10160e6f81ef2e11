"""The start of ``custlens report``: the customer table built on a thread while the modules import.

`custlens.commands._report_start` must change nothing but the time: the build on the thread
equals `build_customer_table` on the caller's connection; the report (HTML text, saved CLV
scores) equals the one of the serial start it replaced (kept here by patching
`start_customer_build` to start nothing, which makes the command build on the writable store as
before); errors reach the user with the same exit code and message; no thread outlives the
command. On the demo shop and on the toy shop (one-time buyers, a prospect without orders, too few
customers for CLV, an ``--as-of`` before every order: an empty customer table).
"""

from __future__ import annotations

import base64
import re
import shutil
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from custlens.cli import app
from custlens.commands import _report_start
from custlens.commands._report_start import EarlyBuild, start_customer_build
from custlens.errors import MissingDataError
from custlens.features import purchase_days
from custlens.features.purchase_days import build_customer_table
from custlens.store import Store

runner = CliRunner()
THREAD = "custlens-customer-build"


def _same_build(a: purchase_days.CustomerBuild, b: purchase_days.CustomerBuild) -> None:
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    assert a.days.as_of == b.days.as_of
    for name in ("customer_id", "start", "day", "total", "orders"):
        x, y = getattr(a.days, name), getattr(b.days, name)
        assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name


def _no_build_thread() -> bool:
    return not any(t.name == THREAD and t.is_alive() for t in threading.enumerate())


@pytest.mark.parametrize("as_of", [None, "2024-03-01"])
def test_thread_build_equals_the_build_on_the_callers_connection(toy: Store, as_of: str | None) -> None:
    early = start_customer_build(toy, None if as_of is None else pd.Timestamp(as_of))
    assert early is not None
    toy.count("orders")  # the caller's connection stays usable while the thread builds
    got = early.result()
    assert _no_build_thread()
    _same_build(got, build_customer_table(toy, as_of))


def test_thread_build_equals_on_the_demo_shop(demo: Store) -> None:
    got = start_customer_build(demo, None).result()
    _same_build(got, build_customer_table(demo))


def test_errors_are_the_builds_own(toy: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's exception itself (type, message) is raised in the caller's thread."""
    raised = MissingDataError("the store has no orders yet; load them with `custlens ingest FILE`")

    def broken(store: Store, as_of: object = None) -> None:
        raise raised

    monkeypatch.setattr(purchase_days, "build_customer_table", broken)
    early = start_customer_build(toy, None)
    with pytest.raises(MissingDataError) as handed:
        early.result()
    assert handed.value is raised
    assert early.value() is None and _no_build_thread()


def test_an_as_of_before_every_order_gives_the_same_empty_table(toy: Store) -> None:
    when = pd.Timestamp("2023-01-01")
    got = start_customer_build(toy, when).result()
    assert got.frame.empty
    _same_build(got, build_customer_table(toy, when))


def test_nothing_starts_without_orders(store: Store) -> None:
    assert start_customer_build(store, None) is None


def test_wait_joins_the_thread(toy: Store) -> None:
    early = EarlyBuild(toy, None).start()
    early.wait()
    assert _no_build_thread() and early.value() is not None


# -- the command, early start against the serial start ---------------------------------------------
def _serial(monkeypatch: pytest.MonkeyPatch) -> None:
    """The start before this module: nothing built early, the command builds on the writable store."""
    monkeypatch.setattr(_report_start, "start_customer_build", lambda store, as_of: None)


_NUMBER = re.compile(r"((?<![\w.])-?\d+\.\d+(?:e[-+]?\d+)?|\bnan\b)")


def _page(html: str) -> tuple[list[str], np.ndarray]:
    """The page as (its text between decimal numbers, those numbers), time stamp (minutes) blanked.

    DuckDB's parallel sums of doubles are not bitwise reproducible from run to run: two reports of
    the same code differ in the last bits of a few chart values (e.g. the cohorts' heat map), so
    the numbers (plotly's base64 arrays decoded) are compared to 1e-9 relative and the rest exactly.
    """
    def arrays(m: re.Match) -> str:
        values = np.frombuffer(base64.b64decode(m.group(2).replace("\\u002f", "/")), dtype=m.group(1))
        shown = ",".join(repr(float(v)) for v in values) if values.dtype.kind == "f" else values.tolist()
        return f'"dtype":"{m.group(1)}","values":[{shown}]'

    html = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "<time>", html)
    parts = _NUMBER.split(re.sub(r'"dtype":"([a-z]\d)","bdata":"([^"]*)"', arrays, html))
    return parts[::2], np.array([float(x) for x in parts[1::2]])


def _same_page(a: tuple[list[str], np.ndarray], b: tuple[list[str], np.ndarray], where: str) -> None:
    assert a[0] == b[0], f"{where}: the pages' texts differ"
    assert a[1].shape == b[1].shape and np.allclose(a[1], b[1], rtol=1e-9, atol=0, equal_nan=True), \
        f"{where}: the pages' numbers differ"


def _report(path: Path, out: Path, *extra: str) -> tuple[int, str, tuple[list[str], np.ndarray]]:
    res = runner.invoke(app, ["report", "--store", str(path), "--out", str(out), "--no-excel", *extra])
    html = out / "report_en.html"
    return res.exit_code, res.output, _page(html.read_text(encoding="utf-8") if html.exists() else "")


def _scores(path: Path) -> pd.DataFrame:
    with Store(path, read_only=True) as st:
        if not st.exists("clv_scores"):
            return pd.DataFrame()
        return st.read("clv_scores").sort_values("customer_id", ignore_index=True)


def _pair(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str, code: int = 0) -> None:
    """The report of a copy of ``src`` with the early start and of another copy without it, twice
    (the first report saves the CLV scores, the second reads them): everything equal."""
    paths = {}
    for name in ("early", "serial"):
        (tmp_path / name).mkdir()
        paths[name] = tmp_path / name / "shop.duckdb"  # same file name: the page shows it
        shutil.copy(src, paths[name])
    for run in (1, 2):
        early = _report(paths["early"], tmp_path / "early" / f"rep{run}", *extra)
        assert _no_build_thread()
        with monkeypatch.context() as m:
            _serial(m)
            serial = _report(paths["serial"], tmp_path / "serial" / f"rep{run}", *extra)
        assert early[0] == serial[0] == code, (early[1], serial[1])
        assert early[1].replace("early", "serial") == serial[1]
        _same_page(early[2], serial[2], f"run {run}")
        assert (len(early[2][0]) > 1) == (code == 0)  # a page exactly when the command succeeded
        pd.testing.assert_frame_equal(_scores(paths["early"]), _scores(paths["serial"]), check_exact=True)


@pytest.mark.slow  # four demo reports: ~1 min on an idle machine
def test_report_equals_the_serial_start_on_the_demo_shop(demo_run, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "src.duckdb"
    shutil.copy(demo_run.store_path, src)
    with Store(src) as st:
        st.clear("clv_scores")  # the demo saved its scores: without them the command fits and saves
    _pair(src, tmp_path, monkeypatch)
    assert not _scores(tmp_path / "early" / "shop.duckdb").empty


@pytest.mark.parametrize(("as_of", "code"), [(None, 0), ("2024-02-01", 0), ("2023-06-01", 0)])
def test_report_equals_the_serial_start_on_the_toy_shop(toy: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         as_of: str | None, code: int) -> None:
    """Too few customers for CLV (nothing saved); as of 2024-02-01 three customers have no order
    yet; as of 2023-06-01 none has (an empty customer table: every section says it has no data)."""
    src = Path(toy.path)
    toy.close()
    _pair(src, tmp_path, monkeypatch, *([] if as_of is None else ["--as-of", as_of]), code=code)


def test_a_failing_build_is_the_same_error(toy: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected failure of the build: same exit code and message; no thread left running."""
    src = Path(toy.path)
    toy.close()

    def broken(store: Store, as_of: object = None) -> None:
        raise RuntimeError("customer table: the store sorted the customers differently in two queries")

    monkeypatch.setattr(purchase_days, "build_customer_table", broken)
    early = _report(src, tmp_path / "a")
    assert _no_build_thread()
    _serial(monkeypatch)
    serial = _report(src, tmp_path / "b")
    assert early[0] == serial[0] == 1
    assert early[1] == serial[1] and "RuntimeError in `custlens report`: customer table: the store sorted" in early[1]


def test_a_failure_of_the_thread_alone_costs_a_second_build(toy: Store, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The build fails on the thread only (e.g. a module another thread was still importing): the
    command builds the table again where it did before, and the report is the serial start's."""
    real = purchase_days.build_customer_table
    calls = []

    def thread_fails(store: Store, as_of: object = None) -> purchase_days.CustomerBuild:
        calls.append(threading.current_thread().name)
        if threading.current_thread().name == THREAD:
            raise AttributeError("partially initialized module 'polars' has no attribute 'DataFrame'")
        return real(store, as_of)

    monkeypatch.setattr(purchase_days, "build_customer_table", thread_fails)
    src = Path(toy.path)
    toy.close()
    _pair(src, tmp_path, monkeypatch)
    assert THREAD in calls and calls.count(THREAD) < len(calls)


@pytest.mark.parametrize("early_start", [True, False])
def test_the_purchase_days_are_freed_before_the_workbook(demo_run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         early_start: bool) -> None:
    """The command keeps no reference to the customer build once the context holds it, so
    `release_html_results` frees its purchase days (~160 MB at 1M) before the workbook's peak."""
    import gc

    import custlens.report as package

    path = tmp_path / "shop.duckdb"
    shutil.copy(demo_run.store_path, path)
    with Store(path) as st:
        st.clear("clv_scores")  # the save path: the command builds the table before the context
    real, alive = package.write_workbook, []

    def spy(*args: object, **kwargs: object) -> Path:
        gc.collect()
        alive.append(sum(isinstance(o, purchase_days.PurchaseDays) for o in gc.get_objects()))
        return real(*args, **kwargs)

    monkeypatch.setattr(package, "write_workbook", spy)
    if not early_start:
        _serial(monkeypatch)
    res = runner.invoke(app, ["report", "--store", str(path), "--out", str(tmp_path / "rep")])
    assert res.exit_code == 0, res.output
    assert alive == [0]
