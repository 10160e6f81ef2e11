"""MASE and sMAPE against closed forms and hand computations (Hyndman & Koehler 2006; M4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlens.forecast import mase, smape
from custlens.forecast.backtest import mase_scale, score_backtest, summarize_backtest


def test_mase_by_hand() -> None:
    # in-sample naive errors |2-1|, |4-2|, |3-4| -> scale 4/3; forecast errors 1, 1 -> MASE 0.75
    assert mase([3, 5], [4, 4], insample=[1, 2, 4, 3], m=1) == pytest.approx(0.75)
    # seasonal scale m=2: |4-1|, |3-2| -> 2; errors 2, 0 -> MAE 1 -> 0.5
    assert mase([6, 5], [4, 5], insample=[1, 2, 4, 3], m=2) == pytest.approx(0.5)


def test_mase_of_the_seasonal_naive_forecast_of_a_repeating_pattern_is_undefined() -> None:
    assert np.isnan(mase([1, 2], [1, 2], insample=[1, 2, 1, 2], m=2))
    assert np.isnan(mase_scale([1.0, 2.0], 2))


def test_smape_by_hand() -> None:
    assert smape([100, 0], [50, 0]) == pytest.approx(100 * (2 * 50 / 150) / 2)
    assert smape([1, 2], [1, 2]) == 0.0
    assert smape([0, 0], [1, 3]) == pytest.approx(200.0)  # the upper bound


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=30), st.lists(st.floats(0, 1e6), min_size=1, max_size=30))
def test_smape_is_between_0_and_200_and_symmetric(y, f) -> None:
    n = min(len(y), len(f))
    a, b = smape(y[:n], f[:n]), smape(f[:n], y[:n])
    assert 0 <= a <= 200 + 1e-9 and a == pytest.approx(b)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=5, max_size=40), st.floats(0.1, 100))
def test_mase_is_scale_free(y, c) -> None:
    y = np.asarray(y)
    ins, out = y[:-2], y[-2:]
    f = np.full(2, ins.mean())
    a, b = mase(out, f, ins, 1), mase(c * out, c * f, c * ins, 1)
    assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b, rel=1e-6)


def test_score_backtest_uses_the_history_up_to_each_cutoff() -> None:
    ds = pd.date_range("2024-01-01", periods=6)
    history = pd.DataFrame({"unique_id": "s", "ds": ds, "y": [1.0, 2, 4, 3, 5, 6]})
    cv = pd.DataFrame({"unique_id": "s", "ds": ds[4:], "cutoff": ds[3], "y": [5.0, 6],
                       "good": [5.0, 6], "bad": [3.0, 4]})
    per = score_backtest(cv, history, ["good", "bad"], m=1)
    got = per.set_index("model")
    assert got.loc["good", "mase"] == 0 and got.loc["bad", "mase"] == pytest.approx(2 / (4 / 3))
    summary = summarize_backtest(per)
    assert summary["model"].tolist() == ["good", "bad"]
