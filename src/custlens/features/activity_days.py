"""Customer activity and cohort revenue from the purchase days the customer table was built from.

`custlens.features.periods.customer_activity` groups the orders by customer in the store (about
1 s of CPU at 10M orders). The report builds the customer table first, and its `PurchaseDays`
hold every customer's distinct purchase days with the day's order count and amount: the same
facts, already sorted by customer and day. Here NumPy reads them instead of a second pass over
the orders. The definitions are `customer_activity`'s and the period index is `period_index`'s
(calendar periods of the order's date; weeks from Monday); `tests/features/test_activity_days.py`
compares both paths field by field.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlens.errors import InputError, MissingDataError
from custlens.features.periods import (MAX_BIT_PERIODS, PERIOD_FREQS, WORD_BITS, CustomerActivity,
                                       period_start)
from custlens.features.purchase_days import PurchaseDays

__all__ = ["activity_from_days", "period_of_days", "cohort_revenue_from_days"]

_EPOCH = pd.Timestamp("1970-01-01")


def _epoch_day(ts: pd.Timestamp) -> int:
    return int((pd.Timestamp(ts).normalize() - _EPOCH).days)


def _period_of(day: np.ndarray, freq: str, origin: pd.Timestamp) -> np.ndarray:
    if freq in ("D", "W"):
        rel = day - _epoch_day(origin)
        return rel if freq == "D" else rel // 7  # floor division, as the engine's on epoch days
    months = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)  # since 1970-01
    o_months = (origin.year - 1970) * 12 + origin.month - 1
    if freq == "M":
        return months - o_months
    if freq == "Q":  # 12 * years is a multiple of 3: months // 3 is 4 * years + quarter - 1
        return months // 3 - o_months // 3
    if freq == "Y":
        return months // 12 - o_months // 12
    raise ValueError(f"freq={freq!r} is not supported; use one of {', '.join(PERIOD_FREQS)}")


def period_of_days(day: np.ndarray, freq: str, origin: pd.Timestamp) -> np.ndarray:
    """The period index (0 = the period starting at ``origin``) of each epoch day, as
    `custlens.features.periods.period_index` computes it in the store.

    Parameters
    ----------
    day : numpy.ndarray of int
        Days since 1970-01-01.
    freq : {"D", "W", "M", "Q", "Y"}
        Period length (`PERIOD_FREQS`).
    origin : Timestamp
        A period start of ``freq`` (a Monday for weeks).

    Returns
    -------
    numpy.ndarray of int64
    """
    day = np.asarray(day)
    if freq not in PERIOD_FREQS:
        raise ValueError(f"freq={freq!r} is not supported; use one of {', '.join(PERIOD_FREQS)}")
    if len(day) == 0:
        return np.zeros(0, dtype=np.int64)
    # calendar arithmetic once per distinct day of the span (a few thousand), then a lookup:
    # ten times cheaper than datetime64 conversions of every purchase day
    lo, hi = int(day.min()), int(day.max())
    table = _period_of(np.arange(lo, hi + 1, dtype=np.int64), freq, pd.Timestamp(origin))
    return table[day - lo]


def _check(days: PurchaseDays, as_of: pd.Timestamp) -> None:
    if pd.Timestamp(days.as_of) != pd.Timestamp(as_of):
        raise InputError(f"the purchase days are as of {pd.Timestamp(days.as_of):%Y-%m-%d}, not "
                         f"{pd.Timestamp(as_of):%Y-%m-%d}; pass build_customer_table(store, as_of).days")


def activity_from_days(days: PurchaseDays, freq: str, as_of: pd.Timestamp) -> CustomerActivity:
    """`customer_activity` of the customers whose purchase days are ``days``, without the store.

    Parameters
    ----------
    days : PurchaseDays
        Every customer's purchase days as of ``as_of`` (`build_customer_table(...).days`).
    freq : {"D", "W", "M", "Q", "Y"}
        Period length.
    as_of : Timestamp
        The first day not observed; must be the purchase days' own.

    Returns
    -------
    CustomerActivity
        Customers in the order of ``days`` (the customer table's).

    Raises
    ------
    MissingDataError
        When no customer has a purchase day (no order before ``as_of``).
    InputError
        When ``days`` are of another ``as_of``.
    """
    if freq not in PERIOD_FREQS:
        raise ValueError(f"freq={freq!r} is not supported; use one of {', '.join(PERIOD_FREQS)}")
    as_of = pd.Timestamp(as_of)
    _check(days, as_of)
    start = np.asarray(days.start, dtype=np.int64)
    n_days = np.diff(start)
    if len(n_days) == 0:
        raise MissingDataError(f"no orders before as_of={as_of:%Y-%m-%d}; pass a later as_of or load more orders")
    if (n_days < 1).any():  # every customer of the table has an order: a day-less one is a fault
        raise ValueError("purchase days: a customer without any purchase day")
    day = np.asarray(days.day)  # int32: no 10M-row copy
    heads = start[:-1]
    first_day = day[heads].astype(np.int64)
    origin = period_start([_EPOCH + pd.Timedelta(days=int(first_day.min()))], freq)[0]
    last = period_start([as_of - pd.Timedelta(days=1)], freq)[0]
    n_periods = len(pd.date_range(origin, last, freq=PERIOD_FREQS[freq][1]))
    idx = period_of_days(day, freq, origin)
    first = idx[heads]
    # the days of the first period are a prefix of each customer's ascending run
    in_first = np.add.reduceat(idx == np.repeat(first, n_days), heads, dtype=np.int64)
    masks = None
    if n_periods <= MAX_BIT_PERIODS:
        words = -(-n_periods // WORD_BITS)
        masks = np.empty((len(heads), words), dtype=np.int64)
        for j in range(words):
            rel = np.arange(n_periods, dtype=np.int64) - j * WORD_BITS
            inside = (rel >= 0) & (rel < WORD_BITS)
            bit_of = np.where(inside, np.int64(1) << np.where(inside, rel, 0), 0)  # per period index
            masks[:, j] = np.bitwise_or.reduceat(bit_of[idx], heads)
    return CustomerActivity(
        freq=freq, origin=origin, n_periods=n_periods, first=first.astype(np.int64),
        orders=np.add.reduceat(np.asarray(days.orders), heads, dtype=np.int64),
        first_day=first_day, first_period_last_day=day[heads + in_first - 1].astype(np.int64), masks=masks)


def cohort_revenue_from_days(days: PurchaseDays, freq: str, origin: pd.Timestamp, n: int,
                             as_of: pd.Timestamp) -> np.ndarray:
    """Revenue by acquisition period (rows) and period (columns) from the purchase days.

    Parameters
    ----------
    days : PurchaseDays
        Every customer's purchase days as of ``as_of``.
    freq : {"M", "Q"}
        Period length (any of `PERIOD_FREQS` works).
    origin : Timestamp
        Start of period 0 (the first order's period).
    n : int
        Periods from ``origin`` to the one holding the day before ``as_of``.
    as_of : Timestamp
        The first day not observed; must be the purchase days' own.

    Returns
    -------
    numpy.ndarray, shape (n, n)
        The summed order amounts of each cohort in each period, 0.0 where the cohort had no
        order and NaN where every amount was missing (SQL ``SUM``). The sums add the customers'
        day totals in customer order: equal to the store's sum up to the last bits of a double
        (the engine adds in its own, varying order too).
    """
    _check(days, as_of)
    start = np.asarray(days.start, dtype=np.int64)
    n_days = np.diff(start)
    idx = period_of_days(days.day, freq, origin)
    cohort = np.repeat(idx[start[:-1]], n_days)
    key = cohort * n + idx
    total = np.asarray(days.total, dtype=float)
    missing = np.isnan(total)
    out = np.bincount(key, weights=np.where(missing, 0.0, total) if missing.any() else total,
                      minlength=n * n)[: n * n]
    if missing.any():
        rows = np.bincount(key, minlength=n * n)[: n * n]
        known = np.bincount(key, weights=~missing, minlength=n * n)[: n * n]
        out[(rows > 0) & (known == 0)] = np.nan
    return out.reshape(n, n)
