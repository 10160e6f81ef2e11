"""Every command with ``--lang zh`` speaks Chinese: no untranslated English word in its output
(model names, units, ids and the shop's own data values aside; see ``tests/zhscan.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner
from zhscan import data_words, english_words

from custlens.cli import app
from custlens.store import Store

runner = CliRunner()

COMMANDS = [
    ["quality"], ["rfm"], ["segments", "--scheme", "rfm11"], ["segments", "--scheme", "cn8"], ["cohorts"],
    ["lifecycle"], ["loyalty"], ["profile"], ["behaviour"],
]


@pytest.fixture(scope="module")
def store_path(demo_run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo store, closed (the commands open it read-only)."""
    path = tmp_path_factory.mktemp("zh_cli") / "demo.duckdb"
    shutil.copy(demo_run.store_path, path)
    return path


@pytest.fixture(scope="module")
def demo_words(store_path: Path) -> set[str]:
    with Store(store_path) as st:
        return data_words(st) | {"demo"}


@pytest.mark.slow
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_command_output_is_chinese(store_path: Path, demo_words: set[str], args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--store", str(store_path), "--lang", "zh"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    leaks = english_words(result.output.splitlines(), demo_words)
    assert leaks == {}, f"custlens {' '.join(args)} --lang zh: " + "; ".join(f"{w} in {t!r}" for w, t in leaks.items())


@pytest.mark.slow
def test_customer_360_is_chinese(store_path: Path, demo_words: set[str]) -> None:
    with Store(store_path) as st:
        cid = st._con.execute("SELECT customer_id FROM orders ORDER BY customer_id LIMIT 1").fetchone()[0]
    result = runner.invoke(app, ["customer", cid, "--store", str(store_path), "--lang", "zh"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert english_words(result.output.splitlines(), demo_words) == {}
