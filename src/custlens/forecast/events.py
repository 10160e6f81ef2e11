"""Known shopping events (festivals) as exogenous regressors.

An `Event` is a day per year (fixed date, e.g. 11 November, or computed, e.g. Black Friday
and the Spring Festival) with an optional window of days before and after it. Each event
gives two columns of day indicators, the day itself (``ev_<name>``) and its window
(``ev_<name>_window``: pre-sales before a festival, the holiday after the Spring Festival);
weekly and monthly series take the number of such days in the period. The default
calendar (`DEFAULT_EVENTS`) holds the festivals of Chinese and Western online retail: 618,
Double 11, Black Friday, Christmas and the Spring Festival (dates of the Chinese New Year
from the `holidays` package).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from custlens.errors import InputError

__all__ = ["Event", "DEFAULT_EVENTS", "black_friday", "spring_festival", "fixed_date", "event_days",
           "event_regressors"]


def fixed_date(month: int, day: int) -> Callable[[int], pd.Timestamp | None]:
    """A function of the year giving the same calendar date every year."""

    def dates(year: int) -> pd.Timestamp | None:
        return pd.Timestamp(year=year, month=month, day=day)

    dates.__name__ = f"fixed_{month:02d}_{day:02d}"
    return dates


def black_friday(year: int) -> pd.Timestamp:
    """The day after US Thanksgiving (the fourth Thursday of November)."""
    first = pd.Timestamp(year=year, month=11, day=1)
    return first + pd.Timedelta(days=(3 - first.day_of_week) % 7 + 21 + 1)


def spring_festival(year: int) -> pd.Timestamp | None:
    """Chinese New Year's Day (first day of the lunar year) from the `holidays` package."""
    import holidays

    try:
        cal = holidays.China(years=year)
    except (NotImplementedError, KeyError, ValueError):  # pragma: no cover - outside the package's range
        return None
    days = sorted(d for d, name in cal.items() if "Spring Festival" in name and "observed" not in name)
    return pd.Timestamp(days[0]) if days else None


@dataclass(frozen=True)
class Event:
    """A yearly event: its day and the window of days around it.

    Parameters
    ----------
    name : str
        Identifier (lower-case letters, digits, ``_``); the regressors are ``ev_<name>`` and
        ``ev_<name>_window``.
    day : callable
        ``day(year) -> Timestamp or None``: the event's day in ``year`` (None: no event).
    before, after : int
        Days before and after ``day`` that form its window (e.g. pre-sales), 0 for none.
    """

    name: str
    day: Callable[[int], "pd.Timestamp | None"]
    before: int = 0
    after: int = 0

    def columns(self) -> list[str]:
        """Names of the regressors of this event."""
        cols = [f"ev_{self.name}"]
        if self.before or self.after:
            cols.append(f"ev_{self.name}_window")
        return cols


#: The festival calendar used unless another one is passed.
DEFAULT_EVENTS: tuple[Event, ...] = (
    Event("618", fixed_date(6, 18), before=2),
    Event("double_11", fixed_date(11, 11), before=3),
    Event("black_friday", black_friday),
    Event("christmas", fixed_date(12, 25), before=1),
    Event("spring_festival", spring_festival, before=1, after=6),
)


def event_days(days: pd.DatetimeIndex, events: Sequence[Event] = DEFAULT_EVENTS) -> pd.DataFrame:
    """Daily 0/1 indicators of each event's day and window.

    Parameters
    ----------
    days : DatetimeIndex
        Calendar days (any order; times of day are ignored).
    events : sequence of Event
        The calendar; default `DEFAULT_EVENTS`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``days``; columns ``ev_<name>`` and ``ev_<name>_window`` (float 0/1).

    Raises
    ------
    InputError
        For two events with the same name.
    """
    names = [e.name for e in events]
    if len(set(names)) != len(names):
        raise InputError(f"event names must be unique, got {names}")
    days = pd.DatetimeIndex(days).normalize()
    out = pd.DataFrame(index=days)
    if len(days) == 0:
        return out.assign(**{c: pd.Series(dtype=float) for e in events for c in e.columns()})
    years = range(days.min().year - 1, days.max().year + 2)
    values = days.values.astype("datetime64[D]")
    for e in events:
        peak = np.zeros(len(days))
        window = np.zeros(len(days))
        for year in years:
            d = e.day(year)
            if d is None:
                continue
            d64 = np.datetime64(pd.Timestamp(d).normalize().date(), "D")
            offset = (values - d64).astype(int)
            peak[offset == 0] = 1.0
            window[((offset < 0) & (offset >= -e.before)) | ((offset > 0) & (offset <= e.after))] = 1.0
        out[f"ev_{e.name}"] = peak
        if e.before or e.after:
            out[f"ev_{e.name}_window"] = window
    return out


def event_regressors(
    starts: pd.DatetimeIndex, freq: str, events: Sequence[Event] = DEFAULT_EVENTS
) -> pd.DataFrame:
    """Event regressors of periods: the number of event (window) days in each period.

    Parameters
    ----------
    starts : DatetimeIndex
        Period starts (days, Monday-starting weeks, or month starts).
    freq : {"D", "W", "M"}
        Period length.
    events : sequence of Event

    Returns
    -------
    pandas.DataFrame
        One row per period (index ``starts``), one column per regressor.
    """
    starts = pd.DatetimeIndex(starts)
    if freq == "D":
        return event_days(starts, events).set_axis(starts)
    if len(starts) == 0:
        return event_days(starts, events)
    ends = starts + (pd.Timedelta(days=7) if freq == "W" else pd.offsets.MonthBegin(1))
    days = pd.date_range(starts.min(), ends.max() - pd.Timedelta(days=1), freq="D")
    daily = event_days(days, events)
    key = days.to_period("W-SUN").start_time if freq == "W" else days.to_period("M").start_time
    summed = daily.groupby(key).sum()
    return summed.reindex(starts, fill_value=0.0)
