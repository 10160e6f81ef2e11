"""The executive summary: each rule fires on strong evidence and stays silent on weak evidence."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from custlens.report import summary as S
from custlens.segments.migration import NEW, NONE, MigrationResult


def _migration(before: dict[str, int], after: dict[str, int]) -> MigrationResult:
    """A migration whose segment sizes are ``before`` and ``after`` (everyone stays put, the
    difference arrives from or leaves to outside)."""
    segs = list(before)
    m = pd.DataFrame(0, index=segs + [NEW], columns=segs + [NONE])
    for s in segs:
        stay = min(before[s], after[s])
        m.loc[s, s] = stay
        m.loc[s, NONE] = before[s] - stay
        m.loc[NEW, s] = after[s] - stay
    return MigrationResult("rfm11", pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-31"),
                           pd.DataFrame(), m, pd.DataFrame())


def test_segment_shift_fires_on_the_largest_change() -> None:
    f = S.segment_shift(_migration({"champions": 100, "at_risk": 50}, {"champions": 104, "at_risk": 90}), "en")
    assert f is not None and f.key == "segment_shift" and f.section == "segments"
    assert f.numbers == {"before": 50.0, "after": 90.0, "change": 40.0}
    assert f.text["change"] == "+80%" and f.text["days"] == "90"
    assert "At Risk" in f.sentence("en") and "50" in f.sentence("en") and "90" in f.sentence("en")
    zh = S.segment_shift(_migration({"champions": 100, "at_risk": 50}, {"champions": 104, "at_risk": 90}), "zh")
    assert zh.sentence("zh") == "过去 90 天“有流失风险”分群的客户数从 50 变为 90（+80%）。"
    assert zh.action("zh") != f.action("en") and "win-back" in f.action("en")


def test_segment_shift_silent_for_small_groups_and_small_changes() -> None:
    assert S.segment_shift(_migration({"at_risk": 10}, {"at_risk": 25}), "en") is None  # under 30 customers
    assert S.segment_shift(_migration({"at_risk": 100}, {"at_risk": 110}), "en") is None  # +10% < 20%


def _churn(n: int, auc: float, loss: float = 10.0) -> SimpleNamespace:
    return SimpleNamespace(early_warning=pd.DataFrame({"expected_loss": [loss] * n}), auc=auc)


def test_revenue_at_risk() -> None:
    f = S.revenue_at_risk(_churn(40, 0.8, 25.0), revenue=10_000, lang="en")
    assert f is not None and f.numbers["value"] == 1000.0 and f.numbers["customers"] == 40
    assert f.numbers["revenue_share"] == pytest.approx(0.1)
    assert "40 still-active customers" in f.sentence("en") and "1.00K" in f.sentence("en")
    assert "40 位" in f.sentence("zh")
    assert S.revenue_at_risk(_churn(29, 0.8), 10_000, "en") is None  # small list
    assert S.revenue_at_risk(_churn(40, 0.55), 10_000, "en") is None  # model barely beats guessing
    assert S.revenue_at_risk(None, 10_000, "en") is None  # churn not computed


def test_value_concentration() -> None:
    abc = SimpleNamespace(top20_share=0.634, gini=0.5812)
    f = S.value_concentration(abc, customers=500, lang="zh")
    assert f is not None and f.text == {"share": "63%", "gini": "0.58"}
    assert f.sentence("zh") == "前 20% 的客户贡献了 63% 的销售额（基尼系数 0.58）。"
    assert S.value_concentration(abc, customers=20, lang="en") is None


def _cohorts(sizes: list[int], active: list[int]) -> SimpleNamespace:
    starts = pd.date_range("2024-01-01", periods=len(sizes), freq="MS")
    table = pd.DataFrame({"cohort": starts, "period": 3, "active": active,
                          "retention": np.array(active) / np.array(sizes)})
    return SimpleNamespace(table=table, cohorts=pd.DataFrame({"cohort": starts, "customers": sizes}))


def test_cohort_spread_needs_a_significant_difference() -> None:
    f = S.cohort_spread(_cohorts([100, 100, 100], [40, 25, 10]), "en")
    assert f is not None
    assert (f.text["best_cohort"], f.text["worst_cohort"]) == ("2024-01", "2024-03")
    assert f.numbers["best"] == 0.4 and f.numbers["worst"] == 0.1 and f.numbers["p_value"] < 1e-4
    assert f.text["p"] == "< 0.001"
    # 12% against 10% in groups of 100: chance (chi-square p ~ 0.9)
    assert S.cohort_spread(_cohorts([100, 100, 100], [12, 11, 10]), "en") is None
    # a striking cohort of 20 customers does not compete; one cohort left, nothing to compare
    assert S.cohort_spread(_cohorts([20, 100], [15, 10]), "en") is None


def _forecast(future: float, past: float, chosen: float = 0.8, base: float = 1.0) -> SimpleNamespace:
    fc = pd.DataFrame({"mean": [future] * 28})
    return SimpleNamespace(forecast=fc, history=pd.DataFrame({"y": [past] * 100}), chosen_mase=chosen,
                           baseline_mase=base, model="AutoETS")


def test_revenue_forecast_direction_and_evidence() -> None:
    up = S.revenue_forecast(_forecast(120, 100), "en")
    assert up is not None and up.numbers["total"] == 3360 and up.numbers["past"] == 2800
    assert up.text["change"] == "+20%" and up.action_key.endswith("action_up")
    assert S.revenue_forecast(_forecast(80, 100), "en").action_key.endswith("action_down")
    assert S.revenue_forecast(_forecast(103, 100), "en").action_key.endswith("action_steady")
    assert S.revenue_forecast(_forecast(120, 100, chosen=1.1, base=1.0), "en") is None  # no better than naive
    assert S.revenue_forecast(_forecast(120, 100), "en", customers=4) is None  # a shop of 4 customers
    short = _forecast(120, 100)
    short.history = short.history.head(60)  # history shorter than three horizons
    assert S.revenue_forecast(short, "en") is None


def _campaign(p_holm: float, n: int = 300, lift: float = 0.1) -> SimpleNamespace:
    metrics = pd.DataFrame([{"name": "converted", "n_control": n, "n_treatment": n, "control": 0.1,
                             "treatment": 0.1 + lift, "lift": lift, "p_value": p_holm / 3, "p_holm": p_holm}])
    return SimpleNamespace(metrics=metrics, roi=None, info={"campaign_id": "C1"})


def test_campaign_result_only_when_significant_after_correction() -> None:
    f = S.campaign_result(_campaign(0.0004), "en")
    assert f is not None and f.text["lift"] == "+10.0" and f.text["p"] == "< 0.001"
    assert f.action_key.endswith("action_up")
    assert S.campaign_result(_campaign(0.01, lift=-0.05), "en").action_key.endswith("action_down")
    assert S.campaign_result(_campaign(0.06), "en") is None  # raw p 0.02 but Holm 0.06
    assert S.campaign_result(_campaign(0.001, n=20), "en") is None  # groups too small


def test_findings_sorted_by_strength_and_capped() -> None:
    ctx = SimpleNamespace(lang="en", cache={
        "churn": _churn(40, 0.8, 25.0), "headline_kpis": {"revenue": 10_000.0},
        "segments:abc": SimpleNamespace(detail=SimpleNamespace(top20_share=0.5, gini=0.4)),
        "customers": pd.DataFrame({"customer_id": range(100)}),
        "campaigns:ab": _campaign(0.0004),
    })
    found = S.findings(ctx)  # type: ignore[arg-type]
    # campaign 1 - p ~ 1.0; at risk 10% of revenue -> 0.5; top 20% share 0.5: a tie keeps rule order
    assert [f.key for f in found] == ["campaign", "revenue_at_risk", "value_concentration"]
    assert all(b.strength <= a.strength for a, b in zip(found, found[1:]))
    assert S.findings(SimpleNamespace(lang="en", cache={})) == []  # type: ignore[arg-type]
