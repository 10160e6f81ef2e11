"""Reading the voice-of-the-customer tables as of a date (nothing on or after ``as_of``)."""

from __future__ import annotations

import ibis
import pandas as pd

from custlens.features.customer_table import AsOf, resolve_as_of
from custlens.store import Store

#: Time column of each VoC table.
TIME_COLUMN = {"surveys": "answered_at", "feedback": "created_at", "tickets": "opened_at"}
SCORE_PREFIX = "score_"


def as_of_for(store: Store, table: str, as_of: AsOf) -> pd.Timestamp:
    """``as_of``; by default the day after the last order, or after the table's last row without orders."""
    if as_of is not None or store.has("orders"):
        return resolve_as_of(store, as_of)
    last = store.max_timestamp(table, TIME_COLUMN[table])
    return resolve_as_of(store, last.normalize() + pd.Timedelta(days=1)) if last is not None else resolve_as_of(store)


def load(store: Store, table: str, as_of: AsOf, purpose: str) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Rows of ``table`` dated before ``as_of`` (raises `MissingDataError` naming ``purpose`` when empty)."""
    store.require(table, purpose)
    cut = as_of_for(store, table, as_of)
    col = TIME_COLUMN[table]
    t = store.table(table)
    df = store.execute(t.filter(t[col] < ibis.literal(cut.to_pydatetime())).order_by(col))
    return df.drop(columns=[c for c in ("source",) if c in df.columns]), cut


def score_columns(frame: pd.DataFrame) -> list[str]:
    """The ``score_<attribute>`` columns holding at least one value."""
    return [c for c in frame.columns if c.startswith(SCORE_PREFIX) and frame[c].notna().any()]


def attribute(column: str) -> str:
    """``score_delivery`` -> ``delivery``."""
    return column[len(SCORE_PREFIX):] if column.startswith(SCORE_PREFIX) else column


def periods(times: pd.Series, freq: str) -> pd.Series:
    """Calendar period labels (``2025-Q1``, ``2025-03``, ``2025``) of timestamps."""
    p = pd.to_datetime(times).dt.to_period({"quarter": "Q", "month": "M", "year": "Y"}[freq])
    return p.astype(str)
