"""Start-up at scale: nothing waits for the CLV/churn fits, the 360 never rebuilds the customer table,
saved scores are used only when they are as of the store's date.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from servertools import AUTH, TOKEN

from custlens import i18n
from custlens.server import analyses as server_analyses
from custlens.server.app import create_app
from custlens.store import Store

BODY = {"orders": [{"ordered_at": "2024-01-05T10:00:00", "amount": 30.0},
                   {"ordered_at": "2024-02-11T12:00:00", "amount": 45.0}]}


def _poll(client: TestClient, url: str, until: float = 600) -> dict:
    deadline = time.monotonic() + until
    while time.monotonic() < deadline:
        status = client.get(url).json()
        if status["models"] in ("ready", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError("the models were not fitted in time")


@pytest.fixture()
def gated(demo_path: Path, client: TestClient, monkeypatch: pytest.MonkeyPatch):
    """An app over the demo store whose model fit waits for a gate (the real fit, started by the test)."""
    gate = threading.Event()
    real = server_analyses.fit_models

    def slow_fit(store):
        assert gate.wait(120), "the test never opened the gate"
        return real(store)

    monkeypatch.setattr(server_analyses, "fit_models", slow_fit)
    app = create_app(str(demo_path), TOKEN)
    app.state.analyses.fit_in_process = False  # the patched fit runs in this process
    c = TestClient(app, headers=AUTH)
    yield c, gate
    gate.set()
    app.state.analyses.state.wait("fitted", 300)


def test_score_answers_503_with_retry_after_until_the_models_are_fitted(gated) -> None:
    c, gate = gated
    res = c.post("/api/score?lang=zh", json=BODY)
    assert res.status_code == 503
    assert int(res.headers["Retry-After"]) > 0
    assert res.json() == {"detail": i18n.t("server.not_ready.fitted", "zh")}
    assert res.json()["detail"] != i18n.t("server.not_ready.fitted", "en")
    # everything that does not need the models answers while they are fitted
    for url in ("/api/kpis", "/api/customers?q=M", "/api/segments", "/", "/customers"):
        assert c.get(url).status_code == 200, url
    status = c.get("/api/status").json()
    assert status["models"] == "computing" and status["score"] == "computing"
    assert status["index"] == "ready" and status["churn_lists"] == "computing"
    cid = c.get("/api/customers?limit=1").json()["customers"][0]["customer_id"]
    assert c.get(f"/api/customers/{cid}").status_code == 200
    # the churn page says the lists are being computed instead of waiting (demo store: no saved churn scores)
    page = c.get("/churn?lang=en")
    assert page.status_code == 200 and 'id="computing"' in page.text
    assert str(escape(i18n.t("server.scores.missing.churn", "en"))) in page.text
    watch = c.get("/api/churn/watch")
    assert watch.status_code == 503 and "Retry-After" in watch.headers
    assert gate.is_set() is False
    gate.set()
    assert _poll(c, "/api/status")["models"] == "ready"
    ok = c.post("/api/score?lang=en", json=BODY)
    assert ok.status_code == 200 and 0.0 <= ok.json()["churn_probability"] <= 1.0
    assert c.get("/api/churn/watch").json()["source"] == "computed"
    assert 'id="watch"' in c.get("/churn").text


def test_the_360_does_not_rebuild_the_customer_table_per_request(client, monkeypatch) -> None:
    import importlib

    import custlens.features as features

    ct = importlib.import_module("custlens.features.customer_table")
    client.get("/api/kpis")  # the index exists before the count starts (built once per store state)
    calls = []

    def counting(*args, **kwargs):
        calls.append(1)
        raise AssertionError("the customer table was rebuilt")

    monkeypatch.setattr(features, "customer_table", counting)
    monkeypatch.setattr(ct, "customer_table", counting)
    monkeypatch.setattr(ct, "customer_table_expr", counting)
    ids = [c["customer_id"] for c in client.get("/api/customers?limit=30").json()["customers"]]
    assert len(ids) == 30
    for cid in ids:
        assert client.get(f"/api/customers/{cid}").status_code == 200
        assert client.get(f"/customers/{cid}").status_code == 200
    assert calls == []


@pytest.fixture(scope="module")
def churn_saved(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo store with churn scores saved as of the store's date (and the CLV ones of the demo)."""
    from custlens import analyses

    path = tmp_path_factory.mktemp("saved") / "saved.duckdb"
    shutil.copy(demo_path, path)
    st = Store(path)
    try:
        analyses.save_churn(st, analyses.churn(st))
    finally:
        st.close()
    return path


def test_fresh_saved_scores_serve_the_lists_without_any_fit(churn_saved, monkeypatch) -> None:
    def no_fit(store):
        raise AssertionError("the lists must come from the saved scores")

    monkeypatch.setattr(server_analyses, "fit_models", no_fit)
    app = create_app(str(churn_saved), TOKEN)
    app.state.analyses.fit_in_process = False
    c = TestClient(app, headers=AUTH)
    status = c.get("/api/status").json()
    assert status["saved_scores"]["churn"]["state"] == "ok" and status["saved_scores"]["clv"]["state"] == "ok"
    assert status["churn_lists"] == "saved" and status["clv_lists"] == "saved"
    watch = c.get("/api/churn/watch?limit=5").json()
    assert watch["source"] == "saved" and watch["saved"]["state"] == "ok"
    with Store(churn_saved, read_only=True) as st:
        n_saved = st.count("churn_scores")
        best = st._con.execute("SELECT customer_id FROM clv_scores ORDER BY clv DESC, customer_id LIMIT 1").fetchone()[0]
    assert 0 < watch["total"] <= n_saved
    assert c.get("/api/clv/top?limit=1").json()["customers"][0]["customer_id"] == best
    assert 'id="watch"' in c.get("/churn").text
    c.app.state.analyses.state.wait("fitted", 1)
    assert c.app.state.analyses.state.status("fitted") == "waiting"  # no fit was started


def test_stale_saved_scores_are_flagged_and_not_served(churn_saved, tmp_path: Path) -> None:
    path = tmp_path / "stale.duckdb"
    shutil.copy(churn_saved, path)
    with Store(path) as st:  # as if saved a month before the store's last orders
        st._con.execute("UPDATE churn_scores SET as_of = as_of - INTERVAL 30 DAY")
        st._con.execute("UPDATE clv_scores SET as_of = as_of - INTERVAL 30 DAY")
    app = create_app(str(path), TOKEN)
    c = TestClient(app, headers=AUTH)
    status = c.get("/api/status").json()
    assert status["saved_scores"]["churn"]["state"] == "stale"
    assert status["saved_scores"]["clv"]["state"] == "stale"
    assert status["churn_lists"] in ("computing", "waiting", "ready", "computed")
    # not the stale table: the lists wait for the server's own fit
    res = c.get("/api/churn/watch")
    assert res.status_code == 503 and "Retry-After" in res.headers
    assert c.get("/api/clv/top").status_code == 503
    page = c.get("/churn?lang=zh").text
    saved = status["saved_scores"]["churn"]
    assert str(escape(i18n.t("server.scores.stale.churn", "zh", as_of=saved["as_of"], wanted=saved["wanted"]))) in page
    cid = c.get("/api/customers?limit=1").json()["customers"][0]["customer_id"]
    d = c.get(f"/api/customers/{cid}").json()
    assert d["clv"] is None and d["churn"] is None and d["scores"]["clv"]["state"] == "stale"
    assert 'data-stale="clv"' in c.get(f"/customers/{cid}").text
    app.state.analyses.state.wait("fitted", 600)
    assert c.get("/api/clv/top?limit=1").json()["source"] == "computed"
