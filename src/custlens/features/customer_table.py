"""The customer table: one row per customer as of a date, built in the store through Ibis.

Everything is one Ibis expression over the canonical tables, so DuckDB runs it by default
and any other Ibis backend can run it unchanged. Time is counted in whole days: a purchase
day is the calendar date of ``ordered_at`` and ``as_of`` is a date; orders, returns and
signups on or after ``as_of`` are ignored, so nothing from the future leaks into the table.
"""

from __future__ import annotations

from datetime import date, datetime

import ibis
import ibis.selectors as s
import ibis.expr.types as ir
import pandas as pd
from ibis import _

from custlens import schema
from custlens.errors import InputError
from custlens.features import columns as c
from custlens.store import Store

_EPOCH = pd.Timestamp("1970-01-01")
_PURPOSE = "the customer table"

AsOf = str | date | datetime | pd.Timestamp | None


def resolve_as_of(store: Store, as_of: AsOf = None) -> pd.Timestamp:
    """The ``as_of`` date of an analysis as a midnight `pandas.Timestamp`.

    Parameters
    ----------
    store : Store
        The store; its `Store.default_as_of` (the day after the last order) is used when
        ``as_of`` is None.
    as_of : str, date, datetime, Timestamp or None
        The first day that is *not* observed. A time of day is dropped (floored to the date).

    Returns
    -------
    pandas.Timestamp
        A timezone-naive timestamp at midnight.

    Raises
    ------
    InputError
        When ``as_of`` cannot be read as a date.
    """
    if as_of is None:
        return store.default_as_of()
    try:
        ts = pd.Timestamp(as_of)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"as_of={as_of!r} is not a date; pass e.g. as_of='2024-01-31'"
        ) from exc
    if ts is pd.NaT:
        raise InputError(f"as_of={as_of!r} is not a date; pass e.g. as_of='2024-01-31'")
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return ts.normalize()


def _epoch_day(ts: pd.Timestamp) -> int:
    return int((ts - _EPOCH).days)


def _orders_before(store: Store, as_of: pd.Timestamp) -> ir.Table:
    orders = store.require(schema.ORDERS.name, _PURPOSE)
    cutoff = ibis.literal(as_of.to_pydatetime(), type="timestamp")
    return orders.filter(orders[schema.ORDERED_AT] < cutoff).mutate(
        _day=_[schema.ORDERED_AT].date().epoch_days()
    )


def _order_facts(orders: ir.Table) -> ir.Table:
    """Per customer: first/last order, order count, spend and discounts."""
    return orders.group_by(schema.CUSTOMER_ID).aggregate(
        **{
            c.FIRST_ORDER_AT: _[schema.ORDERED_AT].min(),
            c.LAST_ORDER_AT: _[schema.ORDERED_AT].max(),
            c.ORDERS: _.count(),
            c.TOTAL_SPEND: _[schema.AMOUNT].sum(),
            "_discount_sum": _[schema.DISCOUNT].fill_null(0.0).sum(),
        }
    )


def _day_facts(orders: ir.Table) -> ir.Table:
    """Per customer, over distinct purchase days: count, first/last day, gaps, repeat spend.

    The first purchase day is the one without a previous day (its gap is null), so the
    repeat spend is the sum of the day totals whose gap is not null.
    """
    days = orders.group_by([schema.CUSTOMER_ID, "_day"]).aggregate(_day_total=_[schema.AMOUNT].sum())
    window = ibis.window(group_by=schema.CUSTOMER_ID, order_by="_day")
    days = days.mutate(_gap=(_._day - _._day.lag().over(window)).cast("float64"))
    return days.group_by(schema.CUSTOMER_ID).aggregate(
        **{
            c.PURCHASE_DAYS: _.count(),
            "_first_day": _._day.min(),
            "_last_day": _._day.max(),
            "_repeat_spend": _._day_total.sum(where=_._gap.notnull()),
            "_gap_count": _._gap.count(),
            "_gap_std": _._gap.std(how="sample"),
        }
    )


def _return_facts(store: Store, as_of: pd.Timestamp) -> ir.Table:
    returns = store.table(schema.RETURNS.name)
    cutoff = ibis.literal(as_of.to_pydatetime(), type="timestamp")
    return (
        returns.filter(returns[schema.RETURNED_AT] < cutoff)
        .group_by(schema.CUSTOMER_ID)
        .aggregate(_returns_count=_.count(), _returns_value=_[schema.AMOUNT].sum())
    )


def _signup_days(store: Store, as_of: pd.Timestamp) -> ir.Table:
    """Signup day per customer; signups on or after ``as_of`` are unknown at ``as_of``."""
    customers = store.table(schema.CUSTOMERS.name)
    cutoff = ibis.literal(as_of.to_pydatetime(), type="timestamp")
    return (
        customers.filter(customers.signup_at.notnull() & (customers.signup_at < cutoff))
        .group_by(schema.CUSTOMER_ID)
        .aggregate(_signup_day=_.signup_at.date().epoch_days().min())
    )


def _pick_top(counts: ir.Table, key: str, weight: str, name: str) -> ir.Table:
    """Per customer, the ``key`` with the largest ``weight``; ties go to the smallest key."""
    window = ibis.window(
        group_by=schema.CUSTOMER_ID, order_by=[ibis.desc(weight), ibis.asc(key)]
    )
    ranked = counts.mutate(_rank=ibis.row_number().over(window))
    return ranked.filter(ranked._rank == 0).select(schema.CUSTOMER_ID, **{name: ranked[key]})


def _favourite_category(store: Store, orders: ir.Table) -> ir.Table:
    items = store.table(schema.ORDER_ITEMS.name)
    items = items.filter(items[schema.CATEGORY].notnull())
    value = items[schema.LINE_AMOUNT].coalesce(items[schema.QUANTITY] * items[schema.UNIT_PRICE])
    items = items.select(schema.ORDER_ID, schema.CATEGORY, _value=value)
    owners = orders.select(schema.ORDER_ID, schema.CUSTOMER_ID)
    joined = items.join(owners, schema.ORDER_ID)
    spend = joined.group_by([schema.CUSTOMER_ID, schema.CATEGORY]).aggregate(
        _spend=_._value.fill_null(0.0).sum()
    )
    return _pick_top(spend, schema.CATEGORY, "_spend", c.FAVOURITE_CATEGORY)


def _favourite_channel(orders: ir.Table) -> ir.Table:
    counts = (
        orders.filter(orders[schema.CHANNEL].notnull())
        .group_by([schema.CUSTOMER_ID, schema.CHANNEL])
        .aggregate(_n=_.count())
    )
    return _pick_top(counts, schema.CHANNEL, "_n", c.FAVOURITE_CHANNEL)


def customer_table_expr(store: Store, as_of: AsOf = None) -> ir.Table:
    """The customer table as an Ibis expression (nothing is executed but ``as_of``'s default).

    Parameters
    ----------
    store : Store
        A store holding at least the ``orders`` table.
    as_of : str, date, datetime, Timestamp or None
        The first day not observed; default: the day after the last order.

    Returns
    -------
    ibis.Table
        One row per customer with an order before ``as_of``, columns
        `custlens.features.columns.CUSTOMER_TABLE_COLUMNS`, ordered by ``customer_id``.

    See Also
    --------
    customer_table : the same, executed to pandas, with the column definitions.
    """
    as_of = resolve_as_of(store, as_of)
    as_of_day = ibis.literal(_epoch_day(as_of), type="int64")
    orders = _orders_before(store, as_of)
    has_discounts = orders[schema.DISCOUNT].count().as_scalar() > 0

    table = (
        _order_facts(orders)
        .join(_day_facts(orders), schema.CUSTOMER_ID)
        .left_join(_return_facts(store, as_of), schema.CUSTOMER_ID)
        .select(~s.endswith("_right"))
        .left_join(_signup_days(store, as_of), schema.CUSTOMER_ID)
        .select(~s.endswith("_right"))
        .left_join(_favourite_category(store, orders), schema.CUSTOMER_ID)
        .select(~s.endswith("_right"))
        .left_join(_favourite_channel(orders), schema.CUSTOMER_ID)
        .select(~s.endswith("_right"))
    )

    frequency = table[c.PURCHASE_DAYS] - 1
    recency_days = (table._last_day - table._first_day).cast("float64")
    t_days = (as_of_day - table._first_day).cast("float64")
    spend = table[c.TOTAL_SPEND]
    nonzero_spend = spend.nullif(0.0)
    returns_value = table._returns_value.fill_null(0.0)
    gross = (spend + table._discount_sum).nullif(0.0)
    null_float = ibis.null().cast("float64")

    result = table.select(
        **{
            schema.CUSTOMER_ID: table[schema.CUSTOMER_ID],
            c.FIRST_ORDER_AT: table[c.FIRST_ORDER_AT],
            c.LAST_ORDER_AT: table[c.LAST_ORDER_AT],
            c.ORDERS: table[c.ORDERS].cast("int64"),
            c.PURCHASE_DAYS: table[c.PURCHASE_DAYS].cast("int64"),
            c.FREQUENCY: frequency.cast("int64"),
            c.DAYS_SINCE_LAST: (as_of_day - table._last_day).cast("float64"),
            c.RECENCY_DAYS: recency_days,
            c.T_DAYS: t_days,
            c.RECENCY: recency_days / 7.0,
            c.T: t_days / 7.0,
            c.TOTAL_SPEND: spend.cast("float64"),
            c.AOV: (spend / table[c.ORDERS]).cast("float64"),
            c.MONETARY_VALUE: ibis.ifelse(
                frequency > 0, table._repeat_spend / frequency, 0.0
            ).cast("float64"),
            c.TENURE_DAYS: (as_of_day - table._signup_day).cast("float64").coalesce(t_days),
            c.GAP_MEAN_DAYS: ibis.ifelse(frequency > 0, recency_days / frequency, null_float),
            c.GAP_STD_DAYS: ibis.ifelse(table._gap_count >= 2, table._gap_std, null_float),
            c.RETURNS_COUNT: table._returns_count.fill_null(0).cast("int64"),
            c.RETURNS_VALUE: returns_value.cast("float64"),
            c.RETURN_RATE: (returns_value / nonzero_spend).cast("float64"),
            c.DISCOUNT_SHARE: ibis.ifelse(
                has_discounts, table._discount_sum / gross, null_float
            ).cast("float64"),
            c.FAVOURITE_CATEGORY: table[c.FAVOURITE_CATEGORY].cast("string"),
            c.FAVOURITE_CHANNEL: table[c.FAVOURITE_CHANNEL].cast("string"),
        }
    )
    return result.order_by(schema.CUSTOMER_ID)


def rfm_inputs(store: Store, as_of: AsOf = None) -> pd.DataFrame:
    """The RFM columns of the customer table, from one aggregate over the orders.

    ``customer_id, last_order_at, days_since_last, orders, total_spend``, computed exactly as
    `customer_table` computes them, without its day windows, returns and favourites: the input
    of `custlens.segments.rfm` at a past date (segment migration) at a fraction of the cost.

    Parameters
    ----------
    store : Store
        A store holding at least the ``orders`` table.
    as_of : str, date, datetime, Timestamp or None
        The first day not observed; default: the day after the last order.

    Returns
    -------
    pandas.DataFrame
        One row per customer with an order before ``as_of``, ordered by ``customer_id``.
    """
    as_of = resolve_as_of(store, as_of)
    as_of_day = ibis.literal(_epoch_day(as_of), type="int64")
    t = _orders_before(store, as_of).group_by(schema.CUSTOMER_ID).aggregate(
        **{c.LAST_ORDER_AT: _[schema.ORDERED_AT].max(), "_last_day": _._day.max(),
           c.ORDERS: _.count(), c.TOTAL_SPEND: _[schema.AMOUNT].sum()})
    expr = t.select(**{schema.CUSTOMER_ID: t[schema.CUSTOMER_ID], c.LAST_ORDER_AT: t[c.LAST_ORDER_AT],
                       c.DAYS_SINCE_LAST: (as_of_day - t._last_day).cast("float64"),
                       c.ORDERS: t[c.ORDERS].cast("int64"), c.TOTAL_SPEND: t[c.TOTAL_SPEND].cast("float64")})
    return store.execute(expr.order_by(schema.CUSTOMER_ID)).reset_index(drop=True)


def customer_table(store: Store, as_of: AsOf = None) -> pd.DataFrame:
    """One row per customer with at least one order before ``as_of``.

    Computed from two queries over the orders and NumPy
    (`custlens.features.purchase_days.build_customer_table`); `customer_table_expr` states the
    same table as one Ibis expression. Orders, returns and signups on or after ``as_of`` are
    ignored. Days are whole calendar days: a purchase day
    is the date of ``ordered_at``, and several orders on one day are one purchase day.

    Parameters
    ----------
    store : Store
        A store holding at least the ``orders`` table.
    as_of : str, date, datetime, Timestamp or None
        The first day not observed; default: the day after the last order.

    Returns
    -------
    pandas.DataFrame
        Ordered by ``customer_id``, with the columns:

        ========================  =====================================================
        customer_id               the customer
        first_order_at            first order timestamp before ``as_of``
        last_order_at             last order timestamp before ``as_of``
        orders                    number of orders
        purchase_days             distinct purchase days
        frequency                 ``purchase_days - 1`` (BTYD repeat frequency)
        days_since_last           ``as_of`` - last purchase day, days (RFM recency)
        recency_days              last - first purchase day, days (BTYD recency)
        T_days                    ``as_of`` - first purchase day, days
        recency, T                ``recency_days / 7``, ``T_days / 7`` (weeks)
        total_spend               sum of order amounts
        aov                       ``total_spend / orders``
        monetary_value            mean day total over the repeat purchase days (the
                                  first day excluded); 0 when ``frequency == 0``
        tenure_days               ``as_of`` - signup day when the customers table has a
                                  signup before ``as_of``, else ``T_days``
        gap_mean_days             mean gap between purchase days (null with < 2 days)
        gap_std_days              sample std of those gaps (null with < 3 days)
        returns_count             returns before ``as_of``
        returns_value             their summed amount (0 when none)
        return_rate               ``returns_value / total_spend``
        discount_share            ``sum(discount) / (total_spend + sum(discount))``,
                                  missing discounts counted as 0; null when no order
                                  before ``as_of`` has a discount value
        favourite_category        category with the largest line spend (ties: first
                                  alphabetically); null without categorised lines
        favourite_channel         most frequent order channel (ties: alphabetical)
        ========================  =====================================================

    Raises
    ------
    MissingDataError
        When the store has no orders.

    Examples
    --------
    >>> from custlens.features import customer_table
    >>> table = customer_table(store, as_of="1998-07-01")  # doctest: +SKIP
    """
    from custlens.features.purchase_days import build_customer_table

    return build_customer_table(store, as_of).frame[list(c.CUSTOMER_TABLE_COLUMNS)]
