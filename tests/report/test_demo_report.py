"""The full report on the demo shop: summary first, plumbing last, no chart twice, long tables
collapsed, every text of the Chinese report in Chinese."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from zhscan import data_words, english_words, html_texts

from custlens.report import build_report
from custlens.report.render import COLLAPSE_AFTER
from custlens.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_reports(demo_run, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("demo_report")
    path = out / "demo.duckdb"
    shutil.copy(demo_run.store_path, path)
    html = {lang: build_report(path, out=out, lang=lang).read_text("utf-8") for lang in ("en", "zh")}
    with Store(path) as st:
        # data: the shop's own values and the store's file name shown in the header
        html["data_words"] = json.dumps(sorted(data_words(st) | {"demo"}))
    return html


def _section_ids(html: str) -> list[str]:
    return re.findall(r'<section class="card" id="([^"]+)">', html)


def test_summary_first_business_next_plumbing_last(demo_reports: dict[str, str]) -> None:
    for lang in ("en", "zh"):
        ids = _section_ids(demo_reports[lang])
        assert ids[0] == "summary" and ids[1] == "kpis"
        assert ids[-2:] == ["overview", "quality"]
        # the quality score stays in the header, linking to its section at the end
        assert re.search(r'<a class="badge" href="#quality">\d+/100 \([A-F]\)</a>', demo_reports[lang])


def test_summary_findings_link_to_their_sections(demo_reports: dict[str, str]) -> None:
    html = demo_reports["en"]
    summary = html.split('<section class="card" id="summary">')[1].split("</section>")[0]
    items = re.findall(r"<li>(.*?)</li>", summary, re.S)
    assert 5 <= len(items) <= 8
    ids = set(_section_ids(html))
    for item in items:
        target = re.search(r'href="#([^"]+)"', item).group(1)  # type: ignore[union-attr]
        assert target in ids
        assert re.search(r"\d", item) and "Action:" in item and "{" not in item
    zh = demo_reports["zh"].split('<section class="card" id="summary">')[1].split("</section>")[0]
    assert zh.count("<li>") == len(items) and "建议：" in zh


def _figure_titles(html: str) -> list[str]:
    titles = []
    for script in re.findall(r"Plotly\.newPlot\((.*?)\)\s*};?", html, re.S):
        m = re.search(r'"title":\{"text":"((?:[^"\\]|\\.)*)"', script.split('"layout":', 1)[-1])
        if m:
            titles.append(json.loads(f'"{m.group(1)}"'))
    return titles


def test_no_chart_appears_twice(demo_reports: dict[str, str]) -> None:
    for lang in ("en", "zh"):
        titles = _figure_titles(demo_reports[lang])
        assert len(titles) > 20
        repeated = {t: n for t, n in Counter(titles).items() if n > 1 and t}
        # one chart per title, except the three Kaplan-Meier views whose titles differ by their split
        assert repeated == {}, repeated
    en = demo_reports["en"]
    assert "Monthly orders and revenue" not in en  # the timing section no longer repeats the KPI chart


def test_long_tables_are_collapsed(demo_reports: dict[str, str]) -> None:
    html = demo_reports["en"]
    assert html.count('<details class="more-rows">') >= 3
    for table in re.findall(r'<div class="table-wrap">\s*<table>(.*?)</table>', html, re.S):
        if "<details" not in table:
            assert table.count("<tr>") <= COLLAPSE_AFTER + 3  # header + up to 12 rows (2 are never hidden)


def test_chinese_report_has_no_untranslated_english(demo_reports: dict[str, str]) -> None:
    allowed = set(json.loads(demo_reports["data_words"]))
    leaks = english_words(html_texts(demo_reports["zh"]), allowed)
    assert leaks == {}, "untranslated words in the zh report (word: where):\n" + "\n".join(
        f"{w}: {t}" for w, t in sorted(leaks.items()))


def test_scanner_catches_english() -> None:
    html = ('<p>客户 Revenue</p><script>var x = "Plotly.newPlot(\'a\', [{"name":"Orders"}], '
            '{"title":{"text":"销售额"}})";</script><td>M123 北京</td><span lang="en">detail text</span>')
    leaks = english_words(html_texts(html), {"M123"})
    assert set(leaks) == {"Revenue", "Orders"}
    assert english_words(["BG/NBD 模型 ROC-AUC 0.8，Kaplan-Meier，_quarantine，`custlens clv`"]) == {}
