"""Fixtures of the behaviour tests: the hand-built toy shop and a private copy of the demo store."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from typing import Iterator

import pytest

from custlens.store import Store


def load_toyshop():
    """The ``toyshop`` helper module (loaded by path: the tests are not a package)."""
    if "custlens_toyshop" not in sys.modules:
        spec = importlib.util.spec_from_file_location("custlens_toyshop", Path(__file__).with_name("toyshop.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules["custlens_toyshop"] = module
        spec.loader.exec_module(module)
    return sys.modules["custlens_toyshop"]


toyshop = load_toyshop()


@pytest.fixture
def toy(tmp_path) -> Iterator[Store]:
    st = toyshop.fill(Store(tmp_path / "toy.duckdb"))
    yield st
    st.close()


@pytest.fixture(scope="module")
def demo(demo_run, tmp_path_factory) -> Iterator[Store]:
    """A module-wide private copy of the demo store (read only by the tests)."""
    path = tmp_path_factory.mktemp("bdemo") / "demo.duckdb"
    shutil.copy(demo_run.store_path, path)
    st = Store(path)
    yield st
    st.close()
