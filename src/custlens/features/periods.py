"""Shop-level KPIs: headline figures and per-period aggregates, computed in the store.

Every function builds Ibis expressions over the canonical ``orders`` (and ``returns``)
tables and runs them in the store, so another Ibis backend can run them unchanged. They
look only at orders strictly before ``as_of`` (default: the day after the last order).

Two inputs carry everything, each one pass over the orders: `daily_totals` (revenue, orders
and first/last order time per day, no per-customer grouping) and `customer_activity` (per
customer: first period, order count and the periods with orders as a bit set). A caller that
needs several figures (the report) computes them once and passes them in.

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

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis.common.exceptions import OperationNotDefinedError
import numpy as np
import pandas as pd

from custlens import schema
from custlens.errors import MissingDataError
from custlens.features.customer_table import AsOf, resolve_as_of
from custlens.store import Store

__all__ = ["period_kpis", "headline_kpis", "daily_totals", "rollup_totals", "period_start",
           "customer_activity", "CustomerActivity", "period_index", "PERIOD_FREQS"]

_EPOCH = pd.Timestamp("1970-01-01")

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


def period_kpis(
    store: Store,
    freq: str = "M",
    as_of: AsOf = None,
    *,
    totals: pd.DataFrame | None = None,
    activity: "CustomerActivity | None" = None,
) -> pd.DataFrame:
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
    totals : pandas.DataFrame, optional
        `daily_totals` as of ``as_of`` when the caller has it (the report shares one); queried
        when omitted.
    activity : CustomerActivity, optional
        `customer_activity` of ``freq`` as of ``as_of`` when the caller has it; queried when
        omitted.

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
        For an unknown ``freq``, or an ``activity`` of another freq.

    Notes
    -----
    Revenue and orders are the day totals rolled up (no per-customer grouping); new customers
    are a histogram of the customers' first periods and active customers the population counts
    of their activity bit sets (`customer_activity`), so 10M orders are grouped once, by
    customer. Beyond `MAX_BIT_PERIODS` periods (long daily or weekly spans) active customers
    are a distinct count per period instead.

    Examples
    --------
    >>> period_kpis(store, freq="Q")  # doctest: +SKIP
    """
    if freq not in PERIOD_FREQS:
        raise ValueError(f"freq={freq!r} is not supported; use one of {', '.join(PERIOD_FREQS)}")
    as_of = resolve_as_of(store, as_of)
    if totals is None:
        totals = daily_totals(store, as_of)
    if totals.empty:
        raise MissingDataError(
            f"no orders before as_of={as_of:%Y-%m-%d}; pass a later as_of or load more orders"
        )
    rolled = rollup_totals(totals, freq)
    origin = rolled.index[0]
    if activity is None:
        activity = customer_activity(store, freq, as_of, origin=origin)
    elif activity.freq != freq or activity.origin != origin:
        raise ValueError(f"activity of freq={activity.freq!r} from {activity.origin:%Y-%m-%d} does not fit "
                         f"freq={freq!r} from {origin:%Y-%m-%d}; pass the activity of the same freq and as_of")
    full = pd.date_range(origin, rolled.index[-1], freq=PERIOD_FREQS[freq][1], unit="us")
    n = len(full)
    df = pd.DataFrame({"period": full})
    df["revenue"] = rolled["revenue"].reindex(full).to_numpy()
    df["orders"] = rolled["orders"].reindex(full).to_numpy()
    df["new_customers"] = np.bincount(activity.first, minlength=n)[:n]
    if activity.masks is not None:
        df["customers"] = activity.active_counts(n)
    else:
        df["customers"] = _distinct_active(store, freq, as_of, origin, n)
    return _finish_periods(df, PERIOD_FREQS[freq][1], as_of)


def _distinct_active(store: Store, freq: str, as_of: pd.Timestamp, origin: pd.Timestamp, n: int) -> np.ndarray:
    """Active customers per period by a distinct count (for spans too long for bit sets)."""
    o = _orders_before(store, as_of, "period KPIs")
    o = o.select(schema.CUSTOMER_ID, idx=period_index(o[schema.ORDERED_AT], freq, origin))
    df = store.execute(o.group_by("idx").aggregate(customers=o[schema.CUSTOMER_ID].nunique()))
    out = np.zeros(n, dtype="int64")
    out[df["idx"].to_numpy(dtype="int64")] = df["customers"].to_numpy(dtype="int64")
    return out


def daily_totals(store: Store, as_of: AsOf = None) -> pd.DataFrame:
    """Revenue and orders per day with orders, and each day's first and last order time.

    One pass over the orders without any per-customer grouping: every period's revenue and
    orders (`rollup_totals`), the headline totals and the forecast's daily series come from it.

    Parameters
    ----------
    store : Store
        The store holding ``orders``.
    as_of : date-like, optional
        The first day not observed. Default: `Store.default_as_of`.

    Returns
    -------
    pandas.DataFrame
        ``day`` (midnight Timestamp), ``revenue``, ``orders``, ``first_order_at``,
        ``last_order_at``, sorted by ``day``; days without orders are absent (empty frame when
        no order is before ``as_of``).
    """
    as_of = resolve_as_of(store, as_of)
    o = _orders_before(store, as_of, "period KPIs")
    at = o[schema.ORDERED_AT]
    agg = o.group_by(day=at.date()).aggregate(
        revenue=o[schema.AMOUNT].sum(), orders=o.count(), first_order_at=at.min(), last_order_at=at.max()
    )
    df = store.execute(agg)
    df["day"] = pd.to_datetime(df["day"]).astype("datetime64[us]")
    for col in ("first_order_at", "last_order_at"):
        df[col] = pd.to_datetime(df[col]).astype("datetime64[us]")
    df["orders"] = df["orders"].astype("int64")
    df["revenue"] = df["revenue"].astype("float64")
    return df.sort_values("day", kind="stable").reset_index(drop=True)


def period_start(days: pd.Series | pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """The start of the ``freq`` period holding each day (weeks start on Monday)."""
    d = pd.DatetimeIndex(days).normalize()
    if freq == "D":
        return d
    if freq == "W":
        return d - pd.to_timedelta(d.dayofweek, unit="D")
    if freq == "M":
        return pd.DatetimeIndex(d.to_numpy().astype("datetime64[M]")).astype("datetime64[us]")
    if freq == "Q":
        return pd.DatetimeIndex(d.to_period("Q").start_time).astype("datetime64[us]")
    if freq == "Y":
        return pd.DatetimeIndex(d.to_numpy().astype("datetime64[Y]")).astype("datetime64[us]")
    raise ValueError(f"freq={freq!r} is not supported; use one of {', '.join(PERIOD_FREQS)}")


def rollup_totals(totals: pd.DataFrame, freq: str) -> pd.DataFrame:
    """`daily_totals` summed per ``freq`` period: ``revenue, orders`` indexed by period start.

    Periods without orders are absent. Sums of doubles may differ from a direct per-period sum
    in the last bits (the engine adds in its own order too).
    """
    key = period_start(totals["day"], freq)
    out = totals[["revenue", "orders"]].groupby(key.to_numpy(), sort=True).sum()
    out.index = pd.DatetimeIndex(out.index).astype("datetime64[us]")
    out.index.name = "period"
    return out


#: Periods one activity word holds (``1 << 61`` is the highest bit a signed 64-bit shift allows
#: in every engine; 62 bits keep the arithmetic clear of the sign bit).
WORD_BITS = 62
#: Longest span whose active customers are counted from per-customer bit sets (4 words); a
#: longer one (daily or weekly periods over years) uses a distinct count per period.
MAX_BIT_PERIODS = 4 * WORD_BITS
#: Spacing of the period index in the "last day of the first period" key (more than any day number).
_DAY_KEY = 1 << 21


@dataclass
class CustomerActivity:
    """Per customer, the periods with orders before ``as_of``, as indexes from ``origin``.

    Attributes
    ----------
    freq : str
        Period length (`PERIOD_FREQS`).
    origin : Timestamp
        Start of period 0: the period of the first order before ``as_of``.
    n_periods : int
        Periods from ``origin`` to the one holding the last day before ``as_of``.
    first : ndarray of int64
        Each customer's first period (their acquisition period).
    orders : ndarray of int64
        Each customer's orders.
    first_day, first_period_last_day : ndarray of int64
        The first purchase day and the last purchase day inside the first period (days since
        1970-01-01); they differ when the customer came back within the first period.
    masks : ndarray of int64, shape (customers, words), or None
        Bit ``k % WORD_BITS`` of word ``k // WORD_BITS`` is set when the customer ordered in
        period ``k``; None beyond `MAX_BIT_PERIODS` periods.

    Customers are in no particular order (the arrays are aligned with one another only).
    """

    freq: str
    origin: pd.Timestamp
    n_periods: int
    first: np.ndarray
    orders: np.ndarray
    first_day: np.ndarray
    first_period_last_day: np.ndarray
    masks: np.ndarray | None

    def active(self, k: int) -> np.ndarray:
        """Boolean array: the customers who ordered in period ``k``."""
        if self.masks is None:
            raise ValueError(f"{self.n_periods} periods are too many for activity bit sets "
                             f"(at most {MAX_BIT_PERIODS}); use a longer freq")
        word, bit = divmod(int(k), WORD_BITS)
        return (self.masks[:, word] & (1 << bit)) != 0

    def active_counts(self, n: int | None = None) -> np.ndarray:
        """Customers who ordered in each period ``0 .. n - 1`` (default `n_periods`)."""
        n = self.n_periods if n is None else n
        return np.array([np.count_nonzero(self.active(k)) for k in range(n)], dtype="int64")


def period_index(at: ir.TimestampValue, freq: str, origin: pd.Timestamp) -> ir.IntegerValue:
    """Periods between ``origin`` (a period start) and the period of ``at``, in the engine."""
    if freq in ("D", "W"):
        days = at.date().epoch_days() - int((origin - _EPOCH).days)
        return (days if freq == "D" else days // 7).cast("int64")
    if freq == "M":
        return (at.year() * 12 + at.month() - (origin.year * 12 + origin.month)).cast("int64")
    if freq == "Q":
        return (at.year() * 4 + at.quarter() - (origin.year * 4 + origin.quarter)).cast("int64")
    return (at.year() - origin.year).cast("int64")


def _activity_expr(t: ir.Table, words: int, bit_or: bool) -> ir.Table:
    """Per customer: first period, orders, first day, day key and ``words`` activity words.

    With ``bit_or`` one aggregate over the orders ORs each order's bit; without, the orders are
    first grouped by (customer, period), so each bit is added once and a sum is the OR.
    """
    one = ibis.literal(1, type="int64")
    if not bit_or:
        t = t.group_by([schema.CUSTOMER_ID, "idx"]).aggregate(
            n=t.count(), day=t.day.min(), key=(t.day - t.idx * _DAY_KEY).max())
        # a 64-bit one: Spark reads the literal 1 as a 32-bit INT and SHIFTLEFT(1, 40) overflows
        one = t.idx * 0 + 1
    aggs: dict[str, Any] = {
        "first": t.idx.min(), "orders": t.count() if bit_or else t.n.sum(), "first_day": t.day.min(),
        # the largest day of the smallest period
        "day_key": (t.day - t.idx * _DAY_KEY).max() if bit_or else t.key.max(),
    }
    for j in range(words):
        lo = j * WORD_BITS
        bit = one << (t.idx - lo) if words == 1 else ((t.idx >= lo) & (t.idx < lo + WORD_BITS)).ifelse(
            one << (t.idx - lo), 0)
        aggs[f"w{j}"] = bit.bit_or() if bit_or else bit.sum()
    return t.group_by(schema.CUSTOMER_ID).aggregate(**aggs).drop(schema.CUSTOMER_ID)


def customer_activity(store: Store, freq: str = "M", as_of: AsOf = None,
                      origin: pd.Timestamp | None = None) -> CustomerActivity:
    """Each customer's first period, order count and activity bit set: one grouping of the orders.

    Parameters
    ----------
    store : Store
        The store holding ``orders``.
    freq : {"D", "W", "M", "Q", "Y"}
        Period length.
    as_of : date-like, optional
        The first day not observed. Default: `Store.default_as_of`.
    origin : Timestamp, optional
        Start of the first order's period when the caller knows it; queried when omitted.

    Returns
    -------
    CustomerActivity

    Raises
    ------
    MissingDataError
        When no order is before ``as_of``.
    """
    if freq not in PERIOD_FREQS:
        raise ValueError(f"freq={freq!r} is not supported; use one of {', '.join(PERIOD_FREQS)}")
    as_of = resolve_as_of(store, as_of)
    o = _orders_before(store, as_of, "period KPIs")
    at = o[schema.ORDERED_AT]
    if origin is None:
        first_at = store.execute(o.aggregate(first=at.min()))["first"].iloc[0]
        if pd.isna(first_at):
            raise MissingDataError(
                f"no orders before as_of={as_of:%Y-%m-%d}; pass a later as_of or load more orders")
        origin = period_start([first_at], freq)[0]
    origin = pd.Timestamp(origin)
    last = period_start([as_of - pd.Timedelta(days=1)], freq)[0]
    n_periods = len(pd.date_range(origin, last, freq=PERIOD_FREQS[freq][1]))
    t = o.select(schema.CUSTOMER_ID, idx=period_index(at, freq, origin), day=at.date().epoch_days())
    words = -(-n_periods // WORD_BITS) if n_periods <= MAX_BIT_PERIODS else 0
    expr = _activity_expr(t, words, bit_or=True)
    try:
        store.ibis.compile(expr)
    except OperationNotDefinedError:  # an engine without BIT_OR (Spark): OR = sum of distinct bits
        expr = _activity_expr(t, words, bit_or=False)
    df = store.execute(expr)
    first = df["first"].to_numpy(dtype="int64")
    masks = None
    if n_periods <= MAX_BIT_PERIODS:
        masks = np.column_stack([df[f"w{j}"].to_numpy(dtype="int64") for j in range(words)])
    return CustomerActivity(
        freq=freq, origin=origin, n_periods=n_periods, first=first,
        orders=df["orders"].to_numpy(dtype="int64"), first_day=df["first_day"].to_numpy(dtype="int64"),
        first_period_last_day=df["day_key"].to_numpy(dtype="int64") + first * _DAY_KEY, masks=masks)


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


def headline_kpis(store: Store, as_of: AsOf = None, *, totals: pd.DataFrame | None = None,
                  activity: CustomerActivity | None = None) -> dict[str, Any]:
    """The shop's headline figures up to ``as_of``.

    Parameters
    ----------
    store : Store
        The store holding ``orders`` (and optionally ``returns``).
    as_of : str, date, datetime or Timestamp, optional
        The first day not observed: only orders and returns before it count.
        Default: `Store.default_as_of`.
    totals : pandas.DataFrame, optional
        `daily_totals` as of ``as_of`` when the caller has it; queried when omitted.
    activity : CustomerActivity, optional
        `customer_activity` (any freq) as of ``as_of`` when the caller has it, for the customer
        counts; queried (monthly) when omitted.

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
    if totals is None:
        totals = daily_totals(store, as_of)
    orders = int(totals["orders"].sum())
    if orders == 0:
        raise MissingDataError(
            f"no orders before as_of={as_of:%Y-%m-%d}; pass a later as_of or load more orders"
        )
    if activity is None:
        activity = customer_activity(store, "M", as_of, origin=period_start(totals["day"].iloc[:1], "M")[0])
    customers = len(activity.orders)
    repeat = int(np.count_nonzero(activity.orders >= 2))
    revenue = float(totals["revenue"].sum())
    returns_count, returns_value = _returns(store, as_of)
    return {
        "as_of": as_of,
        "revenue": revenue,
        "orders": orders,
        "customers": customers,
        "aov": revenue / orders,
        "revenue_per_customer": revenue / customers,
        "orders_per_customer": orders / customers,
        "repeat_customers": repeat,
        "repeat_purchase_rate": repeat / customers,
        "first_order_at": pd.Timestamp(totals["first_order_at"].min()),
        "last_order_at": pd.Timestamp(totals["last_order_at"].max()),
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

