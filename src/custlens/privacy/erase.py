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
from pathlib import Path

from custlens.errors import InputError
from custlens.privacy import pseudo as ps
from custlens.results import Result
from custlens.store import FORGET_LOG, Store, open_store  # noqa: F401  (FORGET_LOG: re-exported)



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


def _raw_matcher(stored_id: str):
    """Whether a quarantined raw row (JSON text) holds ``stored_id`` as one of its values (as an id)."""
    def matches(raw: str) -> bool:
        try:
            values = json.loads(raw).values()
        except (ValueError, AttributeError):
            return False
        return any(ps.clean_id(v) == stored_id for v in values if v is not None)
    return matches


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
    removed = st.delete_customer(stored, _raw_matcher(stored), id_hash)
    return ForgetResult(id_hash, removed)
