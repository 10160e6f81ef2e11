"""LRFMC features for online shops, with a fallback to L-R-F-M when discounts are not recorded.

The LRFMC model (Zhang Liang et al., the airline-customer case of *Python 数据分析与挖掘实战*)
describes a customer by five numbers. For a shop:

===  =============================================================  ==========================
L    days since the first order, or since signup when it is known   ``tenure_days``
R    days since the last order                                       ``days_since_last``
F    number of orders                                                ``orders``
M    total spend (net paid)                                          ``total_spend``
C    average discount rate over the customer's orders,               ``orders.discount``
     mean of ``discount / (amount + discount)``
===  =============================================================  ==========================

C needs the optional ``discount`` column of ``orders``. When no order before ``as_of`` has a
discount value, C cannot be measured: the result says so (``has_discount=False``, a note key)
and clusters on L, R, F, M only. Orders without a discount value count as undiscounted when
other orders of the shop have one.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from custlens.errors import SchemaError
from custlens.features.columns import CUSTOMER_ID, DAYS_SINCE_LAST, ORDERS, TENURE_DAYS, TOTAL_SPEND
from custlens.schema import AMOUNT, DISCOUNT, ORDERED_AT
from custlens.store import Store

__all__ = ["LRFMC", "LRFMCFeatures", "discount_rates", "lrfmc_features"]

#: The five feature names, in order.
LRFMC: tuple[str, ...] = ("L", "R", "F", "M", "C")
_SOURCE = {"L": TENURE_DAYS, "R": DAYS_SINCE_LAST, "F": ORDERS, "M": TOTAL_SPEND}


@dataclass(frozen=True)
class LRFMCFeatures:
    """LRFMC features of every customer.

    Attributes
    ----------
    frame : pandas.DataFrame
        ``customer_id, L, R, F, M`` and ``C`` (when measured) plus ``total_spend``.
    features : list of str
        ``["L", "R", "F", "M", "C"]``, or ``["L", "R", "F", "M"]`` without discount data.
    has_discount : bool
        Whether C was measured.
    note : str
        i18n key of the sentence explaining the features used (``segment.lrfmc.note.c`` or
        ``segment.lrfmc.note.fallback``).
    """

    frame: pd.DataFrame
    features: list[str]
    has_discount: bool
    note: str


def discount_rates(store: Store, as_of: pd.Timestamp) -> pd.DataFrame | None:
    """Mean ``discount / (amount + discount)`` per customer over orders before ``as_of``.

    Returns
    -------
    pandas.DataFrame or None
        ``customer_id, C``; None when no order before ``as_of`` records a discount.
    """
    orders = store.table("orders")
    if DISCOUNT not in orders.columns:
        return None
    before = orders.filter(orders[ORDERED_AT] < ibis.timestamp(pd.Timestamp(as_of).to_pydatetime()))
    n_disc = store.execute(before.filter(before[DISCOUNT].notnull()).count())
    if int(n_disc) == 0:
        return None
    disc = before[DISCOUNT].fill_null(0.0)
    gross = before[AMOUNT] + disc
    rate = ibis.cases((gross > 0, disc / gross), else_=0.0)
    expr = before.mutate(_rate=rate).group_by(CUSTOMER_ID).aggregate(C=lambda t: t._rate.mean())
    return store.execute(expr)


def lrfmc_features(customers: pd.DataFrame, discounts: pd.DataFrame | None = None) -> LRFMCFeatures:
    """Build the LRFMC frame from the customer table and per-customer discount rates.

    Parameters
    ----------
    customers : pandas.DataFrame
        The customer table (``customer_id, tenure_days, days_since_last, orders, total_spend``).
    discounts : pandas.DataFrame, optional
        ``customer_id, C`` (`discount_rates`); None means no discount data: the fallback
        to L, R, F, M.

    Returns
    -------
    LRFMCFeatures

    Raises
    ------
    SchemaError
        A needed column of the customer table is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"customer_id": ["a"], "tenure_days": [30], "days_since_last": [2],
    ...                   "orders": [3], "total_spend": [90.0]})
    >>> lrfmc_features(t).features
    ['L', 'R', 'F', 'M']
    """
    missing = [c for c in (CUSTOMER_ID, *_SOURCE.values()) if c not in customers.columns]
    if missing:
        raise SchemaError(f"customer table: missing column(s) {', '.join(map(repr, missing))} needed for "
                          "LRFMC; pass the table of custlens.features.customer_table")
    frame = pd.DataFrame({CUSTOMER_ID: customers[CUSTOMER_ID].to_numpy()})
    for name, col in _SOURCE.items():
        frame[name] = customers[col].to_numpy(dtype=float)
    frame[TOTAL_SPEND] = customers[TOTAL_SPEND].to_numpy(dtype=float)
    if discounts is None:
        return LRFMCFeatures(frame, ["L", "R", "F", "M"], False, "segment.lrfmc.note.fallback")
    c = discounts.set_index(CUSTOMER_ID)["C"].astype(float)
    frame["C"] = np.clip(frame[CUSTOMER_ID].map(c).fillna(0.0).to_numpy(dtype=float), 0.0, 1.0)
    return LRFMCFeatures(frame, list(LRFMC), True, "segment.lrfmc.note.c")
