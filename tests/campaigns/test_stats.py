"""Two-group tests against published textbook numbers and against scipy / statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from custlens.campaigns import (adjust_pvalues, bootstrap_diff_ci, mann_whitney, srm_test, two_proportion_ztest,
                                welch_ttest)
from custlens.errors import InputError


def test_two_proportion_interval_physicians_health_study() -> None:
    """Agresti (2007), *An Introduction to Categorical Data Analysis*, 2nd ed., section 2.2.2:
    heart attacks 189/11,034 (placebo) vs 104/11,037 (aspirin); difference 0.0077, SE 0.0015,
    95% CI (0.005, 0.011)."""
    r = two_proportion_ztest(104, 11037, 189, 11034)  # treatment - control = placebo - aspirin
    assert round(r.diff, 4) == 0.0077
    assert round(r.se, 4) == 0.0015
    assert (round(r.ci_low, 3), round(r.ci_high, 3)) == (0.005, 0.011)


@pytest.mark.parametrize("xa,na,xb,nb", [(30, 600, 48, 610), (5, 40, 12, 44), (1200, 24000, 1330, 23900), (0, 50, 3, 50)])
def test_two_proportion_matches_statsmodels(xa: int, na: int, xb: int, nb: int) -> None:
    r = two_proportion_ztest(xa, na, xb, nb, alpha=0.1)
    z, p = proportions_ztest([xb, xa], [nb, na])
    lo, hi = confint_proportions_2indep(xb, nb, xa, na, method="wald", compare="diff", alpha=0.1)
    assert r.z == pytest.approx(z, rel=1e-10)
    assert r.p_value == pytest.approx(p, rel=1e-10)
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi), rel=1e-10)


def test_welch_wikipedia_screws() -> None:
    """Wikipedia, "Student's t-test", worked example (unequal variances): standard error
    0.04849, d.f. 7.031, t = 1.959, two-tailed p = 0.09077."""
    a1 = [30.02, 29.99, 30.11, 29.97, 30.01, 29.99]
    a2 = [29.89, 29.93, 29.72, 29.98, 30.02, 29.98]
    r = welch_ttest(a2, a1)  # mean(a1) - mean(a2)
    assert round(r.diff, 3) == 0.095
    assert round(r.se, 5) == 0.04849
    assert round(r.df, 3) == 7.031
    assert round(r.t, 3) == 1.959
    assert round(r.p_value, 3) == 0.091


def test_welch_r_t_test_output() -> None:
    """R ``t.test(ts1, ts2)`` (Welch): t = -1.8325, df = 17.9, p-value = 0.08356,
    95 percent CI -2.1469104 0.1469104 (printed in a Cross Validated answer on Welch intervals)."""
    ts1 = [11, 9, 10, 11, 10, 12, 9, 11, 12, 9]
    ts2 = [11, 13, 10, 13, 12, 9, 11, 12, 12, 11]
    r = welch_ttest(ts2, ts1)
    assert round(r.t, 4) == -1.8325
    assert round(r.df, 1) == 17.9
    assert round(r.p_value, 5) == 0.08356
    assert (round(r.ci_low, 6), round(r.ci_high, 6)) == (-2.14691, 0.14691)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_welch_matches_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.gamma(0.5, 40, 300), rng.gamma(0.6, 45, 250)
    r = welch_ttest(a, b, alpha=0.1)
    ref = stats.ttest_ind(b, a, equal_var=False)
    ci = ref.confidence_interval(0.9)
    assert r.t == pytest.approx(ref.statistic, rel=1e-10)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert r.df == pytest.approx(ref.df, rel=1e-10)
    assert (r.ci_low, r.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert mann_whitney(a, b) == pytest.approx(
        stats.mannwhitneyu(b, a, alternative="two-sided", method="asymptotic").pvalue, rel=1e-12)


def test_bootstrap_is_seeded_and_agrees_with_welch_on_large_samples() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.exponential(20, 4000), rng.exponential(22, 4000)
    ci1 = bootstrap_diff_ci(a, b, seed=3)
    assert ci1 == bootstrap_diff_ci(a, b, seed=3)
    assert ci1 != bootstrap_diff_ci(a, b, seed=4)
    w = welch_ttest(a, b)
    assert ci1[0] == pytest.approx(w.ci_low, abs=0.1 * (w.ci_high - w.ci_low))
    assert ci1[1] == pytest.approx(w.ci_high, abs=0.1 * (w.ci_high - w.ci_low))


def test_injected_sample_ratio_mismatch_is_detected_and_a_fair_split_is_not() -> None:
    rng = np.random.default_rng(11)
    treated = rng.random(20_000) < 0.5
    fair = srm_test((int(treated.sum()), int((~treated).sum())), (0.5, 0.5))
    assert fair.p_value > 0.001
    # Lose 10% of the treatment group's members (e.g. a tracking bug on one arm).
    kept_t = int((treated & (rng.random(20_000) > 0.10)).sum())
    broken = srm_test((kept_t, int((~treated).sum())), (50, 50))
    assert broken.p_value < 0.001
    chi2, p = stats.chisquare([kept_t, (~treated).sum()])
    assert (broken.chi2, broken.p_value) == pytest.approx((chi2, p), rel=1e-10)
    # A 90/10 design is fair against 90/10 and a mismatch against 50/50.
    assert srm_test((9_020, 980), (0.9, 0.1)).p_value > 0.001
    assert srm_test((9_020, 980), (0.5, 0.5)).p_value < 0.001


@pytest.mark.parametrize("method,sm", [("holm", "holm"), ("bh", "fdr_bh")])
def test_adjusted_pvalues_match_statsmodels(method: str, sm: str) -> None:
    rng = np.random.default_rng(5)
    p = np.concatenate([rng.uniform(0, 0.05, 6), rng.uniform(0, 1, 14)])
    ref = multipletests(p, method=sm)[1]
    np.testing.assert_allclose(adjust_pvalues(p, method), ref, rtol=1e-12)
    with_nan = np.insert(p, 3, np.nan)
    got = adjust_pvalues(with_nan, method)
    assert np.isnan(got[3])
    np.testing.assert_allclose(np.delete(got, 3), ref, rtol=1e-12)


def test_bad_inputs_are_clear_errors() -> None:
    with pytest.raises(InputError, match="12 successes of 10 trials"):
        two_proportion_ztest(12, 10, 1, 10)
    with pytest.raises(InputError, match="at least 2"):
        welch_ttest([1.0], [1.0, 2.0])
    with pytest.raises(InputError, match="share <= 0"):
        srm_test((10, 10), (1, 0))
    with pytest.raises(InputError, match="unknown"):
        adjust_pvalues([0.1], "bonferoni")
