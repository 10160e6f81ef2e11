"""The compiled likelihood kernels equal the NumPy/SciPy likelihoods they speed up.

References: the per-row NumPy implementations (``Model._loglik``), themselves pinned to
CDNOW's published fits and to lifetimes 0.11.3 (test_clv_reference, test_clv_lifetimes);
finite differences for the gradients and Hessians; simulation with known parameters.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlens.clv import BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel, _kernels
from custlens.clv._fit import compress, compress_if_useful, maximise
from custlens.clv.simulate import simulate_bgnbd, simulate_pareto_nbd

pytestmark = pytest.mark.skipif(not _kernels.available(), reason="numba not installed")

MODELS = [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel]
PARAMS = [
    (0.243, 4.414, 0.793, 2.426),  # CDNOW BG/NBD
    (0.553, 10.578, 0.606, 11.669),  # CDNOW Pareto/NBD
    (2.0, 1.0, 3.0, 0.5),
    (1e-3, 1e4, 1e-3, 1e-2),  # tiny and huge
    (50.0, 1e-2, 20.0, 300.0),  # alpha << beta: series argument near 1
    (0.3, 200.0, 5.0, 0.05),  # alpha >> beta
]


def _evaluator(cls: type, cols: tuple[np.ndarray, ...], w: np.ndarray):
    from custlens.clv import _kernels_bg, _kernels_pnbd

    if cls is ParetoNBDModel:
        return _kernels_pnbd.summed(*cols, w)
    return _kernels_bg.summed(*cols, w, extra=cls._extra)


def _data(n: int = 600, seed: int = 0) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Continuous-time histories with frequency 0, heavy buyers (x up to 400) and t_x = T."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(0.01, 300.0, n)
    x = rng.poisson(rng.gamma(0.5, 4.0, n)).astype(float)
    x[: n // 20] = rng.integers(100, 400, n // 20)
    tx = np.where(x > 0, age * rng.beta(3.0, 1.0, n), 0.0)
    tx[n // 20: n // 10] = np.where(x[n // 20: n // 10] > 0, age[n // 20: n // 10], 0.0)
    return (x, tx, age), rng.uniform(0.5, 3.0, n)


@pytest.mark.parametrize("cls", MODELS)
@pytest.mark.parametrize("params", PARAMS)
def test_kernel_equals_numpy_likelihood(cls: type, params: tuple) -> None:
    cols, w = _data()
    p = np.array(params)
    ll, grad, _ = _evaluator(cls, cols, w).with_hessian(p)
    ref_ll, ref_grad = cls._loglik(p, cols)
    assert np.isfinite(ll)
    # With alpha / beta = 1e6 the Pareto/NBD series argument is within 1e-3 of 1 and both
    # implementations close it after 4,096 terms with the same geometric tail
    # (custlens.clv._hyp); they agree there too (the tail's d/dp, d/dc terms are summed in a
    # different order, hence the looser gradient tolerance).
    truncated = cls is ParetoNBDModel and params[1] / params[3] > 1e5
    np.testing.assert_allclose(ll, w @ ref_ll, rtol=1e-11)
    np.testing.assert_allclose(grad, w @ ref_grad, rtol=1e-8 if not truncated else 1e-6,
                               atol=1e-8 * np.abs(w @ ref_grad).max())


@pytest.mark.parametrize("cls", MODELS)
@pytest.mark.parametrize("params", PARAMS[:3])
def test_kernel_gradient_and_hessian_match_finite_differences(cls: type, params: tuple) -> None:
    cols, w = _data(300, seed=1)
    ev = _evaluator(cls, cols, w)
    p = np.array(params)
    _, grad, hess = ev.with_hessian(p)
    num_grad, num_hess = np.empty(4), np.empty((4, 4))
    for i in range(4):
        h = 1e-6 * p[i]
        e = np.zeros(4)
        e[i] = h
        num_grad[i] = (ev(p + e)[0] - ev(p - e)[0]) / (2 * h)
        num_hess[i] = (ev(p + e)[1] - ev(p - e)[1]) / (2 * h)
    np.testing.assert_allclose(grad, num_grad, rtol=1e-5, atol=1e-6 * np.abs(grad).max())
    np.testing.assert_allclose(hess, hess.T)
    np.testing.assert_allclose(hess, num_hess, rtol=1e-5, atol=1e-6 * np.abs(hess).max())


def test_non_integer_frequencies_use_hashed_levels() -> None:
    cols, w = _data(200, seed=2)
    x = cols[0] * 0.5  # still 0 where there were no purchases
    p = np.array(PARAMS[0])
    for cls in MODELS:
        ll, _, _ = _evaluator(cls, (x, cols[1], cols[2]), w).with_hessian(p)
        np.testing.assert_allclose(ll, w @ cls._loglik(p, (x, cols[1], cols[2]))[0], rtol=1e-11)


def _continuous(cls: type, n: int, seed: int) -> tuple[pd.DataFrame, dict]:
    """Histories with time-stamp precision (T from second-resolution first purchases, days)."""
    age = np.random.default_rng(seed).integers(86_400, 365 * 86_400, n) / 86_400.0
    if cls is ParetoNBDModel:
        true = {"r": 0.553, "alpha": 74.0, "s": 0.606, "beta": 81.7}
        data = simulate_pareto_nbd(n, **true, T=age, random_state=seed)
    else:
        true = {"r": 0.243, "alpha": 30.9, "a": 0.793, "b": 2.426}
        data = simulate_bgnbd(n, **true, T=age, modified=cls is ModifiedBetaGeoModel, random_state=seed)
    return data[["frequency", "recency", "T"]], true


@pytest.mark.parametrize("cls", MODELS)
def test_fit_on_continuous_time_data_recovers_parameters(cls: type) -> None:
    data, true = _continuous(cls, 60_000, seed=5)
    model = cls().fit(data)
    assert model.n_unique_ == len(data)  # nothing to compress: the kernels ran on every row
    summary = model.summary
    for name, value in true.items():
        se = summary.loc[name, "std_error"]
        assert abs(summary.loc[name, "estimate"] - value) < 3.5 * se, (name, summary)


@pytest.mark.parametrize("cls", MODELS)
def test_kernel_fit_equals_numpy_fit(cls: type, monkeypatch: pytest.MonkeyPatch) -> None:
    data, _ = _continuous(cls, 4_000, seed=7)
    fast = cls().fit(data)
    monkeypatch.setenv("CUSTLENS_NUMBA", "0")
    assert not _kernels.available()
    slow = cls().fit(data)
    assert fast.log_likelihood_ == pytest.approx(slow.log_likelihood_, rel=1e-10)
    for name, value in slow.params_.items():
        assert fast.params_[name] == pytest.approx(value, rel=1e-5)
    np.testing.assert_allclose(fast.summary["std_error"], slow.summary["std_error"], rtol=1e-3)


@pytest.mark.parametrize("cls", MODELS)
def test_compressed_and_uncompressed_paths_agree(cls: type) -> None:
    data, _ = _continuous(cls, 30_000, seed=9)
    data["recency"] = np.floor(data["recency"])  # day resolution: few distinct rows
    data["T"] = np.ceil(data["T"])
    cols = tuple(data[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    unique, w = compress_if_useful(cols)
    assert len(w) < len(data) / 2 and w.sum() == len(data)
    model = cls()
    starts = model._starts(unique, w)
    on_unique = maximise(cls._loglik, model._prepare(unique), w, starts)
    on_rows = maximise(cls._loglik, model._prepare(cols), np.ones(len(data)), starts)
    assert on_unique.log_likelihood == pytest.approx(on_rows.log_likelihood, rel=1e-11)
    np.testing.assert_allclose(on_unique.params, on_rows.params, rtol=1e-6)
    np.testing.assert_allclose(on_unique.covariance, on_rows.covariance, rtol=1e-6)


def test_compression_is_skipped_only_when_it_cannot_pay() -> None:
    rng = np.random.default_rng(0)
    n = 100_000
    continuous = rng.uniform(1, 365, n)
    cols, w = compress_if_useful((np.zeros(n), np.zeros(n), continuous))
    assert len(w) == n and (w == 1).all()
    days = np.ceil(continuous)
    cols, w = compress_if_useful((np.zeros(n), np.zeros(n), days))
    assert len(w) == len(np.unique(days))
    unique, w_ref, _ = compress((np.zeros(n), np.zeros(n), days))
    np.testing.assert_array_equal(np.sort(w), np.sort(w_ref))


def test_cdnow_same_optimum_with_and_without_kernels(cdnow: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    """CDNOW (Fader, Hardie & Lee 2005): LL -9582.43 (BG/NBD), -9594.97 (Pareto/NBD)."""
    for cls, ll in ((BetaGeoModel, -9582.43), (ParetoNBDModel, -9594.97)):
        fast = cls().fit(cdnow)
        with monkeypatch.context() as m:
            m.setenv("CUSTLENS_NUMBA", "0")
            slow = cls().fit(cdnow)
        assert fast.log_likelihood_ == pytest.approx(ll, abs=0.01)
        assert fast.log_likelihood_ == pytest.approx(slow.log_likelihood_, rel=1e-12)
        for name, value in slow.params_.items():
            assert fast.params_[name] == pytest.approx(value, rel=1e-6)


@st.composite
def _customer(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    age = draw(st.floats(min_value=1e-3, max_value=1000.0))
    x = draw(st.integers(min_value=0, max_value=500))
    tx = 0.0 if x == 0 else draw(st.floats(min_value=0.0, max_value=age))
    return np.array([float(x)]), np.array([tx]), np.array([age])


_param = st.floats(min_value=1e-3, max_value=1e3)


@settings(max_examples=150, deadline=None)
@given(_customer(), _param, _param, _param, _param)
def test_kernel_equals_numpy_for_any_valid_customer(cust: tuple, p1: float, p2: float, p3: float,
                                                    p4: float) -> None:
    """Property: for any valid history and parameters in [1e-3, 1e3] the kernels are finite
    and equal the NumPy likelihood, also where the Pareto/NBD series argument exceeds about
    0.997 (alpha / beta in the hundreds, small T) and both implementations close the series
    after 4,096 terms with the same geometric tail."""
    p = np.array([p1, p2, p3, p4])
    w = np.ones(1)
    for cls in MODELS:
        ll, grad, hess = _evaluator(cls, cust, w).with_hessian(p)
        ref_ll, ref_grad = cls._loglik(p, cust)
        assert np.isfinite(ll) and np.all(np.isfinite(grad)) and np.all(np.isfinite(hess)), cls
        assert ll == pytest.approx(float(ref_ll[0]), rel=1e-9, abs=1e-12), cls


@pytest.mark.parametrize("cls", MODELS)
def test_ridge_is_left_to_lbfgsb(cls: type, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five repeat customers among 500: the parameters run off along a ridge. Newton must not
    call that converged (nearly singular Hessian); L-BFGS-B decides, as without numba, and
    both paths reach the same supremum."""
    from custlens.clv._fit import _weighted
    from custlens.clv._newton import newton_fit

    data = pd.DataFrame({"frequency": 0.0, "recency": 0.0, "T": np.linspace(1.0, 300.0, 500)})
    data.loc[:4, ["frequency", "recency"]] = [[1.0, 0.5]] * 5
    cols = tuple(data[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    w = np.ones(len(data))
    model = cls()
    prepared = model._prepare(cols)
    evaluate = _weighted(cls._loglik, prepared, w)
    res = newton_fit(lambda d, ww: _weighted(cls._loglik, d, ww), evaluate, prepared, w,
                     model._starts(cols, w)[0], 0.0, 1e-10, 2000)
    # None (L-BFGS-B decides) or stopped at the iteration cap still climbing: never converged
    assert res is None or not res.success
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = cls().fit(data)
        monkeypatch.setenv("CUSTLENS_NUMBA", "0")
        slow = cls().fit(data)
    assert fast.log_likelihood_ == pytest.approx(slow.log_likelihood_, rel=1e-5)
