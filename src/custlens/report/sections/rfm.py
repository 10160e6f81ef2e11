"""RFM segments: who the customers are by recency, frequency and spend, and what to do."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from custlens.report import charts
from custlens.report.blocks import Figure, Heading, Kpi, KpiCards, Paragraph, Section, Table
from custlens.report.context import ReportContext
from custlens.report.registry import register_section
from custlens.segments.catalog import text_key

#: The main scheme of the section and the small Chinese-practice table under it.
SCHEME = "rfm11"
CN_SCHEME = "cn8"


@register_section("rfm", order=40)
def rfm_section(ctx: ReportContext) -> Section:
    """Segment counts, revenue shares, the segment table with actions, and the cn8 classes."""
    result = ctx.rfm(SCHEME)
    segs = _named(ctx, SCHEME, result.segments)
    section = Section(ctx.t("report.rfm.title"), intro=ctx.t("report.rfm.intro"))
    segs, small = ctx.small_groups(segs)
    section.add(KpiCards(_cards(ctx, segs, result.n_customers)))
    section.add(
        Heading(ctx.t(text_key(SCHEME, None, "title"))),
        Paragraph(ctx.t(text_key(SCHEME, None, "rule"))),
        Figure(_share_figure(ctx, segs), height=max(360, 34 * len(segs) + 120),
               caption=ctx.t("report.rfm.chart_caption")),
        Table(
            segs[["name", "customers", "share", "revenue", "revenue_share",
                  "mean_recency_days", "mean_orders", "mean_spend"]],
            formats={"revenue": "money", "mean_spend": "money", "mean_recency_days": "float",
                     "mean_orders": "float2"}, caption=small,
        ),
        Heading(ctx.t("report.rfm.playbook")),
        Table(segs[["name", "description", "action"]]),
    )
    cn, cn_small = ctx.small_groups(_named(ctx, CN_SCHEME, ctx.rfm(CN_SCHEME).segments))
    section.add(
        Heading(ctx.t(text_key(CN_SCHEME, None, "title"))),
        Paragraph(ctx.t(text_key(CN_SCHEME, None, "rule"))),
        Table(
            cn[["name", "customers", "share", "revenue_share", "mean_spend", "action"]],
            formats={"mean_spend": "money"}, caption=cn_small,
        ),
    )
    return section


def _named(ctx: ReportContext, scheme: str, segments: pd.DataFrame) -> pd.DataFrame:
    out = segments.copy()
    for part in ("name", "description", "action"):
        out[part] = [ctx.t(text_key(scheme, s, part)) for s in out["segment"]]  # type: ignore[arg-type]
    return out


def _cards(ctx: ReportContext, segs: pd.DataFrame, n_customers: int) -> list[Kpi]:
    if segs["customers"].isna().all():  # every segment under --min-group: no segment to name
        return [Kpi(ctx.t("report.rfm.customers_scored"), ctx.num(n_customers))]
    largest = segs.loc[segs["customers"].idxmax()]
    richest = segs.loc[segs["revenue"].idxmax()]
    return [
        Kpi(ctx.t("report.rfm.customers_scored"), ctx.num(n_customers)),
        Kpi(ctx.t("report.rfm.largest"), largest["name"],
            ctx.t("report.rfm.of_customers", share=ctx.pct(largest["share"]))),
        Kpi(ctx.t("report.rfm.most_revenue"), richest["name"],
            ctx.t("report.rfm.of_revenue", share=ctx.pct(richest["revenue_share"]))),
    ]


def _share_figure(ctx: ReportContext, segs: pd.DataFrame) -> go.Figure:
    order = segs.iloc[::-1]  # first segment of the scheme at the top
    fig = go.Figure()
    for col, color in (("share", charts.PALETTE[0]), ("revenue_share", charts.PALETTE[1])):
        label = ctx.t(f"report.col.{col}")
        fig.add_trace(go.Bar(
            y=order["name"], x=order[col], name=label, orientation="h", marker_color=color,
            customdata=order[["customers", "revenue"]].to_numpy(),
            text=[ctx.pct(v) for v in order[col]], textposition="outside", cliponaxis=False,
            hovertemplate=(f"%{{y}}<br>{label}: %{{x:.1%}}<br>{ctx.t('report.col.customers')}: "
                           f"%{{customdata[0]:,}}<br>{ctx.t('report.col.revenue')}: "
                           "%{customdata[1]:,.2f}<extra></extra>"),
        ))
    charts.style(fig, ctx.t("report.rfm.chart_title"), height=max(360, 34 * len(segs) + 120))
    fig.update_layout(barmode="group", bargap=0.2)
    fig.update_xaxes(tickformat=".0%", rangemode="tozero", gridcolor="#e5e7eb", showgrid=True)
    fig.update_yaxes(showgrid=False)
    return fig
