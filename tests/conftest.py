"""Shared fixtures: the real public data sets beside the project and throw-away stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from custlens import Store

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
