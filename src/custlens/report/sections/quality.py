"""Data quality: the overall score and grade, scores per dimension and table, top problems."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go

from custlens import i18n
from custlens.errors import MissingDataError
from custlens.report import charts
from custlens.report.blocks import Figure, Heading, Kpi, KpiCards, Note, Paragraph, Section, Table
from custlens.report.context import ReportContext
from custlens.report.registry import register_section

#: Problems listed in the section (worst first, as `custlens.quality` orders them).
MAX_PROBLEMS = 15
#: Characters of an example row shown before it is cut.
EXAMPLE_CHARS = 160
DIMENSIONS = ("completeness", "validity", "uniqueness", "consistency", "timeliness")


@register_section("quality", order=210)
def quality_section(ctx: ReportContext) -> Section:
    """Score cards, a dimension chart, the per-table scores and the top problems."""
    qr = ctx.quality()
    if qr.score is None:
        raise MissingDataError(
            "the data-quality report needs at least one loaded table; load one with "
            "`custlens ingest FILE`"
        )
    section = Section(ctx.t("report.quality.title"), intro=ctx.t("report.quality.intro"))
    section.add(
        KpiCards(
            [
                Kpi(ctx.t("report.quality.overall"), f"{qr.score:.0f} / 100"),
                Kpi(ctx.t("report.quality.grade"), str(qr.grade)),
                Kpi(ctx.t("report.quality.problems_count"), ctx.num(len(qr.problems))),
            ]
        ),
        Paragraph(ctx.t(qr.grade_rule)),
    )
    dims = {d: s for d, s in qr.dimensions.items() if s is not None}
    if dims:
        section.add(
            Heading(ctx.t("report.quality.by_dimension")),
            Figure(_dimension_figure(ctx, dims), height=300),
        )
    if len(qr.tables):
        section.add(Heading(ctx.t("report.quality.by_table")), _tables_block(ctx, qr.tables))
    section.add(Heading(ctx.t("report.quality.problems")))
    if len(qr.problems):
        section.add(Table(_problems(ctx, qr.problems), max_rows=MAX_PROBLEMS))
    else:
        section.add(Note(ctx.t("report.quality.no_problems")))
    return section


def _score_colour(score: float) -> str:
    return "#10b981" if score >= 90 else "#f59e0b" if score >= 70 else "#ef4444"


def _dimension_figure(ctx: ReportContext, dims: dict[str, float]) -> go.Figure:
    names = [ctx.t(f"quality.dimension.{d}") for d in dims][::-1]
    scores = list(dims.values())[::-1]
    fig = go.Figure(go.Bar(
        x=scores, y=names, orientation="h", marker_color=[_score_colour(s) for s in scores],
        text=[f"{s:.0f}" for s in scores], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    ))
    charts.style(fig, ctx.t("report.quality.chart_title"), height=300)
    fig.update_xaxes(range=[0, 105], showgrid=True, gridcolor="#e5e7eb")
    fig.update_yaxes(showgrid=False)
    return fig


def _tables_block(ctx: ReportContext, tables: pd.DataFrame) -> Table:
    frame = pd.DataFrame({"table": [ctx.t_or(f"report.table.{n}", str(n)) for n in tables["table"]],
                          "rows": tables["rows"].to_numpy()})
    headers = {}
    for d in DIMENSIONS:
        if d in tables.columns:
            frame[d] = pd.to_numeric(tables[d], errors="coerce").to_numpy()
            headers[d] = ctx.t(f"quality.dimension.{d}")
    frame["score"] = pd.to_numeric(tables["score"], errors="coerce").to_numpy()
    frame["grade"] = tables["grade"].to_numpy()
    formats = {d: "float" for d in (*DIMENSIONS, "score")}
    return Table(frame, headers=headers, formats=formats)


def _check_text(ctx: ReportContext, check: str) -> str:
    for key in (check, f"quality.check.{check}"):
        if i18n.has(key):
            return ctx.t(key)
    return check


def _column(ctx: ReportContext, name: str) -> str:
    """A column name in the report language (``customer_id`` -> 客户编号); unknown names (a shop's
    own columns) stay as they are."""
    if name.startswith("score_") and not i18n.has(f"report.col.{name}"):  # survey attribute scores
        attr = name[len("score_"):]
        return ctx.t("report.col.score_attribute", attribute=ctx.t_or(f"report.attribute.{attr}", attr))
    return ctx.t_or(f"report.col.{name}", name) if name else name


def _first_example(raw: object, ctx: ReportContext | None = None) -> str:
    """The first example row of a problem as ``column: value; ...``, cut to a readable length.

    With ``ctx`` the column names are translated (`_column`)."""
    name = (lambda k: _column(ctx, str(k))) if ctx is not None else str
    if not isinstance(raw, str) or not raw:
        return ""
    try:
        examples = json.loads(raw)
    except ValueError:
        return _cut(raw)
    if not examples:
        return ""
    first = examples[0] if isinstance(examples, list) else examples
    if not isinstance(first, dict):
        return _cut(str(first))
    parts = []
    for key, value in first.items():
        if isinstance(value, str) and value.startswith("{"):
            try:  # a raw input row stored as JSON text: show its fields
                value = "; ".join(f"{name(k)}: {v}" for k, v in json.loads(value).items() if v is not None)
            except ValueError:
                pass
        if key == "reason" and isinstance(value, str) and ctx is not None:
            from custlens.report.sections.overview import reason_text

            value = reason_text(ctx, value)
        if isinstance(value, float):
            value = f"{value:.10g}"  # 136.14000000000001 -> 136.14
        if value is not None:
            parts.append(f"{name(key)}: {value}")
    return _cut("; ".join(parts))


def _cut(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def _problems(ctx: ReportContext, problems: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table": [ctx.t_or(f"report.table.{n}", str(n)) for n in problems["table"]],
            "column": [_column(ctx, c) for c in problems["column"].fillna("").astype(str)],
            "check": [_check_text(ctx, str(c)) for c in problems["check"]],
            "dimension": [ctx.t_or(f"quality.dimension.{d}", str(d)) for d in problems["dimension"]],
            "severity": [ctx.t_or(f"quality.severity.{s}", str(s)) for s in problems["severity"]],
            "count": problems["count"].to_numpy(),
            "row_share": pd.to_numeric(problems["share"], errors="coerce").to_numpy(),
            "example": [_first_example(e, ctx) for e in problems["examples"]],
        }
    )
