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


def _repeated_customers(n: int = 1_500, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n), "c": rng.choice(["a", "b", "c"], n)},
                     index=[f"c{i % (n // 3)}" for i in range(n)])
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * X["x"] - (X["c"] == "a")))).astype(int).to_numpy()
    return X, y


def test_one_tree_model_predicts_and_keeps_its_ranking() -> None:
    """One estimator at predict time (not three fold models); the centred isotonic map keeps its ranking."""
    X, y = _repeated_customers()
    model = ChurnModel(["x", "z"], ["c"], random_state=0).fit(X, y)
    assert len(model.model_.calibrated_classifiers_) == 1
    est = model.model_.calibrated_classifiers_[0].estimator
    Xe = model.encode(X)
    d = est.decision_function(Xe)
    p = model.predict_proba(X)
    inner = (d > model.calibration_[0][0]) & (d < model.calibration_[0][-1])  # between the first and last knot
    levels, first = np.unique(d[inner], return_index=True)
    assert len(levels) > 50 and (np.diff(p[inner][first]) > 0).all()  # a higher tree score, a higher probability
    assert len(np.unique(p)) > 0.8 * len(np.unique(d))  # not a few isotonic steps
    np.testing.assert_allclose(model.raw_encoded(Xe), est.predict_proba(Xe)[:, 1])
    assert abs(p.mean() - y.mean()) < 0.02 and roc_auc_score(y, p) > 0.7
    # deterministic for a seed
    np.testing.assert_array_equal(p, ChurnModel(["x", "z"], ["c"], random_state=0).fit(X, y).predict_proba(X))


def test_centred_isotonic_by_hand() -> None:
    """Isotonic fit of y = 0 0 1 0 1 1 at x = 0..5 is 0 0 .5 .5 1 1: three steps, centred at 0.5, 2.5, 4.5."""
    from sklearn.isotonic import IsotonicRegression

    from custlens.churn.model import centred_isotonic

    iso = IsotonicRegression(out_of_bounds="clip").fit(np.arange(6.0), [0, 0, 1, 0, 1, 1])
    x, v = centred_isotonic(iso)
    np.testing.assert_allclose(x, [0.5, 2.5, 4.5])
    np.testing.assert_allclose(v, [0.0, 0.5, 1.0])
    assert np.interp(1.5, x, v) == pytest.approx(0.25)


def test_scoring_model_without_baseline() -> None:
    X, y = _repeated_customers()
    model = ChurnModel(["x", "z"], ["c"], baseline=False).fit(X, y)
    assert model.baseline_ is None and len(model.predict_proba(X)) == len(X)
    with pytest.raises(NotFittedError, match="baseline=False"):
        model.baseline_proba(X)


def test_grouped_folds_are_stratified() -> None:
    X, y = _repeated_customers(3_000)
    folds = ChurnModel(["x"], [])._folds(X, X, y)
    for _train, test in folds:
        assert abs(y[test].mean() - y.mean()) < 0.02 and abs(len(test) - 1_000) < 30
    assert sorted(np.concatenate([t for _, t in folds]).tolist()) == list(range(3_000))


def _old_encode(model: ChurnModel, X: pd.DataFrame) -> pd.DataFrame:
    """`ChurnModel.encode` before it built its frame at once (column inserts)."""
    from custlens.churn.model import OTHER

    out = pd.DataFrame(index=X.index)
    for col in model.numeric:
        out[col] = pd.to_numeric(X[col], errors="coerce").astype(float)
    for col in model.categorical:
        levels = model.levels_[col]
        raw = X[col].astype(object)
        vals = raw.where(raw.isna() | raw.isin(levels), OTHER)
        out[col] = pd.Categorical(vals, categories=levels + [OTHER])
    return out


def test_encode_equals_the_column_by_column_frame() -> None:
    """Missing, unseen and literal "other" levels, numbers as text, integers among the categories."""
    rng = np.random.default_rng(4)
    n = 400
    X = pd.DataFrame({"days": rng.exponential(50, n), "orders": rng.integers(1, 9, n).astype(object),
                      "channel": rng.choice(["web", "app", "store", None, np.nan], n),
                      "tier": rng.choice(["1", "2", "3", 3, "other"], n).astype(object)},
                     index=pd.Index([f"c{i}" for i in range(n)], name="customer_id"))
    X.loc[X.index[:10], "orders"] = "7"
    X.loc[X.index[10:20], "orders"] = "n/a"
    y = (X["days"] > 40).astype(int).to_numpy()
    model = ChurnModel(["days", "orders"], ["channel", "tier"], random_state=0, baseline=False).fit(X, y)
    Z = X.copy()
    Z.loc[Z.index[:15], "channel"] = "never-seen"
    for frame in (X, Z, X.iloc[:0]):
        pd.testing.assert_frame_equal(model.encode(frame), _old_encode(model, frame), check_exact=True)
