"""Campaigns: the most recent campaign's A/B result, uplift by segment and the weekly trend."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from custlens import analyses
from custlens.campaigns import before_after, campaign_segments
from custlens.campaigns.outcomes import pick_campaign
from custlens.campaigns.texts import metric_label
from custlens.errors import DataQualityWarning
from custlens.report import charts
from custlens.report.blocks import Figure, Heading, Kpi, KpiCards, Note, Paragraph, Section, Table
from custlens.report.context import ReportContext
from custlens.report.formatting import fmt_p
from custlens.report.registry import register_section
from custlens.segments.catalog import text_key

WINDOW_DAYS = 30
PRE_DAYS = 90


@register_section("campaigns", order=95)
def campaigns_section(ctx: ReportContext) -> Section | None:
    """KPIs, the metric table with a lift chart, uplift by RFM segment and the trend around exposure."""
    if not ctx.store.has("campaign_members"):
        return None  # no campaign: nothing to say
    cid = pick_campaign(ctx.store)
    m = ctx.store.table("campaign_members")
    groups = set(ctx.store.execute(m.filter(m.campaign_id == cid).select("group").distinct())["group"])
    if "control" not in groups:
        return _before_after_section(ctx, cid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # reported as a note from res.notes
        res = ctx.cached("campaigns:ab", lambda: analyses.campaign(ctx.store, as_of=ctx.as_of, campaign_id=cid,
                                                                    window_days=WINDOW_DAYS, pre_days=PRE_DAYS))
        seg = campaign_segments(ctx.store, members=res.frame)
        did = before_after(ctx.store, res.info["campaign_id"], comparison="control", as_of=ctx.as_of)
    info = res.info
    section = Section(ctx.t("report.campaigns.title"), intro=ctx.t("report.campaigns.intro"))
    section.add(Paragraph(ctx.t("report.campaigns.campaign", id=info["campaign_id"], members=ctx.num(info["members"]),
                                date=ctx.date(info["first_exposed"]), window=info["window_days"])))
    section.add(KpiCards(_cards(ctx, res)))
    r = res.roi
    if r is not None and not r.significant:
        section.add(Note(ctx.t("report.campaigns.roi_warning", p=_p(r.p_value), roi=ctx.pct(r.roi, 0),
                               low=ctx.money(r.incremental_revenue_low, compact=True),
                               high=ctx.money(r.incremental_revenue_high, compact=True),
                               roi_low=ctx.pct(r.roi_low, 0), roi_high=ctx.pct(r.roi_high, 0)), level="warning"))
    for key in res.notes:
        section.add(Note(ctx.t(key), level="warning"))
    cols = ["name", "control", "treatment", "lift", "ci_low", "ci_high", "p_value", "p_holm", "p_bh",
            "cuped_lift", "variance_reduction"]
    section.add(
        Heading(ctx.t("report.campaigns.metrics")),
        Figure(_lift_figure(ctx, res.metrics), height=320),
        Table(_shown(ctx, res.metrics, cols), headers=_headers(ctx, cols)),
        Paragraph(ctx.t("report.campaigns.metrics_note", pre=PRE_DAYS)),
    )
    seg = seg[seg["p_value"].notna()]  # segments too small to test
    if len(seg):
        s = seg.rename(columns={"metric": "name"}).assign(
            kind=["proportion" if v == "converted" else "mean" for v in seg["metric"]],
            segment=[_segment_name(ctx, v) for v in seg["segment"]])
        scols = ["segment", "name", "n_control", "n_treatment", "lift", "ci_low", "ci_high", "p_value", "p_holm",
                 "p_bh"]
        section.add(Heading(ctx.t("report.campaigns.segments")),
                    Table(_shown(ctx, s, scols), headers=_headers(ctx, scols)),
                    Paragraph(ctx.t("report.campaigns.segments_note")))
    _add_did(ctx, section, did, ("campaign.group.treatment", "campaign.group.control"))
    return section


def _before_after_section(ctx: ReportContext, cid: str) -> Section:
    """A campaign without a control group: difference-in-differences against similar non-members."""
    did = before_after(ctx.store, cid, comparison="others", as_of=ctx.as_of)
    section = Section(ctx.t("report.campaigns.title"), intro=ctx.t("report.campaigns.intro_did"))
    section.add(
        Paragraph(ctx.t("report.campaigns.campaign_did", id=cid, treated=ctx.num(did.n_treated),
                        comparison=ctx.num(did.n_comparison), date=ctx.date(did.info["event"]))),
        KpiCards([Kpi(ctx.t("report.campaigns.did_effect"), ctx.money(did.effect),
                      ctx.t("report.campaigns.ci", low=ctx.money(did.ci_low), high=ctx.money(did.ci_high))),
                  Kpi(ctx.t("report.campaigns.pretrend"), _p(did.pretrend_p_value))]),
    )
    _add_did(ctx, section, did, ("campaign.group.treated", "campaign.group.comparison"))
    return section


def _add_did(ctx: ReportContext, section: Section, did: Any, labels: tuple[str, str]) -> None:
    section.add(
        Heading(ctx.t("report.campaigns.trend_title")),
        Figure(_trend_figure(ctx, did.trends, labels), height=340,
               caption=ctx.t("report.campaigns.trend_caption", effect=ctx.money(did.effect),
                             low=ctx.money(did.ci_low), high=ctx.money(did.ci_high))),
        Heading(ctx.t("report.campaigns.did_assumptions")),
        *[Paragraph(ctx.t(k)) for k in did.assumptions],
    )


def _cards(ctx: ReportContext, res: Any) -> list[Kpi]:
    g = res.groups.set_index("group")["members"]
    conv = res.metric("converted")
    cards = [
        Kpi(ctx.t("report.campaigns.members"), f"{ctx.num(g['treatment'])} / {ctx.num(g['control'])}"),
        Kpi(ctx.t("report.campaigns.conversion_lift"), _pp(ctx, conv["lift"]),
            ctx.t("report.campaigns.ci", low=_pp(ctx, conv["ci_low"]), high=_pp(ctx, conv["ci_high"]))),
    ]
    if res.roi is not None:
        r = res.roi
        cards.append(Kpi(ctx.t("report.campaigns.incremental_revenue"), ctx.money(r.incremental_revenue, compact=True),
                         ctx.t("report.campaigns.ci", low=ctx.money(r.incremental_revenue_low, compact=True),
                               high=ctx.money(r.incremental_revenue_high, compact=True))))
        verdict = ctx.t("report.campaigns.significant" if r.significant else "report.campaigns.not_significant",
                        p=_p(r.p_value))
        cards.append(Kpi(ctx.t("report.campaigns.roi", cost=ctx.money(r.cost)), ctx.pct(r.roi, 0),
                         ctx.t("report.campaigns.roi_detail", verdict=verdict, low=ctx.pct(r.roi_low, 0),
                               high=ctx.pct(r.roi_high, 0))))
    key = "report.campaigns.srm_bad" if res.srm_alarm else "report.campaigns.srm_ok"
    cards.append(Kpi(ctx.t("report.campaigns.srm"), ctx.t(key, p=_p(res.srm_p_value))))
    return cards


def _pp(ctx: ReportContext, x: float) -> str:
    """A difference of rates in percentage points."""
    return "–" if x != x else ctx.t("report.campaigns.pp", v=f"{x * 100:+.1f}")


def _p(p: float) -> str:
    return fmt_p(p)


def _segment_name(ctx: ReportContext, seg: str) -> str:
    key = text_key("rfm11", seg, "name")
    return ctx.t(key) if ctx.t_or(key, "") else ctx.t(f"campaign.segment.{seg}")


def _headers(ctx: ReportContext, cols: list[str]) -> dict[str, str]:
    return {c: ctx.t(f"campaign.col.{c}") for c in cols}


def _shown(ctx: ReportContext, df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Display strings: rates in percent, lifts of rates in points, amounts with 2 decimals."""
    rows = []
    for _, r in df.iterrows():
        prop = r.get("kind") == "proportion"
        row: dict[str, Any] = {}
        for c in cols:
            v = r[c]
            if c == "name":
                row[c] = ctx.t_or(f"campaign.metric.{v}", str(v))
            elif c.startswith("p_") or c.endswith("p_value"):
                row[c] = _p(v)
            elif c == "variance_reduction":
                row[c] = ctx.pct(v)
            elif c in ("control", "treatment"):
                row[c] = ctx.pct(v) if prop else ctx.money(v)
            elif c in ("lift", "ci_low", "ci_high", "cuped_lift"):
                row[c] = _pp(ctx, v) if prop else ctx.money(v)
            elif c.startswith("n_"):
                row[c] = ctx.num(v)
            else:
                row[c] = v
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def _lift_figure(ctx: ReportContext, metrics: pd.DataFrame) -> go.Figure:
    m = metrics[metrics["control"] != 0]
    rel = m["lift"] / m["control"]
    names = [metric_label(n, ctx.lang) for n in m["name"]]
    fig = go.Figure(go.Scatter(
        x=rel, y=names, mode="markers", marker=dict(size=11, color=charts.PALETTE[0]),
        error_x=dict(type="data", symmetric=False, array=(m["ci_high"] / m["control"] - rel).to_numpy(),
                     arrayminus=(rel - m["ci_low"] / m["control"]).to_numpy()),
        hovertemplate="%{y}: %{x:+.1%}<extra></extra>"))
    fig.add_vline(x=0, line_color="#94a3b8", line_dash="dot")
    charts.style(fig, ctx.t("report.campaigns.chart_title"), height=320)
    fig.update_xaxes(tickformat="+.0%", showgrid=True, gridcolor="#e5e7eb")
    return fig


def _trend_figure(ctx: ReportContext, trends: pd.DataFrame, labels: tuple[str, str]) -> go.Figure:
    fig = go.Figure()
    for i, (grp, label) in enumerate(zip(("treated", "comparison"), labels)):
        d = trends[trends["group"] == grp]
        fig.add_trace(go.Scatter(x=d["period"], y=d["mean"], mode="lines+markers", name=ctx.t(label),
                                 line=dict(color=charts.PALETTE[i])))
    fig.add_vline(x=-0.5, line_color="#94a3b8", line_dash="dash")
    charts.style(fig, ctx.t("report.campaigns.trend_title"), height=340)
    fig.update_xaxes(dtick=1, title_text=ctx.t("campaign.col.period"))
    return fig
