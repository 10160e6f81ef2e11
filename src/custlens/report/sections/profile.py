"""Customer profile: demographic distributions and the differences in value that matter."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from custlens import analyses
from custlens.behaviour.preferences import MISSING
from custlens.behaviour.texts import header
from custlens.profile import ProfileResult
from custlens.report import charts
from custlens.report.blocks import Figure, Heading, Kpi, KpiCards, Paragraph, Section, Table
from custlens.report.context import ReportContext
from custlens.report.formatting import fmt_p
from custlens.report.registry import register_section

#: Values shown per dimension in the charts (largest by customers; the rest stay in the tables).
TOP_VALUES = 12


def _headers(ctx: ReportContext, frame: pd.DataFrame) -> dict[str, str]:
    return {c: header(c, ctx.lang) for c in frame.columns}


def _value(ctx: ReportContext, v: str) -> str:
    return ctx.t("profile.missing") if v == MISSING else str(v)


def findings(ctx: ReportContext, res: ProfileResult) -> list[str]:
    """The sentences saying which differences matter (or that none does)."""
    rows = res.findings()
    if rows.empty:
        return [ctx.t("profile.no_findings")]
    return [ctx.t("profile.finding", dimension=ctx.t(f"profile.dim.{r.dimension}"),
                  target=ctx.t(f"profile.target.{r.target}"), v=f"{r.cramers_v:.2f}",
                  strength=ctx.t(f"profile.strength.{r.strength}"),
                  p="p < 0.001" if r.p_value < 0.001 else f"p = {fmt_p(r.p_value)}")
            for r in rows.itertuples()]


@register_section("profile", order=70)
def profile_section(ctx: ReportContext) -> Section:
    """Distributions per attribute, association tests and the missing-data count."""
    rfm = ctx.rfm("rfm11").customers[["customer_id", "segment"]]
    res = ctx.cached("profile", lambda: analyses.profile(ctx.store, as_of=ctx.as_of, segments=rfm,
                                                         customers=ctx.customers()))
    section = Section(ctx.t("report.profile.title"), intro=ctx.t("report.profile.intro"))
    known = 1.0 - float(res.missing["share"].min()) if len(res.missing) else 0.0
    section.add(KpiCards([
        Kpi(ctx.t("report.profile.customers"), ctx.num(res.n_customers)),
        Kpi(ctx.t("report.profile.known"), ctx.pct(known)),
        Kpi(ctx.t("report.profile.findings"), ctx.num(len(res.findings()))),
    ]))
    section.add(Heading(ctx.t("report.profile.findings")))
    section.add(*[Paragraph(s) for s in findings(ctx, res)])
    section.add(Paragraph(ctx.t("profile.rule")))
    tests = res.tests.copy()
    tests["dimension"] = [ctx.t(f"profile.dim.{d}") for d in tests["dimension"]]
    tests["target"] = [ctx.t(f"profile.target.{x}") for x in tests["target"]]
    tests["strength"] = [ctx.t(f"profile.strength.{x}") for x in tests["strength"]]
    tests["matters"] = [ctx.t("profile.yes" if m else "profile.no") for m in tests["matters"]]
    tests = tests[["dimension", "target", "cramers_v", "p_value", "strength", "matters", "n"]]
    section.add(Heading(ctx.t("report.profile.tests")),
                Table(tests, headers=_headers(ctx, tests), formats={"cramers_v": "float2", "p_value": "float2"}))
    miss = res.missing.assign(dimension=[ctx.t(f"profile.dim.{d}") for d in res.missing["dimension"]])
    section.add(Heading(ctx.t("report.profile.missing")),
                Table(miss, headers=_headers(ctx, miss), formats={"share": "pct"}))
    for dim in list(dict.fromkeys(res.findings()["dimension"]))[:3]:
        section.add(Figure(_mix_figure(ctx, res, dim), height=380))
    for dim in res.dimensions:
        d = res.distributions[res.distributions["dimension"] == dim].drop(columns="dimension")
        d, small = ctx.small_groups(d.assign(value=[_value(ctx, v) for v in d["value"]]))
        name = ctx.t(f"profile.dim.{dim}")
        section.add(Heading(ctx.t("report.profile.distribution", dimension=name)))
        section.add(Figure(_figure(ctx, d.nlargest(TOP_VALUES, "customers") if dim == "region" else d, name),
                           height=340))
        cols = d[["value", "customers", "share", "revenue_per_customer", "aov", "revenue_share"]]
        section.add(Table(cols, headers=_headers(ctx, cols),
                          formats={"revenue_per_customer": "money", "aov": "money"}, max_rows=15, caption=small))
    return section


def _figure(ctx: ReportContext, d: pd.DataFrame, name: str) -> go.Figure:
    fig = go.Figure(go.Bar(
        x=d["value"], y=d["revenue_per_customer"], marker_color=charts.PALETTE[0],
        customdata=d[["customers", "share"]].to_numpy(),
        text=[ctx.pct(s) for s in d["share"]], textposition="outside", cliponaxis=False,
        hovertemplate=(f"%{{x}}<br>{header('revenue_per_customer', ctx.lang)}: %{{y:,.2f}}<br>"
                       f"{header('customers', ctx.lang)}: %{{customdata[0]:,}} (%{{customdata[1]:.1%}})<extra></extra>"),
    ))
    charts.style(fig, ctx.t("report.profile.chart_title", dimension=name), height=340)
    fig.update_xaxes(type="category")
    return fig


def _mix_figure(ctx: ReportContext, res: ProfileResult, dim: str) -> go.Figure:
    """RFM segment mix (share of each value's buyers) of an attribute whose differences matter."""
    mix = res.segment_mix[res.segment_mix["dimension"] == dim]
    order = [s for s in ctx.rfm("rfm11").segments["segment"] if s in set(mix["segment"])]
    dist = res.distributions[res.distributions["dimension"] == dim]
    small = set(dist.loc[dist["customers"] < ctx.min_group, "value"])  # no mix of a group under k customers
    values = [v for v in dict.fromkeys(mix["value"]) if v not in small]
    fig = go.Figure()
    for i, seg in enumerate(order):
        part = mix[mix["segment"] == seg].set_index("value")["share"].reindex(values).fillna(0.0)
        fig.add_trace(go.Bar(x=[_value(ctx, v) for v in values], y=part.to_numpy(),
                             name=ctx.t(f"segment.rfm11.{seg}.name"), marker_color=charts.PALETTE[i % len(charts.PALETTE)]))
    name = ctx.t(f"profile.dim.{dim}")
    charts.style(fig, f"{name}: {ctx.t('profile.target.segment')}", height=380)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    fig.update_xaxes(type="category")
    return fig
