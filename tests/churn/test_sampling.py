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
    unexplained = res.scores["reasons_en"] == NOT_EXPLAINED.text("en")
    assert unexplained.any() and (~unexplained).sum() <= 1_000
    assert not (res.early_warning.head(20)["reasons_en"] == NOT_EXPLAINED.text("en")).any()
    assert res.to_dict()["sample"]["train_population"] == s.train_population
    assert full.sample is not None and not full.sample.sampled  # the demo is within the default sample
