"""Turn sections into one self-contained HTML page.

`render_html` fills ``templates/report.html`` (Jinja2, autoescaped) with the sections'
blocks. Tables are formatted here (see `custlens.report.formatting`), figures become
``<div>``s via ``fig.to_html(full_html=False, include_plotlyjs=False)``, and plotly.js
from the installed plotly package is inlined exactly once, so the file works offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
import pandas as pd
import plotly.offline
from markupsafe import Markup

from custlens import i18n
from custlens.report import formatting as fmt
from custlens.report.blocks import Figure, Section, Table
from custlens.report.fonts import font_face_css

__all__ = ["render_html", "table_view"]

_PCT_SUFFIXES = ("share", "rate")
_NUMERIC = {"int", "float", "float2", "money", "pct", "p"}
#: Columns holding p-values are always shown with `custlens.report.formatting.fmt_p`.
_P_COLUMNS = ("p_value", "p_holm", "p_bh", "pvalue", "p")
#: A table longer than this shows its first rows and keeps the rest in an expandable part.
COLLAPSE_AFTER = 10
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


@dataclass
class TableView:
    """A table ready for the template: headers, formatted cells and their alignment."""

    headers: list[tuple[str, bool]]  # (text, numeric)
    rows: list[list[tuple[str, bool]]]
    caption: str
    hidden_rows: int
    #: rows shown only when the reader expands the table (`COLLAPSE_AFTER`)
    more_rows: list[list[tuple[str, bool]]]
    more_label: str = ""


def _column_format(name: str, series: pd.Series, explicit: dict[str, str]) -> str:
    if (name in _P_COLUMNS or name.endswith("_p_value")) and pd.api.types.is_numeric_dtype(series):
        return "p"
    if name in explicit:
        return explicit[name]
    if name.endswith(_PCT_SUFFIXES) and pd.api.types.is_numeric_dtype(series):
        return "pct"
    return fmt.infer_format(series)


def table_view(table: Table, lang: str) -> TableView:
    """Format a `Table` block in ``lang`` (headers default to ``report.col.<column>``)."""
    frame = table.frame
    hidden = 0
    if table.max_rows is not None and len(frame) > table.max_rows:
        hidden = len(frame) - table.max_rows
        frame = frame.head(table.max_rows)
    headers_given = dict(table.headers or {})
    formats = {c: _column_format(str(c), frame[c], dict(table.formats or {})) for c in frame.columns}
    headers = [
        (headers_given[c] if c in headers_given else i18n.t(f"report.col.{c}", lang), formats[c] in _NUMERIC)
        for c in frame.columns
    ]
    rows = []
    for values in frame.itertuples(index=False, name=None):
        rows.append([
            (fmt.fmt_value(v, formats[c], lang), formats[c] in _NUMERIC)
            for c, v in zip(frame.columns, values)
        ])
    caption = table.caption
    if hidden:
        more = i18n.t("report.rows_hidden", lang, n=fmt.fmt_int(hidden))
        caption = f"{caption} {more}".strip()
    more: list[list[tuple[str, bool]]] = []
    if len(rows) > COLLAPSE_AFTER + 2:  # collapsing one or two rows saves nothing
        rows, more = rows[:COLLAPSE_AFTER], rows[COLLAPSE_AFTER:]
    label = i18n.t("report.more_rows", lang, n=fmt.fmt_int(len(more))) if more else ""
    return TableView(headers, rows, caption, hidden, more, label)


def _figure_html(block: Figure, div_id: str) -> Markup:
    fig = block.figure
    html = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config=_PLOTLY_CONFIG,
        default_height=fig.layout.height or block.height,
        default_width="100%",
    )
    return Markup(html)


def _prepare(sections: list[Section], lang: str) -> list[dict[str, Any]]:
    """Sections as plain dicts for the template, with rendered tables and figures."""
    out = []
    for section in sections:
        blocks = []
        for i, block in enumerate(section.blocks):
            item: dict[str, Any] = {"kind": block.kind, "block": block}
            if isinstance(block, Table):
                item["view"] = table_view(block, lang)
            elif isinstance(block, Figure):
                item["html"] = _figure_html(block, f"fig-{section.key}-{i}")
            blocks.append(item)
        out.append({"key": section.key, "title": section.title, "intro": section.intro,
                    "missing": section.missing, "blocks": blocks})
    return out


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("custlens.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render_html(sections: list[Section], *, lang: str, meta: dict[str, Any], texts: dict[str, str]) -> str:
    """The full HTML page.

    Parameters
    ----------
    sections : list of Section
        Built sections in order.
    lang : {"en", "zh"}
    meta : dict
        Header values: ``title``, ``subtitle``, ``as_of``, ``generated_at``, ``store``,
        ``version``.
    texts : dict
        Translated fixed labels of the page (table of contents, header labels, footer).
    """
    template = _environment().get_template("report.html")
    js = plotly.offline.get_plotlyjs()
    html = template.render(
        lang=lang,
        html_lang="zh-CN" if lang == "zh" else "en",
        sections=_prepare(sections, lang),
        meta=meta,
        texts=texts,
        plotly_js=Markup(js),
        has_figures=any(isinstance(b, Figure) for s in sections for b in s.blocks),
    )
    # Embed the glyphs of exactly the CJK characters the page shows (texts, data, charts).
    css = font_face_css(html.replace(js, ""))
    return html.replace("/*CUSTLENS_FONT_FACE*/", css, 1)
