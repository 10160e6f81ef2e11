"""Time series of the shop built in the store: one long frame ``unique_id, ds, y``.

Metrics
-------
revenue
    Net paid order amount per period (`custlens.features.periods.period_kpis`).
orders
    Number of orders per period.
active
    Distinct customers with an order in the period.
new
    Customers whose first order falls in the period.
category
    Demand per category (or product, brand) from ``order_items``: the summed ``quantity``
    (or ``line_amount``) of the lines of orders placed in the period; one series per
    category, all built by one query.

Every series runs from the first period with an order to the last *complete* period
before ``as_of`` (a period that ends after ``as_of`` is left out, it would look like a
drop), and periods without orders are zeros.
"""

from __future__ import annotations

import ibis
import pandas as pd

from custlens import schema
from custlens.errors import InputError, MissingDataError
from custlens.features.customer_table import AsOf, resolve_as_of
from custlens.features.periods import PERIOD_FREQS, daily_totals, period_kpis, rollup_totals
from custlens.store import Store

__all__ = ["METRICS", "FREQS", "build_series", "period_starts", "SERIES_COLUMNS"]

#: Metric name -> column of `period_kpis` (None: built from order lines).
METRICS: dict[str, str | None] = {
    "revenue": "revenue",
    "orders": "orders",
    "active": "customers",
    "new": "new_customers",
    "category": None,
}
#: Supported period lengths.
FREQS = ("D", "W", "M")
#: Columns of the long series frame (the statsforecast convention).
SERIES_COLUMNS = ["unique_id", "ds", "y"]
#: Grouping columns of ``order_items`` accepted for ``metric="category"``.
ITEM_GROUPS = (schema.CATEGORY, schema.PRODUCT_ID, "brand")
ITEM_VALUES = {"quantity": schema.QUANTITY, "amount": schema.LINE_AMOUNT}
UNKNOWN = "(unknown)"


def _check(metric: str, freq: str) -> None:
    if metric not in METRICS:
        raise InputError(f"metric={metric!r} is not supported; use one of {', '.join(METRICS)}")
    if freq not in FREQS:
        raise InputError(f"freq={freq!r} is not supported; use one of {', '.join(FREQS)}")


def period_starts(first: pd.Timestamp, as_of: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    """Starts of the complete periods from the one holding ``first`` up to ``as_of`` (exclusive end)."""
    pandas_freq = PERIOD_FREQS[freq][1]
    start = pd.Timestamp(first).normalize()
    if freq == "W":
        start = start - pd.Timedelta(days=start.day_of_week)
    elif freq == "M":
        start = start.replace(day=1)
    offset = pd.tseries.frequencies.to_offset(pandas_freq)
    idx = pd.date_range(start, as_of, freq=pandas_freq, unit="us")
    return idx[(idx + offset) <= as_of]


def next_period_start(last: pd.Timestamp, freq: str) -> pd.Timestamp:
    """The start of the period after the one starting at ``last``."""
    return pd.Timestamp(last) + pd.tseries.frequencies.to_offset(PERIOD_FREQS[freq][1])


def build_series(
    store: Store,
    metric: str = "revenue",
    freq: str = "D",
    as_of: AsOf = None,
    by: str = schema.CATEGORY,
    value: str = "quantity",
    kpis: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The series of ``metric`` per period, zero-filled, as a long frame.

    Parameters
    ----------
    store : Store
        Holds ``orders`` (and ``order_items`` for ``metric="category"``).
    metric : {"revenue", "orders", "active", "new", "category"}
        What to count; see the module docstring.
    freq : {"D", "W", "M"}
        Day, ISO week (starting Monday) or calendar month.
    as_of : date-like, optional
        First day not observed; default the day after the last order.
    by : {"category", "product_id", "brand"}
        Grouping of the order lines for ``metric="category"``.
    value : {"quantity", "amount"}
        Demand in units or in money for ``metric="category"``.
    kpis : pandas.DataFrame, optional
        `custlens.features.period_kpis` of ``freq`` as of ``as_of``, when the caller has it
        already (one query then serves several metrics), or for ``revenue`` and ``orders`` just
        ``period`` and that column (`custlens.features.periods.rollup_totals`, reset); computed
        when omitted (the day totals rolled up for revenue and orders).

    Returns
    -------
    pandas.DataFrame
        Columns ``unique_id`` (the metric name, or the category), ``ds`` (period start) and
        ``y`` (float), sorted by ``unique_id, ds``; every series has every period.

    Raises
    ------
    MissingDataError
        Without orders (or order lines for categories) before ``as_of``.
    InputError
        For an unknown metric, freq, ``by`` or ``value``, or when no period is complete.

    Examples
    --------
    >>> build_series(store, "orders", "W")  # doctest: +SKIP
    """
    _check(metric, freq)
    as_of = resolve_as_of(store, as_of)
    if metric == "category":
        return _item_series(store, freq, as_of, by, value)
    column = METRICS[metric]
    if kpis is None and column in ("revenue", "orders"):
        totals = daily_totals(store, as_of)  # no per-customer counting needed
        if totals.empty:
            raise MissingDataError(
                f"no orders before as_of={as_of:%Y-%m-%d}; pass a later as_of or load more orders")
        kpis = rollup_totals(totals, freq).reset_index()
    elif kpis is None:
        kpis = period_kpis(store, freq, as_of)
    if column not in kpis.columns:
        raise InputError(f"the kpis frame passed for metric={metric!r} has no column {column!r}; "
                         "pass period_kpis of the same freq, or omit kpis")
    if kpis.empty:  # e.g. an as_of before the first order (the report passes its own kpis)
        raise MissingDataError(
            f"no orders before as_of={as_of:%Y-%m-%d}; pass a later as_of or load more orders")
    idx = period_starts(kpis["period"].iloc[0], as_of, freq)
    if len(idx) == 0:
        raise InputError(f"no complete {freq} period before as_of={as_of:%Y-%m-%d}; use a shorter freq")
    y = kpis.set_index("period")[column].astype(float).reindex(idx, fill_value=0.0)
    return pd.DataFrame({"unique_id": metric, "ds": idx, "y": y.to_numpy()})


def _item_series(store: Store, freq: str, as_of: pd.Timestamp, by: str, value: str) -> pd.DataFrame:
    if by not in ITEM_GROUPS:
        raise InputError(f"by={by!r} is not supported; use one of {', '.join(ITEM_GROUPS)}")
    if value not in ITEM_VALUES:
        raise InputError(f"value={value!r} is not supported; use one of {', '.join(ITEM_VALUES)}")
    items = store.require(schema.ORDER_ITEMS.name, "category demand forecasts")
    orders = store.require(schema.ORDERS.name, "category demand forecasts")
    if by not in items.columns:
        raise InputError(f"order_items has no column {by!r}; load it or use by='category'")
    o = orders.filter(orders[schema.ORDERED_AT] < ibis.literal(as_of.to_pydatetime()))
    o = o.select(schema.ORDER_ID, period=o[schema.ORDERED_AT].truncate(PERIOD_FREQS[freq][0]))
    joined = items.join(o, schema.ORDER_ID)
    agg = joined.group_by(["period", by]).aggregate(y=joined[ITEM_VALUES[value]].sum())
    df = store.execute(agg)
    if df.empty:
        raise MissingDataError(
            f"no order lines of orders before as_of={as_of:%Y-%m-%d}; ingest order lines (order_items) "
            "with a category column to forecast demand per category"
        )
    df["period"] = pd.to_datetime(df["period"]).astype("datetime64[us]")
    df[by] = df[by].fillna(UNKNOWN).astype(str)
    idx = period_starts(df["period"].min(), as_of, freq)
    if len(idx) == 0:
        raise InputError(f"no complete {freq} period before as_of={as_of:%Y-%m-%d}; use a shorter freq")
    wide = df.pivot_table(index="period", columns=by, values="y", aggfunc="sum", fill_value=0.0)
    wide = wide.reindex(idx, fill_value=0.0).fillna(0.0)
    wide = wide.loc[:, sorted(wide.columns)]
    wide.index.name = "ds"
    wide.columns.name = "unique_id"
    long = wide.stack().rename("y").reset_index()
    long = long[SERIES_COLUMNS].sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    long["y"] = long["y"].astype(float)
    long["unique_id"] = long["unique_id"].astype(str)
    return long
