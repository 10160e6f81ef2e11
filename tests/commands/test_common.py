"""The shared CLI machinery: one error handler (never a traceback), hostile text shown literally,
value names in help, piped output not cut, numbers by kind, read-only readers."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from custlens.cli import app
from custlens.commands._common import frame_table, out

HOSTILE = Path(__file__).resolve().parents[1] / "hostile"
ORDERS = HOSTILE / "orders_formula_markup.csv"
MARKUP_IDS = ["[/]", "[link=http://x]y[/link]", "[bold red]BIG[/]", "=1+1", "@SUM(A1)"]

runner = CliRunner()


def _run(*args: object, env: dict | None = None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def _clean_failure(res, starts: str = "error: ") -> None:
    assert res.exit_code == 1, res.output
    assert res.stderr.startswith(starts), res.stderr
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "h.duckdb"
    for f in (ORDERS, HOSTILE / "customers_control_chars.csv"):
        res = _run("ingest", f, "--store", path)
        assert res.exit_code == 0, res.output
    return path


# ------------------------------------------------------------------ terminal injection
def test_ids_with_markup_and_escapes_are_printed_literally(hostile_store: Path) -> None:
    res = _run("customers", "--store", hostile_store, "--limit", "50")
    assert res.exit_code == 0, res.output
    for shown in MARKUP_IDS + ["\\x1b]0;title\\x07", "\\x1b[31mred", "c\\u202eevil"]:
        assert shown in res.stdout, shown
    assert "\x1b" not in res.stdout and "\x07" not in res.stdout and "\u202e" not in res.stdout


def test_customer_360_of_a_markup_id(hostile_store: Path) -> None:
    for cid in ("[/]", "[bold red]BIG[/]", "\x1b]0;title\x07"):
        res = _run("customer", cid, "--store", hostile_store)
        assert res.exit_code == 0, res.output
        assert "\x1b" not in res.output
    assert "[bold red]BIG[/]" in _run("customer", "[bold red]BIG[/]", "--store", hostile_store).stdout
    shown = _run("customer", "=1+1", "--store", hostile_store).stdout
    assert "Age: 21," in shown and "21.0" not in shown  # ages without ".0"
    assert "Region: =SUM(1)" in shown and "mini\\x07program" in shown


def test_a_markup_header_and_a_markup_file_name(tmp_path: Path) -> None:
    res = _run("ingest", HOSTILE / "header_markup.csv", "--store", tmp_path / "s.duckdb")
    _clean_failure(res)
    assert "'cust[/]id'" in res.stderr and "'[bold]amount[/]'" in res.stderr
    named = tmp_path / "[/bold].csv"  # a folder "[" holding "bold].csv": the path reads [/bold].csv
    named.parent.mkdir()
    shutil.copy(ORDERS, named)
    res = _run("ingest", named, "--store", tmp_path / "s.duckdb")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(f"{named} -> orders")


def test_consoles_print_strings_literally() -> None:
    with out.capture() as cap:
        out.print("[bold red]BIG[/] :smile: \x1b[2J \x9b")
        out.print(frame_table(pd.DataFrame({"cust[/]id": [":thumbs_up:", "[link=http://x]y[/link]"]}), "[/]"))
    text = cap.get()
    for literal in ("[bold red]BIG[/] :smile: \\x1b[2J \\x9b", "cust[/]id", ":thumbs_up:", "[link=http://x]y[/link]"):
        assert literal in text, literal
    assert "\x1b" not in text and "\U0001f604" not in text


def test_json_escapes_c1_controls() -> None:
    res = runner.invoke(_json_app(), [])
    assert res.exit_code == 0
    assert json.loads(res.stdout) == {"id": "a\x9bb\u202ec"}
    assert "\x9b" not in res.stdout and "\u202e" not in res.stdout


def _json_app():
    import typer

    from custlens.commands._common import emit_json

    tiny = typer.Typer()

    @tiny.command()
    def show() -> None:
        emit_json({"id": "a\x9bb\u202ec"})

    return tiny


# ------------------------------------------------------------------ one error handler
def test_corrupt_parquet_is_a_clean_error(tmp_path: Path) -> None:
    res = _run("ingest", HOSTILE / "corrupt.parquet", "--store", tmp_path / "s.duckdb")
    _clean_failure(res, "error: cannot read Parquet data in `custlens ingest`")
    assert "export it again" in res.stderr


def test_garbage_store_foreign_store_and_unknown_version(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.duckdb"  # made here: a committed *.duckdb would look like a store in the repo
    garbage.write_bytes(b"DUCK" + random.Random(0).randbytes(500))
    _clean_failure(_run("quality", "--store", garbage), "error: cannot open store")
    foreign = tmp_path / "f.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE ledger (x INT)")
    con.close()
    res = _run("ingest", ORDERS, "--store", foreign)
    _clean_failure(res)
    assert "not a custlens store (tables: ledger" in res.stderr
    con = duckdb.connect(str(foreign), read_only=True)
    assert [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()] == ["ledger"]
    con.close()
    versioned = tmp_path / "v.duckdb"
    assert _run("ingest", ORDERS, "--store", versioned).exit_code == 0
    con = duckdb.connect(str(versioned))
    con.execute("UPDATE _meta SET value = 'abc' WHERE key = 'schema_version'")
    con.close()
    _clean_failure(_run("rfm", "--store", versioned), f"error: store '{versioned}' has an unknown schema version 'abc'")


def test_disk_full_while_exporting_keeps_the_old_file(hostile_store: Path, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "c.csv"
    assert _run("customers", "--store", hostile_store, "--export", target).exit_code == 0
    before = target.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / ".c.csv.part"))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    res = _run("customers", "--store", hostile_store, "--export", target)
    _clean_failure(res, "error: no space left on the device while writing")
    assert "in `custlens customers`; free some space" in res.stderr
    assert target.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]


def test_control_characters_exported_to_xlsx(hostile_store: Path, tmp_path: Path) -> None:
    import openpyxl

    res = _run("segments", "--store", hostile_store, "--export", tmp_path / "a.xlsx")
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    values = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in values if c.data_type == "f"]
    regions = {c.value for c in values if isinstance(c.value, str) and c.value.startswith(("North", "South"))}
    assert regions == {"North\ufffd[2J", "South\ufffd"}


def test_a_foreign_output_file_needs_force(hostile_store: Path, tmp_path: Path) -> None:
    mine = tmp_path / "notes.csv"
    mine.write_text("my,own\nnotes,here\n", encoding="utf-8")
    res = _run("customers", "--store", hostile_store, "--export", mine)
    _clean_failure(res, f"error: '{mine}' already exists and was not written by custlens; pass --force")
    assert mine.read_text(encoding="utf-8") == "my,own\nnotes,here\n"
    assert _run("customers", "--store", hostile_store, "--export", mine, "--force").exit_code == 0


def test_an_unexpected_exception_is_one_line_and_debug_shows_it(hostile_store: Path, monkeypatch) -> None:
    import custlens.features as features

    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(features, "customer_table", boom)
    res = _run("customers", "--store", hostile_store)
    _clean_failure(res, "error: unexpected ZeroDivisionError in `custlens customers`: division by zero; this is a "
                        "bug in custlens: run again with --debug")
    assert res.stderr.count("\n") == 1
    res = _run("--debug", "customers", "--store", hostile_store)
    assert isinstance(res.exception, ZeroDivisionError)  # the traceback is shown
    res = _run("customers", "--store", hostile_store, env={"CUSTLENS_DEBUG": "1"})
    assert isinstance(res.exception, ZeroDivisionError)


@pytest.mark.parametrize(("exc", "expected"), [
    (duckdb.IOException('IO Error: Could not write file "s.duckdb.wal": No space left on device'),
     "no space left on the device while writing the store in `custlens ingest` (IO Error: Could not write file "
     "\"s.duckdb.wal\": No space left on device); free some space and run the command again"),
    (duckdb.IOException("IO Error: Cannot open file: Permission denied"),
     "the store cannot be written in `custlens ingest` (IO Error: Cannot open file: Permission denied); make the "
     "store file and its folder writable, or use a command that only reads"),
    (duckdb.IOException("IO Error: Corrupt database file: checksum mismatch"),
     "the store could not be read or written in `custlens ingest` (IO Error: Corrupt database file: checksum "
     "mismatch); if the store file is damaged (truncated, failed checksum), restore it from a backup or re-ingest "
     "the exports into a new store with --store NEW.duckdb"),
    (PermissionError(13, "Permission denied", "/out/r.html"),
     "permission denied for '/out/r.html' in `custlens ingest`; check its permissions or choose another path"),
    (OSError(30, "Read-only file system", "/mnt/x.csv"),
     "'/mnt/x.csv' is on a read-only file system in `custlens ingest`; write to another folder"),
])
def test_error_messages_say_what_where_and_what_to_do(exc: Exception, expected: str) -> None:
    from custlens.commands._common import describe_error

    assert describe_error(exc, "ingest") == expected


# ------------------------------------------------------------------ read-only readers
def test_report_on_a_missing_store_creates_nothing(tmp_path: Path) -> None:
    res = _run("report", "--store", tmp_path / "none.duckdb", "--out", tmp_path / "r")
    _clean_failure(res, "error: no store at")
    assert not (tmp_path / "none.duckdb").exists() and not (tmp_path / "r").exists()


def test_report_while_another_process_reads_the_store(hostile_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    shutil.copy(hostile_store, store)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys
        con = duckdb.connect({str(store)!r}, read_only=True)
        con.execute("SELECT count(*) FROM orders").fetchall()
        print("ready", flush=True)
        sys.stdin.readline()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        os.chmod(store, 0o444)  # not enforced for root, but a reader never asks for more
        res = _run("report", "--store", store, "--out", tmp_path / "r", "--no-excel")
        assert res.exit_code == 0, res.output
        assert (tmp_path / "r" / "report_en.html").stat().st_size > 10_000
        # a writer is refused cleanly while the other process holds the file
        _clean_failure(_run("ingest", ORDERS, "--store", store), f"error: store '{store}' is in use")
    finally:
        holder.communicate("\n", timeout=30)
        os.chmod(store, 0o644)


def test_readers_open_the_store_read_only(hostile_store: Path, monkeypatch) -> None:
    import custlens.store as store_mod

    modes = []
    real = store_mod._connect

    def spy(path, read_only):
        modes.append(read_only)
        return real(path, read_only)

    monkeypatch.setattr(store_mod, "_connect", spy)
    for cmd in (["quality"], ["customers"], ["rfm"], ["segments"], ["profile"], ["behaviour"], ["cohorts"],
                ["lifecycle"], ["loyalty"], ["customer", "=1+1"]):
        modes.clear()
        assert _run(*cmd, "--store", hostile_store).exit_code == 0, cmd
        assert modes and all(modes), (cmd, modes)


# ------------------------------------------------------------------ output formatting
def test_help_shows_value_names_not_types() -> None:
    import typer

    group = typer.main.get_command(app)
    every = [[]] + [[name, *([sub] if sub else [])] for name, cmd in group.commands.items()
                    for sub in (list(getattr(cmd, "commands", {})) or [None])]
    assert len(every) > 15
    for cmd in every:
        res = _run(*cmd, "--help")
        assert res.exit_code == 0
        assert "<str>" not in res.stdout and "<int>" not in res.stdout and "<bool>" not in res.stdout
        assert "<path>" not in res.stdout and "list[Path]" not in res.stdout
    text = _run("forecast", "--help").stdout
    assert "PATH" in text and "[en|zh]" in text and "DATE" in text


def test_piped_tables_are_not_cut_at_80_columns(tmp_path: Path) -> None:
    long_id = "customer-" + "x" * 150
    path = tmp_path / "o.csv"
    path.write_text(f"order_id,customer_id,ordered_at,amount\n1,{long_id},2024-01-01,5\n2,{long_id},2024-02-01,7\n")
    store = tmp_path / "s.duckdb"
    assert _run("ingest", path, "--store", store).exit_code == 0
    res = _run("customers", "--store", store)
    assert res.exit_code == 0
    assert long_id in res.stdout and max(len(line) for line in res.stdout.splitlines()) > 150


def test_numbers_are_formatted_by_kind() -> None:
    df = pd.DataFrame({"days_since_last": [12.0, 3.6], "age": [34.0, float("nan")], "orders": [3.0, 10.0],
                       "mean_orders": [2.5, 1.0], "total_spend": [1234.5, 7.0], "revenue_share": [0.25, 0.75]})
    with out.capture() as cap:
        out.print(frame_table(df))
    rows = [line for line in cap.get().splitlines() if "│" in line]
    cells = [[c.strip() for c in r.strip("│").split("│")] for r in rows]
    assert cells[0] == ["12", "34", "3", "2.50", "1,234.50", "25.0%"]
    assert cells[1] == ["4", "", "10", "1.00", "7.00", "75.0%"]


def test_customers_json_returns_rows_with_a_limit(hostile_store: Path) -> None:
    res = _run("customers", "--store", hostile_store, "--json", "--limit", "3")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["customers"] == 20 and data["limit"] == 3 and data["returned"] == 3
    assert len(data["rows"]) == 3 and set(data["rows"][0]) == set(data["columns"])
    full = json.loads(_run("customers", "--store", hostile_store, "--json").stdout)
    assert full["limit"] == 100 and len(full["rows"]) == 20
    assert set(MARKUP_IDS) <= {r["customer_id"] for r in full["rows"]}


def test_as_of_beyond_the_data_warns(hostile_store: Path) -> None:
    res = _run("rfm", "--store", hostile_store, "--as-of", "2030-01-01")
    assert res.exit_code == 0, res.output
    assert res.stderr.startswith("warning: --as-of 2030-01-01 is after the data (last order 2025-10-21)")
    assert "warning" not in _run("rfm", "--store", hostile_store, "--as-of", "2025-06-01").stderr
    zh = _run("segments", "--store", hostile_store, "--as-of", "2030-01-01", "--lang", "zh")
    assert zh.exit_code == 0 and zh.stderr.startswith("警告：--as-of 2030-01-01 晚于数据范围（最后一笔订单 2025-10-21）")


def test_forecast_event_names_are_translated() -> None:
    from custlens.commands.forecast import event_label

    assert event_label("ev_618_window", "en") == "618 (days around it)"
    assert event_label("ev_double_11", "zh") == "双11"
    assert event_label("ev_spring_festival_window", "zh") == "春节（前后窗口期）"
