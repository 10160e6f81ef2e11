"""Survey analysis: Cronbach's alpha by hand, factor analysis against closed forms and a peer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.voc import cronbach_alpha, factor_analysis, survey_analysis
from custlens.voc.survey import importance_performance


def test_cronbach_alpha_by_hand() -> None:
    """Item variances 2.5, 1.8, 2.2 (sum 6.5), variance of the totals 17.3:
    alpha = 3/2 * (1 - 6.5/17.3) = 0.936416."""
    items = pd.DataFrame({"x1": [1, 2, 3, 4, 5], "x2": [2, 2, 4, 4, 5], "x3": [1, 3, 3, 5, 4]})
    assert cronbach_alpha(items) == pytest.approx(1.5 * (1 - 6.5 / 17.3))
    assert cronbach_alpha(items) == pytest.approx(0.936416, abs=1e-6)


def _two_factor_items(n: int = 600, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f1, f2 = rng.standard_normal(n), rng.standard_normal(n)
    cols = {f"a{i}": 0.8 * f1 + 0.6 * rng.standard_normal(n) for i in range(3)}
    cols.update({f"b{i}": 0.8 * f2 + 0.6 * rng.standard_normal(n) for i in range(3)})
    return pd.DataFrame(cols)


def test_kmo_and_bartlett_match_their_formulas() -> None:
    """KMO = sum r² / (sum r² + sum partial r²) off the diagonal (Kaiser 1970); Bartlett (1950):
    chi2 = -(n - 1 - (2p + 5) / 6) ln det R with p(p - 1)/2 degrees of freedom."""
    from scipy import stats

    x = _two_factor_items()
    res = factor_analysis(x)
    r = np.corrcoef(x.to_numpy(), rowvar=False)
    inv = np.linalg.inv(r)
    partial = -inv / np.sqrt(np.outer(np.diag(inv), np.diag(inv)))
    off = ~np.eye(6, dtype=bool)
    kmo = (r[off] ** 2).sum() / ((r[off] ** 2).sum() + (partial[off] ** 2).sum())
    assert res.kmo == pytest.approx(kmo, rel=1e-9)
    chi2 = -(len(x) - 1 - (2 * 6 + 5) / 6) * np.log(np.linalg.det(r))
    assert res.bartlett_chi2 == pytest.approx(chi2, rel=1e-9)
    assert res.bartlett_p == pytest.approx(stats.chi2.sf(chi2, 15), rel=1e-9)


def test_loadings_match_scikit_learn_varimax() -> None:
    """Two planted factors: Kaiser's rule finds 2, and the varimax loadings agree with
    scikit-learn's FactorAnalysis (maximum likelihood, varimax) on standardised items within 0.05."""
    from sklearn.decomposition import FactorAnalysis

    x = _two_factor_items()
    res = factor_analysis(x)
    assert res.n_factors == 2
    z = (x - x.mean()) / x.std(ddof=0)
    ref = FactorAnalysis(n_components=2, rotation="varimax", random_state=0).fit(z).components_.T
    ours = res.loadings.to_numpy()
    # align factor order and sign
    if abs(ours[0, 0]) < abs(ours[0, 1]):
        ours = ours[:, ::-1]
    ref = ref if abs(ref[0, 0]) > abs(ref[0, 1]) else ref[:, ::-1]
    ours, ref = ours * np.sign(ours.sum(axis=0)), ref * np.sign(ref.sum(axis=0))
    assert np.abs(ours - ref).max() < 0.05
    assert (res.loadings.loc[["a0", "a1", "a2"], "F1"].abs() > 0.7).all() or \
        (res.loadings.loc[["a0", "a1", "a2"], "F2"].abs() > 0.7).all()


def test_ipa_quadrants() -> None:
    d = pd.DataFrame({"attribute": list("abcd"), "importance": [0.4, 0.3, 0.2, 0.1]})
    perf = pd.Series({"a": 50.0, "b": 80.0, "c": 40.0, "d": 90.0})
    q = importance_performance(d, perf).set_index("attribute")["quadrant"].to_dict()
    assert q == {"a": "concentrate_here", "b": "keep_up", "c": "low_priority", "d": "possible_overkill"}


def test_demo_factor_structure_recovered(demo, demo_run) -> None:
    """The three service items share one planted factor, quality and price another."""
    factors = demo_run.truth["surveys"]["attribute_factors"]
    res = survey_analysis(demo)
    load = res.factors.loadings.abs()
    main = load.idxmax(axis=1)
    service = {main[a] for a, f in factors.items() if f == "service"}
    product = {main[a] for a, f in factors.items() if f == "product"}
    assert len(service) == 1 and len(product) == 1 and service != product
    assert res.factors.kmo > 0.6 and res.factors.bartlett_p < 1e-6
    assert 0.6 < res.alpha < 0.95
    assert res.csat_drivers["attribute"].iloc[0] == "quality"
    assert res.nps_drivers["attribute"].iloc[0] == "quality"
