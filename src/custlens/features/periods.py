"""Shop-level KPIs: headline figures and per-period aggregates, computed in the store.

Both functions build Ibis expressions over the canonical ``orders`` (and ``returns``)
tables and run them in the store, so another Ibis backend can run them unchanged. They
look only at orders strictly before ``as_of`` (default: the day after the last order).

Definitions
-----------
revenue
    Sum of the net paid order ``amount`` (returns are reported separately, not netted).
aov
    Average order value, ``revenue / orders``.
customers (per period)
    Active customers: distinct customers with at least one order in the period.
new_customers (per period)
    Customers whose first order ever (before ``as_of``) falls in the period.
repeat_rate (per period)
    Share of the period's active customers who had ordered before the period started,
    ``returning_customers / customers``. A customer whose first two orders fall in the same
    period counts as new in that period, not as returning.
repeat_purchase_rate (headline)
    Share of customers with two or more orders.
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from custlens import schema
from custlens.errors import MissingDataError
from custlens.features.customer_table import AsOf, resolve_as_of
from custlens.store import Store

__all__ = ["period_kpis", "headline_kpis", "PERIOD_FREQS"]

#: Accepted ``freq`` values: Ibis truncation unit and the pandas frequency of period starts.
PERIOD_FREQS: dict[str, tuple[str, str]] = {
    "D": ("D", "D"),
    "W": ("W", "W-MON"),  # weeks start on Monday (ISO), as DuckDB's date_trunc('week')
    "M": ("M", "MS"),
    "Q": ("Q", "QS"),
    "Y": ("Y", "YS"),
}

PERIOD_COLUMNS = [
    "period",
    "period_end",
    "partial",
    "revenue",
    "orders",
    "customers",
    "new_customers",
    "returning_customers",
    "aov",
    "repeat_rate",
]


def _orders_before(store: Store, as_of: pd.Timestamp, purpose: str) -> ibis.Table:
    orders = store.require(schema.ORDERS.name, purpose)
    return orders.filter(orders[schema.ORDERED_AT] < ibis.literal(as_of.to_pydatetime()))


def period_kpis(store: Store, freq: str = "M", as_of: AsOf = None) -> pd.DataFrame:
    """Revenue, orders and customers per calendar period.

    Parameters
    ----------
    store : Store
        The store holding ``orders``.
    freq : {"D", "W", "M", "Q", "Y"}, default "M"
        Period length: day, ISO week (starting Monday), month, quarter or year.
    as_of : str, date, datetime or Timestamp, optional
        The first day not observed: only orders before it count (a time of day is dropped,
        as in `custlens.features.customer_table`). Default: `Store.default_as_of`.

    Returns
    -------
    pandas.DataFrame
        One row per period from the first to the last order's period, gaps filled with
        zeros, sorted by ``period``. Columns: ``period`` (period start), ``period_end``
        (exclusive), ``partial`` (the period ends after ``as_of``), ``revenue``,
        ``orders``, ``customers`` (active), ``new_customers``, ``returning_customers``,
        ``aov`` (NaN with no orders) and ``repeat_rate`` (NaN with no customers).

    Raises
    ------
    MissingDataError
        When the store has no orders, or none before ``as_of``.
    ValueError
        For an unknown ``freq``.

    Examples
    --------
    >>> period_kpis(store, freq="Q")  # doctest: +SKIP
    """
    if freq not in PERIOD_FREQS:
        raise ValueError(f"freq={freq!r} is not supported; use one of {', '.join(PERIOD_FREQS)}")
    unit, pandas_freq = PERIOD_FREQS[freq]
    as_of = resolve_as_of(store, as_of)
    o = _orders_before(store, as_of, "period KPIs")
    cid, at = schema.CUSTOMER_ID, schema.ORDERED_AT

    first = o.group_by(cid).aggregate(first_period=o[at].min().truncate(unit))
    per_customer = (
        o.mutate(period=o[at].truncate(unit))
        .group_by(["period", cid])
        .aggregate(revenue=lambda t: t[schema.AMOUNT].sum(), orders=lambda t: t.count())
    )
    joined = per_customer.join(first, cid)
    is_new = (joined.first_period == joined.period).cast("int64")
    agg = (
        joined.group_by("period")
        .aggregate(
            revenue=joined.revenue.sum(),
            orders=joined.orders.sum(),
            customers=joined[cid].nunique(),
            new_customers=is_new.sum(),
        )
        .order_by("period")
    )
    df = store.execute(agg)
    if df.empty:
        raise MissingDataError(
            f"no orders before as_of={as_of:%Y-%m-%d}; pass a later as_of or load more orders"
        )
    return _finish_periods(df, pandas_freq, as_of)


def _finish_periods(df: pd.DataFrame, pandas_freq: str, as_of: pd.Timestamp) -> pd.DataFrame:
    """Fill empty periods with zeros and derive the ratio columns."""
    df["period"] = pd.to_datetime(df["period"]).astype("datetime64[us]")
    full = pd.date_range(df["period"].min(), df["period"].max(), freq=pandas_freq, unit="us")
    df = df.set_index("period").reindex(full).rename_axis("period").reset_index()
    for col in ("orders", "customers", "new_customers"):
        df[col] = df[col].fillna(0).astype("int64")
    df["revenue"] = df["revenue"].fillna(0.0).astype("float64")
    df["returning_customers"] = df["customers"] - df["new_customers"]
    df["aov"] = df["revenue"] / df["orders"].where(df["orders"] > 0)
    df["repeat_rate"] = df["returning_customers"] / df["customers"].where(df["customers"] > 0)
    offset = pd.tseries.frequencies.to_offset(pandas_freq)
    df["period_end"] = df["period"] + offset
    df["partial"] = df["period_end"] > as_of
    return df[PERIOD_COLUMNS]


def headline_kpis(store: Store, as_of: AsOf = None) -> dict[str, Any]:
    """The shop's headline figures up to ``as_of``.

    Parameters
    ----------
    store : Store
        The store holding ``orders`` (and optionally ``returns``).
    as_of : str, date, datetime or Timestamp, optional
        The first day not observed: only orders and returns before it count.
        Default: `Store.default_as_of`.

    Returns
    -------
    dict
        ``as_of`` (Timestamp), ``revenue``, ``orders``, ``customers``, ``aov``,
        ``revenue_per_customer``, ``orders_per_customer``, ``repeat_customers``
        (customers with two or more orders), ``repeat_purchase_rate`` (their share),
        ``first_order_at``, ``last_order_at`` (Timestamps), ``returns_count`` and
        ``returns_value`` (0 when no returns are loaded).

    Raises
    ------
    MissingDataError
        When the store has no orders, or none before ``as_of``.
    """
    as_of = resolve_as_of(store, as_of)
    o = _orders_before(store, as_of, "headline KPIs")
    cid, at = schema.CUSTOMER_ID, schema.ORDERED_AT
    per_customer = o.group_by(cid).aggregate(n=o.count(), spend=o[schema.AMOUNT].sum())
    totals = store.execute(
        o.aggregate(
            revenue=o[schema.AMOUNT].sum(),
            orders=o.count(),
            first_order_at=o[at].min(),
            last_order_at=o[at].max(),
        )
    ).iloc[0]
    orders = int(totals["orders"])
    if orders == 0:
        raise MissingDataError(
            f"no orders before as_of={as_of:%Y-%m-%d}; pass a later as_of or load more orders"
        )
    cust = store.execute(
        per_customer.aggregate(
            customers=per_customer.count(),
            repeat_customers=(per_customer.n >= 2).cast("int64").sum(),
        )
    ).iloc[0]
    customers = int(cust["customers"])
    revenue = float(totals["revenue"])
    returns_count, returns_value = _returns(store, as_of)
    return {
        "as_of": as_of,
        "revenue": revenue,
        "orders": orders,
        "customers": customers,
        "aov": revenue / orders,
        "revenue_per_customer": revenue / customers,
        "orders_per_customer": orders / customers,
        "repeat_customers": int(cust["repeat_customers"]),
        "repeat_purchase_rate": int(cust["repeat_customers"]) / customers,
        "first_order_at": pd.Timestamp(totals["first_order_at"]),
        "last_order_at": pd.Timestamp(totals["last_order_at"]),
        "returns_count": returns_count,
        "returns_value": returns_value,
    }


def _returns(store: Store, as_of: pd.Timestamp) -> tuple[int, float]:
    if not store.has(schema.RETURNS.name):
        return 0, 0.0
    r = store.table(schema.RETURNS.name)
    r = r.filter(r[schema.RETURNED_AT] < ibis.literal(as_of.to_pydatetime()))
    row = store.execute(r.aggregate(n=r.count(), value=r[schema.AMOUNT].sum())).iloc[0]
    value = row["value"]
    return int(row["n"]), 0.0 if pd.isna(value) else float(value)

