"""`custlens forecast`: a metric's forecast with its backtest against seasonal-naive.

``--horizon`` counts periods of ``--freq`` (days, weeks or months); with weeks or months the
rows are whole periods that start on or after the origin (the first unobserved day), so no row
mixes observed and forecast days.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import pandas as pd
import typer

from custlens import i18n
from custlens.commands._common import (AsOfOpt, JsonOpt, LangOpt, StoreOpt, check_lang, clean, emit_json,
                                       frame_table, out, parse_as_of)
from custlens.errors import CustlensError

#: Forecast rows printed per series in the text output.
SHOW_ROWS = 14

#: Period length of --freq, for turning a horizon in periods into the library's days.
_PERIOD = {"D": pd.DateOffset(days=1), "W": pd.DateOffset(weeks=1), "M": pd.DateOffset(months=1)}

i18n.register({
    "forecast.cli.unit.D": {"en": "days", "zh": "天"},
    "forecast.cli.unit.W": {"en": "weeks", "zh": "周"},
    "forecast.cli.unit.M": {"en": "months", "zh": "个月"},
    "forecast.cli.headline": {
        "en": "forecast {metric} ({freq}), {n} {unit} from {start}: model {model}, backtest MASE {mase} vs "
              "seasonal naive {base} ({windows} windows of {periods} periods; {series} series; {seconds} s)",
        "zh": "预测 {metric}（{freq}），自 {start} 起 {n} {unit}：模型 {model}，回测 MASE {mase}，季节性朴素基线 "
              "{base}（{windows} 个窗口，每个 {periods} 期；{series} 个序列；{seconds} 秒）",
    },
    "forecast.cli.events": {"en": "festival regressors of AutoARIMA and MSTL_ARIMA: {events}",
                            "zh": "AutoARIMA 与 MSTL_ARIMA 使用的节日回归变量：{events}"},
    "forecast.cli.event_window": {"en": "{name} (days around it)", "zh": "{name}（前后窗口期）"},
    "forecast.cli.more_rows": {"en": "... {n} more rows (use --json for all)", "zh": "……另有 {n} 行（用 --json 查看全部）"},
    "forecast.cli.no_clv": {"en": "CLV comparison not available: {reason}", "zh": "无法与 CLV 模型比较：{reason}"},
})


def event_label(column: str, lang: str) -> str:
    """``ev_618_window`` -> "618 (days around it)"; an unknown festival keeps its name."""

    name = column.removeprefix("ev_")
    window = name.endswith("_window")
    name = name.removesuffix("_window")
    key = f"behaviour.festival.{name}"
    label = i18n.t(key, lang) if i18n.has(key) else name
    return i18n.t("forecast.cli.event_window", lang, name=label) if window else label


def _days_for(origin: pd.Timestamp, freq: str, periods: int) -> int:
    """Days the library must cover so that ``periods`` whole periods start on or after ``origin``."""
    if freq == "D" or freq not in _PERIOD or periods < 1:
        return periods
    return int(((origin + _PERIOD[freq] * (periods + 1)) - origin).days)


def _whole_periods(res, periods: int):
    """The result with only the first ``periods`` periods that start on or after the origin."""
    if res.freq == "D":
        return res
    fc = res.forecast[res.forecast["ds"] >= res.as_of].groupby("unique_id", sort=False).head(periods)
    clv = res.clv
    if clv is not None:
        clv = clv[clv["ds"] >= res.as_of].head(periods).reset_index(drop=True)
    return dataclasses.replace(res, forecast=fc.reset_index(drop=True), clv=clv)


def register(app: typer.Typer) -> None:
    @app.command()
    @clean
    def forecast(
        metric: str = typer.Option("revenue", "--metric", help="revenue|orders|active|new|category."),
        horizon: int = typer.Option(28, "--horizon", help="Periods to forecast, in units of --freq (days, weeks or months)."),
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
        from custlens import analyses
        from custlens.forecast.events import DEFAULT_EVENTS
        from custlens.store import open_store

        check_lang(lang)
        if level not in (80, 95):
            raise CustlensError(f"--level {level} is not available; use 80 or 95")
        names = [m.strip() for m in models.split(",") if m.strip()] if models else None
        from custlens.features import resolve_as_of

        freq = freq.upper()
        st = open_store(store, read_only=True)
        try:
            when = parse_as_of(as_of, st, lang)
            days = _days_for(resolve_as_of(st, when), freq, horizon)
            res = analyses.forecast(st, metric=metric, horizon=days, freq=freq, as_of=when,
                               models=names, events=None if no_events else DEFAULT_EVENTS,
                               n_windows=windows, by=by)
        finally:
            st.close()
        res = _whole_periods(res, horizon)
        if as_json:
            emit_json(res.to_dict(level=level) | {"horizon_periods": horizon})
            return
        _print(res, level, lang, horizon)


def _print(res, level: int, lang: str, periods: int) -> None:
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    n_series = res.forecast["unique_id"].nunique()
    start = res.forecast["ds"].min() if len(res.forecast) else res.as_of
    out.print(t("forecast.cli.headline", metric=res.metric, freq=res.freq, n=periods, unit=t(f"forecast.cli.unit.{res.freq}"),
                start=f"{start:%Y-%m-%d}", model=res.model, mase=f"{res.chosen_mase:.3f}",
                base=f"{res.baseline_mase:.3f}", windows=res.n_windows, periods=res.horizon, series=n_series,
                seconds=f"{res.seconds:.1f}"))
    if res.events:
        out.print(t("forecast.cli.events", events=", ".join(event_label(e, lang) for e in res.events)))
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
        out.print(t("forecast.cli.more_rows", n=len(res.forecast) - len(fc)))
    if res.clv is not None:
        clv = res.clv.assign(ds=res.clv["ds"].dt.strftime("%Y-%m-%d")).rename(columns={
            "ds": t("forecast.col.week"), "ts_orders": t("forecast.col.ts_orders"),
            "clv_orders": t("forecast.col.clv_orders")})
        out.print(frame_table(clv, title=t("report.forecast.clv"), lang=lang))
    elif res.clv_error:
        out.print(t("forecast.cli.no_clv", reason=res.clv_error))
