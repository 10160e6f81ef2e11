"""`forget`: delete one customer's data from every table of the store, in one transaction.

Every table with a ``customer_id`` column is cleaned, canonical (orders, returns, customers,
surveys, feedback, tickets, campaign_members) and derived (saved CLV or churn scores...);
``order_items`` through the customer's order ids; ``_quarantine`` rows whose raw values hold
the id. ``_forget_log`` records when it happened and how many rows each table lost, with a
hash of the id, never the id itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from custlens import schema
from custlens.errors import InputError
from custlens.privacy import pseudo as ps
from custlens.results import Result
from custlens.store import Store, open_store

FORGET_LOG = "_forget_log"
_CREATE_LOG = (f"CREATE TABLE IF NOT EXISTS {FORGET_LOG} (forgotten_at TIMESTAMP, id_hash VARCHAR, "
               "rows_removed VARCHAR, total BIGINT)")


@dataclass
class ForgetResult(Result):
    """What `forget` removed.

    Attributes
    ----------
    id_hash : str
        The hash of the id recorded in ``_forget_log`` (the pseudonym in a pseudonymised
        store, else the SHA-256 of the id).
    rows_removed : dict
        ``{table: rows}`` for every table that lost rows.
    total : int
        All rows removed.
    """

    id_hash: str
    rows_removed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows_removed.values())

    def to_dict(self) -> dict:
        return {"id_hash": self.id_hash, "rows_removed": dict(self.rows_removed), "total": self.total}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _customer_tables(store: Store) -> list[str]:
    rows = store.con.execute(
        "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name = ? "
        "AND table_schema = 'main' AND table_catalog = current_database() ORDER BY table_name",
        [schema.CUSTOMER_ID]).fetchall()
    kinds = dict(store.con.execute("SELECT table_name, table_type FROM information_schema.tables "
                                   "WHERE table_schema = 'main'").fetchall())
    return [r[0] for r in rows if kinds.get(r[0]) == "BASE TABLE"]


def _quarantine_rows(store: Store, stored_id: str) -> list[int]:
    """Row ids of ``_quarantine`` rows with a raw value equal (as an id) to ``stored_id``."""
    like = "%" + stored_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    hits = []
    for rowid, raw in store.con.execute("SELECT rowid, raw FROM _quarantine WHERE raw LIKE ? ESCAPE '\\'",
                                        [like]).fetchall():
        try:
            values = json.loads(raw).values()
        except (ValueError, AttributeError):
            continue
        if any(ps.clean_id(v) == stored_id for v in values if v is not None):
            hits.append(rowid)
    return hits


def forget(store: Store | str | os.PathLike[str], customer_id: str,
           salt_file: str | os.PathLike[str] | None = None) -> ForgetResult:
    """Delete every row of one customer from the store and log that it happened.

    Parameters
    ----------
    store : Store or path
    customer_id : str
        The customer's id as in the source files. In a pseudonymised store the original id
        is hashed with the store's key first (a pseudonym ``p_...`` is accepted as well).
    salt_file : path, optional
        The key file of a pseudonymised store (default as in ingest).

    Returns
    -------
    ForgetResult
        Rows removed per table. Nothing found is not an error (the log still records the
        request), so a repeated request is harmless.

    Examples
    --------
    >>> forget("shop.duckdb", "12346").rows_removed  # doctest: +SKIP
    {'orders': 2, 'order_items': 3, 'customers': 1}
    """
    st = open_store(store)
    cleaned = ps.clean_id(customer_id)
    if cleaned is None:
        raise InputError(f"customer id {customer_id!r} is empty; pass the id as it appears in your files")
    if ps.is_pseudonymised(st):
        key = ps.load_key(st, salt_file)
        stored = cleaned if ps.is_pseudonym(cleaned) else ps.pseudonym(key, cleaned)
        id_hash = stored
    else:
        stored = cleaned
        id_hash = hashlib.sha256(cleaned.encode("utf-8")).hexdigest()
    removed: dict[str, int] = {}
    con = st.con
    with st.transaction():
        con.execute(_CREATE_LOG)
        # order_items carry no customer id: reach them through the customer's orders first.
        n = con.execute("DELETE FROM order_items WHERE order_id IN "
                        "(SELECT order_id FROM orders WHERE customer_id = ?)", [stored]).fetchall()[0][0]
        removed["order_items"] = int(n)
        for table in _customer_tables(st):
            n = con.execute(f"DELETE FROM {_q(table)} WHERE customer_id = ?", [stored]).fetchall()[0][0]
            removed[table] = int(n)
        rows = _quarantine_rows(st, stored)
        if rows:
            con.execute("DELETE FROM _quarantine WHERE list_contains(?, rowid)", [rows])
        removed["_quarantine"] = len(rows)
        removed = {t: n for t, n in removed.items() if n}
        con.execute(f"INSERT INTO {FORGET_LOG} VALUES (?, ?, ?, ?)",
                    [datetime.now(), id_hash, json.dumps(removed, sort_keys=True), sum(removed.values())])
    con.execute("CHECKPOINT")  # write the deletion into the file now, not at the next open
    return ForgetResult(id_hash, removed)
