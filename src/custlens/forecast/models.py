"""The candidate models (statsforecast) and one backtest-and-forecast run over many series.

Models
------
AutoETS
    Exponential smoothing with the error/trend/season form chosen by AICc (season: 7 days,
    52 weeks or 12 months).
ETS
    AutoETS without a season: simple or trended exponential smoothing, fast; for many
    short or sparse series (weekly product demand), where a 52-week seasonal state costs
    tens of milliseconds per fit and rarely pays off.
AutoARIMA
    Seasonal ARIMA chosen stepwise by AICc, with the festival regressors (regression with
    ARIMA errors), so festivals are known future events.
MSTL
    Multiple seasonal-trend decomposition by Loess (weekly and yearly seasons of a daily
    series) with an AutoETS forecast of the deseasonalised series.
MSTL_ARIMA
    MSTL with the main season only (the week of a daily series) and a non-seasonal
    AutoARIMA of the deseasonalised series that takes the festival regressors. On the demo
    shop's festival-heavy November it is the most robust model: plain AutoARIMA with a
    bounded search often drops the weekly pattern, MSTL with AutoETS misses the festivals.
SeasonalNaive
    The value one season ago: the baseline every model is compared with.

All series are passed to one `statsforecast.StatsForecast` object (``n_jobs=1``): one call
for the rolling-origin cross-validation and one for the final forecast.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from custlens.errors import InputError, import_optional
from custlens.forecast.backtest import score_backtest, summarize_backtest
from custlens.forecast.events import DEFAULT_EVENTS, Event, event_regressors

__all__ = ["MODELS", "BASELINE", "SEASON", "SeriesForecast", "forecast_frame"]

#: Candidate model names, in the order they are tried.
MODELS = ("AutoETS", "ETS", "AutoARIMA", "MSTL", "MSTL_ARIMA", "SeasonalNaive")
#: Models that take the festival regressors.
EVENT_MODELS = ("AutoARIMA", "MSTL_ARIMA")
#: The baseline every model is reported against.
BASELINE = "SeasonalNaive"
#: Main season length by frequency.
SEASON = {"D": 7, "W": 52, "M": 12}
#: Extra seasons of the multi-seasonal model by frequency (yearly on daily data).
EXTRA_SEASONS = {"D": (365,), "W": (), "M": ()}
LEVELS = (80, 95)
_PANDAS_FREQ = {"D": "D", "W": "W-MON", "M": "MS"}
#: Robust Loess for MSTL_ARIMA: festival spikes do not bend the weekly season of the weeks
#: around them (on the yearly MSTL it costs six times the time for no gain in the backtest).
_STL = {"robust": True}


@dataclass
class SeriesForecast:
    """Forecasts of one or many series with the model chosen by backtest.

    Attributes
    ----------
    model : str
        The chosen model: lowest mean MASE over all series in the backtest.
    forecast : pandas.DataFrame
        ``unique_id, ds, mean, lo_80, hi_80, lo_95, hi_95`` of the chosen model.
    baseline : pandas.DataFrame
        The same columns for the seasonal-naive baseline.
    backtest : pandas.DataFrame
        ``model, mase, smape`` averaged over series and windows, best first; always holds
        the baseline.
    backtest_series : pandas.DataFrame
        ``unique_id, model, mase, smape`` per series.
    season_length : int
        Season of the baseline and of the MASE scale.
    horizon : int
        Periods forecast.
    n_windows : int
        Backtest windows (rolling origins, ``horizon`` periods apart).
    events : list of str
        Festival regressors given to AutoARIMA and MSTL_ARIMA (empty when none).
    refit : bool
        Whether the backtest refitted the models at every window (see `forecast_frame`).
    """

    model: str
    forecast: pd.DataFrame
    baseline: pd.DataFrame
    backtest: pd.DataFrame
    backtest_series: pd.DataFrame
    season_length: int
    horizon: int
    n_windows: int
    events: list[str]
    refit: bool = True


def _season(freq: str, n: int) -> int:
    m = SEASON[freq]
    return m if n >= 2 * m else 1


def _make_models(names: Sequence[str], freq: str, n_train: int, m: int) -> list:
    _m = import_optional("statsforecast.models", "forecast")
    MSTL, AutoARIMA, AutoETS, SeasonalNaive = _m.MSTL, _m.AutoARIMA, _m.AutoETS, _m.SeasonalNaive

    out = []
    for name in names:
        if name == "AutoETS":
            out.append(AutoETS(season_length=m))
        elif name == "ETS":
            out.append(AutoETS(season_length=1, alias="ETS"))
        elif name == "AutoARIMA":
            # A bounded stepwise search (orders up to 2, seasonal up to 1, at most 8 models):
            # each candidate costs a full fit with the regressors, and on the demo shop the
            # bound halves the time with the same backtest error as the default search.
            out.append(AutoARIMA(season_length=m, max_p=2, max_q=2, max_P=1, max_Q=1,
                                 approximation=True, nmodels=8))
        elif name == "MSTL":
            seasons = [s for s in (m, *EXTRA_SEASONS[freq]) if s > 1 and n_train >= 2 * s]
            if seasons:
                out.append(MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN")))
        elif name == "MSTL_ARIMA":
            if m > 1:
                trend = AutoARIMA(seasonal=False, max_p=2, max_q=2, approximation=True, nmodels=8)
                out.append(MSTL(season_length=[m], trend_forecaster=trend, stl_kwargs=_STL, alias="MSTL_ARIMA"))
        elif name == "SeasonalNaive":
            out.append(SeasonalNaive(season_length=m))
        else:
            raise InputError(f"model {name!r} is not supported; use some of {', '.join(MODELS)}")
    return out


def _regressors(ds: pd.DatetimeIndex, freq: str, events: Sequence[Event], m: int,
                train_end: pd.Timestamp) -> pd.DataFrame:
    """Event regressors that vary inside the first training cut and are not a mere season."""
    x = event_regressors(ds, freq, events).reset_index(drop=True)
    train = x[(ds <= train_end)]
    keep = []
    for col in x.columns:
        t = train[col]
        if t.nunique() < 2 or t.sum() < 1:
            continue  # never happens in training: nothing to learn
        if m > 1 and freq != "D" and t.groupby(np.arange(len(t)) % m).nunique().max() < 2:
            continue  # the same in every season (e.g. June always holds 618): the season has it
        if any(np.array_equal(t.to_numpy(), train[k].to_numpy()) for k in keep):
            continue
        keep.append(col)
    return x[keep]


def forecast_frame(
    df: pd.DataFrame,
    freq: str,
    horizon: int,
    models: Sequence[str] | None = None,
    events: Sequence[Event] | None = DEFAULT_EVENTS,
    levels: Sequence[int] = LEVELS,
    n_windows: int = 3,
    nonnegative: bool = True,
    refit: bool = True,
) -> SeriesForecast:
    """Backtest the candidate models on every series, pick one, and forecast with it.

    Parameters
    ----------
    df : pandas.DataFrame
        Long series ``unique_id, ds, y``, every series on the same regular grid of periods
        (as built by `custlens.forecast.build_series`).
    freq : {"D", "W", "M"}
        Period length of ``ds``.
    horizon : int
        Periods to forecast (also the length of each backtest window).
    models : sequence of str, optional
        Candidates among `MODELS`; the baseline is always added. Default: all.
    events : sequence of Event or None
        Festival calendar used as regressors of AutoARIMA and MSTL_ARIMA; None for none.
    levels : sequence of int
        Prediction-interval levels in percent; 80 and 95 are always computed.
    n_windows : int
        Rolling origins of the backtest (fewer when the history is short).
    nonnegative : bool
        Clip forecasts and interval bounds at 0 (counts and money cannot be negative).
    refit : bool
        True: the backtest refits every model at each window's origin. False: it fits each model
        once, at the first window's origin, and moves that fit forward over the later windows
        (statsforecast's ``forward``: the states follow the data, the parameters stay), a fraction
        of the model searches. The final forecast is fitted on the whole history either way.

    Returns
    -------
    SeriesForecast

    Raises
    ------
    InputError
        For a horizon below 1, an unknown model, or a history too short to backtest.

    Notes
    -----
    ``refit=False`` gives different backtest scores than ``refit=True`` (from the second window
    on), so a model chosen by one may lose under the other; the forecast of a given chosen model
    is the same.
    """
    StatsForecast = import_optional("statsforecast", "forecast").StatsForecast
    SeasonalNaive = import_optional("statsforecast.models", "forecast").SeasonalNaive

    if freq not in SEASON:
        raise InputError(f"freq={freq!r} is not supported; use D, W or M")
    horizon = int(horizon)
    if horizon < 1:
        raise InputError(f"horizon={horizon} must be at least 1 period")
    names = list(dict.fromkeys([*(models or MODELS), BASELINE]))
    levels = sorted(set(int(lv) for lv in (*LEVELS, *levels)))
    df = df[["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    n = int(df.groupby("unique_id").size().min()) if len(df) else 0
    min_train = max(2 * SEASON[freq] if n >= 2 * SEASON[freq] + horizon else 8, 8)
    n_windows = max(min(int(n_windows), (n - min_train) // horizon), 0)
    if n_windows < 1:
        raise InputError(
            f"{n} periods of history are too few to backtest a {horizon}-period horizon "
            f"(need at least {min_train + horizon}); shorten the horizon or use a shorter freq"
        )
    first_cut = n - n_windows * horizon
    m = _season(freq, first_cut)
    sf_models = _make_models(names, freq, first_cut, m)
    model_names = [repr(x) for x in sf_models]
    ds = pd.DatetimeIndex(df["ds"].drop_duplicates().sort_values())
    x_cols: list[str] = []
    data = df
    if events and any(name in model_names for name in EVENT_MODELS):
        x = _regressors(ds, freq, events, m, ds[first_cut - 1])
        x_cols = list(x.columns)
        if x_cols:
            data = df.merge(x.assign(ds=ds), on="ds", how="left")
    sf = StatsForecast(models=sf_models, freq=_PANDAS_FREQ[freq], n_jobs=1,
                       fallback_model=SeasonalNaive(season_length=m))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsforecast's optimizer chatter ("possible convergence problem")
        cv = sf.cross_validation(df=data, h=horizon, n_windows=n_windows, step_size=horizon, refit=bool(refit))
    per_series = score_backtest(cv, df, model_names, m)
    summary = summarize_backtest(per_series)
    chosen = str(summary["model"].iloc[0])
    final = _final(df, data, x_cols, events or (), chosen, freq, horizon, levels, m, ds)
    cols = ["unique_id", "ds", "mean", *[f"{s}_{lv}" for lv in levels for s in ("lo", "hi")]]
    fc = _tidy(final, chosen, levels, nonnegative)[cols]
    base = _tidy(final, BASELINE, levels, nonnegative)[cols]
    return SeriesForecast(model=chosen, forecast=fc, baseline=base, backtest=summary,
                          backtest_series=per_series, season_length=m, horizon=horizon,
                          n_windows=n_windows, events=x_cols, refit=bool(refit))


def _final(df: pd.DataFrame, data: pd.DataFrame, x_cols: list[str], events: Sequence[Event], chosen: str,
           freq: str, horizon: int, levels: Sequence[int], m: int, ds: pd.DatetimeIndex) -> pd.DataFrame:
    """Refit the chosen model and the baseline on the whole history and forecast."""
    StatsForecast = import_optional("statsforecast", "forecast").StatsForecast
    SeasonalNaive = import_optional("statsforecast.models", "forecast").SeasonalNaive

    names = list(dict.fromkeys([chosen, BASELINE]))
    sf_models = _make_models(names, freq, len(ds), m)
    use_x = bool(x_cols) and chosen in EVENT_MODELS
    future = None
    if use_x:
        fut_ds = pd.date_range(ds[-1], periods=horizon + 1, freq=_PANDAS_FREQ[freq])[1:]
        x = event_regressors(fut_ds, freq, events).reset_index(drop=True)
        x = x.reindex(columns=x_cols, fill_value=0.0).assign(ds=fut_ds)
        ids = pd.DataFrame({"unique_id": df["unique_id"].unique()})
        future = ids.merge(x, how="cross")
    sf = StatsForecast(models=sf_models, freq=_PANDAS_FREQ[freq], n_jobs=1,
                       fallback_model=SeasonalNaive(season_length=m))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sf.forecast(df=data if use_x else df, h=horizon, X_df=future, level=list(levels))


def _tidy(final: pd.DataFrame, model: str, levels: Sequence[int], nonnegative: bool) -> pd.DataFrame:
    out = pd.DataFrame({"unique_id": final["unique_id"].astype(str).to_numpy(),
                        "ds": pd.to_datetime(final["ds"]).to_numpy(),
                        "mean": final[model].to_numpy(dtype=float)})
    for lv in levels:
        lo = final[f"{model}-lo-{lv}"].to_numpy(dtype=float)
        hi = final[f"{model}-hi-{lv}"].to_numpy(dtype=float)
        out[f"lo_{lv}"] = np.minimum(lo, out["mean"])
        out[f"hi_{lv}"] = np.maximum(hi, out["mean"])
    if nonnegative:
        num = out.columns[2:]
        out[num] = out[num].clip(lower=0.0)
    return out
