"""The per-customer CLV scores saved in the store, and joining them to a customer table."""

from __future__ import annotations

from typing import Any

import pandas as pd

from custlens import schema
from custlens.store import Store

#: Store table of the per-customer scores.
SCORES_TABLE = "clv_scores"
SCORE_COLUMNS = ("customer_id", "p_alive", "expected_purchases", "expected_spend", "clv",
                 "expected_days_to_next", "overdue", "model", "as_of")


def join_scores(customers: pd.DataFrame, store: Store, as_of: Any = None) -> pd.DataFrame:
    """Add the saved CLV scores to a customer table (unchanged when there are none).

    The columns ``p_alive, expected_purchases, expected_spend, clv,
    expected_days_to_next, overdue`` are added as they are; ``model`` and ``as_of``
    become ``clv_model`` and ``clv_as_of``. Customers without a score get missing values.

    Parameters
    ----------
    customers : DataFrame
        With a ``customer_id`` column (e.g. :func:`custlens.features.customer_table`).
    store : Store
    as_of : date-like, optional
        Join only scores computed as of this date (pass the customer table's ``as_of`` so
        a table of the past never carries scores that saw later orders); by default any
        saved scores are joined.

    Returns
    -------
    DataFrame
        ``customers`` in the same row order, with the score columns appended.
    """
    if not store.exists(SCORES_TABLE):
        return customers
    scores = store.read(SCORES_TABLE).rename(columns={"model": "clv_model", "as_of": "clv_as_of"})
    if as_of is not None:
        scores = scores[pd.to_datetime(scores["clv_as_of"]) == pd.Timestamp(as_of).normalize()]
        if scores.empty:
            return customers
    scores[schema.CUSTOMER_ID] = scores[schema.CUSTOMER_ID].astype(customers[schema.CUSTOMER_ID].dtype)
    keep = [col for col in scores.columns if col not in customers.columns or col == schema.CUSTOMER_ID]
    return customers.merge(scores[keep], on=schema.CUSTOMER_ID, how="left", validate="one_to_one")
