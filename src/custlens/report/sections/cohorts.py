"""Cohort retention: heat maps by acquisition month and the average curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from custlens import analyses
from custlens.cohorts import CohortResult
from custlens.behaviour.texts import header
from custlens.report import charts
from custlens.report.blocks import Figure, Kpi, KpiCards, Section, Table
from custlens.report.context import ReportContext
from custlens.report.registry import register_section

#: Periods shown in the heat maps (months after acquisition).
MAX_PERIODS = 24


def report_cohorts(ctx: ReportContext) -> CohortResult:
    """The report's monthly cohorts (cached; the workbook reads the same), on the KPIs' monthly activity
    and the customer table's purchase days (the revenue: no join over the orders)."""
    from custlens.report.sections.kpis import shared_activity

    return ctx.cached("cohorts", lambda: analyses.cohorts(ctx.store, as_of=ctx.as_of,
                                                           activity=shared_activity(ctx, "M"),
                                                           days=ctx.customer_build().days))


@register_section("cohorts", order=74)
def cohorts_section(ctx: ReportContext) -> Section:
    """Retention and revenue heat maps, the average curve split into first-time and recurring returns."""
    res = report_cohorts(ctx)
    section = Section(ctx.t("report.cohorts.title"), intro=ctx.t("report.cohorts.intro"))
    avg = res.average.set_index("period")
    cards = [Kpi(ctx.t(f"report.cohorts.month{k}"), ctx.pct(avg.loc[k, "retention"]),
                 ctx.t("report.loyalty.retention_detail", retained=ctx.num(round(avg.loc[k, "retention"] * avg.loc[k, "customers"])),
                       base=ctx.num(avg.loc[k, "customers"])))
             for k in (1, 3, 12) if k in avg.index]
    if cards:
        section.add(KpiCards(cards))
    sizes, hidden = ctx.small_groups(res.cohorts.set_index("cohort")[["customers"]])  # small cohorts: blank rows
    for value, title, fmt in (("retention", "report.cohorts.heatmap", ".0%"),
                              ("revenue_per_customer", "report.cohorts.revenue_heatmap", ",.0f")):
        m = res.matrix(value)
        m.loc[m.index.isin(sizes.index[sizes["customers"].isna()])] = float("nan")
        section.add(Figure(_heatmap(ctx, m, title, fmt), height=_h(res), caption=hidden))
    curve = res.average[res.average["period"] >= 1]
    fig = go.Figure()
    for col, color in (("retention_first", charts.PALETTE[0]), ("retention_recurring", charts.PALETTE[1])):
        fig.add_trace(go.Bar(x=curve["period"], y=curve[col], name=header(col, ctx.lang), marker_color=color))
    fig.add_trace(go.Scatter(x=curve["period"], y=curve["revenue_retention"], name=header("revenue_retention", ctx.lang),
                             mode="lines", line=dict(color=charts.PALETTE[2])))
    charts.style(fig, ctx.t("report.cohorts.curve"), height=360)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(title_text=ctx.t("report.cohorts.months_after"), dtick=3)
    section.add(Figure(fig, height=360))
    table = res.average[["period", "cohorts", "customers", "retention", "retention_first", "retention_recurring",
                         "revenue_retention", "revenue_per_customer"]].head(MAX_PERIODS + 1)
    table, small = ctx.small_groups(table, keep=["period"])
    section.add(Table(table, caption=small, headers={c: header(c, ctx.lang) for c in table.columns},
                      formats={"retention": "pct", "retention_first": "pct", "retention_recurring": "pct",
                               "revenue_retention": "pct", "revenue_per_customer": "money", "cohorts": "int",
                               "customers": "int", "period": "int"}, max_rows=13))
    return section


def _h(res) -> int:
    return max(360, 22 * len(res.cohorts) + 140)


def _zmax(z: "np.ndarray") -> float | None:
    """Top of the colour scale from the periods after acquisition.

    Period 0 is 100% retention (and the whole first-order revenue) by construction; letting
    it set the scale would wash every later period out to the palest colour.
    """
    later = z[:, 1:] if z.shape[1] > 1 else z
    finite = later[np.isfinite(later)]
    return float(finite.max()) if finite.size and finite.max() > 0 else None


def _heatmap(ctx: ReportContext, m: pd.DataFrame, title: str, fmt: str) -> go.Figure:
    m = m.loc[:, [c for c in m.columns if c <= MAX_PERIODS]]
    z = m.to_numpy(dtype=float)
    y = [pd.Timestamp(c).strftime("%Y-%m") for c in m.index]
    fig = go.Figure(go.Heatmap(z=z, x=list(m.columns), y=y, colorscale="Blues", hoverongaps=False,
                               zmin=0, zmax=_zmax(z),
                               hovertemplate=f"%{{y}} +%{{x}}: %{{z:{fmt}}}<extra></extra>"))
    charts.style(fig, ctx.t(title), height=max(360, 22 * len(y) + 140))
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_xaxes(title_text=ctx.t("report.cohorts.months_after"), dtick=1)
    return fig
