"""Forecasting: shop series built in the store, statsforecast models chosen by backtest.

>>> from custlens.forecast import forecast
>>> res = forecast(store, "revenue", horizon=28)          # doctest: +SKIP
>>> res.model, res.backtest                               # doctest: +SKIP

`build_series` builds the daily, weekly or monthly series (revenue, orders, active and new
customers, demand per category); `forecast_frame` backtests AutoETS, AutoARIMA (with the
festivals of `DEFAULT_EVENTS` as known future events), MSTL and the seasonal-naive baseline
on many series at once and forecasts with the best; `forecast` does both from the store and
adds the CLV model's repeat-purchase forecast for orders.
"""

from custlens.forecast.api import DEFAULT_MODELS, ForecastResult, forecast
from custlens.forecast.backtest import mase, smape
from custlens.forecast.events import DEFAULT_EVENTS, Event, event_days, event_regressors, fixed_date
from custlens.forecast.models import BASELINE, MODELS, SeriesForecast, forecast_frame
from custlens.forecast.repeat import repeat_purchase_forecast
from custlens.forecast.series import METRICS, build_series

__all__ = [
    "BASELINE",
    "DEFAULT_EVENTS",
    "DEFAULT_MODELS",
    "Event",
    "ForecastResult",
    "METRICS",
    "MODELS",
    "SeriesForecast",
    "build_series",
    "event_days",
    "event_regressors",
    "fixed_date",
    "forecast",
    "forecast_frame",
    "mase",
    "repeat_purchase_forecast",
    "smape",
]
