"""Shared plumbing of the behaviour analyses: ``as_of`` handling and SQL in the store."""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from custlens import schema
from custlens.features.customer_table import AsOf, resolve_as_of
from custlens.store import Store


def orders_as_of(store: Store, as_of: AsOf, purpose: str) -> pd.Timestamp:
    """Check that orders exist (clear error otherwise) and resolve ``as_of``."""
    store.require(schema.ORDERS.name, purpose)
    return resolve_as_of(store, as_of)


def query(store: Store, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run ``sql`` in the store and fetch the whole result as pandas."""
    return store._con.execute(sql, list(params)).df()


def scalar(store: Store, sql: str, params: Sequence[Any] = ()) -> Any:
    """The single value of ``sql``."""
    return store._con.execute(sql, list(params)).fetchall()[0][0]


def has_column(store: Store, table: str, column: str) -> bool:
    """True when ``table`` exists, has ``column`` and that column has a non-null value."""
    if not store.exists(table) or column not in store.columns(table):
        return False
    return bool(scalar(store, f'SELECT count("{column}") FROM "{table}"'))


def ts(value: pd.Timestamp) -> Any:
    """A timestamp DuckDB binds as a TIMESTAMP parameter."""
    return pd.Timestamp(value).to_pydatetime()


def with_frame(store: Store, name: str, frame: pd.DataFrame, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run ``sql`` with ``frame`` registered as the view ``name`` for the duration of the query."""
    store._con.register(name, frame)
    try:
        return query(store, sql, params)
    finally:
        store._con.unregister(name)
