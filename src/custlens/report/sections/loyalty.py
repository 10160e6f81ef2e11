"""Loyalty: repeat-purchase rate, retention rate, NPS and the loyalty index with its weights."""

from __future__ import annotations

from custlens import analyses
from custlens.behaviour.texts import header
from custlens.report.blocks import Kpi, KpiCards, Paragraph, Section, Table
from custlens.report.context import ReportContext
from custlens.report.registry import register_section


@register_section("loyalty", order=76)
def loyalty_section(ctx: ReportContext) -> Section:
    """Headline loyalty figures and how the index is put together."""
    # Repeat and retention from the report's customer table and purchase days (no pass over the orders).
    res = ctx.cached("loyalty", lambda: analyses.loyalty(ctx.store, as_of=ctx.as_of, customers=ctx.customer_build()))
    section = Section(ctx.t("report.loyalty.title"), intro=ctx.t("report.loyalty.intro", days=res.window_days))
    nps = ("–", ctx.t("loyalty.nps_none")) if res.nps is None else (
        f"{res.nps:+.0f}", ctx.t("report.loyalty.nps_detail", **{k: ctx.num(v) for k, v in res.nps_counts.items()}))
    section.add(KpiCards([
        Kpi(ctx.t("loyalty.index"), "–" if res.index != res.index else f"{res.index:.0f}"),
        Kpi(ctx.t("loyalty.component.repeat_rate"), ctx.pct(res.repeat_rate)),
        Kpi(ctx.t("loyalty.component.retention_rate"), ctx.pct(res.retention_rate),
            ctx.t("report.loyalty.retention_detail", retained=ctx.num(res.retained), base=ctx.num(res.base))),
        Kpi(ctx.t("loyalty.component.nps"), *nps),
    ]))
    comp = res.components.copy()
    comp["component"] = [ctx.t(f"loyalty.component.{c}") for c in comp["component"]]
    section.add(Table(comp, headers={c: header(c, ctx.lang) for c in comp.columns},
                      formats={"value": "float2", "scaled": "float2", "weight": "float2", "contribution": "float"}))
    section.add(Paragraph(ctx.t("report.loyalty.index_rule")))
    return section
