"""The dashboard in Debian's chromium (Playwright, no browser download): log in, search, open the 360.

The numbers on the 360 page must be those of ``custlens customer ID --json``, in English and
Chinese. On failure a screenshot is saved and its path printed. Chromium comes from the
project's set-up (``make browser``); without it these tests fail, they never skip.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custlens import i18n
from custlens.cli import app as cli
from custlens.report.formatting import fmt_int, fmt_money, fmt_pct
from servertools import TOKEN, live_server

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (installs Debian's chromium) before the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def base_url(client):
    client.app.state.analyses.index()
    with live_server(client.app) as url:
        yield url


def _cli_360(store: Path, cid: str) -> dict:
    res = CliRunner().invoke(cli, ["customer", cid, "--store", str(store), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_login_search_and_360_match_the_cli(browser, base_url, demo_path, client, lang) -> None:
    with_scores = client.get("/api/clv/top?limit=1").json()["customers"][0]["customer_id"]
    expected = _cli_360(demo_path, with_scores)
    context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-US")
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None)
    try:
        page.goto(f"{base_url}/login?lang={lang}")
        page.fill("#token", TOKEN)
        page.click("#login")
        page.wait_for_url(f"{base_url}/?lang={lang}")
        assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
        cookie = next(c for c in context.cookies() if c["name"] == "custlens_token")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert page.evaluate("document.cookie") == ""  # scripts cannot read the token

        page.click('nav a[data-page="customers"]')
        page.fill("#q", with_scores[:-2])
        page.click("#search-submit")
        page.click(f'a.customer-link:text-is("{with_scores}")')
        page.wait_for_selector("#c360")
        assert page.locator("#c360").get_attribute("data-customer") == with_scores

        def field(name: str):
            loc = page.locator(f'[data-field="{name}"]')
            return loc.get_attribute("data-value"), loc.inner_text()

        assert field("orders") == (str(expected["orders"]), fmt_int(expected["orders"]))
        assert field("revenue") == (repr(expected["revenue"]), fmt_money(expected["revenue"]))
        assert field("aov")[0] == repr(expected["aov"])
        assert field("days_since_last")[0] == repr(expected["days_since_last"])
        assert field("segment")[1] == i18n.t(f"segment.rfm11.{expected['segment']}.name", lang)
        assert field("lifecycle_stage")[0] == expected["lifecycle_stage"]
        assert field("clv") == (repr(expected["clv"]["clv"]), fmt_money(expected["clv"]["clv"]))
        assert field("p_alive") == (repr(expected["clv"]["p_alive"]), fmt_pct(expected["clv"]["p_alive"]))
        assert i18n.t("server.360.revenue", lang) in page.locator("#c360").text_content()  # CSS upper-cases labels
        assert not outside, f"requests left the server: {outside[:3]}"
        charts = page.goto(f"{base_url}/?lang={lang}")
        assert charts.ok and page.evaluate("typeof Plotly") == "object"
    except Exception:
        shot = Path(tempfile.mkdtemp(prefix="custlens-browser-")) / f"failure_{lang}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failure: {shot}")
        raise
    finally:
        context.close()
