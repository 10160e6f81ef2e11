"""Day intensities and clock times: where in the calendar purchases land."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlens.demo._params import ShopCalendar
from custlens.errors import InputError


def black_friday(year: int) -> pd.Timestamp:
    """The day after US Thanksgiving (the fourth Thursday of November)."""
    first = pd.Timestamp(year=year, month=11, day=1)
    offset = (3 - first.day_of_week) % 7  # Thursday is 3
    return first + pd.Timedelta(days=offset + 21 + 1)


def day_intensity(days: pd.DatetimeIndex, cal: ShopCalendar) -> tuple[np.ndarray, np.ndarray]:
    """Relative shopping intensity of each day and a festival-day flag.

    Parameters
    ----------
    days : DatetimeIndex
        Consecutive calendar days.
    cal : ShopCalendar
        Weekday, yearly and festival factors.

    Returns
    -------
    weights : ndarray of float
        Intensity, 1.0 on an ordinary Thursday in the yearly average.
    festival : ndarray of bool
        True on the peak day of a festival with a midnight rush (clock times get a midnight bump).
    """
    w = np.asarray(cal.weekday, dtype=float)[days.day_of_week]
    doy = days.day_of_year.to_numpy()
    w = w * (1.0 + cal.yearly_amplitude * np.cos(2 * np.pi * (doy - cal.yearly_peak_day_of_year) / 365.25))
    peak_day = np.zeros(len(days), dtype=bool)
    years = range(days.min().year, days.max().year + 1)
    start = days[0]

    def _pos(ts: pd.Timestamp) -> int:
        return int((ts - start).days)

    n = len(days)
    for year in years:
        for f in cal.festivals:
            pos = _pos(pd.Timestamp(year=year, month=f.month, day=f.day))
            if 0 <= pos < n:
                w[pos] *= f.peak
                peak_day[pos] |= f.midnight_rush
            for k in range(1, f.ramp_days + 1):
                if 0 <= pos - k < n:
                    w[pos - k] *= 1.0 + f.ramp * (f.peak - 1.0)
        pos = _pos(black_friday(year))
        if 0 <= pos < n:
            w[pos] *= cal.black_friday_peak
        if year not in cal.spring_festival:
            raise InputError(
                f"no Spring Festival date for year {year}; pass "
                f"ShopCalendar(spring_festival={{..., {year}: 'YYYY-MM-DD'}}) in DemoParams"
            )
        sf = _pos(pd.Timestamp(cal.spring_festival[year]))
        lo, hi = cal.spring_festival_days
        for k in range(lo, hi + 1):
            if 0 <= sf + k < n:
                w[sf + k] *= cal.spring_festival_dip
    return w, peak_day


def sample_days(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` day indices with probability proportional to ``weights``."""
    cdf = np.cumsum(weights)
    return np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right"), len(weights) - 1)


def relocate_days(
    day: np.ndarray, lo: np.ndarray, hi: np.ndarray, weights: np.ndarray, window: int, rng: np.random.Generator
) -> np.ndarray:
    """Move each day to a day within ``window`` of it, proportionally to ``weights``.

    Candidates are limited to ``[lo, hi]`` per event, which always contains ``day``, so the
    number of events per customer and interval is unchanged up to ``window`` days.
    """
    offsets = np.arange(-window, window + 1)
    cand = day[:, None] + offsets[None, :]
    ok = (cand >= lo[:, None]) & (cand <= hi[:, None])
    w = np.where(ok, weights[np.clip(cand, 0, len(weights) - 1)], 0.0)
    cdf = np.cumsum(w, axis=1)
    u = rng.random(len(day)) * cdf[:, -1]
    pick = (cdf <= u[:, None]).sum(axis=1)
    return cand[np.arange(len(day)), np.minimum(pick, len(offsets) - 1)]


def clock_seconds(festival: np.ndarray, cal: ShopCalendar, rng: np.random.Generator) -> np.ndarray:
    """Second of the day for each event: hour pattern with an evening peak, midnight on festivals."""
    hours = np.asarray(cal.hours, dtype=float)
    boosted = hours.copy()
    boosted[:2] *= cal.festival_midnight_boost
    n = len(festival)
    u = rng.random(n)
    h = np.where(
        festival,
        np.searchsorted(np.cumsum(boosted) / boosted.sum(), u, side="right"),
        np.searchsorted(np.cumsum(hours) / hours.sum(), u, side="right"),
    )
    h = np.minimum(h, 23)
    return h * 3600 + rng.integers(0, 3600, size=n)
