"""`forecast`: a shop metric's series built in the store, backtested, forecast, and compared
with the CLV model's repeat-purchase forecast."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Sequence

import pandas as pd

from custlens import schema
from custlens.errors import InputError
from custlens.features.customer_table import AsOf, resolve_as_of
from custlens.forecast.events import DEFAULT_EVENTS, Event
from custlens.forecast.models import BASELINE, LEVELS, forecast_frame
from custlens.forecast.repeat import repeat_purchase_forecast
from custlens.forecast.series import PERIOD_FREQS, build_series
from custlens.results import Result, jsonable
from custlens.store import Store

__all__ = ["ForecastResult", "forecast", "DEFAULT_MODELS"]

#: Candidates by metric and freq: AutoARIMA with festival regressors costs seconds per long
#: daily series and a 52-week AutoETS tens of milliseconds per weekly series, so the many
#: category series use the fast ones unless asked for others.
DEFAULT_MODELS: dict[tuple[str, str], tuple[str, ...]] = {
    ("category", "D"): ("AutoETS", "MSTL", "SeasonalNaive"),
    ("category", "W"): ("ETS", "SeasonalNaive"),
    ("category", "M"): ("ETS", "AutoETS", "SeasonalNaive"),
}
#: Candidates of the single-series metrics.
SINGLE_MODELS = ("AutoETS", "AutoARIMA", "MSTL", "MSTL_ARIMA", "SeasonalNaive")


@dataclass
class ForecastResult(Result):
    """A metric's forecast, its backtest, and the CLV comparison.

    Attributes
    ----------
    metric, freq : str
        What was forecast and the period length.
    horizon_days : int
        Requested horizon in days; ``horizon`` periods cover it.
    as_of : Timestamp
        First unobserved day.
    model : str
        Chosen model (lowest mean backtest MASE).
    history : DataFrame
        ``unique_id, ds, y`` the models were fitted on.
    forecast, baseline : DataFrame
        ``unique_id, ds, mean, lo_80, hi_80, lo_95, hi_95`` of the chosen model and of the
        seasonal-naive baseline.
    backtest : DataFrame
        ``model, mase, smape`` (mean over series and windows), best first, always with the
        baseline.
    backtest_series : DataFrame
        ``unique_id, model, mase, smape``.
    train_days : int or None
        The models saw only the last ``train_days`` days of the series (None: all of it).
    refit : bool
        Whether the backtest refitted the models at every window (see `forecast_frame`).
    clv_fit_sample, clv_fit_seed : int or None
        Customers the BG/NBD model of the comparison was fitted on, and the seed, when it was a
        sample (None: every customer).
    clv : DataFrame or None
        For ``metric="orders"``: ``ds, ts_orders, clv_orders`` by week (daily series) or
        by period; None when not applicable or the CLV model could not be fitted
        (``clv_error`` says why).
    """

    metric: str
    freq: str
    horizon_days: int
    horizon: int
    as_of: pd.Timestamp
    model: str
    history: pd.DataFrame
    forecast: pd.DataFrame
    baseline: pd.DataFrame
    backtest: pd.DataFrame
    backtest_series: pd.DataFrame
    season_length: int
    n_windows: int
    events: list[str] = field(default_factory=list)
    clv: pd.DataFrame | None = None
    clv_error: str = ""
    seconds: float = 0.0
    train_days: int | None = None
    refit: bool = True
    clv_fit_sample: int | None = None
    clv_fit_seed: int | None = None

    @property
    def baseline_mase(self) -> float:
        """Backtest MASE of the seasonal-naive baseline."""
        return float(self.backtest.set_index("model").loc[BASELINE, "mase"])

    @property
    def chosen_mase(self) -> float:
        """Backtest MASE of the chosen model."""
        return float(self.backtest.set_index("model").loc[self.model, "mase"])

    def to_dict(self, level: int = 95) -> dict[str, Any]:
        """Plain-JSON view: ``metric, model, forecast [{date, mean, lo, hi}], backtest {...}``.

        ``lo``/``hi`` are the bounds of the ``level`` % interval; for several series each
        forecast row also carries ``series``.
        """
        if level not in LEVELS:
            raise InputError(f"level={level} is not available; use one of {', '.join(map(str, LEVELS))}")
        many = self.forecast["unique_id"].nunique() > 1 or self.metric == "category"
        rows = []
        for r in self.forecast.itertuples(index=False):
            row = {"date": pd.Timestamp(r.ds).date().isoformat(), "mean": float(r.mean),
                   "lo": float(getattr(r, f"lo_{level}")), "hi": float(getattr(r, f"hi_{level}"))}
            rows.append({"series": r.unique_id, **row} if many else row)
        out: dict[str, Any] = {
            "metric": self.metric,
            "freq": self.freq,
            "as_of": self.as_of.date().isoformat(),
            "horizon_days": self.horizon_days,
            "model": self.model,
            "level": level,
            "forecast": rows,
            "backtest": {r.model: {"mase": _num(r.mase), "smape": _num(r.smape)}
                         for r in self.backtest.itertuples(index=False)},
            "backtest_windows": self.n_windows,
            "season_length": self.season_length,
            "events": list(self.events),
        }
        if many:
            out["series"] = sorted(self.forecast["unique_id"].unique().tolist())
        if self.metric == "orders":
            out["clv"] = None if self.clv is None else [
                {"date": pd.Timestamp(r.ds).date().isoformat(), "ts_orders": float(r.ts_orders),
                 "clv_orders": float(r.clv_orders)} for r in self.clv.itertuples(index=False)]
            if self.clv_error:
                out["clv_error"] = self.clv_error
        return out


def _num(x: float) -> float | None:
    return jsonable(float(x))


def forecast(
    store: Store,
    *,
    metric: str = "revenue",
    horizon: int = 28,
    freq: str = "D",
    as_of: AsOf = None,
    models: Sequence[str] | None = None,
    events: Sequence[Event] | None = DEFAULT_EVENTS,
    n_windows: int = 3,
    by: str = schema.CATEGORY,
    value: str = "quantity",
    customers: pd.DataFrame | None = None,
    kpis: pd.DataFrame | None = None,
    train_days: int | None = None,
    refit: bool = True,
    clv_fit_sample: int | None = None,
    clv_seed: int = 0,
) -> ForecastResult:
    """Forecast a shop metric ``horizon`` days ahead with the model that backtests best.

    Parameters
    ----------
    store : Store
        Holds ``orders`` (and ``order_items`` for categories).
    metric : {"revenue", "orders", "active", "new", "category"}
        See `custlens.forecast.build_series`.
    horizon : int
        Days to forecast; weekly and monthly series forecast the periods covering them.
    freq : {"D", "W", "M"}
        Period length.
    as_of : date-like, optional
        Forecast origin (first unobserved day); default the day after the last order.
    models : sequence of str, optional
        Candidates among ``AutoETS, ETS, AutoARIMA, MSTL, MSTL_ARIMA, SeasonalNaive`` (the baseline
        is always added). Default: `SINGLE_MODELS`, or `DEFAULT_MODELS` for categories.
    events : sequence of Event or None
        Festivals used as known future events (regressors of AutoARIMA and MSTL_ARIMA);
        None for none.
    n_windows : int
        Rolling origins of the backtest.
    by, value : str
        Grouping and measure of category demand.
    customers : pandas.DataFrame, optional
        The customer table as of ``as_of`` when the caller has it (the report's shared one), for
        the BG/NBD comparison of ``metric="orders"``; computed when omitted.
    kpis : pandas.DataFrame, optional
        `custlens.features.period_kpis` of ``freq`` as of ``as_of`` when the caller has it;
        computed when omitted. For ``revenue`` and ``orders`` a frame of ``period`` and that
        column is enough (e.g. `custlens.features.periods.rollup_totals`, reset).
    train_days : int, optional
        Fit and backtest on the last ``train_days`` days of the series only (the cost of the
        model search grows with the length; a yearly season needs two years of it). Default:
        the whole series.
    refit : bool
        False: the backtest fits each model once, at the first window's origin, and moves it
        forward over the later windows (a fraction of the model searches; other backtest scores).
        The forecast is fitted on the whole (trained) series either way. See `forecast_frame`.
    clv_fit_sample : int, optional
        For ``metric="orders"``: fit the comparison's BG/NBD model on a uniform random sample of
        this many customers (seed ``clv_seed``) when there are more; its expected purchases are
        still summed over every customer. Default: fitted on all of them.
    clv_seed : int
        Seed of that sample.

    Returns
    -------
    ForecastResult

    Raises
    ------
    MissingDataError
        Without orders (or order lines for categories).
    InputError
        For bad arguments or a history too short for the horizon.

    Examples
    --------
    >>> res = forecast(store, "orders", horizon=28)  # doctest: +SKIP
    >>> res.model, res.backtest  # doctest: +SKIP
    """
    t0 = time.perf_counter()
    horizon = int(horizon)
    if horizon < 1:
        raise InputError(f"horizon={horizon} days must be at least 1")
    as_of = resolve_as_of(store, as_of)
    history = build_series(store, metric, freq, as_of, by=by, value=value, kpis=kpis)
    if train_days is not None:
        if int(train_days) < 1:
            raise InputError(f"train_days={train_days} must be at least 1 day (or None for the whole series)")
        history = history[history["ds"] >= as_of - pd.Timedelta(days=int(train_days))].reset_index(drop=True)
    offset = pd.tseries.frequencies.to_offset(PERIOD_FREQS[freq][1])
    start = history["ds"].max() + offset
    end = as_of + pd.Timedelta(days=horizon)
    h = max(1, len(pd.date_range(start, end - pd.Timedelta(days=1), freq=offset)))
    names = models if models else DEFAULT_MODELS.get((metric, freq), SINGLE_MODELS)
    sfc = forecast_frame(history, freq, h, models=names, events=events, n_windows=n_windows, refit=refit)
    res = ForecastResult(
        metric=metric, freq=freq, horizon_days=horizon, horizon=h, as_of=as_of, model=sfc.model,
        history=history, forecast=sfc.forecast, baseline=sfc.baseline, backtest=sfc.backtest,
        backtest_series=sfc.backtest_series, season_length=sfc.season_length,
        n_windows=sfc.n_windows, events=sfc.events, train_days=train_days, refit=sfc.refit,
    )
    if metric == "orders":
        res.clv, res.clv_error = _clv_comparison(store, as_of, sfc.forecast, freq, customers,
                                                 clv_fit_sample, clv_seed)
        if res.clv is not None and res.clv.attrs["fit_customers"] < res.clv.attrs["customers"]:
            res.clv_fit_sample, res.clv_fit_seed = res.clv.attrs["fit_customers"], int(clv_seed)
    res.seconds = time.perf_counter() - t0
    return res


def _clv_comparison(store: Store, as_of: pd.Timestamp, fc: pd.DataFrame, freq: str,
                    customers: pd.DataFrame | None = None, fit_sample: int | None = None,
                    seed: int = 0) -> tuple[pd.DataFrame | None, str]:
    """Time-series orders next to the BG/NBD repeat purchases, by week for daily series."""
    f = fc[["ds", "mean"]].copy()
    if freq == "D":
        first = f["ds"].min()
        f["ds"] = first + pd.to_timedelta((f["ds"] - first).dt.days // 7 * 7, unit="D")
        starts = pd.DatetimeIndex(f["ds"].drop_duplicates())
        ends = starts + pd.Timedelta(days=7)
        last_end = fc["ds"].max() + pd.Timedelta(days=1)
        ends = ends.where(ends <= last_end, last_end)
    else:
        starts = pd.DatetimeIndex(f["ds"])
        ends = starts + pd.tseries.frequencies.to_offset(PERIOD_FREQS[freq][1])
    ts = f.groupby("ds", sort=True)["mean"].sum().rename("ts_orders").reset_index()
    try:
        clv = repeat_purchase_forecast(store, as_of, starts, ends, customers=customers,
                                       fit_sample=fit_sample, random_state=seed)
    except InputError as exc:
        return None, str(exc)
    out = ts.merge(clv, on="ds", how="left")
    out.attrs.update(clv.attrs)
    return out, ""
