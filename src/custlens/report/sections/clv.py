"""Customer lifetime value: the fitted model, its holdout check, heat maps and the top customers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from custlens import analyses
from custlens.clv.result import ClvResult
from custlens.report import charts
from custlens.report.blocks import Figure, Heading, Kpi, KpiCards, Note, Paragraph, Section, Table
from custlens.report.context import ReportContext
from custlens.report.registry import register_section

#: Aggregate holdout error (absolute, %) below which the fit reads "good", and "fair".
GOOD_PCT, FAIR_PCT = 10.0, 25.0
TOP_ROWS = 15
_COMPARISON_FORMATS = {"n_params": "int", "holdout_mae": "float2", "holdout_rmse": "float2",
                       "holdout_pct_error": "float", "sound": "text"}


@register_section("clv", order=50)
def clv_section(ctx: ReportContext) -> Section:
    """KPIs, parameters, model comparison, holdout and tracking charts, heat maps, top customers."""
    if ctx.as_of is None:
        ctx.store.require("orders", "customer lifetime value")
    res: ClvResult = ctx.cached("clv", lambda: analyses.clv(ctx.store, as_of=ctx.as_of,
                                                             customers=ctx.customer_build()))
    if not res.sound:
        return _unsound_section(ctx, res)
    horizon = f"{res.horizon_days:g}"
    model = ctx.t(f"clv.model.{res.model}")
    section = Section(ctx.t("report.clv.title"), intro=ctx.t(
        "report.clv.intro", horizon=horizon, model=model, spend=ctx.t(f"clv.model.{res.spend_model}")))
    section.add(KpiCards([
        Kpi(ctx.t("report.clv.total"), ctx.money(res.total_clv, compact=True),
            ctx.t("report.clv.horizon_detail", horizon=horizon)),
        Kpi(ctx.t("report.clv.mean"), ctx.money(res.mean_clv)),
        Kpi(ctx.t("report.clv.alive"), ctx.pct(res.share_purchase),
            ctx.t("report.clv.alive_detail", n=ctx.num(res.customers), horizon=horizon, model=model)),
    ]))
    section.add(Paragraph(_reading(ctx, res)))
    section.add(Heading(ctx.t("report.clv.params")), Table(
        _params(res, ctx.lang), formats={"parameter": "text", "model": "text"},
        caption=ctx.t("report.clv.params_caption", model=model, spend=ctx.t(f"clv.model.{res.spend_model}"))))
    section.add(Heading(ctx.t("report.clv.comparison")), Table(
        res.comparison_table(ctx.lang), formats=_COMPARISON_FORMATS,
        caption=ctx.t("report.clv.comparison_caption", rule=res.rule_text(ctx.lang))))
    if res.diagnostics:
        section.add(Heading(ctx.t("report.clv.checks")), *[Note(text) for text in res.diagnostic_texts(ctx.lang)])
    section.add(Heading(ctx.t("report.clv.holdout")))
    if res.holdout_by_frequency is not None:
        section.add(Figure(_holdout_figure(ctx, res)))
    else:
        section.add(Note(ctx.t("report.clv.no_holdout")))
    section.add(Figure(_tracking_figure(ctx, res, cumulative=True)),
                Figure(_tracking_figure(ctx, res, cumulative=False)))
    unit = ctx.t(f"report.clv.unit.{res.time_unit}")
    caption = ctx.t("report.clv.heatmap_caption", T=res.grid_T, unit=unit)
    section.add(Heading(ctx.t("report.clv.heatmaps")),
                Figure(_heatmap(ctx, res.p_purchase_grid, ctx.t("report.clv.heatmap_alive", horizon=horizon),
                                unit, "Blues"),
                       caption=caption, height=420),
                Figure(_heatmap(ctx, res.expected_purchases_grid,
                                ctx.t("report.clv.heatmap_purchases", horizon=horizon), unit, "Greens"),
                       caption=caption, height=420))
    top = res.top_customers[["customer_id", "orders", "total_spend", "p_purchase", "expected_purchases",
                             "expected_spend", "clv", "expected_days_to_next"]].head(TOP_ROWS)
    section.add(Heading(ctx.t("report.clv.top")), Table(
        top, formats={"total_spend": "money", "p_purchase": "pct", "expected_purchases": "float2",
                      "expected_spend": "money", "clv": "money", "expected_days_to_next": "int"}))
    for text in res.note_texts(ctx.lang):
        section.add(Note(text))
    return section


def _unsound_section(ctx: ReportContext, res: ClvResult) -> Section:
    """No sound fit: the comparison, the problems found and no scores."""
    section = Section(ctx.t("report.clv.title"), intro=ctx.t("report.clv.unsound"))
    for text in res.note_texts(ctx.lang)[-1:]:  # the "no CLV scores" note says why and what to do
        section.add(Paragraph(text))
    section.add(Heading(ctx.t("report.clv.comparison")), Table(
        res.comparison_table(ctx.lang), formats=_COMPARISON_FORMATS,
        caption=ctx.t("report.clv.comparison_caption", rule="")))
    section.add(Heading(ctx.t("report.clv.checks")), *[Note(text) for text in res.diagnostic_texts(ctx.lang)])
    for text in res.note_texts(ctx.lang)[:-1]:
        section.add(Note(text))
    return section


def _reading(ctx: ReportContext, res: ClvResult) -> str:
    e = res.holdout_errors
    if not e:
        return ctx.t("report.clv.no_holdout")
    err = e["aggregate_pct_error"]
    verdict = "good" if abs(err) <= GOOD_PCT else "fair" if abs(err) <= FAIR_PCT else "poor"
    return ctx.t("report.clv.reading", days=res.holdout_days, predicted=e["predicted"],
                 actual=e["actual"], error=err, mae=e["mae"],
                 verdict=ctx.t(f"report.clv.verdict_{verdict}"))


def _params(res: ClvResult, lang: str) -> pd.DataFrame:
    out = res.parameter_table(lang)
    for col in ("estimate", "std_error", "lower_95", "upper_95"):
        out[col] = [f"{v:.4g}" for v in out[col]]
    return out


def _holdout_figure(ctx: ReportContext, res: ClvResult) -> go.Figure:
    hf = res.holdout_by_frequency
    labels = [str(f) for f in hf.index[:-1]] + [f"{hf.index[-1]}+"]
    fig = go.Figure()
    for col, name, color in (("actual", ctx.t("report.clv.actual"), charts.PALETTE[0]),
                             ("predicted", ctx.t("report.clv.model_line"), charts.PALETTE[1])):
        fig.add_trace(go.Bar(x=labels, y=hf[col], name=name, marker_color=color,
                             hovertemplate="%{x}: %{y:.2f}<extra>" + name + "</extra>"))
    charts.style(fig, ctx.t("report.clv.holdout_chart"))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=ctx.t("report.clv.frequency_axis"), type="category")
    fig.update_yaxes(title_text=ctx.t("report.clv.purchases_axis"), rangemode="tozero")
    return fig


def _tracking_figure(ctx: ReportContext, res: ClvResult, cumulative: bool) -> go.Figure:
    tr = res.tracking
    suffix = "_cumulative" if cumulative else ""
    if not cumulative and len(tr) > 2:  # a short last period would read as a drop in buying
        gaps = tr["period_end"].diff().dt.days
        if gaps.iloc[-1] < gaps.iloc[-2]:
            tr = tr.iloc[:-1]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=tr["period_end"], y=tr["actual" + suffix], mode="lines",
                             name=ctx.t("report.clv.actual"), line=dict(color=charts.PALETTE[0])))
    fig.add_trace(go.Scatter(x=tr["period_end"], y=tr["model" + suffix], mode="lines",
                             name=ctx.t("report.clv.model_line"),
                             line=dict(color=charts.PALETTE[1], dash="dash")))
    title = "report.clv.cumulative_chart" if cumulative else "report.clv.weekly_chart"
    charts.style(fig, ctx.t(title))
    if res.calibration_end is not None:
        x = res.calibration_end.to_pydatetime()
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper",
                      line=dict(color="#64748b", dash="dot"))
        fig.add_annotation(x=x, y=1, yref="paper", text=ctx.t("report.clv.holdout_start"),
                           showarrow=False, xanchor="left", yanchor="bottom")
    fig.update_xaxes(tickformat=charts.PERIOD_TICKFORMAT["M"])
    fig.update_yaxes(rangemode="tozero")
    return fig


def _heatmap(ctx: ReportContext, grid: pd.DataFrame, title: str, unit: str, scale: str) -> go.Figure:
    z = grid.to_numpy()
    fig = go.Figure(go.Heatmap(
        z=np.where(np.isnan(z), None, z), x=list(grid.columns), y=list(grid.index), colorscale=scale,
        hovertemplate=(f"{ctx.t('report.col.frequency')}: %{{y}}<br>"
                       f"{ctx.t('report.col.recency')}: %{{x}}<br>%{{z:.2f}}<extra></extra>")))
    charts.style(fig, title, height=420)
    fig.update_xaxes(title_text=ctx.t("report.clv.recency_axis", unit=unit))
    fig.update_yaxes(title_text=ctx.t("report.col.frequency"))
    return fig
