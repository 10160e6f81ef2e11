"""The "Segments" report section: every chart and table, translated, on the demo shop and a tiny shop."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from custlens import i18n
from custlens.report import Figure, ReportContext, Table
from custlens.report.blocks import Note
from custlens.report.registry import registered_sections, run_section
from custlens.store import Store


def build(store: Store, lang: str) -> tuple[object, ReportContext]:
    (spec,) = registered_sections(["segments"])
    ctx = ReportContext(store, lang=lang, min_group=1)  # exact figures: small-group suppression off
    return run_section(spec, ctx), ctx


@pytest.mark.slow
def test_section_on_the_demo_shop(demo_run) -> None:
    lang = "zh"
    with Store(demo_run.store_path, read_only=True) as store:
        section, ctx = build(store, lang)
        n_customers = len(ctx.customers())
    assert not section.missing
    figures = [b.figure for b in section.blocks if isinstance(b, Figure)]
    kinds = [type(f.data[0]).__name__ for f in figures]
    assert kinds == ["Scatter", "Scattergl", "Scatter", "Heatmap", "Sankey"]
    # the Sankey conserves customers: every customer flows once
    sankey = figures[-1].data[0]
    assert sum(sankey.link.value) == n_customers
    # the heat map holds every customer
    assert int(sum(sum(row) for row in figures[3].data[0].z)) == n_customers
    tables = [b.frame for b in section.blocks if isinstance(b, Table)]
    assert any("channel" in t.columns and "offer" in t.columns for t in tables)
    for key in ctx.used_keys:
        assert i18n.t(key, "en").strip() and i18n.t(key, "zh").strip(), key
    if lang == "zh":
        assert "重要保持客户" in {v for t in tables if "name" in t.columns for v in t["name"]}


def test_section_on_a_tiny_shop_uses_the_stated_fallback(store: Store) -> None:
    store._con.execute(
        """INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES
        ('o1', 'a', '2024-01-05', 100), ('o2', 'a', '2024-01-20', 50), ('o3', 'b', '2024-01-31', 30),
        ('o4', 'a', '2024-03-02', 20), ('o5', 'c', '2024-03-15', 200), ('o6', 'b', '2024-03-20', 10),
        ('o7', 'c', '2024-04-01', 5), ('o8', 'd', '2024-02-10', 15), ('o9', 'e', '2024-03-25', 70)""")
    section, _ = build(store, "zh")
    assert not section.missing
    notes = [b for b in section.blocks if isinstance(b, Note)]
    assert any(n.level == "warning" and "too few customers" in n.detail for n in notes)
    sankey = [b.figure for b in section.blocks if isinstance(b, Figure)][-1]
    assert isinstance(sankey.data[0], go.Sankey) and sum(sankey.data[0].link.value) == 5


def test_empty_store_is_missing_data(store: Store) -> None:
    section, _ = build(store, "en")
    assert section.missing


def test_too_few_customers_to_cluster_is_a_translated_warning(store: Store) -> None:
    store._con.execute(
        """INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES
        ('o1', 'a', '2024-01-05', 100), ('o2', 'b', '2024-01-20', 50), ('o3', 'b', '2024-02-20', 50)""")
    section, _ = build(store, "zh")
    assert not section.missing
    warnings = [b for b in section.blocks if isinstance(b, Note) and b.level == "warning"]
    assert warnings[0].text == i18n.t("report.segments.cannot_cluster", "zh")
    assert "n_samples=2 distinct customers should be > n_clusters=3" in warnings[0].detail
    assert any(isinstance(b, Figure) for b in section.blocks)  # ABC, value matrix and migration still shown
