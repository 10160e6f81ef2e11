"""The report's shortcuts in the forecast: series from the day totals, and a training window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.errors import InputError
from custlens.features.periods import daily_totals, period_kpis, rollup_totals
from custlens.forecast.api import forecast
from custlens.forecast.series import build_series
from custlens.store import Store


@pytest.mark.parametrize("freq", ["D", "W", "M"])
@pytest.mark.parametrize("metric", ["revenue", "orders"])
def test_series_from_day_totals_equal_series_from_period_kpis(shop, metric: str, freq: str) -> None:
    as_of = "2024-03-05" if freq == "M" else None
    from_kpis = build_series(shop, metric, freq, as_of, kpis=period_kpis(shop, freq, as_of))
    totals = rollup_totals(daily_totals(shop, as_of), freq).reset_index()
    pd.testing.assert_frame_equal(build_series(shop, metric, freq, as_of, kpis=totals), from_kpis)
    pd.testing.assert_frame_equal(build_series(shop, metric, freq, as_of), from_kpis)  # the default path


def test_totals_frame_cannot_stand_in_for_customer_counts(shop) -> None:
    totals = rollup_totals(daily_totals(shop), "D").reset_index()
    with pytest.raises(InputError, match="no column 'customers'"):
        build_series(shop, "active", "D", kpis=totals)


@pytest.fixture
def long_shop(store: Store) -> Store:
    """Daily orders over 300 days with a weekly pattern (Mondays triple)."""
    days = pd.date_range("2024-01-01", periods=300, freq="D")
    rng = np.random.default_rng(0)
    rows = []
    for i, d in enumerate(days):
        for k in range(int(rng.poisson(9 if d.dayofweek == 0 else 3)) + 1):
            rows.append((f"o{i}_{k}", f"c{rng.integers(0, 200)}", d + pd.Timedelta(hours=10 + k), 10.0 + k))
    df = pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "amount"])
    store._con.register("_df", df)
    store._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) SELECT * FROM _df")
    return store


@pytest.mark.slow  # three statsforecast runs
def test_train_days_fits_on_the_last_days_only(long_shop) -> None:
    kw = dict(metric="orders", horizon=14, freq="D", models=("AutoETS", "SeasonalNaive"), n_windows=2, events=None)
    short = forecast(long_shop, train_days=120, **kw)
    full = forecast(long_shop, **kw)
    assert len(short.history) == 120 and short.train_days == 120
    assert short.history["ds"].max() == full.history["ds"].max() == pd.Timestamp("2024-10-26")
    assert len(full.history) == 300 and full.train_days is None
    # the window is the tail of the whole series, and the fit on it is the fit on that tail
    pd.testing.assert_frame_equal(short.history, full.history.tail(120).reset_index(drop=True))
    tail = forecast(long_shop, **kw, kpis=full.history.tail(120).rename(columns={"ds": "period", "y": "orders"}))
    pd.testing.assert_frame_equal(short.forecast, tail.forecast)
    assert short.model == tail.model
    with pytest.raises(InputError, match="train_days=0"):
        forecast(long_shop, train_days=0, **kw)
