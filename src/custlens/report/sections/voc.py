"""Voice of the customer in the report: satisfaction and NPS, feedback and complaints, customer service."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from custlens.report.blocks import Figure, Heading, Kpi, KpiCards, Note, Paragraph, Section, Table
from custlens.report.charts import style
from custlens.report.context import ReportContext
from custlens.report.registry import register_section
from custlens.voc.texts import finding_text, header, label

_LABELLED = {"attribute": "attribute", "dimension": "dimension", "grade": "grade", "quadrant": "ipa",
             "category": "category", "demand_type": "demand", "group": "nps.group", "lang": "lang",
             "measure": "measure", "item": "attribute"}


def _table(ctx: ReportContext, df: pd.DataFrame, formats: dict[str, str] | None = None, **kw: Any) -> Table:
    shown = df.copy()
    for col, prefix in _LABELLED.items():
        if col in shown:
            shown[col] = [label(prefix, v, ctx.lang) if isinstance(v, str) else v for v in shown[col]]
    for col in shown.columns:
        if shown[col].map(lambda v: isinstance(v, list)).any():
            shown[col] = shown[col].map(lambda v: " | ".join(map(str, v)) if isinstance(v, list) else v)
        if shown[col].dtype == bool:
            shown[col] = shown[col].map({True: "✓", False: ""})
    return Table(shown, headers={c: header(str(c), ctx.lang) for c in shown.columns}, formats=formats or {}, **kw)


@register_section("satisfaction", order=77)
def satisfaction_section(ctx: ReportContext) -> Section:
    """Satisfaction index, drivers, importance-performance, factors, NPS and its link to behaviour."""
    from custlens.errors import CustlensError
    from custlens import analyses

    ctx.store.require("surveys", "the satisfaction analysis")
    csi = ctx.cached("voc.satisfaction", lambda: analyses.satisfaction(ctx.store, as_of=ctx.as_of,
                                                                       customers=ctx.customers()))
    survey = ctx.cached("voc.survey", lambda: analyses.survey(ctx.store, as_of=ctx.as_of))
    try:
        nps = ctx.cached("voc.nps", lambda: analyses.nps(ctx.store, as_of=ctx.as_of, customers=ctx.customers()))
    except CustlensError:
        nps = None
    sec = Section(ctx.t("report.satisfaction.title"),
                  intro=ctx.t("report.satisfaction.intro", method=ctx.t(f"voc.weights.{csi.weight_method}")))
    cards = [Kpi(ctx.t("report.satisfaction.index"), f"{csi.index:.1f}",
                 f"{csi.ci_low:.1f}–{csi.ci_high:.1f} · {ctx.t(f'voc.grade.{csi.grade}')}")]
    if nps is not None:
        o = nps.overall
        cards.append(Kpi(ctx.t("report.satisfaction.nps"), f"{o['nps']:+.0f}", f"{o['ci_low']:+.0f} … {o['ci_high']:+.0f}"))
    cards.append(Kpi(ctx.t("report.satisfaction.alpha"), f"{survey.alpha:.2f}"))
    if survey.factors is not None:
        cards.append(Kpi(ctx.t("report.satisfaction.kmo"), f"{survey.factors.kmo:.2f}"))
    sec.add(KpiCards(cards))
    sec.add(Heading(ctx.t("report.satisfaction.dimensions")),
            _table(ctx, csi.attributes, {"mean": "float2", "index": "float", "weight": "float2", "answers": "int"}))
    grades = pd.DataFrame([{"from": b, "grade": g} for b, g in csi.grades])
    sec.add(Heading(ctx.t("report.satisfaction.grades")), _table(ctx, grades, {"from": "float"}))
    if len(csi.by_period) > 1:
        p = csi.by_period
        fig = go.Figure([go.Scatter(x=p["period"], y=p["index"], mode="lines+markers",
                                    name=ctx.t("report.satisfaction.index"),
                                    error_y=dict(type="data", symmetric=False, array=p["ci_high"] - p["index"],
                                                 arrayminus=p["index"] - p["ci_low"]))])
        sec.add(Figure(style(fig, ctx.t("report.satisfaction.periods"))),
                _table(ctx, p, {"index": "float", "ci_low": "float", "ci_high": "float", "change": "float",
                                "p_value": "float2", "answers": "int"}))
    drivers = survey.csat_drivers if survey.csat_drivers is not None else survey.nps_drivers
    if drivers is not None:
        sec.add(Heading(ctx.t("report.satisfaction.drivers")),
                _table(ctx, drivers, {"mean": "float2", "correlation": "float2", "coefficient": "float2",
                                      "shapley_r2": "float2", "importance": "pct"}))
    if survey.ipa is not None:
        ipa = survey.ipa.assign(action=[ctx.t(f"voc.ipa.action.{q}") for q in survey.ipa["quadrant"]])
        sec.add(Heading(ctx.t("report.satisfaction.ipa")),
                _table(ctx, ipa, {"importance": "pct", "performance": "float"}))
    if survey.factors is not None:
        load = survey.factors.loadings.round(2).reset_index(names="attribute")
        sec.add(Heading(ctx.t("report.satisfaction.loadings")), _table(ctx, load))
    if survey.clusters is not None:
        sec.add(Heading(ctx.t("report.satisfaction.clusters", silhouette=f"{survey.clusters.attrs.get('silhouette', float('nan')):.2f}")),
                _table(ctx, survey.clusters, {c: "float2" for c in survey.clusters.columns[2:]}))
    if nps is not None:
        seg = nps.by_segment.assign(segment=[ctx.t_or(f"segment.rfm11.{s}.name", s) for s in nps.by_segment["segment"]])
        sec.add(Heading(ctx.t("report.satisfaction.segments")),
                _table(ctx, seg[["segment", "nps", "ci_low", "ci_high", "responses"]],
                       {"nps": "float", "ci_low": "float", "ci_high": "float", "responses": "int"}))
        if not nps.behaviour.empty:
            b = nps.behaviour
            sec.add(Heading(ctx.t("report.satisfaction.behaviour")),
                    _table(ctx, b, {"orders_after": "float2", "spend_after": "money", "lapsed_share": "pct"}))
            bl = b.set_index("group")["lapsed_share"]
            if {"detractor", "promoter"} <= set(bl.index):
                sec.add(Paragraph(ctx.t("voc.cli.behaviour", days=b.attrs["window_days"], det=ctx.pct(bl["detractor"]),
                                        pro=ctx.pct(bl["promoter"]), p=f"{b.attrs['p_lapsed']:.2g}")))
    return sec


@register_section("feedback", order=78)
def feedback_section(ctx: ReportContext) -> Section:
    """Sentiment, complaint categories with actions, complaint topics, keywords and the trend."""
    from custlens import analyses

    ctx.store.require("feedback", "the feedback analysis")
    res = ctx.cached("voc.feedback", lambda: analyses.feedback(ctx.store, as_of=ctx.as_of))
    sec = Section(ctx.t("report.feedback.title"), intro=ctx.t("report.feedback.intro"))
    sec.add(_table(ctx, res.sentiment, {"mean_sentiment": "float2", "positive_share": "pct", "negative_share": "pct"}))
    if len(res.categories):
        cats = res.categories.assign(action=[ctx.t(f"voc.category_action.{c}") for c in res.categories["category"]])
        sec.add(Heading(ctx.t("report.feedback.categories")),
                _table(ctx, cats, {"share": "pct", "mean_sentiment": "float2", "complaints": "int"}))
    if len(res.complaint_topics):
        sec.add(Heading(ctx.t("report.feedback.topics")), _table(ctx, res.complaint_topics, {"share": "pct"}))
    sec.add(Heading(ctx.t("report.feedback.keywords")), _table(ctx, res.keywords.head(15), {"score": "float2"}))
    if len(res.trend) > 1:
        tr = res.trend
        fig = go.Figure([go.Bar(x=tr["period"], y=tr["items"], name=header("items", ctx.lang)),
                         go.Bar(x=tr["period"], y=tr["complaints"], name=header("complaints", ctx.lang))])
        sec.add(Figure(style(fig, ctx.t("report.feedback.trend"))))
    if res.notes:  # the only note: no kind column, so complaints are the negative texts
        sec.add(Note(ctx.t("voc.note.no_kind")))
    return sec


@register_section("service", order=79)
def service_section(ctx: ReportContext) -> Section:
    """Tickets by demand type and channel, SLA breaches, times, findings with actions, watch list."""
    from custlens import analyses

    ctx.store.require("tickets", "the customer-service analysis")
    res = ctx.cached("voc.service", lambda: analyses.service(ctx.store, as_of=ctx.as_of))
    sec = Section(ctx.t("report.service.title"), intro=ctx.t("report.service.intro", fr=f"{res.sla['first_response_minutes']:g}",
                                                             res=f"{res.sla['resolution_hours']:g}"))
    fmt = {"share": "pct", "first_response_median_min": "float", "resolution_median_h": "float",
           "first_response_breach": "pct", "resolution_breach": "pct", "satisfaction": "float2", "tickets": "int",
           "open": "int"}
    sec.add(_table(ctx, res.by_demand, fmt), _table(ctx, res.by_channel, fmt))
    if len(res.by_period) > 1:
        p = res.by_period
        fig = go.Figure([go.Bar(x=p["period"], y=p["tickets"], name=header("tickets", ctx.lang)),
                         go.Scatter(x=p["period"], y=p["first_response_breach"] * 100, yaxis="y2", mode="lines+markers",
                                    name=header("first_response_breach", ctx.lang))])
        fig.update_layout(yaxis2=dict(overlaying="y", side="right", ticksuffix="%", rangemode="tozero"))
        sec.add(Figure(style(fig, ctx.t("report.service.periods"))))
    sec.add(Heading(ctx.t("report.service.times")), _table(ctx, res.times, {"n": "int"}))
    if len(res.service_scores):
        sec.add(_table(ctx, res.service_scores, {"mean": "float2", "index": "float", "answers": "int"}))
    if res.findings:
        sec.add(Heading(ctx.t("report.service.findings")))
        for key, params in res.findings:
            sec.add(Paragraph(finding_text(key, params, ctx.lang)))
    if len(res.watch_list):
        sec.add(Heading(ctx.t("report.service.watch")),
                _table(ctx, res.watch_list, {"last_opened_at": "datetime"}, max_rows=20))
    return sec
