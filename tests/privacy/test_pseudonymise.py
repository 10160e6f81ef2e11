"""Pseudonymisation at ingest: keyed hashes for ids and personal columns, key outside the store."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import stat
from pathlib import Path

import pytest

from custlens import Store
from custlens.errors import InputError
from custlens.ingest import ingest
from custlens.privacy import personal_header, personal_value, pseudonym

TODAY = dt.date(2026, 11, 23)
ORDERS = ("订单号,会员ID,下单时间,实付金额,收货人,手机,Contact\n"
          "A1,1001,2024-01-05,10,张三,13812345678,zhang@example.com\n"
          "A2,1002,2024-01-06,20,李四,13987654321,li@example.cn\n"
          "A3,,2024-01-07,30,王五,15011112222,wang@example.com\n")


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_pseudonym_is_hmac_sha256_of_the_id() -> None:
    key = b"0123456789abcdef-secret"
    expected = hmac.new(key, b"1001", hashlib.sha256).hexdigest()[:24]
    assert pseudonym(key, "1001") == "p_" + expected
    # RFC 4231 test case 2 pins the HMAC itself.
    assert hmac.new(b"Jefe", b"what do ya want for nothing?", hashlib.sha256).hexdigest().startswith(
        "5bdcc146bf60754e6a042426089575c7")


def test_ingest_pseudonymises_ids_and_personal_columns(tmp_path: Path) -> None:
    store_path = tmp_path / "shop.duckdb"
    with Store(store_path) as store:
        res = ingest(_file(tmp_path, "o.csv", ORDERS), store, pseudonymise=True, today=TODAY)
        assert (res.rows_loaded, res.rows_quarantined) == (2, 1)
        key_path = Path(str(store_path) + ".key")
        assert key_path.exists() and stat.S_IMODE(key_path.stat().st_mode) == 0o600
        key = key_path.read_text().strip().encode()
        ids = sorted(r[0] for r in store._con.execute("SELECT customer_id FROM orders").fetchall())
        assert ids == sorted([pseudonym(key, "1001"), pseudonym(key, "1002")])
        raw = json.loads(store._con.execute("SELECT raw FROM _quarantine").fetchall()[0][0])
        # Personal columns found by header (收货人, 手机) and by value (Contact) are hashed.
        assert raw["收货人"] == pseudonym(key, "王五") and raw["手机"] == pseudonym(key, "15011112222")
        assert raw["Contact"] == pseudonym(key, "wang@example.com")
        dump = "\n".join(str(r) for t in ("orders", "_quarantine", "_ingest_log", "_meta")
                         for r in store._con.execute(f"SELECT * FROM {t}").fetchall())
        for secret in ("张三", "王五", "13812345678", "wang@example.com", "1001", key.decode()):
            assert secret not in dump
        assert any("pseudonymised" in d and "'Contact'" in d for d in res.decisions)


def test_later_ingests_follow_the_store_setting_with_the_same_pseudonyms(tmp_path: Path) -> None:
    with Store(tmp_path / "shop.duckdb") as store:
        ingest(_file(tmp_path, "o.csv", ORDERS), store, pseudonymise=True, today=TODAY)
        # A customers file with the id written as a float (1001.0): same customer, same pseudonym.
        cust = _file(tmp_path, "c.csv", "customer_id,region,email\n1001.0,North,z@example.com\n")
        ingest(cust, store, table="customers", today=TODAY)  # no flag: the store says so
        joined = store._con.execute("SELECT count(*) FROM orders o JOIN customers c USING (customer_id)").fetchall()
        assert joined[0][0] == 1
        assert store._con.execute("SELECT count(*) FROM customers WHERE customer_id = '1001'").fetchall()[0][0] == 0


def test_a_wrong_or_missing_key_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store_path = tmp_path / "shop.duckdb"
    with Store(store_path) as store:
        ingest(_file(tmp_path, "o.csv", ORDERS), store, pseudonymise=True, today=TODAY)
    other = _file(tmp_path, "other.key", "another-secret-key-of-enough-length\n")
    os.chmod(other, 0o600)
    more = _file(tmp_path, "o2.csv", ORDERS.replace("A1,", "B1,"))
    with Store(store_path) as store:
        with pytest.raises(InputError, match="does not match the one the store"):
            ingest(more, store, salt_file=other, today=TODAY)
        Path(str(store_path) + ".key").unlink()
        with pytest.raises(InputError, match="key file .* is missing"):
            ingest(more, store, today=TODAY)
        assert store.count("orders") == 2


def test_salt_from_environment_and_in_memory_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(":memory:") as store:
        with pytest.raises(InputError, match="in-memory store has no key file"):
            ingest(_file(tmp_path, "o.csv", ORDERS), store, pseudonymise=True, today=TODAY)
    monkeypatch.setenv("CUSTLENS_SALT", "environment-secret-0123456789")
    with Store(":memory:") as store:
        ingest(_file(tmp_path, "o.csv", ORDERS), store, pseudonymise=True, today=TODAY)
        ids = {r[0] for r in store._con.execute("SELECT customer_id FROM orders").fetchall()}
        assert pseudonym(b"environment-secret-0123456789", "1002") in ids


def test_a_store_with_plain_ids_is_not_mixed_with_pseudonyms(tmp_path: Path) -> None:
    with Store(tmp_path / "shop.duckdb") as store:
        ingest(_file(tmp_path, "o.csv", ORDERS), store, today=TODAY)
        with pytest.raises(InputError, match="already holds data with original customer ids"):
            ingest(_file(tmp_path, "o2.csv", ORDERS.replace("A1,", "B1,")), store, pseudonymise=True, today=TODAY)


@pytest.mark.parametrize("header,personal", [
    ("Email", True), ("E-mail", True), ("邮箱", True), ("Phone", True), ("mobile_no", True), ("手机号", True),
    ("电话", True), ("Name", True), ("姓名", True), ("收货人", True), ("Shipping Address", True), ("地址", True),
    ("product_name", False), ("campaign name", False), ("CustomerID", False), ("city", False), ("订单号", False),
])
def test_personal_headers(header: str, personal: bool) -> None:
    assert personal_header(header) is personal


@pytest.mark.parametrize("value,personal", [
    ("a.b+c@shop.example.com", True), ("13812345678", True), ("+86 13812345678", True),
    ("+44 20 7946 0958", True), ("(555) 123-4567", True), ("010-12345678", True),
    ("12345678", False), ("2024-01-05", False), ("536365", False), ("1,299.00", False), ("Beijing", False),
    ("12345678901", False),  # 11 digits but not a Chinese mobile prefix
])
def test_personal_values(value: str, personal: bool) -> None:
    assert personal_value(value) is personal
