"""Kaplan-Meier curves against a hand computation, the Cox sentences, retention on the demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.churn import cox_model, lifetimes, retention_curves
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
    t = pd.DataFrame({"days_since_last": [100.0, 10.0], "recency_days": [30.0, 50.0], "T_days": [130.0, 60.0]})
    life = lifetimes(t, 90)
    assert life["event"].tolist() == [1, 0]
    assert life["duration"].tolist() == [30.0, 60.0]


def test_kaplan_meier_by_hand() -> None:
    # 20 customers: 10 lapsed at day 0, 10 censored at day 100 -> retention 50% after day 0
    n = MIN_GROUP
    t = pd.DataFrame({"days_since_last": [200.0] * (n // 2) + [5.0] * (n // 2),
                      "recency_days": [0.0] * n, "T_days": [200.0] * (n // 2) + [100.0] * (n // 2)})
    res = retention_curves(t, 90, {"segment": pd.Series(["all"] * n)})
    row = res.groups.iloc[0]
    assert row["customers"] == n and row["churned"] == n // 2
    assert res.curves.loc[res.curves["days"] == 0, "retention"].iloc[0] == pytest.approx(0.5)
    assert np.isnan(row["retention_180"])  # longest observed lifetime is 100 days: no extrapolation


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
    assert set(surv.curves["by"]) == {"segment", "channel", "cohort"}
    assert surv.curves["retention"].between(0, 1).all()
    assert len(surv.sentences) == 3 and all(s.text("zh") for s in surv.sentences)
    assert len(surv.cox) >= 5 and (surv.cox["hazard_ratio"] > 0).all()
    # the demo's live-stream (直播) acquisition raises the dropout propensity, organic (自然) lowers it
    hr = surv.cox.set_index("covariate")["hazard_ratio"]
    assert hr["acquisition_channel=直播"] > hr["acquisition_channel=自然"]
