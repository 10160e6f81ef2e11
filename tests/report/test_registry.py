"""The section registry: the seam later analyses plug into."""

from __future__ import annotations

from typing import Iterator

import pandas as pd
import pytest

from custlens import i18n
from custlens.errors import ConvergenceError
from custlens.report import Kpi, KpiCards, ReportContext, Section, register_section
from custlens.report import registry
from custlens.store import Store

i18n.register(
    {
        "report.test_extra.title": {"en": "Extra analysis", "zh": "附加分析"},
        "report.test_broken.title": {"en": "Broken analysis", "zh": "出错的分析"},
    }
)


@pytest.fixture()
def clean_registry() -> Iterator[None]:
    """Register test sections without leaking them into other tests."""
    registry._load_builtin_sections()
    saved = dict(registry._REGISTRY)
    yield
    registry._REGISTRY.clear()
    registry._REGISTRY.update(saved)


def test_builtin_sections_in_order() -> None:
    keys = [s.key for s in registry.registered_sections()]
    # business first, data plumbing last (the executive summary is put before all of them
    # by build_report, from the sections' results)
    assert keys[:2] == ["kpis", "rfm"]
    assert keys[-2:] == ["overview", "quality"]
    assert keys.index("segments") < keys.index("clv") < keys.index("churn") < keys.index("overview")


def test_a_new_section_plugs_in_by_order(shop: Store, clean_registry: None) -> None:
    @register_section("test_extra", order=35)
    def extra(ctx: ReportContext) -> Section:
        n = ctx.customers()["customer_id"].nunique()
        return Section(ctx.t("report.test_extra.title"), blocks=[KpiCards([Kpi("n", str(n))])])

    ctx = ReportContext(shop, lang="zh")
    sections = registry.run_sections(ctx)
    keys = [s.key for s in sections]
    assert keys.index("kpis") < keys.index("test_extra") < keys.index("rfm")
    added = sections[keys.index("test_extra")]
    assert added.title == "附加分析"
    assert added.blocks[0].cards[0].value == "4"


def test_missing_data_becomes_a_note(shop: Store, clean_registry: None) -> None:
    @register_section("test_extra", order=99)
    def needs_surveys(ctx: ReportContext) -> Section:
        ctx.store.require("surveys", "the NPS analysis")
        raise AssertionError("not reached")

    (section,) = registry.run_sections(ReportContext(shop), ["test_extra"])
    assert section.missing and section.key == "test_extra"
    assert section.title == "Extra analysis"
    (note,) = section.blocks
    assert note.level == "missing"
    assert note.text == i18n.t("report.missing_data", "en")
    assert "the NPS analysis needs the 'surveys' table" in note.detail
    assert "custlens ingest FILE --table surveys" in note.detail


def test_other_custlens_errors_become_warnings(shop: Store, clean_registry: None) -> None:
    @register_section("test_broken", order=98)
    def fails(ctx: ReportContext) -> Section:
        raise ConvergenceError("the optimiser did not converge after 200 iterations")

    (section,) = registry.run_sections(ReportContext(shop, lang="zh"), ["test_broken"])
    assert section.title == "出错的分析"
    assert section.blocks[0].level == "warning"
    assert "200 iterations" in section.blocks[0].detail


def test_bugs_propagate_and_none_is_skipped(shop: Store, clean_registry: None) -> None:
    @register_section("test_extra", order=97)
    def nothing(ctx: ReportContext) -> None:
        return None

    @register_section("test_broken", order=98)
    def bug(ctx: ReportContext) -> Section:
        raise ZeroDivisionError("bug")

    ctx = ReportContext(shop)
    assert registry.run_sections(ctx, ["test_extra"]) == []
    with pytest.raises(ZeroDivisionError):
        registry.run_sections(ctx, ["test_broken"])


def test_wrong_return_type_is_a_clear_error(shop: Store, clean_registry: None) -> None:
    @register_section("test_extra", order=97)
    def wrong(ctx: ReportContext) -> str:  # type: ignore[return-value]
        return "oops"

    with pytest.raises(TypeError, match="section 'test_extra' .* returned str; return a Section or None"):
        registry.run_sections(ReportContext(shop), ["test_extra"])


def test_registration_errors(clean_registry: None) -> None:
    with pytest.raises(ValueError, match="must be lower-case"):
        register_section("Bad Key", order=1)
    with pytest.raises(ValueError, match="section 'rfm' is already registered by custlens.report"):
        register_section("rfm", order=1)(lambda ctx: None)
    with pytest.raises(ValueError, match="unknown report section.*'nope'.*known: kpis, rfm"):
        registry.registered_sections(["nope"])


def test_context_computes_shared_results_once(shop: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import custlens.features.purchase_days as features

    calls = []
    real = features.build_customer_table

    def counting(store: Store, as_of: object = None) -> features.CustomerBuild:
        calls.append(as_of)
        return real(store, as_of)

    monkeypatch.setattr(features, "build_customer_table", counting)
    ctx = ReportContext(shop, as_of="2024-03-01")
    first = ctx.customers()
    assert ctx.rfm("rfm11") is ctx.rfm("rfm11")
    ctx.rfm("cn8")
    assert ctx.customers() is first and ctx.customer_build().frame is first
    assert calls == [pd.Timestamp("2024-03-01")]
    assert set(first["customer_id"]) == {"a", "b", "d"}  # c first ordered on 2024-03-15


def test_context_as_of_and_lang() -> None:
    with Store(":memory:") as empty:
        assert ReportContext(empty).as_of is None
        with pytest.raises(ValueError, match="lang='fr' is not supported"):
            ReportContext(empty, lang="fr")
