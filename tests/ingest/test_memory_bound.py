"""The ingest's memory cap: spilling to disk must never change what is stored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from custlens import Store
from custlens.errors import InputError
from custlens.ingest import ingest
from custlens.ingest.limits import bounded_memory, ingest_memory_mb

TODAY = dt.date(2026, 11, 23)


def _messy_csv(path: Path, n: int, line_level: bool) -> Path:
    """``n`` order rows with bad rows spread over the whole file.

    Every 97th row lacks a customer, every 89th has an unparseable date, every 83rd a text
    amount, every 79th is repeated verbatim further down (a duplicate), every 73rd reuses an
    earlier order id with other values (a conflict, or a second line when ``line_level``),
    every 71st is a cancelled ``C`` invoice (a return).
    """
    head = "order_id,customer_id,ordered_at,amount,channel" + (",product_id" if line_level else "")
    lines, repeats = [head], []
    for i in range(1, n + 1):
        oid = f"C{i}" if i % 71 == 0 else f"{100000 + (i - 7 if i % 73 == 0 else i)}"
        cust = "" if i % 97 == 0 else f"K{(i * 7919) % (n // 4 + 1)}"
        day = "2024-02-30" if i % 89 == 0 else f"2023-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00"
        amount = "n/a!" if i % 83 == 0 else (f"-{1 + i % 50}.25" if i % 71 == 0 else f"{1 + i % 500}.{i % 100:02d}")
        row = f"{oid},{cust},{day},{amount},{('web', 'app', 'store')[i % 3]}"
        if line_level:
            row += f",P{i % 13}"
        lines.append(row)
        if i % 79 == 0:
            repeats.append(row)
        if len(repeats) > 3:  # the copies land thousands of rows after their originals
            lines.append(repeats.pop(0))
    path.write_text("\n".join(lines + repeats) + "\n", encoding="utf-8")
    return path


def _snapshot(store: Store) -> dict[str, pd.DataFrame]:
    con = store._con
    out = {}
    for table, key in (("orders", "order_id"), ("returns", "order_id, amount, returned_at"),
                       ("order_items", "order_id, line_no"), ("_quarantine", "row_number")):
        cols = "* EXCLUDE (ingested_at)" if table == "_quarantine" else "*"  # the clock differs
        out[table] = con.execute(f"SELECT {cols} FROM {table} ORDER BY {key}").df()
    return out


N = 150_000


@pytest.mark.parametrize("line_level", [False, True])
def test_capped_ingest_stores_exactly_what_an_uncapped_one_does(tmp_path: Path, monkeypatch, line_level) -> None:
    """A cap below the work tables' size (they spill to disk) gives the same store, row for row."""
    from custlens.ingest import core

    csv = _messy_csv(tmp_path / "orders.csv", N, line_level)
    spilled: list[int] = []
    con_of: dict[str, duckdb.DuckDBPyConnection] = {}
    reach = core.reach

    def spy(stage: str) -> None:  # at every stage: has DuckDB written work tables to disk?
        used = con_of["con"].execute("SELECT coalesce(sum(temporary_storage_bytes), 0) FROM duckdb_memory()")
        spilled[-1] = max(spilled[-1], used.fetchall()[0][0])
        reach(stage)

    monkeypatch.setattr(core, "reach", spy)
    results, snaps = [], []
    for mb in ("4096", "40"):
        monkeypatch.setenv("CUSTLENS_INGEST_MEMORY_MB", mb)
        with Store(tmp_path / f"s{mb}.duckdb") as store:
            store._con.execute("SET threads = 2")  # memory per thread is what the cap is sized for
            con_of["con"] = store._con
            spilled.append(0)
            results.append(ingest(csv, store, today=TODAY))
            snaps.append(_snapshot(store))
            revenue = store._con.execute("SELECT round(sum(amount), 2) FROM orders").fetchall()[0][0]
            assert revenue == pytest.approx(results[-1].revenue, abs=0.01)
    assert spilled[0] == 0 and spilled[1] > 0, spilled  # the capped run really spilled (bytes)
    big, small = results
    assert not any("memory cap" in d for d in small.decisions)  # no uncapped fallback
    assert big.rows_read == N + N // 79
    assert big.rows_quarantined > 0 and big.duplicates_skipped > 0 and big.returns > 0
    for field in ("rows_read", "rows_loaded", "rows_quarantined", "duplicates_skipped", "orders",
                  "customers", "revenue", "returns", "quarantine_reasons"):
        assert getattr(small, field) == getattr(big, field), field
    for table in snaps[0]:
        pd.testing.assert_frame_equal(snaps[1][table], snaps[0][table], check_exact=True, obj=table)
    # bad rows from the start, the middle and the end of the file are all quarantined
    rows = snaps[0]["_quarantine"]["row_number"]
    assert rows.min() < 200 and rows.max() > N - 1_000


def test_cap_is_set_for_the_ingest_and_restored_after(tmp_path: Path, monkeypatch) -> None:
    csv = _messy_csv(tmp_path / "orders.csv", 500, False)
    con = duckdb.connect(str(tmp_path / "x.duckdb"))
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    monkeypatch.setenv("CUSTLENS_INGEST_MEMORY_MB", "700")
    with bounded_memory(con, csv, str(tmp_path / "x.duckdb")):
        inside = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert inside == "667.5 MiB"  # DuckDB shows 700 MB (10^6 bytes) in MiB
    assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == before
    # a store in memory cannot spill: no cap there
    mem = duckdb.connect(":memory:")
    with bounded_memory(mem, csv, ":memory:"):
        assert mem.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == before


def test_cap_follows_the_file_size(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CUSTLENS_INGEST_MEMORY_MB", raising=False)
    small = tmp_path / "small.csv"
    small.write_text("a,b\n1,2\n")
    assert ingest_memory_mb(small) == 512  # the floor
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:  # sparse: 1,000 MiB of size without writing it
        fh.truncate(1000 * 2**20)
    assert ingest_memory_mb(big) == 1200
    assert ingest_memory_mb(pd.DataFrame({"a": [1]})) is None  # a frame is already in memory
    monkeypatch.setenv("CUSTLENS_INGEST_MEMORY_MB", "300")
    assert ingest_memory_mb(big) == 300
    monkeypatch.setenv("CUSTLENS_INGEST_MEMORY_MB", "lots")
    with pytest.raises(InputError, match="CUSTLENS_INGEST_MEMORY_MB='lots'"):
        ingest_memory_mb(big)


def test_a_cap_too_small_is_said_and_leaves_the_store_unchanged(tmp_path: Path, monkeypatch) -> None:
    csv = _messy_csv(tmp_path / "orders.csv", 60_000, False)
    monkeypatch.setenv("CUSTLENS_INGEST_MEMORY_MB", "8")
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(InputError, match="more memory than CUSTLENS_INGEST_MEMORY_MB=8 allows"):
            ingest(csv, store, today=TODAY)
        assert store.count("orders") == 0 and store.count("_quarantine") == 0
        assert store.count("_ingest_log") == 0


def test_a_derived_cap_too_small_falls_back_to_no_cap(tmp_path: Path, monkeypatch) -> None:
    """The default cap must never turn a loadable file into an error: it loads uncapped."""
    from custlens.ingest import limits

    csv = _messy_csv(tmp_path / "orders.csv", 60_000, False)
    monkeypatch.delenv("CUSTLENS_INGEST_MEMORY_MB", raising=False)
    monkeypatch.setattr(limits, "_MIN_INGEST_MB", 8)
    with Store(tmp_path / "s.duckdb") as store:
        res = ingest(csv, store, today=TODAY)
        assert any("memory cap of 8 MB too small" in d for d in res.decisions)
        assert res.rows_read == res.rows_loaded + res.rows_quarantined + res.duplicates_skipped
        assert store.count("orders") == res.orders
        assert store.count("_ingest_log") == 1
