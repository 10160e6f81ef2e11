"""The VoC report sections and the executive-summary line."""

from __future__ import annotations

import pytest

from custlens import Store, i18n
from custlens.report.blocks import Note
from custlens.report.context import ReportContext
from custlens.report.registry import registered_sections, run_section
from custlens.voc import summary_finding


def _ctx(store: Store, lang: str) -> ReportContext:
    return ReportContext(store=store, lang=lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sections_build_on_the_demo(demo, lang: str) -> None:
    specs = {s.key: s for s in registered_sections(["satisfaction", "feedback", "service"])}
    ctx = _ctx(demo, lang)
    for key in ("satisfaction", "feedback", "service"):
        sec = run_section(specs[key], ctx)
        assert sec is not None and not sec.missing, key
        assert sec.title == i18n.t(f"report.{key}.title", lang)
        assert len(sec.blocks) >= 3


def test_sections_without_data_say_what_to_load(tmp_path) -> None:
    st = Store(tmp_path / "e.duckdb")
    st._con.execute("INSERT INTO orders VALUES ('o1', 'c1', '2024-01-01', 10, NULL, NULL, NULL, NULL, NULL, NULL, NULL)")
    ctx = _ctx(st, "en")
    for spec in registered_sections(["satisfaction", "feedback", "service"]):
        sec = run_section(spec, ctx)
        assert sec.missing and isinstance(sec.blocks[0], Note)
        assert "custlens ingest FILE --table" in sec.blocks[0].detail
    st.close()


def test_summary_finding(demo) -> None:
    en = summary_finding(demo, lang="en")
    zh = summary_finding(demo, lang="zh")
    assert en["key"] == "voc.summary.both" and en["value"] == zh["value"]
    assert en["text"].startswith("Voice of the customer: NPS ") and zh["text"].startswith("客户之声：NPS ")
    assert zh["complaints"]["text"].startswith("最主要的投诉：物流配送")


def test_summary_finding_without_surveys(tmp_path) -> None:
    st = Store(tmp_path / "e.duckdb")
    assert summary_finding(st) is None
    st.close()
