"""Fixtures of the server tests: the demo store served by one app for the session."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from fastapi.testclient import TestClient  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))  # servertools, the helpers of these tests

from servertools import AUTH, TOKEN  # noqa: E402

from custlens.server.app import create_app  # noqa: E402

@pytest.fixture(scope="session")
def demo_path(demo_run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo store (with saved CLV scores, no churn scores)."""
    path = tmp_path_factory.mktemp("server_demo") / "demo.duckdb"
    shutil.copy(demo_run.store_path, path)
    return path


@pytest.fixture(scope="session")
def client(demo_path: Path) -> TestClient:
    """One app over the demo store for the whole session: the models are fitted once, before the tests."""
    app = create_app(str(demo_path), TOKEN)
    app.state.analyses.warm()  # index, then the background fits, waited for
    return TestClient(app, headers=AUTH)


@pytest.fixture(scope="session")
def anon(client: TestClient) -> TestClient:
    """The same app without the token."""
    return TestClient(client.app)
