"""Forecast accuracy: MASE and sMAPE, and the scoring of a rolling-origin backtest.

Definitions (Hyndman & Koehler 2006; Makridakis et al. 2020, the M4 competition)
------------------------------------------------------------------------------------
MASE
    ``mean(|y - yhat|) / mean(|y_t - y_{t-m}|)``: the forecast's mean absolute error over
    the in-sample mean absolute error of the seasonal-naive forecast with season ``m`` on
    the training data. Below 1: better than seasonal-naive was in sample. Undefined (NaN)
    when the training data repeat exactly every ``m`` periods (scale 0).
sMAPE
    ``200 / h * sum(|y - yhat| / (|y| + |yhat|))`` in percent (0 to 200); a term with
    ``y = yhat = 0`` counts as 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["mase", "smape", "mase_scale", "score_backtest", "summarize_backtest"]


def mase_scale(insample: np.ndarray, m: int) -> float:
    """In-sample mean absolute error of the seasonal-naive forecast, ``mean(|y_t - y_{t-m}|)``.

    Returns NaN when the training data have ``m`` values or fewer.
    """
    y = np.asarray(insample, dtype=float)
    m = max(int(m), 1)
    if len(y) <= m:
        return float("nan")
    return float(np.mean(np.abs(y[m:] - y[:-m])))


def mase(y: np.ndarray, yhat: np.ndarray, insample: np.ndarray, m: int = 1) -> float:
    """Mean absolute scaled error of ``yhat`` against ``y``.

    Parameters
    ----------
    y, yhat : array-like
        Actual and forecast values over the horizon.
    insample : array-like
        The training data the forecast was made from (for the scale).
    m : int
        Season length of the seasonal-naive scale (1: naive).

    Returns
    -------
    float
        NaN when the scale is 0 or undefined.

    Examples
    --------
    >>> mase([3, 5], [4, 4], insample=[1, 2, 4, 3], m=1)  # MAE 1 / scale (1+2+1)/3
    0.75
    """
    scale = mase_scale(insample, m)
    if not np.isfinite(scale) or scale == 0:
        return float("nan")
    err = np.abs(np.asarray(y, dtype=float) - np.asarray(yhat, dtype=float))
    return float(np.mean(err) / scale)


def smape(y: np.ndarray, yhat: np.ndarray) -> float:
    """Symmetric mean absolute percentage error in percent (0-200), 0/0 terms counting 0.

    Examples
    --------
    >>> smape([100, 0], [50, 0])  # (200 * 50/150 + 0) / 2
    33.333333333333336
    """
    y = np.asarray(y, dtype=float)
    yhat = np.asarray(yhat, dtype=float)
    den = np.abs(y) + np.abs(yhat)
    terms = np.divide(2.0 * np.abs(y - yhat), den, out=np.zeros_like(den), where=den > 0)
    return float(100.0 * np.mean(terms))


def score_backtest(cv: pd.DataFrame, history: pd.DataFrame, models: list[str], m: int) -> pd.DataFrame:
    """MASE and sMAPE per series, model and cutoff of a cross-validation frame, averaged per series.

    Parameters
    ----------
    cv : pandas.DataFrame
        statsforecast's ``cross_validation`` output: ``unique_id, ds, cutoff, y`` and one
        column per model.
    history : pandas.DataFrame
        The series ``unique_id, ds, y`` (the training data of each cutoff is the part up
        to and including the cutoff).
    models : list of str
        Model columns of ``cv``.
    m : int
        Season length of the MASE scale.

    Returns
    -------
    pandas.DataFrame
        ``unique_id, model, mase, smape``: the mean over cutoffs (windows).
    """
    rows = []
    hist = {uid: g.sort_values("ds") for uid, g in history.groupby("unique_id", sort=False)}
    for (uid, cutoff), win in cv.groupby(["unique_id", "cutoff"], sort=False):
        h = hist[uid]
        train = h.loc[h["ds"] <= cutoff, "y"].to_numpy()
        for model in models:
            rows.append((uid, cutoff, model, mase(win["y"], win[model], train, m), smape(win["y"], win[model])))
    per = pd.DataFrame(rows, columns=["unique_id", "cutoff", "model", "mase", "smape"])
    out = per.groupby(["unique_id", "model"], sort=False)[["mase", "smape"]].mean().reset_index()
    out["unique_id"] = out["unique_id"].astype(str)
    return out


def summarize_backtest(per_series: pd.DataFrame) -> pd.DataFrame:
    """Mean MASE and sMAPE per model over all series (NaN scores skipped), best first.

    Returns
    -------
    pandas.DataFrame
        ``model, mase, smape``, sorted by MASE (then sMAPE when every MASE is NaN).
    """
    s = per_series.groupby("model", sort=False)[["mase", "smape"]].mean().reset_index()
    return s.sort_values(["mase", "smape"], na_position="last", kind="stable").reset_index(drop=True)
