"""`custlens forecast`: a metric's forecast with its backtest against seasonal-naive."""

from __future__ import annotations

from typing import Optional

import pandas as pd
import typer

from custlens.commands._common import (AsOfOpt, JsonOpt, LangOpt, StoreOpt, check_lang, clean, emit_json,
                                       frame_table, out, parse_as_of)
from custlens.errors import CustlensError

#: Forecast rows printed per series in the text output.
SHOW_ROWS = 14


def register(app: typer.Typer) -> None:
    @app.command()
    @clean
    def forecast(
        metric: str = typer.Option("revenue", "--metric", help="revenue|orders|active|new|category."),
        horizon: int = typer.Option(28, "--horizon", help="Days to forecast."),
        freq: str = typer.Option("D", "--freq", help="Period of the series: D, W or M."),
        models: Optional[str] = typer.Option(
            None, "--models",
            help="Comma-separated candidates among AutoETS,ETS,AutoARIMA,MSTL,MSTL_ARIMA,SeasonalNaive "
                 "(default: all but ETS; categories use the fast ones)."),
        windows: int = typer.Option(3, "--windows", help="Rolling-origin backtest windows."),
        by: str = typer.Option("category", "--by", help="category|product_id|brand, for --metric category."),
        no_events: bool = typer.Option(False, "--no-events", help="Do not use the festival calendar."),
        level: int = typer.Option(95, "--level", help="Interval level of lo/hi: 80 or 95."),
        store: str = StoreOpt,
        as_of: Optional[str] = AsOfOpt,
        as_json: bool = JsonOpt,
        lang: str = LangOpt,
    ) -> None:
        """Forecast revenue, orders, active or new customers, or demand per category.

        The model (AutoETS, AutoARIMA, MSTL, MSTL_ARIMA; festivals as known events) is chosen by a
        rolling-origin backtest (MASE, sMAPE) and always shown against the seasonal-naive
        baseline; for orders the CLV model's repeat purchases are shown beside it.

        Example: custlens forecast --metric orders --horizon 28 --json
        """
        from custlens.forecast import forecast as run_forecast
        from custlens.forecast.events import DEFAULT_EVENTS
        from custlens.store import open_store

        check_lang(lang)
        if level not in (80, 95):
            raise CustlensError(f"--level {level} is not available; use 80 or 95")
        names = [m.strip() for m in models.split(",") if m.strip()] if models else None
        st = open_store(store, read_only=True)
        try:
            res = run_forecast(st, metric=metric, horizon=horizon, freq=freq.upper(), as_of=parse_as_of(as_of),
                               models=names, events=None if no_events else DEFAULT_EVENTS,
                               n_windows=windows, by=by)
        finally:
            st.close()
        if as_json:
            emit_json(res.to_dict(level=level))
            return
        _print(res, level, lang)


def _print(res, level: int, lang: str) -> None:
    from custlens import i18n

    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    n_series = res.forecast["unique_id"].nunique()
    out.print(f"forecast {res.metric} ({res.freq}), {res.horizon_days} days from {res.as_of:%Y-%m-%d}: "
              f"model {res.model}, backtest MASE {res.chosen_mase:.3f} vs seasonal naive "
              f"{res.baseline_mase:.3f} ({res.n_windows} windows of {res.horizon} periods; "
              f"{n_series} series; {res.seconds:.1f} s)", markup=False, highlight=False)
    if res.events:
        out.print(f"festival regressors of AutoARIMA and MSTL_ARIMA: {', '.join(res.events)}", markup=False, highlight=False)
    bt = res.backtest.rename(columns={c: t(f"forecast.col.{c}") for c in res.backtest.columns})
    out.print(frame_table(bt, title=t("report.forecast.backtest"), lang=lang))
    fc = res.forecast.copy()
    fc = fc.groupby("unique_id", sort=True).head(SHOW_ROWS)
    table = pd.DataFrame({
        t("forecast.col.series"): fc["unique_id"],
        t("forecast.col.date"): fc["ds"].dt.strftime("%Y-%m-%d"),
        t("forecast.col.mean"): fc["mean"],
        t("forecast.col.lo") + f" {level}%": fc[f"lo_{level}"],
        t("forecast.col.hi") + f" {level}%": fc[f"hi_{level}"],
    })
    if n_series == 1:
        table = table.drop(columns=t("forecast.col.series"))
    out.print(frame_table(table, lang=lang))
    if len(res.forecast) > len(fc):
        out.print(f"... {len(res.forecast) - len(fc)} more rows (use --json for all)", markup=False,
                  highlight=False)
    if res.clv is not None:
        clv = res.clv.assign(ds=res.clv["ds"].dt.strftime("%Y-%m-%d")).rename(columns={
            "ds": t("forecast.col.week"), "ts_orders": t("forecast.col.ts_orders"),
            "clv_orders": t("forecast.col.clv_orders")})
        out.print(frame_table(clv, title=t("report.forecast.clv"), lang=lang))
    elif res.clv_error:
        out.print(f"CLV comparison not available: {res.clv_error}", markup=False, highlight=False)
