"""The report's Forecast section: built on the demo shop, a note on a too-short history."""

from __future__ import annotations

import pytest

from custlens.report.blocks import Figure, KpiCards, Note, Table
from custlens.report.context import ReportContext
from custlens.report.registry import registered_sections, run_section


def _spec():
    return registered_sections(["forecast"])[0]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_section_on_the_demo_shop(demo_store, lang: str) -> None:
    ctx = ReportContext(demo_store, lang=lang)
    section = run_section(_spec(), ctx)
    assert section is not None and not section.missing and _spec().order == 90
    kinds = [type(b) for b in section.blocks]
    assert kinds.count(Figure) == 2 and KpiCards in kinds
    tables = [b for b in section.blocks if isinstance(b, Table)]
    backtest, clv = tables
    assert (backtest.frame["model"] == "SeasonalNaive").sum() == 2  # one row per metric
    assert set(backtest.headers) == set(backtest.frame.columns)
    assert len(clv.frame) == 4 and (clv.frame["clv_orders"] > 0).all()
    fig = section.blocks[kinds.index(Figure)].figure
    band, hist, base, mean = fig.data
    assert len(mean.x) == 28 and len(hist.x) > 100


def test_too_short_history_becomes_a_warning_note(shop) -> None:
    section = run_section(_spec(), ReportContext(shop))
    assert section.missing
    note = section.blocks[0]
    assert isinstance(note, Note) and note.level == "warning" and "too few to backtest" in note.detail


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_section_states_its_shortcuts(demo_store, lang: str, monkeypatch) -> None:
    """The backtest's single fit per model and the CLV fit sample are said in the reader's language."""
    from custlens import i18n
    from custlens.report.sections import forecast as fc

    monkeypatch.setattr(fc, "CLV_FIT_SAMPLE", 500)
    section = run_section(_spec(), ReportContext(demo_store, lang=lang))
    train = fc.TRAIN_DAYS
    assert i18n.t("report.forecast.fit_once", lang, train=train) in section.intro
    caption = [b for b in section.blocks if isinstance(b, Table)][1].caption
    customers = demo_store.read("orders")["customer_id"].nunique()
    assert caption.endswith(i18n.t("report.forecast.clv_sample", lang, n="500", customers=f"{customers:,}", seed=0))
