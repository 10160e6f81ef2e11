"""`POST /api/score`: a store customer's own history gives back their saved scores.

The CLV and churn models are fitted once on the demo store (tens of seconds); posting the
orders, returns and profile of customers the models scored must reproduce their P(alive),
expected purchases and CLV (`custlens.clv.run_clv`) and their churn probability and reasons
(`custlens.churn.churn_analysis`). Customers with surveys, feedback or tickets are left out:
a posted history carries no voice-of-the-customer features.
"""

from __future__ import annotations

import pandas as pd
import pytest

from custlens.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fitted(client):
    return client.app.state.analyses.fitted()


def _history(st: Store, cid: str) -> dict:
    o = st._con.execute("""
        SELECT o.ordered_at, o.amount, o.discount, o.channel, any_value(i.category) AS category,
               count(DISTINCT i.category) AS n_categories
        FROM orders o LEFT JOIN order_items i USING (order_id) WHERE o.customer_id = ? GROUP BY ALL""", [cid]).df()
    r = st._con.execute("SELECT returned_at, amount FROM returns WHERE customer_id = ?", [cid]).df()
    p = st._con.execute("SELECT age, income, gender, city_tier, acquisition_channel, signup_at FROM customers "
                       "WHERE customer_id = ?", [cid]).df()
    body = {"orders": [{"ordered_at": x.ordered_at.isoformat(), "amount": x.amount,
                        "discount": None if pd.isna(x.discount) else x.discount,
                        "channel": x.channel, "category": x.category} for x in o.itertuples()],
            "returns": [{"returned_at": x.returned_at.isoformat(), "amount": x.amount} for x in r.itertuples()]}
    if len(p):
        row = p.iloc[0]
        body["profile"] = {k: (None if pd.isna(row[k]) else (float(row[k]) if k in ("age", "income") else row[k]))
                           for k in ("age", "income", "gender", "city_tier", "acquisition_channel")}
    ok = bool((o["n_categories"] <= 1).all()) and (not len(p) or pd.isna(p.iloc[0]["signup_at"])
                                                    or p.iloc[0]["signup_at"] >= o["ordered_at"].min().normalize())
    return body if ok else {}


def test_a_customers_own_history_reproduces_their_scores(client, demo_path, fitted) -> None:
    clv = fitted.clv.scores.set_index("customer_id")
    churn = fitted.churn.scores.set_index("customer_id")
    with Store(demo_path, read_only=True) as st:
        voc = {r[0] for t in ("surveys", "feedback", "tickets")
               for r in st._con.execute(f"SELECT DISTINCT customer_id FROM {t}").fetchall()}
        ids = [c for c in sorted(clv.index) if c not in voc]
        checked = 0
        for cid in ids[::25]:
            body = _history(st, cid)
            if not body:
                continue
            got = client.post("/api/score", json=body)
            assert got.status_code == 200, got.text
            g = got.json()
            assert g["p_alive"] == pytest.approx(clv.loc[cid, "p_alive"], rel=1e-9), cid
            assert g["expected_purchases"] == pytest.approx(clv.loc[cid, "expected_purchases"], rel=1e-9), cid
            assert g["clv"] == pytest.approx(clv.loc[cid, "clv"], rel=1e-9), cid
            assert g["churn_probability"] == pytest.approx(churn.loc[cid, "churn_probability"], abs=1e-12), cid
            assert g["reasons"] == churn.loc[cid, "reasons_en"], cid
            checked += 1
    assert checked >= 10


def test_score_in_chinese_and_its_fields(client, fitted) -> None:
    body = {"orders": [{"ordered_at": "2026-01-05T10:00:00", "amount": 120.0},
                       {"ordered_at": "2026-03-01T12:00:00", "amount": 80.0}]}
    en = client.post("/api/score", json=body).json()
    zh = client.post("/api/score?lang=zh", json=body).json()
    assert en["as_of"] == str(fitted.as_of.date()) and en["orders"] == 2 and en["total_spend"] == 200.0
    assert 0 <= en["p_alive"] <= 1 and 0 <= en["churn_probability"] <= 1 and en["clv"] >= 0
    assert en["risk_band"] in ("low", "medium", "high")
    assert zh["churn_probability"] == en["churn_probability"] and zh["reasons"] != en["reasons"]


@pytest.mark.parametrize("body", [
    {"orders": []},
    {"orders": [{"ordered_at": "2026-01-05", "amount": -1}]},
    {"orders": [{"ordered_at": "not a date", "amount": 1}]},
    {"orders": [{"ordered_at": "2026-01-05", "amount": 1, "extra": "field"}]},
    {"orders": [{"ordered_at": "2026-01-05", "amount": 1}], "profile": {"age": 300}},
])
def test_bad_bodies_are_422_without_their_values(client, body) -> None:
    res = client.post("/api/score", json=body)
    assert res.status_code == 422 and res.json()["detail"] == "invalid request"
    assert "not a date" not in res.text and "300" not in res.text


def test_orders_after_the_models_date_are_refused(client, fitted) -> None:
    later = (fitted.as_of + pd.Timedelta(days=3)).isoformat()
    res = client.post("/api/score", json={"orders": [{"ordered_at": later, "amount": 10}]})
    assert res.status_code == 422 and str(fitted.as_of.date()) in res.json()["reason"]


def test_churn_lists_without_saved_scores_come_from_the_fit(client, fitted) -> None:
    watch = client.get("/api/churn/watch?limit=5").json()
    assert watch["source"] == "computed" and watch["total"] == len(fitted.churn.early_warning)
    assert [c["customer_id"] for c in watch["customers"]] == list(fitted.churn.early_warning["customer_id"][:5])
    zh = client.get("/api/churn/winback?limit=3&lang=zh").json()
    assert zh["total"] == len(fitted.churn.win_back)
    assert zh["customers"][0]["risk_band"] == "已流失"  # the win-back list holds the lapsed band
