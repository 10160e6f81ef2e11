"""Headline KPIs and their development over time (revenue, orders, customers, repeat rate)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from custlens.features.activity_days import activity_from_days
from custlens.features.periods import CustomerActivity, daily_totals, headline_kpis, period_kpis
from custlens.report import charts
from custlens.report.blocks import Figure, Heading, Kpi, KpiCards, Section, Table
from custlens.report.context import ReportContext
from custlens.report.registry import register_section

#: Below this many days of history, periods are weeks instead of months.
WEEKLY_BELOW_DAYS = 120
#: Periods shown in the table under the charts.
TABLE_PERIODS = 12


def shared_totals(ctx: ReportContext) -> pd.DataFrame:
    """The day totals of the report (`daily_totals`): the KPIs and the forecast read the same frame."""
    return ctx.cached("periods:daily_totals", lambda: daily_totals(ctx.store, ctx.as_of))


def shared_activity(ctx: ReportContext, freq: str) -> CustomerActivity:
    """The customers' activity by ``freq`` (`customer_activity`): the monthly one serves the KPIs
    and the cohorts. Read from the shared customer table's purchase days (`activity_from_days`:
    no pass over the orders; the report builds that table before its sections anyway)."""
    return ctx.cached(f"periods:activity:{freq}",
                      lambda: activity_from_days(ctx.customer_build().days, freq, ctx.as_of))


@register_section("kpis", order=30)
def kpis_section(ctx: ReportContext) -> Section:
    """KPI cards and period charts; needs orders."""
    ctx.store.require("orders", "the KPIs")
    totals = shared_totals(ctx)
    span = (totals["last_order_at"].max() - totals["first_order_at"].min()).days if len(totals) else 0
    freq = "W" if span < WEEKLY_BELOW_DAYS else "M"
    k = ctx.cached("headline_kpis", lambda: headline_kpis(ctx.store, ctx.as_of, totals=totals,
                                                          activity=shared_activity(ctx, freq)))
    periods = ctx.cached(f"period_kpis:{freq}", lambda: period_kpis(ctx.store, freq, ctx.as_of, totals=totals,
                                                                    activity=shared_activity(ctx, freq)))
    unit = ctx.t(f"report.kpis.freq.{freq}")

    section = Section(ctx.t("report.kpis.title"), intro=ctx.t("report.kpis.intro", unit=unit))
    section.add(KpiCards(_cards(ctx, k)))
    section.add(
        Heading(ctx.t("report.kpis.trends", unit=unit)),
        Figure(_revenue_figure(ctx, periods, freq), caption=_partial_caption(ctx, periods)),
        Figure(_customers_figure(ctx, periods, freq)),
        Figure(_repeat_figure(ctx, periods, freq), caption=ctx.t("report.kpis.repeat_rate_caption")),
    )
    recent = periods.tail(TABLE_PERIODS).iloc[::-1]
    table = recent[["period", "revenue", "orders", "customers", "new_customers", "aov", "repeat_rate"]].copy()
    table["period"] = table["period"].dt.strftime(charts.PERIOD_TICKFORMAT[freq])
    section.add(
        Heading(ctx.t("report.kpis.recent", n=len(table))),
        Table(table, formats={"revenue": "money", "aov": "money"}),
    )
    return section


def _cards(ctx: ReportContext, k: dict) -> list[Kpi]:
    returns_share = k["returns_value"] / k["revenue"] if k["revenue"] else float("nan")
    revenue = ctx.money(k["revenue"], compact=True)
    exact = ctx.money(k["revenue"])
    return [
        Kpi(ctx.t("report.kpi.revenue"), revenue,
            ctx.t("report.kpi.revenue_detail", value=exact) if exact != revenue else ""),
        Kpi(ctx.t("report.kpi.orders"), ctx.num(k["orders"]),
            ctx.t("report.kpi.orders_detail", n=f"{k['orders_per_customer']:.2f}")),
        Kpi(ctx.t("report.kpi.customers"), ctx.num(k["customers"]),
            ctx.t("report.kpi.customers_detail", value=ctx.money(k["revenue_per_customer"]))),
        Kpi(ctx.t("report.kpi.aov"), ctx.money(k["aov"])),
        Kpi(ctx.t("report.kpi.repeat_purchase_rate"), ctx.pct(k["repeat_purchase_rate"]),
            ctx.t("report.kpi.repeat_detail", n=ctx.num(k["repeat_customers"]))),
        Kpi(ctx.t("report.kpi.returns_value"), ctx.money(k["returns_value"], compact=True),
            ctx.t("report.kpi.returns_detail", n=ctx.num(k["returns_count"]),
                  share=ctx.pct(returns_share))),
        Kpi(ctx.t("report.kpi.period"), f"{ctx.date(k['first_order_at'])} – {ctx.date(k['last_order_at'])}",
            ctx.t("report.kpi.period_detail", days=ctx.num((k["last_order_at"] - k["first_order_at"]).days + 1))),
    ]


def _opacity(periods: pd.DataFrame) -> list[float]:
    return [0.45 if p else 1.0 for p in periods["partial"]]


def _partial_caption(ctx: ReportContext, periods: pd.DataFrame) -> str:
    if not periods["partial"].any():
        return ""
    return ctx.t("report.kpis.partial_caption", period=ctx.date(periods["period"].iloc[-1]))


def _revenue_figure(ctx: ReportContext, periods: pd.DataFrame, freq: str) -> go.Figure:
    fmt = charts.PERIOD_TICKFORMAT[freq]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    revenue, orders = ctx.t("report.kpi.revenue"), ctx.t("report.kpi.orders")
    fig.add_trace(
        go.Bar(x=periods["period"], y=periods["revenue"], name=revenue,
               marker=dict(color=charts.PALETTE[0], opacity=_opacity(periods)),
               hovertemplate=f"%{{x|{fmt}}}<br>{revenue}: %{{y:,.2f}}<extra></extra>"),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(x=periods["period"], y=periods["orders"], name=orders, mode="lines+markers",
                   line=dict(color=charts.PALETTE[1], width=2),
                   hovertemplate=f"%{{x|{fmt}}}<br>{orders}: %{{y:,}}<extra></extra>"),
        secondary_y=True,
    )
    charts.style(fig, ctx.t("report.kpis.revenue_chart"))
    fig.update_xaxes(tickformat=fmt)
    fig.update_yaxes(title_text=revenue, secondary_y=False, rangemode="tozero")
    fig.update_yaxes(title_text=orders, secondary_y=True, showgrid=False, rangemode="tozero")
    charts.count_axis(fig, periods["orders"].max(), secondary_y=True)
    return fig


def _customers_figure(ctx: ReportContext, periods: pd.DataFrame, freq: str) -> go.Figure:
    fmt = charts.PERIOD_TICKFORMAT[freq]
    fig = go.Figure()
    for col, color in (("returning_customers", charts.PALETTE[2]), ("new_customers", charts.PALETTE[0])):
        name = ctx.t(f"report.col.{col}")
        fig.add_trace(go.Bar(
            x=periods["period"], y=periods[col], name=name,
            marker=dict(color=color, opacity=_opacity(periods)),
            hovertemplate=f"%{{x|{fmt}}}<br>{name}: %{{y:,}}<extra></extra>",
        ))
    charts.style(fig, ctx.t("report.kpis.customers_chart"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=fmt)
    fig.update_yaxes(title_text=ctx.t("report.col.customers"))
    charts.count_axis(fig, (periods["returning_customers"] + periods["new_customers"]).max())
    return fig


def _repeat_figure(ctx: ReportContext, periods: pd.DataFrame, freq: str) -> go.Figure:
    fmt = charts.PERIOD_TICKFORMAT[freq]
    name = ctx.t("report.col.repeat_rate")
    fig = go.Figure(go.Scatter(
        x=periods["period"], y=periods["repeat_rate"], name=name, mode="lines+markers",
        line=dict(color=charts.PALETTE[4], width=2), connectgaps=False,
        hovertemplate=f"%{{x|{fmt}}}<br>{name}: %{{y:.1%}}<extra></extra>",
    ))
    charts.style(fig, ctx.t("report.kpis.repeat_chart"), height=320)
    fig.update_xaxes(tickformat=fmt)
    fig.update_yaxes(title_text=name, tickformat=".0%", rangemode="tozero")
    return fig
