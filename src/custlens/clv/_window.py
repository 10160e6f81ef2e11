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
from custlens.features.customer_table import _epoch_day, _orders_before
from custlens.store import Store

MIN_CUSTOMERS = 100
MIN_REPEAT = 30
MIN_HOLDOUT_DAYS = 56
HOLDOUT_SHARE = 0.25
#: Length of a BG/BB period (a month) in days.
PERIOD_DAYS = N.TIME_UNIT_DAYS["M"]


# ----------------------------------------------------------------------------- data
def _rfm(store: Store, as_of: pd.Timestamp) -> pd.DataFrame:
    """CLV's columns of the customer table as of ``as_of``, indexed by customer (weeks)."""
    return _rfm_pair(store, as_of, None)[0]


def _rfm_pair(store: Store, as_of: pd.Timestamp, split: pd.Timestamp | None
              ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """CLV's columns of the customer table as of ``as_of`` and (when given) as of ``split``,
    from one pass over the orders; each indexed by customer, ordered by customer id.

    The definitions are the customer table's (:func:`custlens.features.customer_table`:
    whole purchase days, ``frequency`` = purchase days - 1, ``recency`` and ``T`` in weeks
    from the first purchase day, ``monetary_value`` = mean spend of the repeat days);
    tests/clv/test_clv_window.py checks that they agree. Only the columns CLV reads are
    built (no returns, signups, favourite category or channel), and both dates come from
    one aggregation of the purchase days: at a million customers two full customer tables
    cost more than the rest of ``run_clv``.
    """
    orders = _orders_before(store, as_of)
    days = orders.group_by([schema.CUSTOMER_ID, "_day"]).aggregate(
        _total=orders[schema.AMOUNT].sum(), _orders=orders.count(), _first_at=orders[schema.ORDERED_AT].min())
    cuts = {"a": _epoch_day(as_of)} | ({"c": _epoch_day(split)} if split is not None else {})
    aggs = {"_first": days._day.min(), "_first_at": days._first_at.min(),
            "_first_total": days._total.argmin(days._day)}
    for key, day in cuts.items():
        keep = days._day < day
        aggs |= {f"_n{key}": days._day.count(where=keep), f"_last{key}": days._day.max(where=keep),
                 f"_spend{key}": days._total.sum(where=keep), f"_orders{key}": days._orders.sum(where=keep)}
    raw = store.execute(days.group_by(schema.CUSTOMER_ID).aggregate(**aggs).order_by(schema.CUSTOMER_ID))
    out = []
    for key, day in cuts.items():
        part = raw[raw[f"_n{key}"] > 0]
        freq = part[f"_n{key}"].to_numpy(dtype=np.int64) - 1
        first, last = part["_first"].to_numpy(dtype=float), part[f"_last{key}"].to_numpy(dtype=float)
        spend = part[f"_spend{key}"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            monetary = np.where(freq > 0, (spend - part["_first_total"].to_numpy(dtype=float)) / freq, 0.0)
        frame = pd.DataFrame({
            schema.CUSTOMER_ID: part[schema.CUSTOMER_ID].to_numpy(),
            c.FIRST_ORDER_AT: pd.to_datetime(part["_first_at"]).to_numpy(),
            c.ORDERS: part[f"_orders{key}"].to_numpy(dtype=np.int64),
            c.FREQUENCY: freq,
            c.DAYS_SINCE_LAST: day - last,
            c.RECENCY: (last - first) / 7.0,
            c.T: (day - first) / 7.0,
            c.TOTAL_SPEND: spend,
            c.MONETARY_VALUE: monetary,
        })
        out.append(frame.set_index(schema.CUSTOMER_ID, drop=False))
    return out[0], (out[1] if len(out) > 1 else None)


def _first_day(store: Store, as_of: pd.Timestamp) -> pd.Timestamp | None:
    """The day of the first order before ``as_of`` (None without one)."""
    orders = _orders_before(store, as_of)
    value = store.execute(orders[schema.ORDERED_AT].min())
    return None if value is None or pd.isna(value) else pd.Timestamp(value).normalize()


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
