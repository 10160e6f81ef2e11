"""The customer table from two passes over the orders, and every customer's purchase days.

`custlens.features.customer_table_expr` states the customer table as one Ibis expression;
at a million customers its two-key group by (customer, day) and its windows (the day gaps'
``lag()``, the favourite channel's ``row_number()``) cost most of it. Here the store runs two
cheaper queries through Ibis, on any engine:

1. one aggregate per customer (first/last order, orders, spend, discounts, first/last day,
   with the returns, signups and favourite category joined), ordered by ``customer_id``;
2. the orders' day, amount and channel code (no strings), ordered by ``(customer_id, day)``:
   each customer's orders are then a contiguous run whose length is their ``orders``.

NumPy merges same-day orders into purchase days and derives the rest. The definitions are the
expression's; ``tests/features/test_purchase_days.py`` compares the two column by column.
`PurchaseDays` keeps the purchase days, so CLV's calibration split and tracking plot need no
further pass over the orders.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.selectors as s
import numpy as np
import pandas as pd
import pyarrow as pa
from ibis import _

from custlens import schema
from custlens.features import columns as c
from custlens.features.customer_table import (AsOf, _epoch_day, _favourite_category, _favourite_channel,
                                              _orders_before, _return_facts, _signup_days, resolve_as_of)
from custlens.store import Store

__all__ = ["CustomerBuild", "PurchaseDays", "build_customer_table"]

#: Most distinct channels coded in the order stream; above it the favourite channel is ranked
#: in the store (a CASE with thousands of branches compiles slowly).
MAX_CHANNEL_CODES = 512


@dataclass(frozen=True)
class PurchaseDays:
    """Each customer's distinct purchase days before ``as_of``, in the customer table's order.

    Customer ``i`` (row ``i`` of the customer table) has the days
    ``day[start[i]:start[i + 1]]`` (ascending epoch days, ``1970-01-01`` = 0), with the summed
    amount ``total`` and the number of ``orders`` of each day.
    """

    as_of: pd.Timestamp
    customer_id: np.ndarray
    start: np.ndarray
    day: np.ndarray
    total: np.ndarray
    orders: np.ndarray

    @property
    def customer_index(self) -> np.ndarray:
        """The customer row (0..n-1) of every purchase day."""
        return np.repeat(np.arange(len(self.customer_id)), np.diff(self.start))


@dataclass(frozen=True)
class CustomerBuild:
    """The customer table (``frame``) and the purchase days it was built from (``days``)."""

    frame: pd.DataFrame
    days: PurchaseDays


def _facts_expr(store: Store, as_of: pd.Timestamp, rank_channel: bool) -> ibis.Table:
    """Pass 1: one row per customer, ordered by ``customer_id``."""
    orders = _orders_before(store, as_of)
    table = orders.group_by(schema.CUSTOMER_ID).aggregate(**{
        c.FIRST_ORDER_AT: _[schema.ORDERED_AT].min(), c.LAST_ORDER_AT: _[schema.ORDERED_AT].max(),
        c.ORDERS: _.count(), c.TOTAL_SPEND: _[schema.AMOUNT].sum(),
        "_discount_sum": _[schema.DISCOUNT].fill_null(0.0).sum(), "_discount_n": _[schema.DISCOUNT].count(),
        "_first_day": _._day.min(), "_last_day": _._day.max()})
    joins = []  # an empty table adds nothing but the cost of its join
    if store.count(schema.RETURNS.name):
        joins.append(_return_facts(store, as_of))
    if store.count(schema.CUSTOMERS.name):
        joins.append(_signup_days(store, as_of))
    if store.count(schema.ORDER_ITEMS.name):
        joins.append(_favourite_category(store, orders))
    if rank_channel:
        joins.append(_favourite_channel(orders))
    for other in joins:
        table = table.left_join(other, schema.CUSTOMER_ID).select(~s.endswith("_right"))
    # no nulls in numeric columns: Ibis turns a column with nulls into Python objects
    fills = {"_returns_count": 0, "_returns_value": 0.0, "_signup_day": float("nan")}
    table = table.mutate(**{k: table[k].cast("float64").fill_null(v) for k, v in fills.items()
                            if k in table.columns})
    return table.order_by(schema.CUSTOMER_ID)


def _channels(store: Store, as_of: pd.Timestamp) -> list[str]:
    """The distinct channels before ``as_of``, sorted as the store sorts strings (by code point)."""
    orders = _orders_before(store, as_of)
    values = store.execute(orders.select(schema.CHANNEL).distinct())[schema.CHANNEL]
    return sorted(str(v) for v in values.dropna())


def _stream(store: Store, as_of: pd.Timestamp, channels: list[str] | None) -> dict[str, np.ndarray]:
    """Pass 2: day, amount and channel code of every order, ordered by (customer, day)."""
    orders = _orders_before(store, as_of)
    cols = {"_day": orders._day.cast("int32"), schema.AMOUNT: orders[schema.AMOUNT].cast("float64")}
    if channels:
        cols["_ch"] = orders[schema.CHANNEL].cases(*[(v, i) for i, v in enumerate(channels)],
                                                   else_=-1).cast("int32")
    expr = orders.order_by([schema.CUSTOMER_ID, "_day"]).select(**cols)
    arrow = store.ibis.to_pyarrow(expr)
    return {name: arrow.column(name).to_numpy() for name in cols}


def _favourite(code: np.ndarray, counts: np.ndarray, k: int) -> np.ndarray:
    """Per customer (``counts[i]`` consecutive rows each), the most frequent code (ties: the
    smallest), -1 without one (every code < 0).

    One `numpy.bincount` over (customer, code + 1): codes < 0 land in column 0, dropped."""
    n = len(counts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(n, dtype=np.int64), counts)
    key = owner * (k + 1) + (np.maximum(code, -1) + 1)
    tally = np.bincount(key, minlength=n * (k + 1)).reshape(n, k + 1)[:, 1:]
    best = tally.argmax(axis=1)  # the first maximum: the smallest code
    return np.where(tally.max(axis=1) > 0, best, -1)


def _day_totals(amount: np.ndarray, day_of: np.ndarray, n_days: int) -> np.ndarray:
    """The sum of each day's amounts (SQL ``SUM``: nulls skipped, null when all are null).

    ``day_of``: the purchase day (0..n_days-1, ascending) of every order. `numpy.bincount`
    adds each day's amounts in row order from 0.0, the order the former ``np.add.at`` used
    (first amount, then the day's later ones), so the totals are the same to the bit."""
    missing = np.isnan(amount)
    has_missing = bool(missing.any())
    values = np.where(missing, 0.0, amount) if has_missing else amount
    total = np.bincount(day_of, weights=values, minlength=n_days)
    if has_missing:
        known = np.bincount(day_of, weights=~missing, minlength=n_days)
        total[known == 0] = np.nan
    return total


def _columns(table: pa.Table) -> dict[str, np.ndarray]:
    """The columns of an Arrow table as NumPy arrays (strings as objects, nulls as NaN/None/NaT),
    without a pandas frame in between."""
    return {name: table.column(name).to_numpy() for name in table.column_names}


def _column(facts: dict[str, np.ndarray], name: str, fill: float) -> np.ndarray:
    """A nullable numeric column of ``facts`` as float64, nulls (and no column) as ``fill``."""
    if name not in facts:
        return np.full(len(facts[schema.CUSTOMER_ID]), fill)
    values = np.asarray(facts[name], dtype=float)
    return values if np.isnan(fill) else np.nan_to_num(values, nan=fill)


def _run_sums(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over each run ``starts[i]:starts[i + 1]`` (every run non-empty)."""
    if len(starts) == 1:
        return np.zeros(0)
    return np.add.reduceat(values, starts[:-1], dtype=np.int64 if values.dtype == bool else None)


def build_customer_table(store: Store, as_of: AsOf = None) -> CustomerBuild:
    """The customer table and the purchase days behind it, from two passes over the orders.

    Parameters
    ----------
    store : Store
        A store holding at least the ``orders`` table.
    as_of : str, date, datetime, Timestamp or None
        The first day not observed; default: the day after the last order.

    Returns
    -------
    CustomerBuild
        ``frame``: the customer table, as `custlens.features.customer_table` documents it;
        ``days``: the customers' purchase days (`PurchaseDays`).

    Raises
    ------
    MissingDataError
        When the store has no orders.
    RuntimeError
        When the store returned the two passes in different customer orders (an engine fault;
        the table would be wrong, so none is returned).
    """
    as_of = resolve_as_of(store, as_of)
    as_of_day = _epoch_day(as_of)
    channels = _channels(store, as_of)
    rank_channel = len(channels) > MAX_CHANNEL_CODES
    facts = _columns(store.ibis.to_pyarrow(_facts_expr(store, as_of, rank_channel)))
    stream = _stream(store, as_of, None if rank_channel else channels)
    n = len(facts[schema.CUSTOMER_ID])
    counts = facts[c.ORDERS].astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)])
    day = stream["_day"]
    if starts[-1] != len(day):
        raise RuntimeError(f"customer table: {len(day):,} orders streamed, {starts[-1]:,} counted")
    new_day = np.ones(len(day), dtype=bool)
    np.not_equal(day[1:], day[:-1], out=new_day[1:])
    new_day[starts[:-1][counts > 0]] = True  # a customer's first order starts a day
    if n and not (np.array_equal(day[starts[:-1]], facts["_first_day"])
                  and np.array_equal(day[starts[1:] - 1], facts["_last_day"])):
        raise RuntimeError("customer table: the store sorted the customers differently in two queries")
    at = np.flatnonzero(new_day)
    days = day[at]
    running = np.empty(len(day) + 1, dtype=np.int64)
    running[0] = 0
    np.cumsum(new_day, out=running[1:])
    total = _day_totals(stream[schema.AMOUNT], running[1:] - 1, len(at))
    per_day = np.diff(np.append(at, len(day))).astype(np.int32)
    n_days = running[starts[1:]] - running[starts[:-1]]
    day_start = np.concatenate([[0], np.cumsum(n_days)])
    first_day = np.zeros(len(days), dtype=bool)
    first_day[day_start[:-1]] = True
    gap = np.zeros(len(days), dtype=np.int64)
    gap[1:] = np.diff(days)
    gap[first_day] = 0
    squares = np.concatenate([[0], np.cumsum(gap * gap)])  # exact: int64
    gap_sq = (squares[day_start[1:]] - squares[day_start[:-1]]).astype(float)
    known = ~np.isnan(total)
    repeat_spend = _run_sums(np.where(first_day | ~known, 0.0, total), day_start)
    repeat_known = _run_sums(~first_day & known, day_start) if not known.all() else n_days - 1

    first, last = facts["_first_day"].astype(np.int64), facts["_last_day"].astype(np.int64)
    freq = n_days - 1
    span = (last - first).astype(float)
    t_days = (as_of_day - first).astype(float)
    spend = facts[c.TOTAL_SPEND].astype(float)
    discount = facts["_discount_sum"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        monetary = np.where(freq > 0, np.where(repeat_known > 0, repeat_spend, np.nan) / freq, 0.0)
        gap_mean = np.where(freq > 0, span / freq, np.nan)
        # sample variance of the gaps from their exact integer sums: (m Σg² - (Σg)²) / (m (m - 1))
        m = freq.astype(float)
        gap_std = np.where(freq >= 2, np.sqrt((m * gap_sq - span**2) / (m * (m - 1))), np.nan)
        returns_value = _column(facts, "_returns_value", 0.0)
        return_rate = np.where(spend != 0, returns_value / spend, np.nan)
        gross = spend + discount
        has_discounts = int(facts["_discount_n"].sum()) > 0
        share = np.where(gross != 0, discount / gross, np.nan) if has_discounts else np.full(n, np.nan)
    signup = _column(facts, "_signup_day", np.nan)
    if rank_channel:
        favourite_channel = facts[c.FAVOURITE_CHANNEL].astype(object)
    else:
        favourite_channel = np.full(n, None, dtype=object)
        if channels:
            best = _favourite(stream["_ch"], counts, len(channels))
            favourite_channel[best >= 0] = np.asarray(channels, dtype=object)[best[best >= 0]]
    category = (facts[c.FAVOURITE_CATEGORY].astype(object) if c.FAVOURITE_CATEGORY in facts
                else np.full(n, None, dtype=object))
    # copy=False: every column is a new array here; pandas keeps them as they are instead of
    # copying them into consolidated blocks (~1 s at a million customers)
    frame = pd.DataFrame({
        schema.CUSTOMER_ID: facts[schema.CUSTOMER_ID],
        c.FIRST_ORDER_AT: facts[c.FIRST_ORDER_AT],
        c.LAST_ORDER_AT: facts[c.LAST_ORDER_AT],
        c.ORDERS: counts,
        c.PURCHASE_DAYS: n_days.astype(np.int64),
        c.FREQUENCY: freq.astype(np.int64),
        c.DAYS_SINCE_LAST: (as_of_day - last).astype(float),
        c.RECENCY_DAYS: span,
        c.T_DAYS: t_days,
        c.RECENCY: span / 7.0,
        c.T: t_days / 7.0,
        c.TOTAL_SPEND: spend,
        c.AOV: spend / counts if n else spend,
        c.MONETARY_VALUE: monetary,
        c.TENURE_DAYS: np.where(np.isnan(signup), t_days, as_of_day - signup),
        c.GAP_MEAN_DAYS: gap_mean,
        c.GAP_STD_DAYS: gap_std,
        c.RETURNS_COUNT: _column(facts, "_returns_count", 0.0).astype(np.int64),
        c.RETURNS_VALUE: returns_value,
        c.RETURN_RATE: return_rate,
        c.DISCOUNT_SHARE: share,
        c.FAVOURITE_CATEGORY: category,
        c.FAVOURITE_CHANNEL: favourite_channel,
    }, copy=False)
    purchase_days = PurchaseDays(as_of=as_of, customer_id=frame[schema.CUSTOMER_ID].to_numpy(),
                                 start=day_start, day=days, total=total, orders=per_day)
    return CustomerBuild(frame=frame, days=purchase_days)
