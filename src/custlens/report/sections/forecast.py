"""Forecast: daily revenue and orders ahead, the backtest against seasonal-naive, and the
CLV model's repeat purchases beside the orders forecast."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from custlens import analyses
from custlens.forecast.api import ForecastResult
from custlens.report import charts
from custlens.report.blocks import Figure, Heading, Kpi, KpiCards, Note, Section, Table
from custlens.features.periods import rollup_totals
from custlens.clv.pipeline import FIT_SAMPLE
from custlens.report.context import ReportContext
from custlens.report.registry import register_section

#: Days forecast in the report.
HORIZON_DAYS = 28
#: Days of history drawn before the forecast.
HISTORY_DAYS = 120
#: Candidates in the report: the fast ones (AutoARIMA with festival regressors costs tens of
#: seconds per daily series; `custlens forecast` uses it).
REPORT_MODELS = ("AutoETS", "MSTL", "SeasonalNaive")
METRICS = ("revenue", "orders")
#: Backtest windows in the report (two keep the section at a few seconds per series).
WINDOWS = 2
#: Days of the daily series the report's models are fitted and backtested on: a year and the two
#: backtest windows (60 weeks). The AutoETS search costs about 1.3 s CPU per fit on three years of
#: days and the yearly MSTL 0.65 s per fit, whatever the number of customers; on 420 days the
#: section costs a third. A yearly season needs two years, so the report's MSTL has the weekly
#: season only (the intro says so); `custlens forecast` fits the whole series.
TRAIN_DAYS = 420
#: The backtest fits each model once, at the first window's origin, and carries the fit forward over
#: the second window (`forecast_frame`'s ``refit=False``): two model searches per metric instead of
#: three (the final forecast is still fitted on all `TRAIN_DAYS`), about 40% of the section's model
#: time. The intro says so.
REFIT = False
#: Customers the CLV comparison's BG/NBD model is fitted on when the shop has more (seeded uniform
#: sample; the expected purchases are summed over every customer): the CLV section's fit sample.
CLV_FIT_SAMPLE = FIT_SAMPLE
CLV_SEED = 0


def report_forecasts(ctx: ReportContext) -> dict[str, ForecastResult]:
    """The report's daily revenue and orders forecasts (cached; the workbook reads the same)."""
    from custlens.report.sections.kpis import shared_totals

    ctx.store.require("orders", "the forecast")
    results: dict[str, ForecastResult] = {}
    for metric in METRICS:
        results[metric] = ctx.cached(
            f"forecast:{metric}:D:{HORIZON_DAYS}",
            lambda metric=metric: analyses.forecast(
                ctx.store, as_of=ctx.as_of, metric=metric, horizon=HORIZON_DAYS, freq="D", models=REPORT_MODELS,
                n_windows=WINDOWS, train_days=TRAIN_DAYS, refit=REFIT,
                clv_fit_sample=CLV_FIT_SAMPLE if metric == "orders" else None, clv_seed=CLV_SEED,
                # the KPIs' day totals: no second pass over the orders
                kpis=ctx.cached("periods:daily_series", lambda: rollup_totals(shared_totals(ctx), "D").reset_index()),
                customers=ctx.customers() if metric == "orders" else None),
        )
    return results


@register_section("forecast", order=90)
def forecast_section(ctx: ReportContext) -> Section:
    """Forecast cards, charts with 95% bands, backtest tables and the CLV comparison; needs orders."""
    results = report_forecasts(ctx)
    first = results["revenue"]
    intro = ctx.t("report.forecast.intro", days=HORIZON_DAYS, windows=first.n_windows, h=first.horizon,
                  train=len(first.history))
    if not first.refit:  # the backtest's single fit per model
        intro += _sep(ctx) + ctx.t("report.forecast.fit_once", train=len(first.history))
    section = Section(ctx.t("report.forecast.title"), intro=intro)
    section.add(KpiCards([c for m in METRICS for c in _cards(ctx, results[m])]))
    for metric in METRICS:
        res = results[metric]
        section.add(Figure(_figure(ctx, res)))
    section.add(Heading(ctx.t("report.forecast.backtest")))
    rows = [res.backtest.assign(metric=ctx.t(f"report.forecast.metric.{m}")) for m, res in results.items()]
    bt = pd.concat(rows, ignore_index=True)[["metric", "model", "mase", "smape"]]
    section.add(Table(bt, headers={c: ctx.t(f"forecast.col.{c}") for c in bt.columns},
                      formats={"mase": "float", "smape": "float"}, caption=ctx.t("report.forecast.backtest_caption")))
    section.add(Heading(ctx.t("report.forecast.clv")))
    orders = results["orders"]
    if orders.clv is not None:
        clv = orders.clv.assign(ds=orders.clv["ds"].dt.strftime("%Y-%m-%d"))
        headers = {"ds": ctx.t("forecast.col.week"), "ts_orders": ctx.t("forecast.col.ts_orders"),
                   "clv_orders": ctx.t("forecast.col.clv_orders")}
        caption = ctx.t("report.forecast.clv_caption")
        if orders.clv_fit_sample is not None:
            caption += _sep(ctx) + ctx.t("report.forecast.clv_sample", n=ctx.num(orders.clv_fit_sample),
                                         customers=ctx.num(orders.clv.attrs["customers"]),
                                         seed=orders.clv_fit_seed)
        section.add(Table(clv, headers=headers, formats={"ts_orders": "float", "clv_orders": "float"},
                          caption=caption))
    else:
        section.add(Note(ctx.t("report.forecast.clv_failed"), level="warning", detail=orders.clv_error,
                         detail_lang="en"))
    return section


def _sep(ctx: ReportContext) -> str:
    """Between two sentences: a space in English, nothing after a Chinese full stop."""
    return "" if ctx.lang == "zh" else " "


def _cards(ctx: ReportContext, res: ForecastResult) -> list[Kpi]:
    name = ctx.t(f"report.forecast.metric.{res.metric}")
    fmt = ctx.money if res.metric == "revenue" else (lambda x: f"{x:,.0f}")
    total = float(res.forecast["mean"].sum())
    return [
        Kpi(ctx.t("report.forecast.total", metric=name, days=res.horizon_days),
            ctx.money(total, compact=True) if res.metric == "revenue" else f"{total:,.0f}",
            ctx.t("report.forecast.total_detail", lo=fmt(res.forecast["lo_95"].min()),
                  hi=fmt(res.forecast["hi_95"].max()))),
        Kpi(ctx.t("report.forecast.chosen", metric=name, model=res.model),
            f"{res.chosen_mase:.2f}",
            ctx.t("report.forecast.chosen_detail", mase=f"{res.chosen_mase:.2f}", base=f"{res.baseline_mase:.2f}")),
    ]


def _figure(ctx: ReportContext, res: ForecastResult) -> go.Figure:
    fmt = charts.PERIOD_TICKFORMAT[res.freq]
    hist = res.history[res.history["ds"] >= res.as_of - pd.Timedelta(days=HISTORY_DAYS)]
    fc, base = res.forecast, res.baseline
    fig = go.Figure()
    band = ctx.t("report.forecast.band", level=95)
    fig.add_trace(go.Scatter(x=list(fc["ds"]) + list(fc["ds"][::-1]),
                             y=list(fc["hi_95"]) + list(fc["lo_95"][::-1]),
                             fill="toself", fillcolor="rgba(37,99,235,0.15)", line=dict(width=0),
                             name=band, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=hist["ds"], y=hist["y"], name=ctx.t("report.forecast.history"), mode="lines",
                             line=dict(color=charts.PALETTE[8], width=1.5),
                             hovertemplate=f"%{{x|{fmt}}}: %{{y:,.2f}}<extra></extra>"))
    fig.add_trace(go.Scatter(x=base["ds"], y=base["mean"], name=ctx.t("report.forecast.baseline"), mode="lines",
                             line=dict(color=charts.PALETTE[1], width=1.5, dash="dot"),
                             hovertemplate=f"%{{x|{fmt}}}: %{{y:,.2f}}<extra></extra>"))
    fig.add_trace(go.Scatter(x=fc["ds"], y=fc["mean"], name=ctx.t("report.forecast.mean", model=res.model),
                             mode="lines", line=dict(color=charts.PALETTE[0], width=2.5),
                             hovertemplate=f"%{{x|{fmt}}}: %{{y:,.2f}}<extra></extra>"))
    name = ctx.t(f"report.forecast.metric.{res.metric}")
    charts.style(fig, ctx.t("report.forecast.chart", metric=name))
    fig.update_xaxes(tickformat=fmt)
    fig.update_yaxes(title_text=name, rangemode="tozero")
    if res.metric != "revenue":  # orders, customers: whole numbers on the axis
        charts.count_axis(fig, float(res.history["y"].max()))
    return fig


__all__ = ["forecast_section"]
