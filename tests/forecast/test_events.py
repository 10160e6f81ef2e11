"""The festival calendar: known dates, windows, and period sums."""

from __future__ import annotations

import pandas as pd

from custlens.forecast import DEFAULT_EVENTS, Event, event_days, event_regressors
from custlens.forecast.events import black_friday, fixed_date, spring_festival


def test_known_dates() -> None:
    assert black_friday(2025) == pd.Timestamp("2025-11-28")
    assert black_friday(2024) == pd.Timestamp("2024-11-29")  # 1 Nov 2024 is a Friday
    assert black_friday(2026) == pd.Timestamp("2026-11-27")
    # Chinese New Year's Day (Hong Kong Observatory conversion table): 2024-02-10, 2025-01-29
    assert spring_festival(2024) == pd.Timestamp("2024-02-10")
    assert spring_festival(2025) == pd.Timestamp("2025-01-29")


def test_event_days_mark_the_day_and_its_window() -> None:
    days = pd.date_range("2025-11-01", "2025-11-30")
    x = event_days(days, DEFAULT_EVENTS)
    d11 = x["ev_double_11"]
    assert d11.sum() == 1 and d11[pd.Timestamp("2025-11-11")] == 1
    window = x["ev_double_11_window"]
    assert window[window > 0].index.strftime("%d").tolist() == ["08", "09", "10"]
    assert x["ev_black_friday"][pd.Timestamp("2025-11-28")] == 1
    sf = event_days(pd.date_range("2025-01-20", "2025-02-10"), DEFAULT_EVENTS)
    assert sf["ev_spring_festival"].sum() == 1 and sf["ev_spring_festival_window"].sum() == 7  # eve + 6 days


def test_period_regressors_count_event_days() -> None:
    weeks = pd.date_range("2025-11-03", periods=4, freq="W-MON")
    x = event_regressors(weeks, "W", DEFAULT_EVENTS)
    assert x.loc[pd.Timestamp("2025-11-10"), "ev_double_11"] == 1
    assert x.loc[pd.Timestamp("2025-11-03"), "ev_double_11_window"] == 2  # Sat 8 and Sun 9 Nov
    assert x.loc[pd.Timestamp("2025-11-10"), "ev_double_11_window"] == 1  # Mon 10 Nov
    months = pd.date_range("2025-01-01", periods=12, freq="MS")
    m = event_regressors(months, "M", DEFAULT_EVENTS)
    assert m["ev_618"].tolist() == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert m["ev_spring_festival_window"].sum() == 7


def test_custom_events() -> None:
    ev = [Event("payday", fixed_date(1, 15), after=1)]
    x = event_days(pd.date_range("2024-01-14", "2024-01-17"), ev)
    assert x["ev_payday"].tolist() == [0, 1, 0, 0] and x["ev_payday_window"].tolist() == [0, 0, 1, 0]
