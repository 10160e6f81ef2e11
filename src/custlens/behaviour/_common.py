"""Shared plumbing of the behaviour analyses: ``as_of`` handling and the store's Ibis tables."""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from custlens import schema
from custlens.features.customer_table import AsOf, resolve_as_of
from custlens.store import Store


def orders_as_of(store: Store, as_of: AsOf, purpose: str) -> pd.Timestamp:
    """Check that orders exist (clear error otherwise) and resolve ``as_of``."""
    store.require(schema.ORDERS.name, purpose)
    return resolve_as_of(store, as_of)


def before(store: Store, table: str, column: str, cut: Any) -> ibis.Table:
    """The Ibis table ``table`` restricted to rows with ``column`` strictly before ``cut``."""
    t = store.table(table)
    return t.filter(t[column] < ibis.literal(ts(cut)))


def orders_before(store: Store, cut: Any) -> ibis.Table:
    """Orders placed strictly before ``cut`` (the first day not observed)."""
    return before(store, schema.ORDERS.name, schema.ORDERED_AT, cut)


def has_column(store: Store, table: str, column: str) -> bool:
    """True when ``table`` exists, has ``column`` and that column has a non-null value."""
    if not store.exists(table) or column not in store.columns(table):
        return False
    return bool(store.execute(store.table(table)[column].count()))


def ts(value: Any) -> Any:
    """A timestamp as a Python datetime (what Ibis literals and DuckDB parameters take)."""
    return pd.Timestamp(value).to_pydatetime()

