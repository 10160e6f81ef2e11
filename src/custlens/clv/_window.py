"""The observation window of :func:`custlens.clv.pipeline.run_clv`: customer frames,
transactions, BG/BB monthly periods and the calibration/holdout split by date."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from custlens import schema
from custlens.clv import _names as N
from custlens.errors import InputError, MissingDataError
from custlens.features import columns as c
from custlens.features.customer_table import _day_facts, _epoch_day, _order_facts, _orders_before
from custlens.store import Store

MIN_CUSTOMERS = 100
MIN_REPEAT = 30
MIN_HOLDOUT_DAYS = 56
HOLDOUT_SHARE = 0.25
#: Length of a BG/BB period (a month) in days.
PERIOD_DAYS = N.TIME_UNIT_DAYS["M"]


# ----------------------------------------------------------------------------- data
#: The customer-table columns CLV reads (:func:`_rfm`).
RFM_COLUMNS = (schema.CUSTOMER_ID, c.FIRST_ORDER_AT, c.ORDERS, c.FREQUENCY, c.DAYS_SINCE_LAST,
               c.RECENCY, c.T, c.TOTAL_SPEND, c.MONETARY_VALUE)


def _rfm(store: Store, as_of: pd.Timestamp) -> pd.DataFrame:
    """CLV's columns of the customer table as of ``as_of``, indexed by customer (weeks).

    Built from the customer table's own parts (:mod:`custlens.features.customer_table`'s
    order and purchase-day facts, so the definitions are the same), without the joins
    CLV does not read (returns, signups, favourite category and channel): at a million
    customers those joins cost more than everything else of ``run_clv``.
    """
    as_of_day = _epoch_day(as_of)
    orders = _orders_before(store, as_of)
    t = _order_facts(orders).join(_day_facts(orders), schema.CUSTOMER_ID)
    frequency = t[c.PURCHASE_DAYS] - 1
    recency_days = (t._last_day - t._first_day).cast("float64")
    expr = t.select(**{
        schema.CUSTOMER_ID: t[schema.CUSTOMER_ID],
        c.FIRST_ORDER_AT: t[c.FIRST_ORDER_AT],
        c.ORDERS: t[c.ORDERS].cast("int64"),
        c.FREQUENCY: frequency.cast("int64"),
        c.DAYS_SINCE_LAST: (as_of_day - t._last_day).cast("float64"),
        c.RECENCY: recency_days / 7.0,
        c.T: (as_of_day - t._first_day).cast("float64") / 7.0,
        c.TOTAL_SPEND: t[c.TOTAL_SPEND].cast("float64"),
        c.MONETARY_VALUE: (t._repeat_spend / frequency).cast("float64"),
    }).order_by(schema.CUSTOMER_ID)
    frame = store.execute(expr)
    frame[c.MONETARY_VALUE] = frame[c.MONETARY_VALUE].where(frame[c.FREQUENCY] > 0, 0.0)
    return frame.set_index(schema.CUSTOMER_ID, drop=False)


def _day_pairs(store: Store, as_of: pd.Timestamp) -> pd.DataFrame:
    """Customers per (first purchase day, purchase day) before ``as_of``: what the tracking
    plot needs, aggregated in the store instead of loading every order."""
    orders = _orders_before(store, as_of)
    days = orders.select(schema.CUSTOMER_ID, "_day").distinct()
    first = days.group_by(schema.CUSTOMER_ID).aggregate(_first=days._day.min())
    pairs = days.join(first, schema.CUSTOMER_ID).group_by(["_first", "_day"]).aggregate(n=days._day.count())
    frame = store.execute(pairs)
    epoch = pd.Timestamp("1970-01-01")
    return pd.DataFrame({"first": epoch + pd.to_timedelta(frame["_first"].to_numpy(), unit="D"),
                         "day": epoch + pd.to_timedelta(frame["_day"].to_numpy(), unit="D"),
                         "n": frame["n"].to_numpy(dtype=float)})


def _transactions(store: Store, as_of: pd.Timestamp) -> pd.DataFrame:
    orders = store.require(schema.ORDERS.name, "customer lifetime value")
    cutoff = pd.Timestamp(as_of).to_pydatetime()
    expr = orders.filter(orders[schema.ORDERED_AT] < cutoff).select(
        schema.CUSTOMER_ID, schema.ORDERED_AT, schema.AMOUNT)
    tx = store.execute(expr)
    tx["day"] = pd.to_datetime(tx[schema.ORDERED_AT]).dt.normalize()
    return tx


def _check_enough(rfm: pd.DataFrame, as_of: pd.Timestamp) -> None:
    n, repeat = len(rfm), int((rfm[c.FREQUENCY] > 0).sum())
    if n < MIN_CUSTOMERS or repeat < MIN_REPEAT:
        raise MissingDataError(
            f"customer lifetime value needs at least {MIN_CUSTOMERS} customers, {MIN_REPEAT} of them "
            f"with repeat purchases (orders on two or more dates); before {as_of.date()} the store "
            f"has {n:,} customers, {repeat:,} of them with repeat purchases. Load a longer order "
            "history (or pass a later --as-of)")


def _holdout_frame(cal: pd.DataFrame, full: pd.DataFrame, duration: float) -> pd.DataFrame:
    """Calibration RFM plus the holdout purchases (as purchase-day counts)."""
    data = cal[[N.FREQUENCY, N.RECENCY, N.T, N.MONETARY_VALUE]].copy()
    later = full[N.FREQUENCY].reindex(data.index)
    data[N.FREQUENCY_HOLDOUT] = (later - data[N.FREQUENCY]).clip(lower=0)
    data[N.DURATION_HOLDOUT] = duration
    return data


def _periods(tx: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """BG/BB input: whole months since each first purchase (the incomplete last one dropped).

    ``frequency`` = months 1..n with a purchase, ``recency`` = the last such month, ``T`` =
    ``n`` (complete months observed), ``monetary_value`` = mean spend of those months.
    """
    days = tx.groupby([schema.CUSTOMER_ID, "day"], as_index=False)[schema.AMOUNT].sum()
    first = days.groupby(schema.CUSTOMER_ID)["day"].transform("min")
    k = np.floor((days["day"] - first).dt.days / PERIOD_DAYS).astype(int)
    n = np.floor((end - first).dt.days / PERIOD_DAYS).astype(int)
    days = days.assign(k=k, n=n)
    per = days.groupby(schema.CUSTOMER_ID)["n"].first().to_frame(N.T)
    rep = days[(days["k"] >= 1) & (days["k"] <= days["n"])]
    months = rep.groupby([schema.CUSTOMER_ID, "k"])[schema.AMOUNT].sum().reset_index()
    g = months.groupby(schema.CUSTOMER_ID)
    per[N.FREQUENCY] = g.size().reindex(per.index, fill_value=0).astype(float)
    per[N.RECENCY] = g["k"].max().reindex(per.index, fill_value=0).astype(float)
    per[N.MONETARY_VALUE] = g[schema.AMOUNT].mean().reindex(per.index, fill_value=0.0)
    per[N.T] = per[N.T].astype(float)
    return per[[N.FREQUENCY, N.RECENCY, N.T, N.MONETARY_VALUE]]


def _snap_to_periods(tx: pd.DataFrame) -> pd.DataFrame:
    """Transactions moved to the first day of their customer month (BG/BB tracking)."""
    first = tx.groupby(schema.CUSTOMER_ID)["day"].transform("min")
    k = np.floor((tx["day"] - first).dt.days / PERIOD_DAYS)
    return tx.assign(day=(first + pd.to_timedelta(np.ceil(k * PERIOD_DAYS), unit="D")))


# ----------------------------------------------------------------------------- split
def _plan_holdout(first_day: pd.Timestamp, as_of: pd.Timestamp, holdout_days: int | None
                  ) -> tuple[pd.Timestamp | None, tuple[str, dict[str, Any]] | None]:
    window = int((as_of - first_day).days)
    if holdout_days is None:
        days = max(MIN_HOLDOUT_DAYS, int(round(HOLDOUT_SHARE * window)))
        if window - days < 2 * days:
            return None, ("clv.note.no_holdout_short", {"days": window, "min_days": MIN_HOLDOUT_DAYS})
    elif holdout_days == 0:
        return None, ("clv.note.no_holdout_asked", {})
    else:
        days = int(holdout_days)
        if days < 0 or days >= window:
            raise InputError(f"holdout_days={holdout_days} must be between 1 and {window - 1} (the "
                             f"orders span {window} days before {as_of.date()}); pass 0 for no holdout")
    return as_of - pd.Timedelta(days=days), None
