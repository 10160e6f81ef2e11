"""`forget`: one customer removed from every table in one transaction, logged without the id."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from custlens import Store
from custlens.errors import InputError
from custlens.ingest import ingest
from custlens.privacy import forget, pseudonym

TODAY = dt.date(2026, 11, 23)


def _load(store: Store, tmp_path: Path, **kw) -> None:
    items = tmp_path / "items.csv"
    items.write_text(
        "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
        "A1,P1,2,2024-01-05,5,12346\nA1,P2,1,2024-01-05,3,12346\nA2,P1,1,2024-01-06,5,12347\n"
        "C3,P1,-1,2024-01-08,5,12346\n"  # a refund of 12346
        "A4,P1,1,2099-01-01,5,12346.0\n"  # quarantined (future), raw id written as a float
        "A5,P1,1,2099-01-01,5,123467\n")  # quarantined, an id that merely contains 12346
    ingest(items, store, today=TODAY, **kw)
    cust = tmp_path / "cust.csv"
    cust.write_text("customer_id,region\n12346,North\n12347,South\n")
    ingest(cust, store, table="customers", today=TODAY)
    surveys = pd.DataFrame({"response_id": ["R1", "R2"], "customer_id": ["12346", "12347"],
                            "answered_at": ["2024-02-01"] * 2, "nps": ["9", "3"]})
    ingest(surveys, store, table="surveys", today=TODAY)
    members = pd.DataFrame({"campaign_id": ["K1", "K1"], "customer_id": ["12346", "12347"],
                            "group": ["treatment", "control"], "exposed_at": ["2024-01-01"] * 2})
    ingest(members, store, table="campaign_members", today=TODAY)


def test_forget_removes_the_customer_everywhere_and_logs_a_hash(tmp_path: Path, store: Store) -> None:
    _load(store, tmp_path)
    first = store._con.execute("SELECT customer_id FROM customers LIMIT 1").fetchall()[0][0]
    store.write("clv_scores", pd.DataFrame({"customer_id": ["12346", "12347"], "clv": [10.0, 20.0]}))
    before = {t: store.count(t) for t in ("orders", "order_items", "returns", "customers", "surveys",
                                          "campaign_members", "clv_scores", "_quarantine")}
    res = forget(store, " 12346 ")
    assert res.rows_removed == {"orders": 1, "order_items": 2, "returns": 1, "customers": 1, "surveys": 1,
                                "campaign_members": 1, "clv_scores": 1, "_quarantine": 1}
    after = {t: store.count(t) for t in before}
    assert {t: before[t] - after[t] for t in before} == res.rows_removed
    assert json.loads(store._con.execute("SELECT raw FROM _quarantine").fetchall()[0][0])["CustomerID"] == "123467"
    for table in ("orders", "returns", "customers", "surveys", "campaign_members", "clv_scores"):
        assert store._con.execute(f"SELECT count(*) FROM {table} WHERE customer_id = '12346'").fetchall()[0][0] == 0
    log = store.read("_forget_log")
    assert len(log) == 1 and log.loc[0, "id_hash"] == hashlib.sha256(b"12346").hexdigest()
    assert json.loads(log.loc[0, "rows_removed"]) == res.rows_removed and log.loc[0, "total"] == res.total == 9
    assert "12346" not in log.to_string().replace(hashlib.sha256(b"12346").hexdigest(), "")
    assert first in ("12346", "12347")
    again = forget(store, "12346")  # nothing left: harmless, and logged
    assert again.total == 0 and store.count("_forget_log") == 2


def test_forget_is_one_transaction(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from custlens.privacy import erase

    _load(store, tmp_path)
    counts = {t: store.count(t) for t in ("orders", "order_items", "customers", "_quarantine")}

    def boom(_raw: str) -> bool:  # called after the other tables' rows are deleted
        raise OSError("crash while scanning the quarantine (simulated)")

    monkeypatch.setattr(erase, "_raw_matcher", lambda _id: boom)
    with pytest.raises(OSError):
        forget(store, "12346")
    assert {t: store.count(t) for t in counts} == counts


def test_forget_in_a_pseudonymised_store_takes_the_original_id(tmp_path: Path) -> None:
    with Store(tmp_path / "p.duckdb") as store:
        _load(store, tmp_path, pseudonymise=True)
        key = Path(str(tmp_path / "p.duckdb") + ".key").read_text().strip().encode()
        pid = pseudonym(key, "12346")
        assert store._con.execute("SELECT count(*) FROM orders WHERE customer_id = ?", [pid]).fetchall()[0][0] == 1
        res = forget(store, "12346")
        assert res.id_hash == pid
        assert res.rows_removed["orders"] == 1 and res.rows_removed["customers"] == 1
        assert res.rows_removed["_quarantine"] == 1  # the raw row holds the pseudonym too
        assert store._con.execute("SELECT count(*) FROM orders WHERE customer_id = ?", [pid]).fetchall()[0][0] == 0
        assert store.count("orders") == 1


def test_forget_refuses_an_empty_id(store: Store) -> None:
    with pytest.raises(InputError, match="is empty"):
        forget(store, "  ")
