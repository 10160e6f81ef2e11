"""The HTML report: complete in both languages, self-contained and offline."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import plotly.offline
import pytest

from custlens import i18n
from custlens.report import ReportContext, build_report
from custlens.report.registry import run_sections
from custlens.store import Store

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S)
_TAG = re.compile(r"<[^>]+>")


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    return plotly.offline.get_plotlyjs()


_EN_DETAIL = re.compile(r'<span class="detail" lang="en">.*?</span>', re.S)


def visible_text(html: str) -> str:
    """What a reader sees: no scripts, styles or tags."""
    return _TAG.sub(" ", _STYLE.sub(" ", _SCRIPT.sub(" ", html)))


def translated_text(html: str) -> str:
    """The visible text minus technical details explicitly marked as English."""
    return visible_text(_EN_DETAIL.sub(" ", html))


@pytest.fixture(scope="module")
def reports(shop: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("report")
    paths = {lang: build_report(shop, out=out, lang=lang) for lang in ("en", "zh")}
    assert paths["en"] == out / "report_en.html" and paths["zh"] == out / "report_zh.html"
    return {lang: p.read_text(encoding="utf-8") for lang, p in paths.items()}


def test_catalogue_is_complete() -> None:
    import custlens.report  # noqa: F401  (registers the texts)

    assert i18n.missing() == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_key_used_is_translated(shop: Store, lang: str) -> None:
    ctx = ReportContext(shop, lang=lang)
    sections = run_sections(ctx)  # an unknown key raises KeyError here
    keys = [s.key for s in sections]
    # Business sections first (key figures, then RFM); data overview and quality close the report.
    assert keys[:2] == ["kpis", "rfm"]
    assert keys[-2:] == ["overview", "quality"]
    assert not any(s.missing for s in sections if s.key in ("overview", "quality", "kpis", "rfm"))
    assert len(ctx.used_keys) > 50
    for key in sorted(ctx.used_keys):
        assert i18n.has(key), key
        assert i18n.t(key, "en").strip() and i18n.t(key, "zh").strip(), key
    assert i18n.missing() == []


def test_chinese_report_has_no_english_catalogue_text(reports: dict[str, str]) -> None:
    """Any report text left untranslated would show its English wording in the zh file."""
    zh = translated_text(reports["zh"])
    leaked = []
    for key in i18n.keys():
        if not key.startswith(("report.", "segment.", "quality.")):
            continue
        en, zh_text = i18n.t(key, "en"), i18n.t(key, "zh")
        words = re.sub(r"\{[^}]*\}", " ", en).strip()
        if en == zh_text or len(words) < 4 or not re.search(r"[A-Za-z]{3}", words):
            continue
        # the English text with its {placeholders} matching any filled-in value
        pattern = ".{1,80}?".join(re.escape(part) for part in re.split(r"\{[^}]*\}", en))
        if re.search(rf"(?<![A-Za-z_]){pattern}(?![A-Za-z_])", zh):
            leaked.append((key, en))
    assert leaked == []
    assert re.search(r"[\u4e00-\u9fff]", visible_text(reports["en"])) is None


def test_both_languages_show_the_same_numbers(reports: dict[str, str]) -> None:
    en, zh = visible_text(reports["en"]), visible_text(reports["zh"])
    for text in (en, zh):
        assert "430.00" in text and "53.75" in text and "75.0%" in text
        assert "2024-01-05 – 2024-04-01" in text
    assert "Key figures" in en and "关键指标" in zh
    assert "Champions" in en and "冠军客户" in zh and "重要价值" in zh


def test_plotly_is_embedded_exactly_once_and_nothing_is_fetched(reports: dict[str, str]) -> None:
    for html in reports.values():
        assert html.count(_plotly_js()) == 1
        assert html.count("Plotly.newPlot(") >= 5
        without_bundle = html.replace(_plotly_js(), "")
        assert re.search(r"<script\b[^>]*\bsrc\s*=", html, re.I) is None
        assert re.search(r"<link\b", without_bundle, re.I) is None
        assert re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", without_bundle, re.I) is None
        assert re.search(r"@import|url\(\s*[\"']?(?:https?:)?//", without_bundle, re.I) is None


def test_header_toc_and_anchors(reports: dict[str, str]) -> None:
    en, zh = reports["en"], reports["zh"]
    assert '<html lang="en">' in en and '<html lang="zh-CN">' in zh
    assert "<title>Toy Shop</title>" in en
    assert "Data up to" in en and "2024-04-01" in en  # as_of 2024-04-02 = last day 04-01
    assert "数据截至" in zh and "中文" in zh
    for key in ("overview", "quality", "kpis", "rfm"):
        assert f'href="#{key}"' in en and f'id="{key}"' in en
    assert 'id="fig-kpis-2"' in en  # figure ids are stable: no random uuids


def test_overview_and_quarantine_are_reported(reports: dict[str, str]) -> None:
    en, zh = visible_text(reports["en"]), visible_text(reports["zh"])
    assert "orders_2024.csv" in en
    assert "missing customer id" in en and "缺少客户编号" in zh
    assert "66.7%" in en  # 2 of the 3 quarantined rows


def test_title_as_of_and_html_path(shop: Store, tmp_path: Path) -> None:
    path = build_report(shop, out=tmp_path / "x" / "mine.html", lang="en", as_of="2024-02-01",
                        title="Spring <review>", sections=["kpis"])
    assert path == tmp_path / "x" / "mine.html"
    html = path.read_text(encoding="utf-8")
    assert "<title>Spring &lt;review&gt;</title>" in html  # escaped
    text = visible_text(html)
    assert "180.00" in text and "2024-01-31" in text  # January only
    assert 'id="overview"' not in html


def test_empty_store_renders_with_missing_notes(empty_store: Store, tmp_path: Path) -> None:
    html = build_report(empty_store, out=tmp_path, lang="zh").read_text(encoding="utf-8")
    assert _plotly_js() not in html  # no figures, no bundle
    text = visible_text(html)
    assert "尚未导入订单" in text
    # Every section that needs orders says so instead of failing; the foundation's three do.
    missing = [s.key for s in run_sections(ReportContext(empty_store, lang="zh")) if s.missing]
    assert {"quality", "kpis", "rfm"} <= set(missing)
    assert text.count(i18n.t("report.missing_data", "zh")) == len(missing)
    assert "custlens ingest FILE" in text


def test_store_path_is_opened_read_only(tmp_path: Path, make_shop) -> None:
    db = tmp_path / "shop.duckdb"
    with Store(db) as store:
        make_shop(store)
    path = build_report(str(db), out=tmp_path / "out", lang="en")
    assert "Toy Shop" in path.read_text(encoding="utf-8")
