"""Dashboard pages: both languages, offline (no external script), the report's sections and style."""

from __future__ import annotations

import re

import pytest

from custlens import i18n
from custlens.server.pages import NAV, report_css


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("path", [href for _, href in NAV])
def test_every_page_renders_offline_in_both_languages(client, path, lang) -> None:
    res = client.get(f"{path}?lang={lang}")
    assert res.status_code == 200
    html = res.text
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html
    for key, _ in NAV:
        assert i18n.t(f"server.nav.{key}", lang) in html
    assert not re.search(r'<script[^>]+src="(https?:)?//', html), "a script from the internet"
    assert not re.search(r'<link[^>]+href="(https?:)?//', html)
    assert report_css()[:200] in html  # the report's style sheet


def test_charts_use_the_local_plotly(client) -> None:
    html = client.get("/").text
    assert '<script src="/static/plotly.min.js"></script>' in html and "Plotly.newPlot" in html
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("application/javascript")
    assert len(js.content) > 1_000_000 and b"plotly" in js.content[:2000].lower()


def test_overview_shows_the_report_kpis(client) -> None:
    kpis = client.get("/api/kpis").json()
    html = client.get("/?lang=en").text
    assert f"{kpis['orders']:,}" in html


def test_customer_page_numbers_are_the_360(client) -> None:
    cid = client.get("/api/customers?q=M1&limit=1").json()["customers"][0]["customer_id"]
    d = client.get(f"/api/customers/{cid}").json()
    for lang in ("en", "zh"):
        html = client.get(f"/customers/{cid}?lang={lang}").text
        assert f'data-field="orders" data-value="{d["orders"]}"' in html
        assert f'data-field="revenue" data-value="{d["revenue"]}"' in html
        assert f"{d['revenue']:,.2f}" in html
        assert i18n.t(f"segment.rfm11.{d['segment']}.name", lang) in html


def test_search_page_lists_matches_and_unknown_customer_is_404(client) -> None:
    html = client.get("/customers?q=M1000&lang=zh").text
    total = client.get("/api/customers?q=M1000&limit=1").json()["total"]
    assert i18n.t("server.search.results", "zh", n=f"{total:,}") in html
    assert client.get("/customers/nobody-xyz").status_code == 404
    assert "nobody-xyz" not in client.get("/customers/nobody-xyz").text


def test_churn_page_lists_both_lists(client) -> None:
    html = client.get("/churn?lang=zh").text
    assert i18n.t("server.churn.watch", "zh") in html and i18n.t("server.churn.winback", "zh") in html
