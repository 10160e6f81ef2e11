"""The CLV view of the next weeks: repeat purchases the existing customers are expected to make.

A BG/NBD model (`custlens.clv.BetaGeoModel`) is fitted on the customer table as of the
forecast origin; the expected number of repeat purchases of all existing customers in
``(0, t]`` weeks is ``sum_i E[X_i(t)]``, and the expected purchases of a period are the
differences of that curve at the period's ends. It counts purchase *days* of customers
already known at ``as_of``: new customers' orders are not in it, which is why it sits
below a time-series forecast of all orders by roughly the new customers' share.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from custlens.errors import CustlensError, InputError
from custlens.store import Store

__all__ = ["repeat_purchase_forecast"]


def repeat_purchase_forecast(store: Store, as_of: pd.Timestamp, starts: pd.DatetimeIndex,
                             ends: pd.DatetimeIndex, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Expected repeat purchases of the existing customers in each period ``[start, end)``.

    Parameters
    ----------
    store : Store
        Holds ``orders``.
    as_of : Timestamp
        The forecast origin (first unobserved day).
    starts, ends : DatetimeIndex
        Period bounds (at or after ``as_of``).
    customers : pandas.DataFrame, optional
        The customer table as of ``as_of`` when the caller has it; computed when omitted.

    Returns
    -------
    pandas.DataFrame
        ``ds`` (period start) and ``clv_orders``.

    Raises
    ------
    InputError
        When the BG/NBD model cannot be fitted (too few repeat customers).
    """
    from custlens.clv import BetaGeoModel
    from custlens.features import customer_table

    ct = customers if customers is not None else customer_table(store, as_of)
    rfm = ct[["frequency", "recency", "T"]].astype(float)
    if len(rfm) < 20 or (rfm["frequency"] > 0).sum() < 5:
        raise InputError(f"{len(rfm)} customers, {(rfm['frequency'] > 0).sum()} with repeat purchases: "
                         "too few for the BG/NBD model")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = BetaGeoModel().fit(rfm)
        except (CustlensError, ValueError, FloatingPointError) as exc:
            raise InputError(f"the BG/NBD model could not be fitted: {exc}") from exc
    # Customers with the same (frequency, recency, T) expect the same: score each distinct row
    # once, weighted by its count (at 1M customers about a fifth of the rows).
    distinct = rfm.value_counts(sort=False).reset_index(name="n")
    weights = distinct.pop("n").to_numpy(dtype=float)
    bounds = sorted({*(pd.DatetimeIndex(starts)), *(pd.DatetimeIndex(ends))})
    cum = {}
    for b in bounds:
        t = max((pd.Timestamp(b) - as_of).days, 0) / 7.0  # the customer table's unit is the week
        cum[b] = float(np.dot(weights, model.expected_purchases(distinct, t)))
    values = [max(cum[e] - cum[s], 0.0) for s, e in zip(starts, ends)]
    return pd.DataFrame({"ds": pd.DatetimeIndex(starts), "clv_orders": values})
