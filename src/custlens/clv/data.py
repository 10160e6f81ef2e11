"""Transactions to the per-customer RFM frame (``frequency, recency, T, monetary_value``)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from custlens.clv import _names as N
from custlens.errors import InputError, SchemaError


def _timestamps(values: pd.Series, name: str) -> pd.Series:
    if not pd.api.types.is_datetime64_any_dtype(values):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            converted = pd.to_datetime(values, errors="coerce")
            if (converted.isna() & values.notna()).any():
                converted = pd.to_datetime(values, errors="coerce", format="mixed")
        bad = converted.isna() & values.notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"column '{name}': {int(bad.sum()):,} of {len(values):,} values are "
                             f"not dates (row {row}: {values.iloc[row]!r}); fix or drop the rows")
        values = converted
    if values.isna().any():
        raise InputError(f"column '{name}': {int(values.isna().sum()):,} dates are missing; drop those rows")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.dt.normalize()


def _unit_days(time_unit: str) -> float:
    try:
        return N.TIME_UNIT_DAYS[time_unit]
    except KeyError:
        raise InputError(f"time_unit={time_unit!r} is not one of {sorted(N.TIME_UNIT_DAYS)}") from None


def _summarise(days: pd.DataFrame, end: pd.Timestamp, unit: float) -> pd.DataFrame:
    """RFM of one period from per-(customer, day) values (columns: customer, day, value)."""
    g = days.groupby("customer", sort=True)
    first = g["day"].min()
    last = g["day"].max()
    count = g["day"].size()
    total = g["value"].sum()
    first_value = days.loc[g["day"].idxmin(), ["customer", "value"]].set_index("customer")["value"]
    frequency = (count - 1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, (total - first_value) / frequency.where(frequency > 0, 1), 0.0)
    return pd.DataFrame({
        N.FREQUENCY: frequency,
        N.RECENCY: (last - first).dt.days.astype(float) / unit,
        N.T: (end - first).dt.days.astype(float) / unit,
        N.MONETARY_VALUE: monetary,
    })


def summary_from_transactions(
    transactions: pd.DataFrame,
    customer_col: str,
    date_col: str,
    amount_col: str | None = None,
    observation_end: Any = None,
    calibration_end: Any = None,
    time_unit: str = "W",
) -> pd.DataFrame:
    """Build the per-customer RFM frame the CLV models take.

    Purchases on the same day by the same customer are merged into one transaction
    (their amounts summed). ``frequency`` is the number of repeat purchase days,
    ``recency`` the time from the first to the last purchase, ``T`` the time from the
    first purchase to the end of the period (both in ``time_unit``), and
    ``monetary_value`` the mean value of the repeat transactions (0 when there are none).

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase (or order line).
    customer_col, date_col : str
        Customer identifier and purchase date columns.
    amount_col : str, optional
        Purchase value column; without it ``monetary_value`` is omitted.
    observation_end : date-like, optional
        Last day observed (inclusive of its purchases); default the last purchase day.
        Transactions after it are ignored.
    calibration_end : date-like, optional
        End of the calibration period. When given, the RFM columns describe the
        calibration period (customers whose first purchase is on or before it) and
        ``frequency_holdout``, ``monetary_value_holdout`` and ``duration_holdout``
        describe the holdout ``(calibration_end, observation_end]``.
    time_unit : {"D", "W", "M", "Y"}, default "W"
        Unit of ``recency``, ``T`` and ``duration_holdout`` (``M`` = 365.25/12 days).

    Returns
    -------
    DataFrame
        Indexed by customer (sorted).

    Examples
    --------
    >>> rfm = summary_from_transactions(orders, "customer_id", "ordered_at", "amount",
    ...                                 observation_end="1997-09-30")  # doctest: +SKIP
    """
    if not isinstance(transactions, pd.DataFrame):
        raise InputError(f"transactions must be a pandas DataFrame, got {type(transactions).__name__}")
    needed = [customer_col, date_col] + ([amount_col] if amount_col else [])
    missing = [c for c in needed if c not in transactions.columns]
    if missing:
        raise SchemaError(f"missing column(s) {missing}; the transactions have "
                          f"{list(transactions.columns)[:12]}")
    unit = _unit_days(time_unit)
    day = _timestamps(transactions[date_col], date_col)
    if amount_col:
        value = pd.to_numeric(transactions[amount_col], errors="coerce")
        if value.isna().any():
            row = int(np.flatnonzero(value.isna().to_numpy())[0])
            raise InputError(f"column '{amount_col}': {int(value.isna().sum()):,} values are not "
                             f"numbers (row {row}: {transactions[amount_col].iloc[row]!r})")
    else:
        value = pd.Series(0.0, index=transactions.index)
    if transactions[customer_col].isna().any():
        raise InputError(f"column '{customer_col}': {int(transactions[customer_col].isna().sum()):,} "
                         "customer ids are missing; drop those rows")
    end = pd.Timestamp(observation_end).normalize() if observation_end is not None else day.max()
    cal_end = pd.Timestamp(calibration_end).normalize() if calibration_end is not None else None
    if cal_end is not None and cal_end >= end:
        raise InputError(f"calibration_end={cal_end.date()} must be before observation_end={end.date()}")

    frame = pd.DataFrame({"customer": transactions[customer_col].to_numpy(), "day": day.to_numpy(),
                          "value": value.to_numpy(dtype=float)})
    frame = frame[frame["day"] <= end]
    days = frame.groupby(["customer", "day"], sort=False, as_index=False)["value"].sum()

    if cal_end is None:
        out = _summarise(days, end, unit)
    else:
        cal = days[days["day"] <= cal_end]
        out = _summarise(cal, cal_end, unit)
        hold = days[(days["day"] > cal_end) & days["customer"].isin(out.index)]
        hg = hold.groupby("customer")["value"]
        out[N.FREQUENCY_HOLDOUT] = hg.size().reindex(out.index, fill_value=0).astype(float)
        out[N.MONETARY_VALUE_HOLDOUT] = hg.mean().reindex(out.index, fill_value=0.0)
        out[N.DURATION_HOLDOUT] = (end - cal_end).days / unit
    if not amount_col:
        out = out.drop(columns=[c for c in (N.MONETARY_VALUE, N.MONETARY_VALUE_HOLDOUT) if c in out])
    out.index.name = customer_col
    return out
