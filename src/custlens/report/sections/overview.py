"""Data overview: which tables are loaded, from which sources, and what was set aside."""

from __future__ import annotations

import os
import re

import pandas as pd

from custlens import i18n, schema
from custlens.report.blocks import Heading, Kpi, KpiCards, Note, Paragraph, Section, Table
from custlens.report.context import ReportContext
from custlens.report.registry import register_section

_MAX_REASONS = 20

#: Reason codes ingest builds from a column name, and the i18n key that words them.
_REASON_PATTERNS = (
    (re.compile(r"^missing_(\w+)$"), "report.reason.pattern.missing"),
    (re.compile(r"^unparseable_(\w+)$"), "report.reason.pattern.unparseable"),
    (re.compile(r"^non_numeric_(\w+)$"), "report.reason.pattern.non_numeric"),
    (re.compile(r"^(\w+)_in_future$"), "report.reason.pattern.in_future"),
    (re.compile(r"^(\w+)_out_of_range$"), "report.reason.pattern.out_of_range"),
)


@register_section("overview", order=200)
def overview_section(ctx: ReportContext) -> Section:
    """Tables and row counts, ingest sources, quarantine reasons."""
    store = ctx.store
    counts = {name: store.count(name) for name in schema.DATA_TABLES}
    log = store.read(schema.INGEST_LOG.name) if store.has(schema.INGEST_LOG.name) else None
    quarantined = store.count(schema.QUARANTINE.name)
    section = Section(ctx.t("report.overview.title"), intro=ctx.t("report.overview.intro"))

    loaded = sum(1 for n in counts.values() if n)
    section.add(
        KpiCards(
            [
                Kpi(ctx.t("report.overview.tables_loaded"), f"{loaded} / {len(counts)}"),
                Kpi(ctx.t("report.overview.rows_loaded"), ctx.num(sum(counts.values()))),
                Kpi(ctx.t("report.overview.sources"), ctx.num(0 if log is None else len(log))),
                Kpi(ctx.t("report.overview.rows_quarantined"), ctx.num(quarantined)),
            ]
        )
    )
    if not counts[schema.ORDERS.name]:
        section.add(Note(ctx.t("report.overview.no_orders"), level="missing",
                         detail="custlens ingest FILE --table orders"))

    tables = pd.DataFrame(
        {
            "table": [ctx.t(f"report.table.{name}") for name in counts],
            "rows": list(counts.values()),
            "status": [
                ctx.t("report.overview.loaded" if n else "report.overview.empty") for n in counts.values()
            ],
            "enables": [ctx.t(f"report.table.{name}.use") for name in counts],
        }
    )
    section.add(Heading(ctx.t("report.overview.tables")), Table(tables))

    if log is not None:
        section.add(Heading(ctx.t("report.overview.sources")), Table(_sources(ctx, log)))
    if quarantined:
        section.add(
            Heading(ctx.t("report.overview.quarantine")),
            Paragraph(ctx.t("report.overview.quarantine_intro")),
            Table(_reasons(ctx), max_rows=_MAX_REASONS),
        )
    return section


def _sources(ctx: ReportContext, log: pd.DataFrame) -> pd.DataFrame:
    log = log.sort_values("finished_at")
    return pd.DataFrame(
        {
            "source": [os.path.basename(str(s)) or str(s) for s in log["source"]],
            "table": [ctx.t_or(f"report.table.{n}", str(n)) for n in log["table_name"]],
            "rows_read": log["rows_read"].to_numpy(),
            "rows_loaded": log["rows_loaded"].to_numpy(),
            "rows_quarantined": log["rows_quarantined"].to_numpy(),
            "duplicates_skipped": log["duplicates_skipped"].to_numpy(),
            "loaded_at": pd.to_datetime(log["finished_at"]).to_numpy(),
        }
    )


def _reasons(ctx: ReportContext) -> pd.DataFrame:
    q = ctx.store.table(schema.QUARANTINE.name)
    counts = ctx.store.execute(
        q.group_by(["table_name", "reason"]).aggregate(rows=q.count())
    ).sort_values(["rows", "table_name", "reason"], ascending=[False, True, True])
    total = counts["rows"].sum()
    return pd.DataFrame(
        {
            "table": [ctx.t_or(f"report.table.{n}", str(n)) for n in counts["table_name"]],
            "reason": [reason_text(ctx, str(r)) for r in counts["reason"]],
            "rows": counts["rows"].to_numpy(),
            "row_share": (counts["rows"] / total).to_numpy(),
        }
    )


def reason_text(ctx: ReportContext, code: str) -> str:
    """The wording of an ingest quarantine reason code such as ``missing_customer_id``.

    Exact keys ``report.reason.<code>`` come first, then the column patterns ingest uses
    (``missing_<column>``, ``<column>_out_of_range``, ...), then the quality checks; an
    unknown code is shown as it is.
    """
    key = f"report.reason.{code}"
    if i18n.has(key):
        return ctx.t(key)
    for pattern, text_key in _REASON_PATTERNS:
        m = pattern.match(code)
        if m:
            column = m.group(1)
            return ctx.t(text_key, column=ctx.t_or(f"report.col.{column}", column))
    return ctx.t_or(f"quality.check.{code}", code)
