"""Shared fixtures: the real public data sets beside the project and throw-away stores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import toyshop
from demo_dates import DEMO_DATES
from hypothesis import settings

from custlens import Store

# CI runs the property tests with a fixed seed so a landing never hangs on a new random draw;
# local runs keep exploring (and keep failures in .hypothesis/ to replay).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED.exists():
        pytest.fail(f"real data sets expected at {SHARED} (../shared/data beside the project)")
    return SHARED


@pytest.fixture
def store(tmp_path: Path) -> Store:
    st = Store(tmp_path / "test.duckdb")
    yield st
    st.close()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory):
    """The demo shop (2,000 customers, seed 42) ingested once per test session, without the report.

    Treat its store as read-only; copy ``demo_run.store_path`` to a temp folder before writing.
    ``demo_run.truth`` is the ground truth; ``demo_run.out_dir / "exports"`` holds the CSVs and
    ``customers_truth.csv``.
    """
    from custlens.pipeline import run_demo

    return run_demo(tmp_path_factory.mktemp("demo"), customers=2000, seed=42, report=False, **DEMO_DATES)


@pytest.fixture
def demo_store(demo_run, tmp_path: Path) -> Store:
    """A private copy of the demo store, free to write into."""
    import shutil

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_run.store_path, path)
    st = Store(path)
    yield st
    st.close()


@pytest.fixture
def toy(tmp_path: Path) -> Store:
    """The hand-built toy shop of ``tests/toyshop.py`` (hand-computed expectations live there)."""
    st = toyshop.fill(Store(tmp_path / "toy.duckdb"))
    yield st
    st.close()


@pytest.fixture(scope="module")
def demo(demo_run, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A module-wide private copy of the demo store (read only by the tests)."""
    import shutil

    path = tmp_path_factory.mktemp("demo_module") / "demo.duckdb"
    shutil.copy(demo_run.store_path, path)
    st = Store(path)
    yield st
    st.close()
