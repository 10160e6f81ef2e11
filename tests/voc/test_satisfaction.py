"""Satisfaction index: hand-computed toy values and the demo's planted drivers."""

from __future__ import annotations

import numpy as np
import pytest

from custlens.errors import InputError, MissingDataError
from custlens.voc import ahp, satisfaction_index
from custlens.voc.satisfaction import grade_of, mean_ci


def test_equal_weights_by_hand(survey_store) -> None:
    """Scores (1-5) map to (s-1)/4*100; equal weights average quality and delivery per answer.

    Answers: (5,5)->100, (4,5)->87.5, (3,1)->25, (2,3)->37.5, (1,2)->12.5, (4,4)->75; mean 56.25.
    """
    res = satisfaction_index(survey_store, weights="equal")
    assert res.index == pytest.approx(56.25)
    assert res.grade == "neutral"  # 40 <= 56.25 < 60
    q1, q2 = res.by_period["index"]
    assert q1 == pytest.approx((100 + 87.5 + 25) / 3) and q2 == pytest.approx((37.5 + 12.5 + 75) / 3)
    assert res.by_period["change"].iloc[1] == pytest.approx(q2 - q1)
    vals = np.array([100, 87.5, 25, 37.5, 12.5, 75])
    half = 2.570582 * vals.std(ddof=1) / np.sqrt(6)  # t(0.975, 5)
    assert (res.ci_low, res.ci_high) == pytest.approx((vals.mean() - half, vals.mean() + half), rel=1e-5)


def test_expert_and_ahp_weights(survey_store) -> None:
    res = satisfaction_index(survey_store, weights={"quality": 3, "delivery": 1})
    assert res.attributes.set_index("attribute")["weight"].to_dict() == pytest.approx({"quality": 0.75, "delivery": 0.25})
    via_ahp = satisfaction_index(survey_store, weights=ahp(np.array([[1, 3], [1 / 3, 1]]), ["quality", "delivery"]))
    assert via_ahp.index == pytest.approx(res.index) and via_ahp.weight_method == "ahp"
    with pytest.raises(InputError, match="unknown: \\['speed'\\]"):
        satisfaction_index(survey_store, weights={"speed": 1})


def test_configurable_grades_and_missing_scores(survey_store, tmp_path) -> None:
    res = satisfaction_index(survey_store, weights="equal", grades=[(50, "ok"), (0, "bad")])
    assert res.grade == "ok"
    assert grade_of(79.9) == "satisfied" and grade_of(80) == "very_satisfied" and grade_of(float("nan")) is None
    from custlens import Store

    empty = Store(tmp_path / "e.duckdb")
    with pytest.raises(MissingDataError, match="surveys"):
        satisfaction_index(empty)


def test_mean_ci_of_one_value_has_no_interval() -> None:
    m, lo, hi, n = mean_ci([3.0])
    assert m == 3.0 and np.isnan(lo) and n == 1


def test_demo_planted_drivers_recovered(demo, demo_run) -> None:
    """The demo's overall satisfaction is driven by quality and delivery (truth csat_driver_weights)."""
    truth = demo_run.truth["surveys"]
    res = satisfaction_index(demo)
    w = res.attributes.sort_values("weight", ascending=False)["attribute"].tolist()
    assert w[:2] == truth["top_csat_drivers"]
    assert res.weight_method == "derived" and 0 <= res.index <= 100
    assert res.ci_low < res.index < res.ci_high
    assert set(res.by_segment["segment"]) and res.by_channel["answers"].sum() == res.answers
