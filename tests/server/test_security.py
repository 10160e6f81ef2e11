"""Token, cookie, loopback rule, escaping and formula neutralisation."""

from __future__ import annotations

import csv
import io
import os
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from servertools import AUTH, FORMULA_CITY, FORMULA_ID, SCRIPT_ID, TOKEN, hostile_store
from custlens.cli import app as cli
from custlens.commands.serve import resolve_token
from custlens.errors import CustlensError
from custlens.server import auth
from custlens.server.analyses import neutralise
from custlens.server.app import create_app


@pytest.mark.parametrize("url", ["/api/kpis", "/api/customers/x", "/openapi.json"])
def test_every_call_needs_the_token(anon, url) -> None:
    res = anon.get(url)
    assert res.status_code == 401 and res.headers["www-authenticate"] == "Bearer"
    assert anon.get(url, headers={"Authorization": "Bearer wrong-token-0123456789"}).status_code == 401
    assert anon.get(url, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert anon.get(url, headers=AUTH).status_code != 401


@pytest.mark.parametrize("url", ["/", "/customers", "/customers/M10000019", "/churn", "/static/plotly.min.js"])
def test_pages_redirect_to_login_and_post_needs_the_token(anon, url) -> None:
    res = anon.get(url, follow_redirects=False)
    assert res.status_code == 303 and res.headers["location"] == "/login" and not res.content
    assert anon.post("/api/score", json={"orders": []}).status_code == 401


def test_login_sets_an_httponly_strict_cookie_and_logout_drops_it(client) -> None:
    c = TestClient(client.app)
    bad = c.post("/login", data={"token": "nope"}, follow_redirects=False)
    assert bad.status_code == 401 and "custlens_token" not in bad.headers.get("set-cookie", "")
    res = c.post("/login", data={"token": TOKEN}, follow_redirects=False)
    assert res.status_code == 303
    cookie = res.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert c.get("/api/kpis").status_code == 200  # the cookie is enough for the dashboard
    c.get("/logout")
    assert c.get("/api/kpis").status_code == 401


def test_token_comparison() -> None:
    assert auth.check("a" * 20, "a" * 20) and not auth.check("a" * 20, "a" * 19 + "b")
    assert not auth.check("a" * 20, None) and not auth.check("a" * 20, "")
    assert auth.is_loopback("127.0.0.1") and auth.is_loopback("::1") and auth.is_loopback("localhost")
    assert not auth.is_loopback("0.0.0.0") and not auth.is_loopback("192.168.1.5")


def test_serve_refuses_a_network_address_without_a_token() -> None:
    with pytest.raises(CustlensError, match="not a loopback address"):
        resolve_token("0.0.0.0", None, "en")
    with pytest.raises(CustlensError, match="16 characters"):
        resolve_token("0.0.0.0", "short", "en")
    token, generated = resolve_token("127.0.0.1", None, "en")
    assert generated and len(token) >= 32 and token != resolve_token("127.0.0.1", None, "en")[0]
    assert resolve_token("0.0.0.0", TOKEN, "en") == (TOKEN, False)


def test_serve_command_error_is_clean(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CUSTLENS_TOKEN", raising=False)
    res = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--store", str(tmp_path / "x.duckdb")])
    assert res.exit_code == 1 and "error:" in res.output and "Traceback" not in res.output
    assert "--token" in res.output and "CUSTLENS_TOKEN" in res.output


def test_serve_without_the_extra_names_it(monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a))
    res = CliRunner().invoke(cli, ["serve"])
    assert res.exit_code == 1 and "custlens[serve]" in res.output and "uvicorn" in res.output


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> TestClient:
    path = hostile_store(tmp_path_factory.mktemp("hostile") / "h.duckdb")
    return TestClient(create_app(str(path), TOKEN), headers=AUTH)


def test_data_is_escaped_in_pages(hostile) -> None:
    found = hostile.get("/customers?q=%3Cscript")
    assert found.status_code == 200
    assert found.url.path == "/customers/" + SCRIPT_ID  # the only match: straight to its page
    page = hostile.get("/customers/" + quote(SCRIPT_ID, safe=""))
    for res in (found, page):
        assert SCRIPT_ID not in res.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in res.text
    assert hostile.get("/api/customers/" + quote(SCRIPT_ID, safe="")).json()["customer_id"] == SCRIPT_ID


def test_audience_csv_neutralises_formulas(hostile) -> None:
    text = hostile.get("/api/segments/audience.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_id = {r["customer_id"]: r for r in rows}
    assert "'" + FORMULA_ID in by_id and "'-1+1" in by_id
    assert {r["city"] for r in rows} == {"'" + FORMULA_CITY}
    assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for v in r.values())
    assert by_id["plain"]["customer_id"] == "plain"


@pytest.mark.parametrize("value, expected", [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"),
                                             ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=1", "a=1"), (-1.5, -1.5)])
def test_neutralise(value, expected) -> None:
    assert neutralise(value) == expected


def test_store_is_read_only_and_reread_when_it_changes(tmp_path) -> None:
    from custlens.ingest import ingest
    import pandas as pd

    path = hostile_store(tmp_path / "s.duckdb")
    c = TestClient(create_app(str(path), TOKEN), headers=AUTH)
    assert c.get("/api/customers/newcomer").status_code == 404
    assert c.get("/api/kpis").status_code == 200
    time.sleep(0.01)
    from custlens.store import Store

    with Store(path) as st:  # a writer can open the file while the server runs
        ingest(pd.DataFrame({"order_id": ["n1"], "customer_id": ["newcomer"],
                             "ordered_at": [pd.Timestamp("2024-06-01")], "amount": [5.0]}), st, table="orders")
    os.utime(path)
    got = c.get("/api/customers/newcomer")
    assert got.status_code == 200 and got.json()["orders"] == 1
