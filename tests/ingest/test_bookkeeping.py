"""Ingest bookkeeping: the log commits with the rows, quarantine is deduplicated, kill -9 is safe."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import custlens
from custlens import Store
from custlens.ingest import ingest
from custlens.ingest._faults import ENV, STAGES

TODAY = dt.date(2026, 11, 23)
SRC = str(Path(custlens.__file__).resolve().parents[1])


def _orders_csv(path: Path, first: int, last: int) -> Path:
    """Line items for orders ``first..last``: every 7th row lacks a customer (quarantined),
    every 11th order has a refund line, every 13th row is repeated verbatim."""
    lines = ["InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Email"]
    for i in range(first, last + 1):
        cust = "" if i % 7 == 0 else f"C{i % 97}"
        row = f"A{i},P{i % 5},{1 + i % 3},2024-0{1 + i % 9}-1{i % 10} 10:00,{1 + i % 17}.5,{cust},u{i % 97}@shop.cn"
        lines.append(row)
        if i % 11 == 0:
            lines.append(f"C{i},P{i % 5},-1,2024-0{1 + i % 9}-2{i % 10} 10:00,{1 + i % 17}.5,{cust or 'C1'},x@y.cn")
        if i % 13 == 0:
            lines.append(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_log_row_is_committed_with_the_rows(tmp_path: Path, store: Store) -> None:
    res = ingest(_orders_csv(tmp_path / "a.csv", 1, 50), store, today=TODAY)
    log = store.read("_ingest_log")
    assert len(log) == 1
    assert log.loc[0, ["rows_read", "rows_loaded", "rows_quarantined", "duplicates_skipped"]].tolist() == [
        res.rows_read, res.rows_loaded, res.rows_quarantined, res.duplicates_skipped]
    assert res.rows_quarantined == 7 and store.count("_quarantine") == 7


def test_failure_inside_the_transaction_leaves_nothing(tmp_path: Path, store: Store, monkeypatch) -> None:
    from custlens.ingest import core

    def boom(*_a, **_k):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(core, "_log", boom)
    with pytest.raises(OSError):
        ingest(_orders_csv(tmp_path / "a.csv", 1, 50), store, today=TODAY)
    for table in ("orders", "order_items", "returns", "_quarantine", "_ingest_log"):
        assert store.count(table) == 0, table


def test_overlapping_export_does_not_quarantine_a_row_twice(tmp_path: Path, store: Store) -> None:
    first = ingest(_orders_csv(tmp_path / "a.csv", 1, 70), store, today=TODAY)
    second = ingest(_orders_csv(tmp_path / "b.csv", 50, 120), store, today=TODAY)
    assert second.rows_read == second.rows_loaded + second.rows_quarantined + second.duplicates_skipped
    # Orders 50..70 overlap: their bad rows (56, 63, 70) were quarantined by the first file.
    assert first.rows_quarantined == 10
    assert second.rows_quarantined == len([i for i in range(71, 121) if i % 7 == 0])
    raws = store._con.execute("SELECT raw, count(*) FROM _quarantine GROUP BY raw HAVING count(*) > 1").fetchall()
    assert raws == []
    assert store.count("_quarantine") == len([i for i in range(1, 121) if i % 7 == 0])


def test_a_bad_row_repeated_inside_one_file_is_kept_as_often_as_it_occurs(tmp_path: Path, store: Store) -> None:
    text = "order_id,customer_id,ordered_at,amount\nA1,,2024-01-01,5\nA1,,2024-01-01,5\nA2,c,2024-01-01,5\n"
    frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str)
    # Without an order id two identical rows may be two purchases: both are quarantined...
    res = ingest(frame.drop(columns="order_id"), store, name="x", today=TODAY)
    assert res.rows_quarantined == 2
    # ...and a second export holding three of them adds exactly one more.
    three = pd.concat([frame.drop(columns="order_id").iloc[:1]] * 3, ignore_index=True)
    res2 = ingest(three, store, name="y", today=TODAY)
    assert (res2.rows_quarantined, res2.duplicates_skipped) == (1, 2)
    assert store.count("_quarantine") == 3


def test_other_tables_deduplicate_quarantine_too(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "s.csv"
    path.write_text("response_id,customer_id,answered_at,nps\nR1,c1,2024-01-01,11\nR2,c2,2024-01-01,7\n")
    ingest(path, store, table="surveys", today=TODAY)
    path2 = tmp_path / "s2.csv"
    path2.write_text("response_id,customer_id,answered_at,nps\nR1,c1,2024-01-01,11\nR3,c3,2024-01-02,9\n")
    res = ingest(path2, store, table="surveys", today=TODAY)
    assert (res.rows_loaded, res.rows_quarantined, res.duplicates_skipped) == (1, 0, 1)
    assert store.count("_quarantine") == 1


# ----------------------------------------------------------------------------- kill -9
_SCRIPT = """
import datetime, sys
from custlens import Store
from custlens.ingest import ingest
store = Store(sys.argv[1])
for f in sys.argv[2:]:
    ingest(f, store, today=datetime.date(2026, 11, 23))
store.close()
"""


def _run(store: Path, files: list[Path], fault: str | None = None, kill_after: float | None = None) -> int:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop(ENV, None)
    if fault:
        env[ENV] = fault
    proc = subprocess.Popen([sys.executable, "-c", _SCRIPT, str(store), *map(str, files)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is not None:
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    _, errtext = proc.communicate(timeout=300)
    if proc.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(errtext.decode())
    return proc.returncode


def _snapshot(path: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        snap = {}
        for table in ("orders", "order_items", "returns"):
            snap[table] = sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        snap["_quarantine"] = sorted(con.execute(
            "SELECT * EXCLUDE (ingested_at) FROM _quarantine").fetchall(), key=repr)
        # The first log row of each file is its ingest; a re-run of a committed file adds a row
        # saying everything was a duplicate, which is checked separately.
        log = con.execute("SELECT sha256, table_name, rows_read, rows_loaded, rows_quarantined, "
                          "duplicates_skipped, source FROM _ingest_log ORDER BY started_at").fetchall()
    finally:
        con.close()
    first: dict[tuple, tuple] = {}
    for row in log:
        key = row[:2]
        if key in first:
            assert row[3] == row[4] == 0 and row[5] == row[2], f"a repeated ingest loaded rows: {row}"
        else:
            first[key] = row
    snap["_ingest_log"] = sorted(first.values())
    return snap


@pytest.mark.slow
def test_kill_9_at_any_point_then_rerun_equals_an_uninterrupted_ingest(tmp_path: Path) -> None:
    files = [_orders_csv(tmp_path / "a.csv", 1, 3000), _orders_csv(tmp_path / "b.csv", 2500, 6000)]
    ref = tmp_path / "ref.duckdb"
    assert _run(ref, files) == 0
    expected = _snapshot(ref)
    assert len(expected["_ingest_log"]) == 2 and expected["_quarantine"] and expected["returns"]

    rng = random.Random(20261130)
    points: list[tuple[str | None, float | None]] = [(stage, None) for stage in STAGES]
    points += [(None, rng.uniform(0.5, 4.0)) for _ in range(3)]
    killed = 0
    for i, (stage, delay) in enumerate(points):
        path = tmp_path / f"k{i}.duckdb"
        code = _run(path, files, fault=stage, kill_after=delay)
        killed += code == -signal.SIGKILL
        if stage is not None:
            assert code == -signal.SIGKILL, f"the fault at stage {stage!r} was never reached"
        assert _run(path, files) == 0  # the re-run after the crash
        assert _snapshot(path) == expected, f"store differs after a kill at {stage or f'{delay:.2f} s'}"
    assert killed >= 5
