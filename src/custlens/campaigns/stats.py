"""Two-group tests of an A/B experiment: proportions, means, sample ratio, multiple testing.

Every function takes plain numbers or arrays and returns a small frozen dataclass; none of
them reads the store. Differences are always ``treatment - control`` (``b - a`` where the
arguments are named ``a`` = control and ``b`` = treatment).

References
----------
Agresti, A. (2007). *An Introduction to Categorical Data Analysis*, 2nd ed., section 2.2
(Wald interval of a difference of proportions).
Welch, B. L. (1947). The generalization of "Student's" problem when several different
population variances are involved. *Biometrika* 34, 28-35.
Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scand. J. Stat.* 6.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57.
Fabijan, A. et al. (2019). Diagnosing sample ratio mismatch in online controlled experiments. KDD.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats

from custlens.errors import InputError

__all__ = [
    "MeanTest",
    "ProportionTest",
    "SrmTest",
    "adjust_pvalues",
    "bootstrap_diff_ci",
    "mann_whitney",
    "srm_test",
    "two_proportion_ztest",
    "welch_ttest",
]


@dataclass(frozen=True)
class ProportionTest:
    """Two-proportion z-test of ``p_b - p_a`` (pooled SE for the test, unpooled for the CI)."""

    p_a: float
    p_b: float
    diff: float
    se: float
    se_pooled: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class MeanTest:
    """Welch's unequal-variance t-test of ``mean_b - mean_a`` with its t interval."""

    mean_a: float
    mean_b: float
    diff: float
    se: float
    t: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class SrmTest:
    """Chi-square goodness of fit of group sizes against the intended split."""

    observed: tuple[int, ...]
    expected: tuple[float, ...]
    chi2: float
    p_value: float


def _z(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise InputError(f"alpha={alpha!r} must be between 0 and 1, e.g. 0.05")
    return float(stats.norm.ppf(1 - alpha / 2))


def two_proportion_ztest(x_a: int, n_a: int, x_b: int, n_b: int, alpha: float = 0.05) -> ProportionTest:
    """Two-sided two-proportion z-test and Wald interval of ``x_b/n_b - x_a/n_a``.

    The test statistic uses the pooled proportion under H0 (as `statsmodels`
    ``proportions_ztest``); the interval uses the unpooled standard error (as
    ``confint_proportions_2indep(method="wald")``).

    Parameters
    ----------
    x_a, n_a : int
        Successes and trials of the control group.
    x_b, n_b : int
        Successes and trials of the treatment group.
    alpha : float
        1 - confidence level of the interval.

    Returns
    -------
    ProportionTest

    Examples
    --------
    Physicians' Health Study (Agresti 2007, section 2.2.2): heart attacks 189 of 11,034 on
    placebo and 104 of 11,037 on aspirin; the difference is -0.0077 with 95% interval
    (-0.011, -0.005).

    >>> r = two_proportion_ztest(189, 11034, 104, 11037)
    >>> round(r.diff, 4), round(r.ci_low, 3), round(r.ci_high, 3)
    (-0.0077, -0.011, -0.005)
    """
    for name, x, n in (("a", x_a, n_a), ("b", x_b, n_b)):
        if n <= 0 or x < 0 or x > n:
            raise InputError(f"group {name}: {x} successes of {n} trials is not a valid proportion")
    p_a, p_b = x_a / n_a, x_b / n_b
    diff = p_b - p_a
    se = float(np.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b))
    pool = (x_a + x_b) / (n_a + n_b)
    se0 = float(np.sqrt(pool * (1 - pool) * (1 / n_a + 1 / n_b)))
    z = diff / se0 if se0 > 0 else 0.0
    p = float(2 * stats.norm.sf(abs(z))) if se0 > 0 else 1.0
    half = _z(alpha) * se
    return ProportionTest(p_a, p_b, diff, se, se0, float(z), p, diff - half, diff + half)


def welch_ttest(a: Sequence[float], b: Sequence[float], alpha: float = 0.05) -> MeanTest:
    """Welch's two-sided t-test of ``mean(b) - mean(a)`` with the Welch-Satterthwaite df.

    Examples
    --------
    R's ``t.test(ts1, ts2)`` (Welch by default) gives t = -1.8325, df = 17.9,
    p = 0.08356 and the interval (-2.1469, 0.1469) for ``ts1 - ts2``:

    >>> ts1 = [11, 9, 10, 11, 10, 12, 9, 11, 12, 9]
    >>> ts2 = [11, 13, 10, 13, 12, 9, 11, 12, 12, 11]
    >>> r = welch_ttest(ts2, ts1)
    >>> round(r.t, 4), round(r.df, 1), round(r.p_value, 5)
    (-1.8325, 17.9, 0.08356)
    """
    _z(alpha)  # validates alpha
    a = _finite(a, "a")
    b = _finite(b, "b")
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = float(np.sqrt(va + vb))
    diff = float(b.mean() - a.mean())
    if se == 0:
        return MeanTest(float(a.mean()), float(b.mean()), diff, 0.0, 0.0, float(len(a) + len(b) - 2),
                        1.0 if diff == 0 else 0.0, diff, diff)
    df = float((va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)))
    t = diff / se
    p = float(2 * stats.t.sf(abs(t), df))
    half = float(stats.t.ppf(1 - alpha / 2, df)) * se
    return MeanTest(float(a.mean()), float(b.mean()), diff, se, float(t), df, p, diff - half, diff + half)


def _finite(x: Sequence[float], name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    arr = arr[np.isfinite(arr)]
    if len(arr) < 2:
        raise InputError(f"group {name} has {len(arr)} values; a t-test needs at least 2 per group")
    return arr


def bootstrap_diff_ci(
    a: Sequence[float], b: Sequence[float], alpha: float = 0.05, n_boot: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``mean(b) - mean(a)``, resampling each group.

    Seeded, so the same data and seed give the same interval.
    """
    a = _finite(a, "a")
    b = _finite(b, "b")
    rng = np.random.default_rng(seed)
    diffs = np.empty(n_boot)
    step = max(1, 2_000_000 // max(len(a), len(b)))  # bound memory of one batch
    for start in range(0, n_boot, step):
        k = min(step, n_boot - start)
        ma = a[rng.integers(0, len(a), (k, len(a)))].mean(axis=1)
        mb = b[rng.integers(0, len(b), (k, len(b)))].mean(axis=1)
        diffs[start:start + k] = mb - ma
    lo, hi = np.quantile(diffs, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def mann_whitney(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided Mann-Whitney U p-value (asymptotic, tie-corrected) for skewed outcomes."""
    a = _finite(a, "a")
    b = _finite(b, "b")
    if np.ptp(np.concatenate([a, b])) == 0:
        return 1.0
    return float(stats.mannwhitneyu(b, a, alternative="two-sided", method="asymptotic").pvalue)


def srm_test(observed: Sequence[int], split: Sequence[float]) -> SrmTest:
    """Sample-ratio-mismatch check: chi-square of the group counts against the intended split.

    A p-value below 0.001 (the usual threshold) means the assignment or the logging is
    broken and the experiment's comparison cannot be trusted.

    Parameters
    ----------
    observed : sequence of int
        Members per group, e.g. ``(treatment, control)``.
    split : sequence of float
        Intended shares in the same order; normalised to sum to 1 (``(50, 50)`` is fine).
    """
    obs = np.asarray(observed, dtype=float)
    shares = np.asarray(split, dtype=float)
    if len(obs) != len(shares) or len(obs) < 2:
        raise InputError(f"split {tuple(split)} must give one share per group ({len(obs)} groups)")
    if (shares <= 0).any():
        raise InputError(f"split {tuple(split)} has a share <= 0; use e.g. 50/50 or 90/10")
    if obs.sum() <= 0:
        raise InputError("the experiment has no members")
    exp = obs.sum() * shares / shares.sum()
    chi2, p = stats.chisquare(obs, exp)
    return SrmTest(tuple(int(v) for v in obs), tuple(float(v) for v in exp), float(chi2), float(p))


def adjust_pvalues(p_values: Sequence[float], method: str = "holm") -> np.ndarray:
    """Holm (family-wise error) or Benjamini-Hochberg (false discovery rate) adjusted p-values.

    NaN p-values are kept as NaN and left out of the family. Matches
    ``statsmodels.stats.multitest.multipletests(p, method="holm" | "fdr_bh")``.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    q = p[ok]
    m = len(q)
    if m == 0:
        return out
    order = np.argsort(q)
    ranked = q[order]
    if method == "holm":
        adj = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif method in ("bh", "fdr_bh"):
        adj = np.minimum.accumulate((m / np.arange(m, 0, -1)) * ranked[::-1])[::-1]
    else:
        raise InputError(f"method={method!r} is unknown; use 'holm' or 'bh'")
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out
