"""Every file of ``tests/hostile`` through ``custlens ingest``, then every CLI command on the store.

Data-driven: a file added to ``tests/hostile`` is picked up without touching this test. Each
ingest either loads with exact accounting or fails with ``error: ...``; each command exits 0, or
1 with ``error: ...``, never with a traceback, and never writes a terminal control character.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from custlens.cli import app

HOSTILE = Path(__file__).resolve().parent / "hostile"
runner = CliRunner()

#: Extra arguments per command (run with ``--store STORE`` too). ``ingest`` runs per file above;
#: ``demo`` builds its own synthetic shop and reads no store, so it is not part of this corpus.
ARGS: dict[str, list[str]] = {
    "customer": ["[bold red]BIG[/]"],
    "customers": ["--export", "{tmp}/customers.xlsx"],
    "segments": ["--export", "{tmp}/audience.csv"],
    "report": ["--out", "{tmp}/report"],
    "forecast": ["--models", "AutoETS", "--horizon", "7", "--windows", "1"],
    "campaign plan": ["--baseline", "0.05", "--mde", "0.01"],
}
# ingest runs on every file above; demo builds its own shop; serve runs until stopped (its API
# security is tested in tests/server).
SKIP = {"ingest", "demo", "serve"}


def _files() -> list[Path]:
    return sorted(p for p in HOSTILE.iterdir() if p.is_file() and not p.name.startswith("."))


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    names = []
    for name, cmd in group.commands.items():
        subs = getattr(cmd, "commands", None)
        names += [f"{name} {s}" for s in subs] if subs else [name]
    return sorted(n for n in names if n not in SKIP)


def _safe(res) -> None:
    assert "Traceback" not in res.output, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "\x1b" not in res.output and "\x07" not in res.output, res.output
    if res.exit_code != 0:
        assert res.exit_code in (1, 2) and res.stderr.startswith(("error: ", "Usage: ")), res.stderr


def _csv_records(path: Path) -> int | None:
    if path.suffix.lower() != ".csv":
        return None
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def _ingest(path: Path, store: Path) -> None:
    res = runner.invoke(app, ["ingest", str(path), "--store", str(store), "--json"])
    _safe(res)
    if res.exit_code == 0:
        r = json.loads(res.stdout)
        assert r["rows_read"] == r["rows_loaded"] + r["rows_quarantined"] + r["duplicates_skipped"], r
        expected = _csv_records(path)
        assert expected is None or r["rows_read"] == expected, (path.name, r["rows_read"], expected)
    else:
        assert res.exit_code == 1, res.output


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_each_hostile_file_ingests_cleanly(path: Path, tmp_path: Path) -> None:
    _ingest(path, tmp_path / "s.duckdb")


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("corpus")
    store = tmp / "corpus.duckdb"
    named = tmp / "[" / "bold].csv"  # the path ends in "[/bold].csv"
    named.parent.mkdir()
    shutil.copy(HOSTILE / "orders_formula_markup.csv", named)
    for path in [*_files(), named]:
        _ingest(path, store)
    return store


@pytest.mark.slow
@pytest.mark.parametrize("command", _commands())
def test_every_command_on_the_hostile_store(command: str, corpus_store: Path, tmp_path: Path) -> None:
    args = [a.format(tmp=tmp_path) for a in ARGS.get(command, [])]
    store_args = [] if command == "campaign plan" else ["--store", str(corpus_store)]
    res = runner.invoke(app, [*command.split(), *args, *store_args])
    _safe(res)
    if command in ARGS or command in ("quality", "rfm", "profile", "behaviour", "cohorts", "lifecycle", "loyalty"):
        assert res.exit_code == 0, res.output  # these have enough data in the corpus
    for xlsx in tmp_path.rglob("*.xlsx"):
        for ws in openpyxl.load_workbook(xlsx).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (xlsx.name, cell.coordinate, cell.value)
                    assert not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@"))), cell.value
