"""What a report section is made of: a `Section` holding a list of blocks.

Blocks carry text that is already translated (sections build them through
``ctx.t(...)``) and data that is not yet formatted: a `Table` keeps its DataFrame and is
formatted when rendered, a `Figure` keeps its plotly figure. The HTML renderer
(`custlens.report.render`) turns each block into markup; a dashboard can render the same
blocks differently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Union

import pandas as pd
import plotly.graph_objects as go

__all__ = [
    "Block",
    "Figure",
    "Findings",
    "Heading",
    "Kpi",
    "KpiCards",
    "Note",
    "Paragraph",
    "Section",
    "Table",
]


@dataclass
class Kpi:
    """One headline figure: a label, the formatted value and an optional small print."""

    label: str
    value: str
    detail: str = ""


@dataclass
class KpiCards:
    """A row of `Kpi` cards."""

    cards: list[Kpi]
    kind: Literal["kpis"] = field(default="kpis", init=False)


@dataclass
class Table:
    """A table from a DataFrame.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to show, columns in display order.
    headers : mapping, optional
        Display header per column. Columns not listed take the text of the i18n key
        ``report.col.<column>`` (a missing key fails loudly, so untranslated headers are
        caught by the tests).
    formats : mapping, optional
        Format per column, one of `custlens.report.formatting.FORMATS`; others are
        inferred from the dtype.
    caption : str, optional
        A line under the table.
    max_rows : int, optional
        Show only the first ``max_rows`` rows and say how many were left out.
    """

    frame: pd.DataFrame
    headers: Mapping[str, str] | None = None
    formats: Mapping[str, str] | None = None
    caption: str = ""
    max_rows: int | None = None
    kind: Literal["table"] = field(default="table", init=False)


@dataclass
class Figure:
    """A plotly figure, rendered as a div; plotly.js is embedded once per report."""

    figure: go.Figure
    caption: str = ""
    height: int = 380
    kind: Literal["figure"] = field(default="figure", init=False)


@dataclass
class Paragraph:
    """A paragraph of (translated) plain text."""

    text: str
    kind: Literal["paragraph"] = field(default="paragraph", init=False)


@dataclass
class Heading:
    """A sub-heading inside a section."""

    text: str
    kind: Literal["heading"] = field(default="heading", init=False)


@dataclass
class Note:
    """A highlighted remark: ``info``, ``warning``, or ``missing`` (data the section lacks).

    ``detail`` is shown in a smaller, monospace line (e.g. the message of an error that says
    which table to load).
    """

    text: str
    level: Literal["info", "warning", "missing"] = "info"
    detail: str = ""
    #: language of ``detail`` when it differs from the report's (untranslated technical text)
    detail_lang: str = ""
    kind: Literal["note"] = field(default="note", init=False)


@dataclass
class Findings:
    """The executive summary's findings: ``(sentence, action, section_key, section_title)``
    each, shown as a numbered list whose items link to their section."""

    items: list[tuple[str, str, str, str]]
    action_label: str = ""
    kind: Literal["findings"] = field(default="findings", init=False)


Block = Union[KpiCards, Table, Figure, Paragraph, Heading, Note, Findings]


@dataclass
class Section:
    """One chapter of the report.

    Parameters
    ----------
    title : str
        Translated title (``ctx.t("report.<key>.title")`` by convention).
    intro : str, optional
        A translated sentence or two under the title saying what the section shows.
    blocks : list of Block
        The content, in order.
    key : str
        The registry key; the registry fills it in (it is the HTML anchor).
    missing : bool
        True when the section could not be computed; the registry sets it for sections
        whose inputs are absent.
    """

    title: str
    intro: str = ""
    blocks: list[Block] = field(default_factory=list)
    key: str = ""
    missing: bool = False

    def add(self, *blocks: Block) -> "Section":
        """Append blocks and return the section (for chaining)."""
        self.blocks.extend(blocks)
        return self
