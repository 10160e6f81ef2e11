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
from custlens.features.customer_table import _epoch_day
from custlens.features.purchase_days import PurchaseDays
from custlens.store import Store

MIN_CUSTOMERS = 100
MIN_REPEAT = 30
MIN_HOLDOUT_DAYS = 56
HOLDOUT_SHARE = 0.25
#: Length of a BG/BB period (a month) in days.
PERIOD_DAYS = N.TIME_UNIT_DAYS["M"]
#: Largest (first day x day) count table of the tracking pairs built with `numpy.bincount`.
_PAIR_CELLS = 50_000_000


# ----------------------------------------------------------------------------- data
def _frame(table: pd.DataFrame) -> pd.DataFrame:
    """CLV's columns of a customer table, indexed by customer (weeks)."""
    cols = [schema.CUSTOMER_ID, c.FIRST_ORDER_AT, c.ORDERS, c.FREQUENCY, c.DAYS_SINCE_LAST, c.RECENCY, c.T,
            c.TOTAL_SPEND, c.MONETARY_VALUE]
    return table[cols].set_index(schema.CUSTOMER_ID, drop=False)


def _calibration(full: pd.DataFrame, days: PurchaseDays, split: pd.Timestamp
                 ) -> tuple[pd.DataFrame, np.ndarray]:
    """The customer table's CLV columns as of ``split`` from the purchase days (no query), and
    the rows of ``full`` (the same customers as of the later ``as_of``) they belong to.

    A customer's days are ascending, so their days before ``split`` are their first ``k``;
    ``frequency = k - 1``, ``recency`` and ``T`` in weeks from the first day, and
    ``monetary_value`` the mean total of days 2..k, as `custlens.features.customer_table`.
    """
    cut = _epoch_day(split)
    start = days.start
    before = days.day < cut
    n_before = np.add.reduceat(before, start[:-1], dtype=np.int64) if len(days.day) else np.zeros(0, np.int64)
    rows = np.flatnonzero(n_before > 0)
    first = days.day[start[:-1][rows]].astype(float)
    last = days.day[start[:-1][rows] + n_before[rows] - 1].astype(float)
    repeat = before.copy()
    repeat[start[:-1]] = False
    total = np.where(np.isnan(days.total), 0.0, days.total)
    with np.errstate(divide="ignore", invalid="ignore"):
        spend = np.add.reduceat(np.where(repeat, total, 0.0), start[:-1])[rows] if len(rows) else np.zeros(0)
        freq = n_before[rows] - 1
        monetary = np.where(freq > 0, spend / freq, 0.0)
    frame = pd.DataFrame({c.FREQUENCY: freq, c.RECENCY: (last - first) / 7.0, c.T: (cut - first) / 7.0,
                          c.MONETARY_VALUE: monetary}, index=full.index[rows])
    return frame, rows


def _day_pairs(days: PurchaseDays) -> pd.DataFrame:
    """Customers per (first purchase day, purchase day): what the tracking plot needs, counted
    from the purchase days."""
    first = np.repeat(days.day[days.start[:-1]], np.diff(days.start)).astype(np.int64)
    day = days.day.astype(np.int64)
    if len(day) == 0:
        keys, counts, low, width = np.zeros(0, np.int64), np.zeros(0, np.int64), 0, 1
    else:
        low = int(day.min())
        width = int(day.max()) - low + 1
        key = (first - low) * width + (day - low)
        if width * width <= _PAIR_CELLS:
            counts = np.bincount(key, minlength=width * width)
            keys = np.flatnonzero(counts)
            counts = counts[keys]
        else:
            keys, counts = np.unique(key, return_counts=True)
    epoch = pd.Timestamp("1970-01-01")
    return pd.DataFrame({"first": epoch + pd.to_timedelta(keys // width + low, unit="D"),
                         "day": epoch + pd.to_timedelta(keys % width + low, unit="D"),
                         "n": counts.astype(float)})


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
