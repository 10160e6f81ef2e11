"""Metrics against closed forms and scikit-learn; the fitted-model contract; the eligibility gate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from custlens.churn import ChurnEligibilityError, ChurnModel, bands, churn_analysis, evaluate, lift_gain
from custlens.errors import InputError, MissingDataError, NotFittedError


def test_lift_and_gain_by_hand() -> None:
    # 20 customers, 5 churners; the top 10% (2 customers) holds 2 churners
    y = np.array([1, 1, 0, 1, 0, 0, 1, 0, 0, 1] + [0] * 10)
    score = np.linspace(1, 0, 20)
    lift, gain = lift_gain(y, score)
    assert lift == pytest.approx((2 / 2) / (5 / 20))  # 4.0
    assert gain == pytest.approx(2 / 5)


def test_evaluate_matches_scikit_learn() -> None:
    rng = np.random.default_rng(1)
    p = rng.random(300)
    y = (rng.random(300) < p).astype(int)
    m = evaluate(y, p)
    assert m.roc_auc == pytest.approx(roc_auc_score(y, p))
    assert m.pr_auc == pytest.approx(average_precision_score(y, p))
    assert m.brier == pytest.approx(brier_score_loss(y, p))
    assert m.base_rate == pytest.approx(y.mean()) and m.n == 300


def test_calibration_table_matches_scikit_learn() -> None:
    from sklearn.calibration import calibration_curve

    from custlens.churn.model import calibration_table

    rng = np.random.default_rng(2)
    p = rng.random(500)
    y = (rng.random(500) < p).astype(int)
    frac, mean = calibration_curve(y, p, n_bins=10, strategy="quantile")
    cal = calibration_table(y, p)
    assert np.allclose(cal["observed"], frac) and np.allclose(cal["predicted"], mean)
    assert cal["customers"].sum() == 500


def test_bands_follow_the_cutoffs() -> None:
    assert list(bands([0.1, 0.4, 0.69, 0.7, 1.0], (0.4, 0.7))) == ["low", "medium", "medium", "high", "high"]
    with pytest.raises(ValueError, match="cutoffs"):
        bands([0.5], (0.8, 0.3))


def test_capacity_cutoffs_never_split_ties() -> None:
    """10 active customers, capacity 30% = 3: probabilities .9 .8 .8 .8 .5 .4 ... -> the three .8 tie at
    the 3rd place, so only .9 is high (1 <= 3); high or medium: the top 6 (.9 .8 .8 .8 .5 .4), cut at .4."""
    from custlens.churn.warning import capacity_cutoffs, parse_capacity

    p = np.array([0.9, 0.8, 0.8, 0.8, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    cap = capacity_cutoffs(p, 0.3)
    assert cap.customers == 3 and cap.active == 10 and cap.high == 0.9 and cap.medium == 0.4
    b = bands(p, (cap.medium, cap.high))
    assert list(b) == ["high"] + ["medium"] * 5 + ["low"] * 4
    cap = capacity_cutoffs(p, 5)  # a number: .9 .8 .8 .8 .5 are the top 5
    assert cap.customers == 5 and cap.high == 0.5
    assert capacity_cutoffs(np.full(4, 0.7), 0.5).high == float("inf")  # all tied: nobody rather than a coin toss
    assert parse_capacity("10%") == pytest.approx(0.1) and parse_capacity("0.05") == 0.05 and parse_capacity("200") == 200
    for bad in ("0", "-5%", "abc", "1.5"):
        with pytest.raises(InputError, match="capacity"):
            parse_capacity(bad)


def test_model_must_be_fitted_and_keeps_its_levels() -> None:
    model = ChurnModel(["x"], ["c"])
    X = pd.DataFrame({"x": np.arange(200.0), "c": ["a", "b"] * 100})
    with pytest.raises(NotFittedError, match="not fitted yet"):
        model.predict_proba(X)
    model.fit(X, (X["x"] > 100).astype(int).to_numpy())
    p = model.predict_proba(pd.DataFrame({"x": [10.0, 190.0], "c": ["unseen", None]}))
    assert p[0] < 0.5 < p[1]


def test_gate_refuses_when_nobody_is_retained(make_store) -> None:
    # 80 one-time buyers over 400 days: with a 30-day horizon nobody ever comes back
    start = pd.Timestamp("2023-01-01")
    rows = [(f"o{i}", f"c{i}", str(start + pd.Timedelta(days=5 * i)), 10.0) for i in range(80)]
    st = make_store(rows)
    with pytest.raises(ChurnEligibilityError, match=r"hold [\d,]+ churned and 0 retained customers; at least 20 of each"):
        churn_analysis(st, horizon_days=30)
    assert issubclass(ChurnEligibilityError, MissingDataError)


def test_calibration_folds_keep_each_customer_on_one_side() -> None:
    """Stacked snapshots repeat customers; a customer's rows must not be split between fitting and calibrating."""
    rng = np.random.default_rng(2)
    ids = [f"c{i}" for i in range(120)]
    X = pd.DataFrame({"x": rng.random(360)}, index=ids * 3)
    y = (rng.random(360) < 0.5).astype(int)
    folds = ChurnModel(["x"], [])._folds(X, X, y)
    assert len(folds) == 3
    for train, test in folds:
        assert not set(X.index[train]) & set(X.index[test])
    assert ChurnModel(["x"], [])._folds(X.iloc[:120], X.iloc[:120], y[:120]) == 3  # one row per customer: plain folds
