"""The report sections of this area: built on the toy shop in both languages, missing data as notes."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from custlens import i18n
from custlens.report import Figure, ReportContext, Table
from custlens.report.blocks import KpiCards, Note, Paragraph
from custlens.report.registry import registered_sections, run_section
from custlens.report.render import table_view
from custlens.store import Store

AS_OF = "2024-04-01"  # toyshop.AS_OF

KEYS = ("profile", "behaviour", "basket", "timing", "cohorts", "lifecycle", "loyalty")


def _build(store: Store, key: str, lang: str = "en"):
    (spec,) = registered_sections([key])
    ctx = ReportContext(store, as_of=AS_OF, lang=lang)
    return run_section(spec, ctx), ctx


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sections_build_with_charts_and_translated_text(toy, lang) -> None:
    for key in KEYS:
        section, ctx = _build(toy, key, lang)
        assert section is not None and not section.missing, key
        assert any(isinstance(b, Figure) for b in section.blocks) or key == "loyalty", key
        for b in section.blocks:
            if isinstance(b, Table):
                view = table_view(b, lang)  # every header resolves
                assert len(view.headers) == len(b.frame.columns)
        assert all(i18n.has(k) for k in ctx.used_keys)
    assert i18n.missing() == []


def test_section_contents(toy) -> None:
    timing, _ = _build(toy, "timing")
    heat = [b.figure for b in timing.blocks if isinstance(b, Figure) and isinstance(b.figure.data[0], go.Heatmap)]
    assert sum(sum(v for v in row if v == v) for row in heat[0].data[0].z) == 17  # timed toy orders
    basket, _ = _build(toy, "basket")
    (rules,) = [b for b in basket.blocks if isinstance(b, Table)]
    assert rules.frame["lift"].iloc[0] == pytest.approx(1.25)
    loyalty, _ = _build(toy, "loyalty", "zh")
    cards = {c.label: c.value for b in loyalty.blocks if isinstance(b, KpiCards) for c in b.cards}
    assert cards["复购率"] == "60.0%" and cards["NPS"] == "+0"
    profile, _ = _build(toy, "profile")
    assert any(isinstance(b, Paragraph) and "Cramér" in b.text for b in profile.blocks)


def test_missing_data_becomes_a_note(tmp_path) -> None:
    empty = Store(tmp_path / "e.duckdb")
    for key in KEYS:
        (spec,) = registered_sections([key])
        section = run_section(spec, ReportContext(empty, lang="zh"))
        assert section.missing and isinstance(section.blocks[0], Note), key
    empty._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES ('o', 'a', '2024-01-01 10:00', 5)")
    (spec,) = registered_sections(["basket"])
    section = run_section(spec, ReportContext(empty))
    assert section.missing and "order_items" in section.blocks[0].detail
    empty.close()
