"""Churn at scale: the stated stratified sample, chunked scoring, reasons for the top of each list."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.churn.sampling import SampleInfo, chunked, stratified_positions


def test_stratified_sample_keeps_class_shares_and_is_seeded() -> None:
    y = np.array([1] * 300 + [0] * 9_700)
    pos = stratified_positions(y, 1_000, seed=5)
    assert len(pos) == 1_000 and len(np.unique(pos)) == 1_000
    assert int(y[pos].sum()) == 30  # 3% churned, as in the population
    assert np.all(np.diff(pos) > 0)
    np.testing.assert_array_equal(pos, stratified_positions(y, 1_000, seed=5))
    assert not np.array_equal(pos, stratified_positions(y, 1_000, seed=6))


def test_rare_class_keeps_at_least_one_row() -> None:
    y = np.array([1] + [0] * 9_999)
    pos = stratified_positions(y, 100, seed=0)
    assert len(pos) == 100 and int(y[pos].sum()) == 1


def test_data_within_the_sample_are_returned_whole() -> None:
    y = np.array([0, 1] * 50)
    np.testing.assert_array_equal(stratified_positions(y, 100, seed=0), np.arange(100))
    with pytest.raises(ValueError, match="size=1"):
        stratified_positions(y, 1, seed=0)


def test_chunked_equals_one_call() -> None:
    X = pd.DataFrame({"a": np.arange(1_005, dtype=float)})
    def f(part: pd.DataFrame) -> np.ndarray:
        return part["a"].to_numpy() * 2
    np.testing.assert_array_equal(chunked(f, X, rows=100), f(X))


def test_sample_info_says_whether_it_sampled() -> None:
    assert not SampleInfo(100, 0, 50, 50, 20, 20).sampled
    assert SampleInfo(100, 0, 50, 80, 20, 20).to_dict()["sampled"] is True
    assert SampleInfo(100, 0, 50, 50, 20, 20, eval_rows=20).sampled is False
    assert SampleInfo(100, 0, 50, 50, 10, 20, eval_rows=10).sampled  # metrics on 10 of 20 held-out rows
    assert SampleInfo(100, 0, 50, 50, 10, 20, eval_rows=10, importance_rows=5).to_dict()["importance_rows"] == 5


def test_btyd_model_fits_on_a_seeded_sample() -> None:
    """Beyond ``fit_rows`` customers the MBG/NBD is fitted on a seeded sample (the same for the same seed)."""
    from custlens.churn.features import btyd_model

    rng = np.random.default_rng(0)
    n = 3_000  # gamma purchase rates, exponential lifetimes (weeks)
    T = rng.uniform(20, 100, n)
    observed = np.minimum(T, rng.exponential(60, n))
    freq = rng.poisson(rng.gamma(1.0, 0.1, n) * observed)
    rec = np.where(freq > 0, observed * rng.uniform(0.5, 1, n) ** (1 / np.maximum(freq, 1)), 0.0)
    table = pd.DataFrame({"frequency": freq, "recency": rec, "T": T})
    a, b = btyd_model(table, fit_rows=1_000, seed=1), btyd_model(table, fit_rows=1_000, seed=1)
    full = btyd_model(table, fit_rows=None)
    assert a is not None and full is not None
    np.testing.assert_allclose(list(a.params_.values()), list(b.params_.values()))
    assert not np.allclose(list(a.params_.values()), list(full.params_.values()))
    assert not np.allclose(list(a.params_.values()), list(btyd_model(table, fit_rows=1_000, seed=2).params_.values()))


@pytest.mark.slow
def test_churn_on_a_sample_scores_everyone_and_states_it(churn_demo) -> None:
    """The demo shop with a sample smaller than the data: sample stated, every customer scored."""
    from custlens.churn import churn_analysis
    from custlens.churn.reasons import NOT_EXPLAINED

    full, st, _ = churn_demo
    res = churn_analysis(st, sample_size=1_000, random_state=0)  # the demo: ~2,400 training, ~1,400 held-out rows
    s = res.sample
    assert s is not None and s.sampled and s.size == 1_000 and s.seed == 0
    assert s.train_rows <= 1_000 < s.train_population and s.holdout_rows == 1_000 < s.holdout_population
    assert res.n_train == s.train_rows
    assert res.n_holdout == full.n_holdout == s.holdout_population  # metrics on every held-out row
    assert res.metrics.loc["gradient_boosting", "n"] == full.n_holdout
    assert len(res.scores) == len(full.scores)  # every current customer scored
    assert abs(res.auc - full.auc) < 0.05  # a 1,000-row model ranks about as well as the full one
    texts = [n.text("en") for n in res.notes]
    assert any("stratified sample of" in t and "seed 0" in t for t in texts)
    # every held-out row is in the metrics: "all N", not "a sample of N of N"
    assert any(f"use all {full.n_holdout:,} held-out customers" in t for t in texts), texts
    unexplained = res.scores["reasons_en"] == NOT_EXPLAINED.text("en")
    assert unexplained.any() and (~unexplained).sum() <= 1_000
    assert not (res.early_warning.head(20)["reasons_en"] == NOT_EXPLAINED.text("en")).any()
    assert res.to_dict()["sample"]["train_population"] == s.train_population
    assert full.sample is not None and not full.sample.sampled  # the demo is within the default sample
    assert s.eval_rows == full.n_holdout and s.importance_rows == 1_000 and s.pd_rows == 1_000
    # sampled training rows: the evaluated model (the one with the logistic baseline) scores, said in
    # both languages; the full demo is refitted on every labelled row and says nothing of it
    assert res.model.baseline_ is not None and full.model.baseline_ is None
    assert np.array_equal(res.scores["churn_probability"].to_numpy(), res.model.predict_proba(res.features))
    no_refit = [n for n in res.notes if n.key == "churn.note.no_refit"]
    assert len(no_refit) == 1 and f"trained on {s.train_rows:,} sampled" in no_refit[0].text("en")
    assert f"在 {s.train_rows:,} 个抽样客户快照上训练" in no_refit[0].text("zh")
    assert not [n for n in full.notes if n.key == "churn.note.no_refit"]


@pytest.mark.slow
def test_held_out_sample_is_stated_and_the_run_is_seeded(churn_demo) -> None:
    """Metrics on a stated held-out sample; the same seed gives the same result."""
    from custlens.churn import churn_analysis

    full, st, _ = churn_demo
    a = churn_analysis(st, sample_size=1_000, holdout_size=1_000, random_state=3)
    b = churn_analysis(st, sample_size=1_000, holdout_size=1_000, random_state=3)
    s = a.sample
    assert s.eval_rows == 1_000 < s.holdout_population == full.n_holdout == a.n_holdout
    assert a.metrics.loc["gradient_boosting", "n"] == 1_000 and a.calibration["customers"].sum() == 1_000
    assert abs(a.metrics.loc["gradient_boosting", "base_rate"] - full.metrics.loc["gradient_boosting", "base_rate"]) < 0.01
    texts = [n.text("en") for n in a.notes]
    assert any("1,000 of 1,394 held-out customers" in t and "seed 3" in t for t in texts), texts
    assert any("1,394 位留出客户中分层抽取的 1,000 位" in n.text("zh") for n in a.notes)
    pd.testing.assert_frame_equal(a.scores.drop(columns="reasons"), b.scores.drop(columns="reasons"))
    pd.testing.assert_frame_equal(a.importance, b.importance)
    with pytest.raises(Exception, match="holdout_size=10 is too small"):
        churn_analysis(st, holdout_size=10)


def test_lists_sort_ties_by_customer_id_whatever_the_row_order() -> None:
    """The fast path (ids already sorted) and the two-key sort give the same list."""
    from custlens.churn.warning import early_warning

    rng = np.random.default_rng(0)
    n = 500
    scores = pd.DataFrame({"customer_id": [f"c{i:04d}" for i in range(n)],
                           "churn_probability": rng.choice([0.5, 0.9], n), "risk_band": "high",
                           "customer_value": rng.choice([10.0, 20.0], n), "days_since_last": 5.0,
                           "reasons_en": "", "reasons_zh": ""})
    fast = early_warning(scores, 30)
    slow = early_warning(scores.sample(frac=1.0, random_state=1), 30)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["expected_loss"].is_monotonic_decreasing and len(fast) == n
    ties = fast[fast["expected_loss"] == fast["expected_loss"].iloc[0]]["customer_id"]
    assert ties.is_monotonic_increasing and len(ties) > 1
