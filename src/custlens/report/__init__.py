"""Reports: the self-contained HTML report and the Excel workbook.

>>> from custlens.report import build_report, write_workbook
>>> build_report(store, out="custlens_report", lang="zh")      # doctest: +SKIP
PosixPath('custlens_report/report_zh.html')

The report is a list of sections from a registry; an analysis adds its chapter with one
module in ``custlens/report/sections/`` and the `register_section` decorator (see
`custlens.report.registry`). Texts live in `custlens.report.texts` in English and Chinese.
"""

from custlens.report.blocks import Figure, Heading, Kpi, KpiCards, Note, Paragraph, Section, Table
from custlens.report.builder import build_report
from custlens.report.context import ReportContext
from custlens.report.registry import register_section
from custlens.report.workbook import write_workbook

__all__ = [
    "Figure",
    "Heading",
    "Kpi",
    "KpiCards",
    "Note",
    "Paragraph",
    "ReportContext",
    "Section",
    "Table",
    "build_report",
    "register_section",
    "write_workbook",
]
