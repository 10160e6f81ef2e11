"""Backtest-and-forecast over many series: contract, intervals, selection, festivals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.errors import InputError
from custlens.forecast import BASELINE, forecast_frame
from custlens.forecast.events import Event, fixed_date

FAST = ["AutoETS"]


def weekly_pattern(n: int = 210, uid: str = "s", seed: int = 0, level: float = 20.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=n)
    week = np.array([1.0, 1.0, 1.0, 1.1, 1.2, 1.6, 1.6])[ds.day_of_week]
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": rng.poisson(level * week).astype(float)})


def test_intervals_are_ordered_and_nonnegative() -> None:
    res = forecast_frame(weekly_pattern(level=2.0), "D", 14, models=FAST, n_windows=2)
    f = res.forecast
    assert len(f) == 14 and f["ds"].min() == pd.Timestamp("2024-01-01") + pd.Timedelta(days=210)
    for lo, hi in (("lo_95", "hi_95"), ("lo_80", "hi_80")):
        assert (f[lo] <= f["mean"]).all() and (f["mean"] <= f[hi]).all()
    assert (f["lo_95"] <= f["lo_80"]).all() and (f["hi_80"] <= f["hi_95"]).all()
    assert (f[["mean", "lo_95"]] >= 0).all().all()
    assert (res.baseline["lo_95"] <= res.baseline["hi_95"]).all()


def test_backtest_always_holds_the_baseline_and_the_choice_is_its_best_row() -> None:
    res = forecast_frame(weekly_pattern(), "D", 14, models=FAST, n_windows=3)
    assert set(res.backtest["model"]) == {"AutoETS", BASELINE}
    assert res.model == res.backtest.sort_values("mase")["model"].iloc[0]
    assert res.n_windows == 3 and res.season_length == 7
    # a weekly pattern with Poisson noise: smoothing beats last week's noisy copy
    scores = res.backtest.set_index("model")["mase"]
    assert scores["AutoETS"] < scores[BASELINE]


def test_many_series_in_one_call() -> None:
    df = pd.concat([weekly_pattern(uid=f"c{i}", seed=i, level=5 + i) for i in range(3)])
    res = forecast_frame(df, "D", 7, models=FAST, n_windows=1)
    assert res.forecast.groupby("unique_id").size().to_dict() == {f"c{i}": 7 for i in range(3)}
    assert set(res.backtest_series["unique_id"]) == {f"c{i}" for i in range(3)}
    assert len(res.backtest_series) == 3 * 2


def test_short_history_is_refused_with_the_numbers() -> None:
    with pytest.raises(InputError, match="20 periods of history are too few"):
        forecast_frame(weekly_pattern(20), "D", 28, models=FAST)
    with pytest.raises(InputError, match="horizon=0"):
        forecast_frame(weekly_pattern(), "D", 0)
    with pytest.raises(InputError, match="model 'Prophet'"):
        forecast_frame(weekly_pattern(), "D", 7, models=["Prophet"])


def test_weekly_and_monthly_frequencies() -> None:
    rng = np.random.default_rng(1)
    ds = pd.date_range("2022-01-03", periods=130, freq="W-MON")
    w = pd.DataFrame({"unique_id": "w", "ds": ds, "y": rng.poisson(50, 130).astype(float)})
    res = forecast_frame(w, "W", 4, models=FAST, n_windows=2)
    assert res.season_length == 52 and res.forecast["ds"].iloc[0] == ds[-1] + pd.Timedelta(days=7)
    ms = pd.date_range("2022-01-01", periods=30, freq="MS")
    m = pd.DataFrame({"unique_id": "m", "ds": ms, "y": rng.poisson(200, 30).astype(float)})
    res = forecast_frame(m, "M", 3, models=FAST, n_windows=2)
    assert res.season_length == 12 and res.forecast["ds"].tolist() == list(pd.date_range("2024-07-01", periods=3, freq="MS"))


@pytest.mark.slow
def test_arima_forecasts_a_known_festival_spike() -> None:
    """Two years of a daily series with a 6x spike on a fixed day; the next spike is forecast."""
    rng = np.random.default_rng(3)
    ds = pd.date_range("2023-01-01", "2024-12-05")
    y = rng.poisson(10 * np.where((ds.month == 12) & (ds.day == 12), 6.0, 1.0)).astype(float)
    df = pd.DataFrame({"unique_id": "s", "ds": ds, "y": y})
    events = [Event("d12", fixed_date(12, 12))]
    res = forecast_frame(df, "D", 14, models=["AutoARIMA"], events=events, n_windows=1)
    assert res.events == ["ev_d12"]
    f = res.forecast.set_index("ds")["mean"]
    spike, rest = f[pd.Timestamp("2024-12-12")], f.drop(pd.Timestamp("2024-12-12"))
    assert spike > 3 * rest.median()
