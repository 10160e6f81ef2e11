"""The backtest that fits each model once (``refit=False``, the report's, issue 13 session 5).

Reference: the same backtest written out with statsforecast's model API, a fit at the first
window's origin and ``forward`` (states updated over the new data, parameters kept) at every
window, scored by `score_backtest`. The final forecast must not depend on ``refit``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from custlens.forecast.backtest import score_backtest, summarize_backtest
from custlens.forecast.models import _make_models, forecast_frame

H, WINDOWS = 14, 2
MODELS = ("AutoETS", "MSTL", "SeasonalNaive")


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    """Two daily series of 210 days: a weekly pattern, a trend and noise (seeded)."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2025-01-01", periods=210, freq="D")
    frames = []
    for uid, level in (("a", 100.0), ("b", 40.0)):
        week = np.tile([1.0, 0.8, 0.9, 1.0, 1.2, 1.6, 1.4], 30)
        y = level * week * (1 + 0.002 * np.arange(210)) + rng.normal(0, level * 0.08, 210)
        frames.append(pd.DataFrame({"unique_id": uid, "ds": days, "y": y}))
    return pd.concat(frames, ignore_index=True)


def _fit_once_reference(df: pd.DataFrame) -> pd.DataFrame:
    """Per series and model: fit on the data before the first window, forward at each window."""
    rows = []
    for uid, g in df.groupby("unique_id", sort=True):
        y, ds = g["y"].to_numpy(float), g["ds"].to_numpy()
        first = len(y) - WINDOWS * H
        cuts = [first + k * H for k in range(WINDOWS)]
        cols = {}
        for model in _make_models(MODELS, "D", first, 7):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fitted = model.new().fit(y=y[:first])
                cols[repr(model)] = np.concatenate([fitted.forward(y=y[:c], h=H)["mean"] for c in cuts])
        rows.append(pd.DataFrame({"unique_id": uid, "ds": np.concatenate([ds[c:c + H] for c in cuts]),
                                  "cutoff": np.concatenate([[ds[c - 1]] * H for c in cuts]),
                                  "y": np.concatenate([y[c:c + H] for c in cuts]), **cols}))
    cv = pd.concat(rows, ignore_index=True)
    return score_backtest(cv, df, [c for c in cv.columns if c not in ("unique_id", "ds", "cutoff", "y")], 7)


def test_fit_once_backtest_equals_the_reference(series: pd.DataFrame) -> None:
    res = forecast_frame(series, "D", H, models=MODELS, events=None, n_windows=WINDOWS, refit=False)
    ref = _fit_once_reference(series)
    got = res.backtest_series.sort_values(["unique_id", "model"]).reset_index(drop=True)
    want = ref.sort_values(["unique_id", "model"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, rtol=1e-9)
    pd.testing.assert_frame_equal(res.backtest, summarize_backtest(ref), rtol=1e-9)
    assert res.refit is False and res.n_windows == WINDOWS


def test_forecast_does_not_depend_on_refit(series: pd.DataFrame) -> None:
    once = forecast_frame(series, "D", H, models=MODELS, events=None, n_windows=WINDOWS, refit=False)
    every = forecast_frame(series, "D", H, models=MODELS, events=None, n_windows=WINDOWS)
    assert every.refit is True
    # the first window is the same backtest either way; the second differs for the fitted models
    b_once = once.backtest.set_index("model")
    b_every = every.backtest.set_index("model")
    assert b_once.loc["SeasonalNaive", "mase"] == pytest.approx(b_every.loc["SeasonalNaive", "mase"], rel=1e-12)
    assert not np.isclose(b_once.loc["AutoETS", "mase"], b_every.loc["AutoETS", "mase"], rtol=1e-9)
    assert once.model == every.model  # on these series; then the forecasts are the same
    pd.testing.assert_frame_equal(once.forecast, every.forecast)
    pd.testing.assert_frame_equal(once.baseline, every.baseline)
