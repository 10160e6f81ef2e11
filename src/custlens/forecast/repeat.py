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

#: Rows scored per call of ``expected_purchases``. The rows are already distinct, and a call on
#: more rows than this looks for repeated rows first (`custlens.clv` compresses above 20,000 rows):
#: wasted work, about a third of the scoring at 1M customers. The values are the same either way.
_CHUNK = 20_000


def repeat_purchase_forecast(store: Store, as_of: pd.Timestamp, starts: pd.DatetimeIndex,
                             ends: pd.DatetimeIndex, customers: pd.DataFrame | None = None,
                             fit_sample: int | None = None, random_state: int = 0) -> pd.DataFrame:
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
    fit_sample : int, optional
        Fit the model on a uniform random sample of this many customers when there are more
        (the expected purchases are still summed over every customer); default: all of them.
    random_state : int
        Seed of the fit sample.

    Returns
    -------
    pandas.DataFrame
        ``ds`` (period start) and ``clv_orders``; ``attrs`` holds ``customers`` (scored) and
        ``fit_customers`` (the model was fitted on: fewer when sampled).

    Raises
    ------
    InputError
        When the BG/NBD model cannot be fitted (too few repeat customers), or for a
        ``fit_sample`` below 20.
    """
    from custlens.clv import BetaGeoModel
    from custlens.features import customer_table

    if fit_sample is not None and (isinstance(fit_sample, bool) or int(fit_sample) < 20):
        raise InputError(f"fit_sample={fit_sample!r} must be a whole number >= 20 (or None for every customer)")
    ct = customers if customers is not None else customer_table(store, as_of)
    rfm = ct[["frequency", "recency", "T"]].astype(float)
    if len(rfm) < 20 or (rfm["frequency"] > 0).sum() < 5:
        raise InputError(f"{len(rfm)} customers, {(rfm['frequency'] > 0).sum()} with repeat purchases: "
                         "too few for the BG/NBD model")
    fit_rows = rfm
    if fit_sample is not None and len(rfm) > int(fit_sample):
        rows = np.random.default_rng(random_state).choice(len(rfm), size=int(fit_sample), replace=False)
        fit_rows = rfm.iloc[np.sort(rows)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = BetaGeoModel().fit(fit_rows)
        except (CustlensError, ValueError, FloatingPointError) as exc:
            raise InputError(f"the BG/NBD model could not be fitted: {exc}") from exc
    # Customers with the same (frequency, recency, T) expect the same: score each distinct row
    # once, weighted by its count (at 1M customers about 70% of the rows).
    distinct = rfm.value_counts(sort=False).reset_index(name="n")
    weights = distinct.pop("n").to_numpy(dtype=float)
    bounds = sorted({*(pd.DatetimeIndex(starts)), *(pd.DatetimeIndex(ends))})
    cum = {}
    for b in bounds:
        t = max((pd.Timestamp(b) - as_of).days, 0) / 7.0  # the customer table's unit is the week
        # no purchases in (T, T + 0]: the model gives exactly 0 there too, at the cost of a full pass
        cum[b] = 0.0 if t == 0 else float(np.dot(weights, _expected(model, distinct, t)))
    values = [max(cum[e] - cum[s], 0.0) for s, e in zip(starts, ends)]
    out = pd.DataFrame({"ds": pd.DatetimeIndex(starts), "clv_orders": values})
    out.attrs.update(customers=len(rfm), fit_customers=len(fit_rows))
    return out


def _expected(model: object, distinct: pd.DataFrame, t: float) -> np.ndarray:
    """``model.expected_purchases(distinct, t)``, computed `_CHUNK` rows at a time."""
    if len(distinct) <= _CHUNK:
        return model.expected_purchases(distinct, t)
    return np.concatenate([model.expected_purchases(distinct.iloc[i:i + _CHUNK], t)
                           for i in range(0, len(distinct), _CHUNK)])
