"""Kaplan-Meier curves against a hand computation, the Cox sentences, retention on the demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.churn import cox_model, lifetimes, retention_curves
from custlens.churn.survival import kaplan_meier, survival_at
from custlens.churn.survival import MIN_GROUP


def _table(n: int) -> pd.DataFrame:
    """Half the customers lapsed (last order long ago), half active."""
    rng = np.random.default_rng(3)
    recency = rng.integers(0, 300, n).astype(float)
    since = np.where(np.arange(n) % 2 == 0, 400.0, 10.0)
    return pd.DataFrame({"days_since_last": since, "recency_days": recency, "T_days": recency + since,
                         "aov": rng.gamma(2, 50, n), "discount_share": rng.random(n) * 0.3,
                         "return_rate": rng.random(n) * 0.2}, index=[f"c{i}" for i in range(n)])


def test_lifetimes_event_and_duration() -> None:
    """Lapsed and active alike end at their last order (+1: the first-order day is day 1)."""
    t = pd.DataFrame({"days_since_last": [100.0, 10.0, 300.0], "recency_days": [30.0, 50.0, 0.0],
                      "T_days": [130.0, 60.0, 300.0]})
    life = lifetimes(t, 90)
    assert life["event"].tolist() == [1, 0, 1]
    assert life["duration"].tolist() == [31.0, 51.0, 1.0]  # not 60 (the active customer's age)


def test_kaplan_meier_by_hand() -> None:
    """Durations 1, 2, 2, 3, 5 with events 1, 1, 0, 1, 0.

    S(1) = 4/5; S(2) = 4/5 x (1 - 1/4) = 0.6 (the censored 2 is still at risk at 2);
    S(3) = 0.6 x (1 - 1/2) = 0.3; S(5) = 0.3 (censored).
    """
    km = kaplan_meier([1, 2, 2, 3, 5], [1, 1, 0, 1, 0])
    assert km["days"].tolist() == [0, 1, 2, 3, 5]
    assert km["at_risk"].tolist() == [5, 5, 4, 2, 1]
    assert km["retention"].tolist() == pytest.approx([1.0, 0.8, 0.6, 0.3, 0.3])
    assert survival_at(km, 2.5) == pytest.approx(0.6)
    assert np.isnan(survival_at(km, 6))  # past the end, curve above 0: unknown
    ended = kaplan_meier([1, 2], [1, 1])
    assert survival_at(ended, 2) == 0.0 and survival_at(ended, 400) == 0.0  # reached 0: stays 0


def test_kaplan_meier_matches_lifelines() -> None:
    """The same step function as lifelines' KaplanMeierFitter on a random censored sample with ties."""
    lifelines = pytest.importorskip("lifelines")
    rng = np.random.default_rng(11)
    t = rng.integers(0, 60, 300).astype(float)
    e = (rng.random(300) < 0.6).astype(int)
    ref = lifelines.KaplanMeierFitter().fit(t, e).survival_function_
    km = kaplan_meier(t, e)
    assert km["days"].tolist() == ref.index.tolist()
    np.testing.assert_allclose(km["retention"].to_numpy(), ref.iloc[:, 0].to_numpy(), rtol=1e-12)


def test_curves_start_at_full_retention_with_one_time_buyers() -> None:
    """20 customers: 10 one-time buyers who lapsed, 10 still active censored at day 101.

    Old lifetimes (duration 0 for one-time buyers) put 50% at day 0; now day 0 is 100% and the
    one-time buyers leave at day 1. The curve ends at 50% at day 101: day 180 is unknown (NaN).
    """
    n = MIN_GROUP
    t = pd.DataFrame({"days_since_last": [200.0] * (n // 2) + [5.0] * (n // 2),
                      "recency_days": [0.0] * (n // 2) + [100.0] * (n // 2),
                      "T_days": [200.0] * (n // 2) + [105.0] * (n // 2)})
    res = retention_curves(t, 90, {"channel": pd.Series(["all"] * n)})
    row = res.groups.iloc[0]
    assert row["customers"] == n and row["churned"] == n // 2
    curve = res.curves.set_index("days")["retention"]
    assert curve.loc[0] == 1.0 and curve.loc[1] == pytest.approx(0.5) and curve.index.max() == 101
    assert np.isnan(row["retention_180"])
    # everybody lapsed: the curve reaches 0 and retention at 180 / 365 days reads 0, not NaN
    gone = t.assign(days_since_last=200.0)
    row = retention_curves(gone, 90, {"channel": pd.Series(["all"] * n)}).groups.iloc[0]
    assert row["retention_180"] == 0.0 and row["retention_365"] == 0.0


def test_cox_sentences_read_each_ratio_in_both_languages() -> None:
    table, sentences, note = cox_model(_table(200), 90)
    assert note == "" and len(table) == len(sentences) == 3
    for row, s in zip(table.itertuples(), sentences):
        en, zh = s.text("en"), s.text("zh")
        assert f"{row.hazard_ratio:.2f}" in en and f"{row.hazard_ratio:.2f}" in zh
        assert ("faster" in en) == (row.hazard_ratio >= 1)
        assert ("流失快" in zh) == (row.hazard_ratio >= 1)


@pytest.mark.slow
def test_retention_on_the_demo(churn_demo) -> None:
    from custlens.churn import retention_analysis

    result, st, _ = churn_demo
    surv = retention_analysis(st, horizon_days=result.horizon.days)
    assert set(surv.curves["by"]) == {"acquisition", "first_value", "channel", "cohort"}  # no RFM segment
    assert surv.curves["retention"].between(0, 1).all()
    first = surv.curves[surv.curves["days"] == 0]
    assert len(first) == surv.groups.shape[0] and (first["retention"] == 1.0).all()  # every curve starts at 100%
    whole = surv.groups[surv.groups["by"] != "cohort"]  # young cohorts are legitimately unknown at 365 days
    assert whole[["retention_180", "retention_365"]].notna().all().all()
    assert len(surv.sentences) == 4 and all(s.text("zh") for s in surv.sentences)
    assert len(surv.cox) >= 5 and (surv.cox["hazard_ratio"] > 0).all()
    assert surv.cox_penalizer == 0.0  # the plain fit converges on the demo
    # the demo's live-stream (直播) acquisition raises the dropout propensity, organic (自然) lowers it
    hr = surv.cox.set_index("covariate")["hazard_ratio"]
    assert hr["acquisition_channel=直播"] > hr["acquisition_channel=自然"]
