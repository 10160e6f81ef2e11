"""Lifecycle: monthly states (stacked), stages today with their value, and stage transitions."""

from __future__ import annotations

from dataclasses import asdict, replace

import pandas as pd
import plotly.graph_objects as go

from custlens import analyses
from custlens.behaviour.texts import header
from custlens.lifecycle import STATES, LifecycleResult
from custlens.report import charts
from custlens.report.blocks import Figure, Heading, Kpi, KpiCards, Section, Table
from custlens.report.context import ReportContext
from custlens.report.registry import register_section

#: Look-back of the transition matrix.
TRANSITION_DAYS = 365


@register_section("lifecycle", order=75)
def lifecycle_section(ctx: ReportContext) -> Section:
    """States per month, stages with their value and rules, and the one-year transition matrix."""
    # Stages at both dates and the monthly states come from the report's customer table's purchase
    # days (no pass over the orders); the report shows no per-customer row, so none is built.
    start = ctx.as_of - pd.Timedelta(days=TRANSITION_DAYS)
    res = ctx.cached("lifecycle", lambda: _aggregates(analyses.lifecycle(
        ctx.store, as_of=ctx.as_of, transitions_from=start, customers=ctx.customer_build(), per_customer=False)))
    section = Section(ctx.t("report.lifecycle.title"), intro=ctx.t("report.lifecycle.intro"))
    st = res.stages.set_index("stage")
    section.add(KpiCards([Kpi(ctx.t(f"lifecycle.stage.{s}"), ctx.num(st.loc[s, "customers"]),
                              ctx.pct(st.loc[s, "share"])) for s in ("new", "active", "mature", "at_risk", "churned")]))
    p = res.periods
    fig = go.Figure()
    for i, state in enumerate(STATES):
        fig.add_trace(go.Bar(x=p["period"], y=p[state], name=ctx.t(f"lifecycle.state.{state}"),
                             marker_color=charts.PALETTE[[2, 0, 1, 8][i]], visible=True if state != "dormant" else "legendonly"))
    charts.style(fig, ctx.t("report.lifecycle.states_chart"), height=380)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=charts.PERIOD_TICKFORMAT["M"])
    charts.count_axis(fig, p[[s for s in STATES if s != "dormant"]].sum(axis=1).max())
    section.add(Figure(fig, height=380))
    rules = asdict(res.rules)
    stages = res.stages.copy()
    stages.insert(1, "rule", [ctx.t(f"lifecycle.rule.{s}", **rules) for s in stages["stage"]])
    stages["stage"] = [ctx.t(f"lifecycle.stage.{s}") for s in stages["stage"]]
    section.add(Heading(ctx.t("report.lifecycle.stages")))
    fig = go.Figure()
    for col, color in (("share", charts.PALETTE[0]), ("revenue_share", charts.PALETTE[1])):
        fig.add_trace(go.Bar(x=stages["stage"], y=stages[col], name=header(col, ctx.lang), marker_color=color,
                             text=[ctx.pct(v) for v in stages[col]], textposition="outside", cliponaxis=False))
    charts.style(fig, ctx.t("report.lifecycle.stage_chart"), height=340)
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%")
    section.add(Figure(fig, height=340))
    formats = {"revenue": "money", "revenue_per_customer": "money", "mean_orders": "float2"}
    if "clv" in stages:
        formats.update({"clv": "money", "clv_share": "pct"})
    section.add(Table(stages, headers={c: header(c, ctx.lang) for c in stages.columns}, formats=formats))
    tr = res.transitions
    section.add(Heading(ctx.t("report.lifecycle.transitions", start=ctx.date(tr.date_from), end=ctx.date(tr.date_to))))
    rows = [ctx.t(f"lifecycle.stage.{s}") for s in tr.shares.index]
    cols = [ctx.t(f"lifecycle.stage.{s}") for s in tr.shares.columns]
    fig = go.Figure(go.Heatmap(z=tr.shares.to_numpy(), x=cols, y=rows, colorscale="Blues", zmin=0, zmax=1,
                               text=tr.counts.to_numpy(), texttemplate="%{z:.0%}",
                               hovertemplate="%{y} → %{x}: %{z:.1%} (%{text})<extra></extra>"))
    charts.style(fig, ctx.t("report.lifecycle.transitions_caption"), height=420)
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_xaxes(type="category")
    section.add(Figure(fig, height=420))
    return section


def _aggregates(res: LifecycleResult) -> LifecycleResult:
    """``res`` without its per-customer stage table (a row per customer, not shown): the report
    keeps only what it shows for the rest of its run."""
    return replace(res, customers=res.customers.iloc[:0])
