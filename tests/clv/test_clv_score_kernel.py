"""The compiled scoring kernel equals SciPy: the hypergeometric series, the expectations, the scores.

References: ``scipy.special.hyp2f1`` for the Gauss series; the NumPy/SciPy scoring path
(``CUSTLENS_NUMBA=0``), itself pinned to lifetimes 0.11.3 (test_clv_lifetimes); the
published CDNOW example of Fader, Hardie & Lee (2005): a customer with x = 2,
t_x = 30.43, T = 38.86 weeks expects 1.226 purchases in the next 39 weeks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

from custlens.clv import BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel, _kernels, score_customers
from custlens.clv._bgfamily import expected as numpy_expected
from custlens.clv.value import _horizon_weights

pytestmark = pytest.mark.skipif(not _kernels.available(), reason="numba not installed")

RTOL = 1e-10
TINY = 1e-300  # values underflowing to denormals (1e-316 vs 0) are equal
CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # FHL 2005, weeks
PARAMS = [
    (0.243, 4.414, 0.793, 2.426),  # CDNOW
    (0.243, 30.9, 0.793, 2.426),  # CDNOW in days
    (2.0, 1.0, 3.0, 0.5),  # a > 1
    (1e-3, 1e4, 1e-3, 1e-2),  # tiny and huge
    (50.0, 1e-2, 20.0, 300.0),  # a' = a + b - 1 - r > 0 large, tiny alpha: z near 1
    (5.0, 2.0, 0.05, 0.02),  # a' < -1: alternating start of the series
    (0.3, 200.0, 5.0, 0.05),  # a > r + x + 2 for small x: those rows go to SciPy
    (0.5, 3.0, 1.0 + 1e-9, 1.0),  # a next to 1 (the expectation's 0/0)
]


def _series(x: float, r: float, a: float, b: float, extra: int, zs: list[float]) -> tuple[np.ndarray, bool]:
    from custlens.clv import _kernels_expect as ke

    table, n_safe = ke.coefficients(np.array([x]), r, a, b, extra, max(zs))
    z = sorted(zs)
    s0, s1, s2, s3, done = ke._series4(table[0], int(n_safe[0]), *z)
    return 1.0 + np.array([s0, s1, s2, s3]), done


@pytest.mark.parametrize("extra", [0, 1])
@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("x", [0.0, 1.0, 7.0, 60.0, 500.0])
def test_series_equals_scipy_hyp2f1(params: tuple, x: float, extra: int) -> None:
    """``2F1(a + b - 1 + e - r, a - 1; a + b + x - 1 + e; z)`` from the tabulated series."""
    r, _, a, b = params
    zs = [1e-9, 0.3, 0.7, 0.97]
    got, done = _series(x, r, a, b, extra, zs)
    ap, bp, c = a + b - 1.0 + extra - r, a - 1.0, a + b + x - 1.0 + extra
    z = np.array(zs)
    ref = hyp2f1(ap, bp, c, z)
    # where SciPy gives up (e.g. hyp2f1(269, 19; 319; 0.97) is nan), Euler's identity
    # 2F1(a', b'; c; z) = (1 - z)^(c - a' - b') 2F1(c - a', c - b'; c; z) on SciPy's other form
    with np.errstate(all="ignore"):
        ref = np.where(np.isfinite(ref), ref, (1.0 - z) ** (c - ap - bp) * hyp2f1(c - ap, c - bp, c, z))
    if not done:  # the kernel must give the row up only where its bound cannot hold
        assert a > r + x + 2 or max(zs) > 0.9
        return
    known = np.isfinite(ref)  # SciPy gives no value in either form at a few extreme points
    assert known[:3].all()
    np.testing.assert_allclose(got[known], ref[known], rtol=RTOL, atol=TINY)


def _rows(n: int = 3_000, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Continuous histories: frequency 0, heavy buyers, T from minutes to years, t_x = T."""
    rng = np.random.default_rng(seed)
    age = np.exp(rng.uniform(np.log(1e-3), np.log(400.0), n))
    x = rng.poisson(rng.gamma(0.5, 4.0, n)).astype(float)
    x[: n // 20] = rng.integers(100, 600, n // 20)
    tx = np.where(x > 0, age * rng.beta(3.0, 1.0, n), 0.0)
    tx[n // 20: n // 10] = np.where(x[n // 20: n // 10] > 0, age[n // 20: n // 10], 0.0)
    return x, tx, age


@pytest.mark.parametrize("extra", [0, 1])
@pytest.mark.parametrize("params", PARAMS)
def test_kernel_expectations_equal_scipy_path(params: tuple, extra: int) -> None:
    from custlens.clv import _kernels_expect as ke

    r, alpha, a, b = params
    x, tx, age = _rows()
    model = (BetaGeoModel if extra == 0 else ModifiedBetaGeoModel).from_params(r=r, alpha=alpha, a=a, b=b)
    ts, weights, keep = _horizon_weights(12.0, 0.01, 4.348)
    pa, kept, summed, flag = ke.scores(x, tx, age, r, alpha, a, b, extra, ts, weights, keep)
    ref_pa = model._p_alive(x, tx, age)
    np.testing.assert_allclose(pa, ref_pa, rtol=RTOL, atol=TINY)
    ok = ~flag
    # rows are given up only where the bound cannot hold: a > r + x + 2, or z near 1
    z_top = ts[-1] / (alpha + age + ts[-1])
    assert (ok | (a > r + x + 2) | (z_top > 0.99)).all()
    ref = np.array([numpy_expected(t, x[ok], age[ok], ref_pa[ok], r, alpha, a, b, extra) for t in ts])
    # At a = 1 the formula is 0/0 (a is moved 1e-7 away); both forms then cancel about
    # 7 digits in 1 - (1 - z)^(a - 1) S, so they can only agree to that.
    rtol = 1e-6 if abs(a - 1.0) < 1e-6 else RTOL
    np.testing.assert_allclose(kept[ok], ref[keep], rtol=rtol, atol=TINY)
    np.testing.assert_allclose(summed[ok], weights @ ref, rtol=rtol, atol=TINY)


def test_rows_near_z_one_and_large_a_are_handed_to_scipy() -> None:
    """alpha + T tiny against the horizon (z ~ 1) and a > r + x + 2 are flagged, and the
    model's scores for them still equal the SciPy path."""
    from custlens.clv import _kernels_expect as ke

    x = np.array([0.0, 1.0, 3.0, 0.0, 40.0])
    tx = np.array([0.0, 0.001, 0.002, 0.0, 30.0])
    age = np.array([0.001, 0.002, 0.003, 50.0, 60.0])
    ts, weights, keep = _horizon_weights(12.0, 0.01, 30.44)
    _, _, _, flag = ke.scores(x, tx, age, 0.3, 1e-3, 0.8, 2.0, 0, ts, weights, keep)
    assert flag[:3].all() and not flag[4]
    _, _, _, flag = ke.scores(x, tx, age, 0.3, 50.0, 5.0, 2.0, 0, ts, weights, keep)
    assert flag[[0, 1, 3]].all() and not flag[4]  # a = 5 > r + x + 2 for x <= 2


@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel])
@pytest.mark.parametrize("horizon", [{"horizon_months": 12}, {"horizon_days": 100}])
def test_scores_identical_with_and_without_numba(cls: type, horizon: dict,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    x, tx, age = _rows(21_000, seed=3)  # above the compression threshold, nearly all distinct
    data = pd.DataFrame({"frequency": x, "recency": tx, "T": age,
                         "monetary_value": np.random.default_rng(1).gamma(2.0, 20.0, len(x))})
    if cls is ParetoNBDModel:  # no kernel of its own: P(alive) once instead of once per horizon
        names, sets = ("r", "alpha", "s", "beta"), [(0.553, 74.0, 0.606, 81.7)]
    else:  # CDNOW in days; a > r + x + 2 for x <= 2 (those rows go to SciPy); a < 1 < r
        names, sets = ("r", "alpha", "a", "b"), [(0.243, 30.9, 0.793, 2.426), (0.3, 200.0, 5.0, 0.05),
                                                (2.0, 1.0, 0.7, 3.0)]
    for params in sets:
        model = cls.from_params(**dict(zip(names, params)))
        fast = score_customers(model, data, time_unit="D", **horizon)
        monkeypatch.setenv("CUSTLENS_NUMBA", "0")
        slow = score_customers(model, data, time_unit="D", **horizon)
        monkeypatch.delenv("CUSTLENS_NUMBA")
        for col in ("predicted_purchases", "p_alive", "expected_spend", "clv"):
            np.testing.assert_allclose(fast[col], slow[col], rtol=RTOL, atol=TINY, err_msg=col)


def test_cdnow_published_example_and_sample(cdnow: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    """FHL 2005: x = 2, t_x = 30.43, T = 38.86 -> E[Y(39)] = 1.226 at the published parameters;
    the CDNOW calibration sample scores the same with and without the kernel."""
    model = BetaGeoModel.from_params(**CDNOW)
    one = pd.DataFrame({"frequency": [2.0], "recency": [30.43], "T": [38.86]})
    ts = np.array([39.0])
    _, kept, _, = model._horizon_scores(ts, np.ones(1), 0, *model._rfm(one))
    assert kept[0] == pytest.approx(1.226, abs=5e-4)
    data = cdnow[["frequency", "recency", "T", "monetary_value"]]
    fast = score_customers(model, data, horizon_months=12)
    monkeypatch.setenv("CUSTLENS_NUMBA", "0")
    slow = score_customers(model, data, horizon_months=12)
    for col in ("predicted_purchases", "p_alive", "clv"):
        np.testing.assert_allclose(fast[col], slow[col], rtol=RTOL, atol=TINY, err_msg=col)
    assert fast["predicted_purchases"].sum() == pytest.approx(slow["predicted_purchases"].sum(), rel=1e-12)
