"""Lifecycle: states and stages by hand on the toy shop, transitions, and the demo's true churners."""

from __future__ import annotations

import pandas as pd
import pytest
import toyshop

from custlens.errors import InputError
from custlens.lifecycle import (
    StageRules,
    customer_stages,
    lifecycle,
    period_states,
    transitions,
)

#: Short thresholds for the toy shop (days): new 30, active 40, churned after 60, mature 4 orders, gap 45.
RULES = StageRules(new_days=30, active_days=40, churn_days=60, mature_orders=4, reactivation_gap_days=45)


def test_period_states_by_hand(toy) -> None:
    """Jan: a, b new. Feb: c, d new, a and b lapse. Mar: a resurrects, d returns, f new; b, c dormant."""
    p = period_states(toy, as_of=toyshop.AS_OF)
    p.index = p["period"].dt.strftime("%Y-%m")
    cols = ["new", "returning", "resurrecting", "dormant", "lapsed"]
    assert p.loc["2024-01", cols].tolist() == [2, 0, 0, 0, 0]
    assert p.loc["2024-02", cols].tolist() == [2, 0, 0, 2, 2]
    assert p.loc["2024-03", cols].tolist() == [1, 1, 1, 2, 1]
    assert p.loc["2024-03", "revenue_resurrecting"] == 30.0 and p.loc["2024-03", "revenue_returning"] == 90.0
    assert p["complete"].all()


def test_stages_by_hand(toy) -> None:
    """As of 1 Apr: a reactivated (gap 50 >= 45, last 22 days ago), b churned (77 days), c at risk (50),
    d mature (10 orders), e prospect, f new (first order 7 days ago)."""
    st = customer_stages(toy, as_of=toyshop.AS_OF, rules=RULES).set_index("customer_id")["stage"]
    assert st.to_dict() == {"a": "reactivated", "b": "churned", "c": "at_risk", "d": "mature", "e": "prospect",
                            "f": "new"}
    # 5 Mar: a last bought 45 days ago, b 50 (at risk); c first 33 days ago, last 23 (active); d new
    d = customer_stages(toy, as_of="2024-03-05", rules=RULES).set_index("customer_id")["stage"]
    assert d.to_dict() == {"a": "at_risk", "b": "at_risk", "c": "active", "d": "new", "e": "prospect"}  # no f yet


def test_value_per_stage_and_clv(toy) -> None:
    toy.write("clv_scores", pd.DataFrame({"customer_id": ["a", "d"], "clv": [100.0, 300.0], "model": "bgnbd",
                                          "horizon_days": 365.0, "as_of": pd.Timestamp(toyshop.AS_OF)}))
    stale = lifecycle(toy, as_of="2024-03-05", rules=RULES)  # scores of 1 Apr are not those of 5 Mar
    assert "clv" not in stale.stages.columns and stale.clv_scores["state"] == "stale"
    res = lifecycle(toy, as_of=toyshop.AS_OF, rules=RULES)
    assert res.clv_scores["state"] == "ok" and res.to_dict()["clv_scores"]["model"] == "bgnbd"
    s = res.stages.set_index("stage")
    assert s["customers"].sum() == 6 and s.loc["active", "customers"] == 0
    assert s.loc["mature", "revenue"] == 150.0 and s.loc["reactivated", "revenue_share"] == pytest.approx(180 / 740)
    assert s.loc["mature", "clv_share"] == pytest.approx(0.75)
    assert list(s.index) == ["prospect", "new", "active", "mature", "reactivated", "at_risk", "churned"]


def test_transitions_between_two_dates(toy) -> None:
    tr = transitions(toy, "2024-03-05", toyshop.AS_OF, RULES)
    c = tr.counts
    assert c.loc["new", "mature"] == 1 and c.loc["active", "at_risk"] == 1  # d, c
    assert c.loc["at_risk", "reactivated"] == 1 and c.loc["at_risk", "churned"] == 1  # a, b
    assert c.loc["not_acquired", "new"] == 1 and c.loc["prospect", "prospect"] == 1  # f, e
    assert c.to_numpy().sum() == 6 and tr.shares.sum(axis=1).round(12).eq(1).all()
    # the stages at date_to handed in (the report's) give the same matrix
    handed = transitions(toy, "2024-03-05", toyshop.AS_OF, RULES,
                         stages_to=customer_stages(toy, toyshop.AS_OF, RULES))
    pd.testing.assert_frame_equal(handed.counts, c)
    # lifecycle(transitions_from=) reads both dates in one pass; its JSON is `custlens lifecycle --from --json`'s
    res = lifecycle(toy, as_of=toyshop.AS_OF, rules=RULES, transitions_from="2024-03-05")
    pd.testing.assert_frame_equal(res.transitions.counts, c)
    assert res.to_dict()["transitions"] == {"from": "2024-03-05", "to": "2024-04-01",
                                            "counts": c.to_dict(orient="index")}
    with pytest.raises(InputError, match="before"):
        transitions(toy, toyshop.AS_OF, "2024-03-01")
    with pytest.raises(InputError, match="new_days"):
        StageRules(new_days=200, active_days=100)


def test_demo_stages_separate_true_churners(demo, demo_run) -> None:
    truth = pd.read_csv(demo_run.out_dir / "exports" / "customers_truth.csv", dtype={"customer_id": str})
    st = customer_stages(demo).merge(truth[["customer_id", "alive_at_end", "buyer"]], on="customer_id")
    truth["churn_at"] = pd.to_datetime(truth["churn_at"])
    st = st.merge(truth[["customer_id", "churn_at", "lambda_per_day"]], on="customer_id")
    as_of = demo.default_as_of()
    # Customers who truly dropped out more than a year ago (their last purchase) are all "churned";
    # those who dropped out 6-12 months ago are "at risk".
    long_dead = st[st["churn_at"] < as_of - pd.Timedelta(days=366)]
    assert len(long_dead) > 50 and (long_dead["stage"] == "churned").mean() > 0.95
    recent = st[st["churn_at"].between(as_of - pd.Timedelta(days=364), as_of - pd.Timedelta(days=182))]
    assert (recent["stage"] == "at_risk").mean() > 0.9
    # Stages order the true purchase rates: mature buyers buy far more often than churned ones.
    lam = st.groupby("stage")["lambda_per_day"].mean()
    assert lam["mature"] > 3 * lam["churned"] and lam["mature"] > lam["active"]
    assert (st.loc[st["stage"] == "prospect", "buyer"] == False).all()  # noqa: E712
    assert len(st) == len(truth)
