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
    # issue 11: the band rule states the capacity and its cut-offs; the Cox table says how it was fitted;
    # the lifetime definition is stated and no curve is drawn by RFM segment
    assert result.capacity.text(lang, result.horizon.days) in paragraphs
    assert i18n.t("churn.cox.fit.plain", lang) in paragraphs and i18n.t("churn.km.origin", lang) in paragraphs
    titles = [b.figure.layout.title.text or "" for b in section.blocks if isinstance(b, Figure)]
    assert not any("RFM" in t for t in titles)
    assert sum(i18n.t(f"churn.km.by.{by}", lang) in t for t in titles
               for by in ("acquisition", "first_value", "channel", "cohort")) == 4
    km = [b.figure for b in section.blocks if isinstance(b, Figure) and b.figure.data and
          getattr(b.figure.data[0], "line", None) is not None and b.figure.data[0].line.shape == "hv"]
    assert len(km) == 4 and all(tr.y[0] == 1.0 and tr.x[0] == 0 for f in km for tr in f.data)
    drivers = next(t for t in tables if "importance_share" in t.columns)
    assert (drivers["importance"].head(3) != "0.0000").all() and drivers["importance_share"].iloc[0] < 1


def test_churn_section_says_what_is_missing(make_store) -> None:
    st = make_store([("1", "a", "2024-01-01", 10.0), ("2", "a", "2024-02-01", 10.0)])
    ctx = ReportContext(st, lang="zh")
    section = run_section(registered_sections(["churn"])[0], ctx)
    assert section.missing and isinstance(section.blocks[0], Note)
    assert "two horizons" in section.blocks[0].detail
