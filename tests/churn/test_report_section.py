"""The report's "Churn" chapter on the demo shop, in both languages, and on a store too small."""

from __future__ import annotations

import pandas as pd
import pytest

from custlens import i18n
from custlens.report.blocks import Figure, KpiCards, Note, Paragraph, Table
from custlens.report.context import ReportContext
from custlens.report.registry import registered_sections, run_section


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_churn_section_on_the_demo(churn_demo, lang: str) -> None:
    result, st, _ = churn_demo
    ctx = ReportContext(st, lang=lang)
    ctx.cache["churn"] = result  # the analysis itself is tested in test_analysis.py
    (spec,) = registered_sections(["churn"])
    assert spec.order == 60
    section = run_section(spec, ctx)
    assert section is not None and not section.missing
    assert section.title == i18n.t("report.churn.title", lang)
    kinds = [type(b) for b in section.blocks]
    assert kinds.count(Figure) >= 5 and kinds.count(Table) >= 5 and KpiCards in kinds
    paragraphs = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    assert paragraphs[0] == result.definition.text(lang)
    for key in ctx.used_keys:
        assert i18n.has(key), key
    tables = [b.frame for b in section.blocks if isinstance(b, Table)]
    reasons = pd.concat([t["reasons"] for t in tables if "reasons" in t.columns])
    if lang == "zh":
        assert not reasons.str.contains("no order for").any()
        assert reasons.str.contains("天未下单").any()


def test_churn_section_says_what_is_missing(make_store) -> None:
    st = make_store([("1", "a", "2024-01-01", 10.0), ("2", "a", "2024-02-01", 10.0)])
    ctx = ReportContext(st, lang="zh")
    section = run_section(registered_sections(["churn"])[0], ctx)
    assert section.missing and isinstance(section.blocks[0], Note)
    assert "two horizons" in section.blocks[0].detail
