"""Store checks: foreign, damaged, newer or unknown-version files are refused before anything changes."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from custlens import Store, schema
from custlens.errors import StoreError
from custlens.store import open_store


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tables(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return sorted(r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall())
    finally:
        con.close()


def test_a_foreign_duckdb_file_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices AS SELECT range AS id FROM range(3)")
    con.close()
    before = _digest(path)
    for read_only in (False, True):
        with pytest.raises(StoreError, match="is a DuckDB database but not a custlens store .tables: invoices"):
            Store(path, read_only=read_only)
    assert _digest(path) == before
    assert _tables(path) == ["invoices"]  # no custlens table was added


def _store_with_version(path: Path, version: str) -> str:
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE _meta SET value = ? WHERE key = 'schema_version'", [version])
    con.execute("DROP TABLE orders")  # a change a newer custlens might have made
    con.close()
    return _digest(path)


@pytest.mark.parametrize(("version", "message"), [
    ("abc", "has an unknown schema version 'abc'"),
    (str(schema.SCHEMA_VERSION + 1), "was written by a newer custlens"),
    ("0", "has the older schema version 0"),
])
def test_another_schema_version_is_refused_before_any_change(tmp_path: Path, version: str, message: str) -> None:
    path = tmp_path / "s.duckdb"
    before = _store_with_version(path, version)
    for read_only in (False, True):
        with pytest.raises(StoreError, match=message):
            Store(path, read_only=read_only)
    assert _digest(path) == before
    assert "orders" not in _tables(path)  # not recreated


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty .0-byte. file; delete it"),
    (b"PK\x03\x04 not a database" * 50, "not a DuckDB database"),
])
def test_garbage_files_give_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "g.duckdb"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        Store(path)
    assert path.read_bytes() == content


def test_a_truncated_store_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "t.duckdb"
    st = Store(path)
    st._con.execute("CREATE TABLE pad AS SELECT range AS x, 'value ' || range AS y FROM range(200000)")
    st.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreError, match="restore it from a backup or re-ingest"):
        Store(path, read_only=True)


def test_a_writer_on_a_store_locked_by_another_process_gets_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r})
        print("ready", flush=True)
        sys.stdin.readline()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="in use by another process"):
            Store(path)
    finally:
        holder.communicate("\n", timeout=30)


def test_permission_denied_is_a_clean_error(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).close()

    def denied(p, read_only=False):
        if not read_only:  # what DuckDB says for a chmod 0444 file (root is never refused)
            raise duckdb.IOException(f'IO Error: Cannot open file "{p}": Permission denied')
        return real(p, read_only=read_only)

    real = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", denied)
    with pytest.raises(StoreError, match="permission denied; make the file writable"):
        Store(path)
    open_store(path, read_only=True).close()


def test_a_new_store_and_an_existing_one_open(tmp_path: Path) -> None:
    path = tmp_path / "n.duckdb"
    with Store(path) as st:
        assert st.schema_version == schema.SCHEMA_VERSION
    with Store(path, read_only=True) as st:
        assert st.count("orders") == 0
    with pytest.raises(StoreError, match="no store at"):
        open_store(tmp_path / "missing.duckdb", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()
