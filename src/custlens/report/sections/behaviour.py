"""Purchase behaviour: frequency and preferences (``behaviour``), baskets (``basket``), timing (``timing``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from custlens import analyses
from custlens.behaviour.festivals import MIN_ORDERS
from custlens.behaviour.preferences import MISSING
from custlens.behaviour.texts import header
from custlens.report import charts
from custlens.report.blocks import Figure, Heading, Kpi, KpiCards, Note, Paragraph, Section, Table
from custlens.report.context import ReportContext
from custlens.report.holiday_names import holiday_name
from custlens.report.registry import register_section

TOP = 10


def _headers(ctx: ReportContext, frame: pd.DataFrame) -> dict[str, str]:
    return {c: header(c, ctx.lang) for c in frame.columns}


def _table(ctx: ReportContext, frame: pd.DataFrame, **kw) -> Table:
    return Table(frame, headers=_headers(ctx, frame), **kw)


def _val(ctx: ReportContext, v: object) -> str:
    return ctx.t("profile.missing") if v == MISSING else str(v)


@register_section("behaviour", order=71)
def behaviour_section(ctx: ReportContext) -> Section:
    """Orders per customer, gaps, time to second order, preferences and price bands."""
    # The order-count distribution and the gaps come from the shared customer table and its
    # purchase days (no new pass over the orders).
    freq = ctx.cached("behaviour:frequency", lambda: analyses.frequency(
        ctx.store, as_of=ctx.as_of, customers=ctx.customers(), days=ctx.customer_build().days))
    segs = ctx.rfm("rfm11").customers[["customer_id", "segment"]]
    # Only revenue shares are shown: the distinct order and customer counts per value are skipped.
    prefs = ctx.cached("behaviour:preferences", lambda: analyses.preferences(ctx.store, as_of=ctx.as_of, segments=segs,
                                                                              counts=False))
    section = Section(ctx.t("report.behaviour.title"), intro=ctx.t("report.behaviour.intro"))
    section.add(KpiCards([
        Kpi(ctx.t("behaviour.repeat_rate"), ctx.pct(freq.repeat_rate)),
        Kpi(ctx.t("behaviour.median_gap"), _num(freq.gap_summary["median"])),
        Kpi(ctx.t("behaviour.median_second"), _num(freq.time_to_second["median"])),
    ]))
    b = freq.buckets.assign(bucket=[ctx.t(f"behaviour.bucket.{k}") for k in freq.buckets["bucket"]])
    section.add(Heading(ctx.t("report.behaviour.frequency")), Figure(_bucket_figure(ctx, b), height=340),
                _table(ctx, b, formats={"revenue": "money"}))
    gaps = freq.gaps
    fig = go.Figure(go.Bar(x=gaps["gap_band"], y=gaps["gaps"], marker_color=charts.PALETTE[2],
                           text=[ctx.pct(s) for s in gaps["share"]], textposition="outside", cliponaxis=False))
    charts.style(fig, ctx.t("report.behaviour.gaps"), height=320)
    fig.update_xaxes(type="category", title_text=header("gap_band", ctx.lang))
    charts.count_axis(fig, gaps["gaps"].max())
    section.add(Figure(fig, height=320))
    section.add(Heading(ctx.t("report.behaviour.preferences")))
    for dim, frame in prefs.shares.items():
        top = frame.head(TOP).assign(value=lambda f: [_val(ctx, v) for v in f["value"]])
        name = ctx.t(f"behaviour.dim.{dim}")
        fig = go.Figure(go.Bar(y=top["value"][::-1], x=top["revenue_share"][::-1], orientation="h",
                               marker_color=charts.PALETTE[0], text=[ctx.pct(v) for v in top["revenue_share"][::-1]],
                               textposition="outside", cliponaxis=False))
        charts.style(fig, ctx.t("report.behaviour.pref_chart", dimension=name), height=60 + 28 * len(top) + 60)
        fig.update_xaxes(tickformat=".0%")
        fig.update_yaxes(type="category")
        section.add(Figure(fig, height=60 + 28 * len(top) + 60))
    if "category" in prefs.shares and len(prefs.by_segment):
        section.add(Heading(ctx.t("report.behaviour.by_segment")), Figure(_segment_figure(ctx, prefs.by_segment), height=420))
    if len(prefs.price_bands):
        pb = prefs.price_bands.assign(band=[ctx.t(f"behaviour.band.{k}") for k in prefs.price_bands["band"]])
        section.add(Heading(ctx.t("report.behaviour.price_bands")),
                    _table(ctx, pb, formats={"price_from": "money", "price_to": "money", "revenue": "money"}))
    return section


def _num(x: float) -> str:
    return "–" if x is None or pd.isna(x) else f"{x:,.0f}"


def _bucket_figure(ctx: ReportContext, b: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for col, color in (("share", charts.PALETTE[0]), ("revenue_share", charts.PALETTE[1])):
        fig.add_trace(go.Bar(x=b["bucket"], y=b[col], name=header(col, ctx.lang), marker_color=color,
                             text=[ctx.pct(v) for v in b[col]], textposition="outside", cliponaxis=False))
    charts.style(fig, ctx.t("report.behaviour.frequency_chart"), height=340)
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%")
    return fig


def _segment_figure(ctx: ReportContext, by_segment: pd.DataFrame) -> go.Figure:
    cat = by_segment[by_segment["dimension"] == "category"]
    order = [s for s in ctx.rfm("rfm11").segments["segment"] if s in set(cat["segment"])]
    names = {s: ctx.t(f"segment.rfm11.{s}.name") for s in order}
    fig = go.Figure()
    values = cat.groupby("value")["revenue"].sum().sort_values(ascending=False).index
    for i, v in enumerate(values):
        part = cat[cat["value"] == v].set_index("segment").reindex(order)
        fig.add_trace(go.Bar(y=[names[s] for s in order], x=part["share"].fillna(0), name=_val(ctx, v),
                             orientation="h", marker_color=charts.PALETTE[i % len(charts.PALETTE)]))
    charts.style(fig, ctx.t("report.behaviour.by_segment"), height=420)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(autorange="reversed")
    return fig


@register_section("basket", order=72)
def basket_section(ctx: ReportContext) -> Section:
    """Top association rules and a lift heat map of the most connected products."""
    res = ctx.cached("behaviour:basket", lambda: analyses.basket(ctx.store, as_of=ctx.as_of))
    section = Section(ctx.t("report.basket.title"),
                      intro=ctx.t("report.behaviour.basket_intro", n=ctx.num(res.n_baskets), k=res.min_count))
    rules = res.top_rules(15)  # each pair once, lift > 1
    if rules.empty:
        return section.add(Note(ctx.t("report.basket.none")))
    named = "antecedent_name" in rules
    cols = (["antecedent_name", "consequent_name"] if named else ["antecedent", "consequent"]) + [
        "orders", "support", "confidence", "lift"]
    section.add(_table(ctx, rules[cols], formats={"support": "pct", "confidence": "pct", "lift": "float2"}))
    section.add(Figure(_lift_heatmap(ctx, res.pairs, named), height=460))
    return section


def _lift_heatmap(ctx: ReportContext, pairs: pd.DataFrame, named: bool) -> go.Figure:
    top = pairs.head(12)
    items = list(dict.fromkeys([*top["item_a"], *top["item_b"]]))
    label = {}
    for a, b, na, nb in zip(pairs["item_a"], pairs["item_b"], pairs.get("item_a_name", pairs["item_a"]),
                            pairs.get("item_b_name", pairs["item_b"])):
        label[a], label[b] = (na if named and isinstance(na, str) else a), (nb if named and isinstance(nb, str) else b)
    idx = {it: i for i, it in enumerate(items)}
    z = np.full((len(items), len(items)), np.nan)
    for a, b, lift in zip(pairs["item_a"], pairs["item_b"], pairs["lift"]):
        if a in idx and b in idx:
            z[idx[a], idx[b]] = z[idx[b], idx[a]] = lift
    names = [f"{label.get(it, it)}" for it in items]
    fig = go.Figure(go.Heatmap(z=z, x=names, y=names, colorscale="Blues", hoverongaps=False,
                               colorbar=dict(title=header("lift", ctx.lang))))
    charts.style(fig, ctx.t("report.behaviour.basket_heatmap"), height=460)
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


@register_section("timing", order=73)
def timing_section(ctx: ReportContext) -> Section:
    """Hour x weekday heat map, seasonal index and festival lift."""
    # The monthly series is charted in the key figures: its distinct customers are not counted here.
    tim = ctx.cached("behaviour:timing", lambda: analyses.timing(ctx.store, as_of=ctx.as_of, customers_by_month=False))
    fest = ctx.cached("behaviour:festivals", lambda: analyses.festivals(ctx.store, as_of=ctx.as_of,
                                                                             country=ctx.country, daily=tim.daily))
    section = Section(ctx.t("report.timing.title"), intro=ctx.t("report.timing.intro"))
    wd, hr = tim.peak()
    section.add(KpiCards([Kpi(ctx.t("behaviour.peak_time"),
                              ctx.t("behaviour.peak_time_value", weekday=ctx.t(f"behaviour.weekday.{wd}"), hour=hr))]))
    days = [ctx.t(f"behaviour.weekday.{d}") for d in range(7)]
    z = tim.heatmap.pivot(index="weekday", columns="hour", values="orders").reindex(range(7)).to_numpy()
    fig = go.Figure(go.Heatmap(z=z, x=list(range(24)), y=days, colorscale="Blues",
                               colorbar=dict(title=header("orders", ctx.lang))))
    charts.style(fig, ctx.t("report.behaviour.heatmap"), height=360)
    fig.update_xaxes(title_text=ctx.t("behaviour.hour"), dtick=1)
    fig.update_yaxes(autorange="reversed", type="category")
    section.add(Figure(fig, height=360))
    if tim.untimed_orders:
        section.add(Note(ctx.t("behaviour.untimed", n=ctx.num(tim.untimed_orders))))
    # Revenue and orders per month are charted once, in the key-figures section.
    s = tim.seasonal
    fig = go.Figure(go.Bar(x=[str(v) for v in s["month_of_year"]], y=s["index"], marker_color=charts.PALETTE[2]))
    fig.add_hline(y=1.0, line_dash="dot", line_color="#64748b")
    charts.style(fig, ctx.t("report.behaviour.seasonal"), height=320)
    fig.update_xaxes(type="category", title_text=header("month_of_year", ctx.lang))
    section.add(Figure(fig, height=320))
    section.add(Heading(ctx.t("report.behaviour.festivals")),
                Paragraph(ctx.t("report.behaviour.festivals_intro", weeks=fest.baseline_weeks,
                                country=fest.country_choice.text(ctx.lang) if fest.country_choice else "-")))
    summ = fest.summary.dropna(subset=["lift_orders"]).copy()
    thin = summ[~summ["enough_orders"]]
    if len(thin):  # a lift on a handful of orders is noise: named, kept out of the chart
        section.add(Note(ctx.t("behaviour.festival.too_few", n=MIN_ORDERS, names=", ".join(
            ctx.t_or(f"behaviour.festival.{k}", holiday_name(str(k), fest.country, ctx.lang)) for k in thin["festival"]))))
    summ["festival"] = [ctx.t_or(f"behaviour.festival.{k}", holiday_name(str(k), fest.country, ctx.lang))
                        for k in summ["festival"]]
    summ["kind"] = [ctx.t(f"behaviour.kind.{k}") for k in summ["kind"]]
    shown = summ[summ["enough_orders"]]
    fig = go.Figure(go.Bar(x=shown["festival"], y=shown["lift_orders"],
                           marker_color=[charts.PALETTE[1] if v >= 1 else charts.PALETTE[3] for v in shown["lift_orders"]],
                           text=[f"{v:.2f}×" for v in shown["lift_orders"]], textposition="outside", cliponaxis=False))
    fig.add_hline(y=1.0, line_dash="dot", line_color="#64748b")
    charts.style(fig, ctx.t("report.behaviour.festival_chart"), height=380)
    fig.update_xaxes(type="category")
    section.add(Figure(fig, height=380))
    cols = summ[["festival", "kind", "years", "orders", "baseline_orders", "lift_orders", "revenue", "lift_revenue"]]
    section.add(_table(ctx, cols, formats={"baseline_orders": "float", "lift_orders": "float2", "revenue": "money",
                                           "lift_revenue": "float2"}))
    return section
