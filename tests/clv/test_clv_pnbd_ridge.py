"""The four-parameter Pareto/NBD likelihood far from alpha = beta (the ridge s, beta -> inf).

References: adaptive numerical integration (scipy.integrate.quad, split at decades of
``alpha + u``) of the tail integral ``F(u) = int_u^inf (alpha + y)^-(r+x) (beta + y)^-(s+1) dy``
and of the likelihood's defining form (Fader & Hardie 2005, note 009), not custlens' series or
quadrature; central finite differences for gradients and Hessians; NumPy path == kernel.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.special import gammaln

from custlens.clv import ParetoNBDModel, _kernels
from custlens.clv.pareto_nbd import _log_tail, _parts

R, ALPHA = 0.8, 5.0


def _ref_log_tail(r: float, alpha: float, s: float, beta: float, x: float, u: float) -> float:
    """log F(u) by adaptive quadrature in ``t``, ``y = u + c (e^t - 1)`` with ``c`` the
    integrand's smallest scale of decay at ``u`` (every power-law scale becomes smooth in
    ``t``), scaled by the integrand at u, in unit pieces up to where it is below e^-80."""
    k = r + x
    c0 = min(alpha + u, beta + u, (alpha + u) / k, (beta + u) / (s + 1.0))
    c = -k * math.log(alpha + u) - (s + 1.0) * math.log(beta + u)

    def f(t: float) -> float:
        y = u + c0 * math.expm1(t)
        return math.exp(-k * math.log(alpha + y) - (s + 1.0) * math.log(beta + y) - c + t) * c0

    # beyond max + u the integrand falls like e^{-(r + s + x) t}
    top = math.log((max(alpha, beta) + u) / c0) + 80.0 / min(1.0, r + s + x)
    total = sum(integrate.quad(f, lo, lo + 1.0, epsabs=0, epsrel=1e-13, limit=200)[0]
                for lo in np.arange(0.0, top, 1.0))
    return c + math.log(total)


def _ref_loglik(x: float, tx: float, age: float, r: float, alpha: float, s: float, beta: float) -> float:
    k = r + x
    a3 = -k * math.log(alpha + age) - s * math.log(beta + age)
    lt1, lt2 = _ref_log_tail(r, alpha, s, beta, x, tx), _ref_log_tail(r, alpha, s, beta, x, age)
    b = math.log(s) + lt1 + math.log(-math.expm1(lt2 - lt1)) if age > tx else -math.inf
    return gammaln(k) - gammaln(r) + r * math.log(alpha) + s * math.log(beta) + np.logaddexp(a3, b)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("s", [1.0, 10.0, 100.0, 1e3, 1e4, 1e5])
def test_log_tail_matches_adaptive_quadrature(s: float) -> None:
    """beta / alpha from 1e-6 to 1e6, x = 0, 1, 10, u small and large: 1e-10 relative."""
    worst = 0.0
    for ratio in (1e-6, 1e-3, 0.1, 0.5, 1.0, 3.0, 1e3, 1e6):
        beta = ALPHA * ratio
        x = np.array([0.0, 1.0, 10.0] * 3)
        u = np.repeat([0.0, 2.0, 150.0], 3)
        got = _log_tail(R, ALPHA, s, beta, x, u)[0]
        for g, xi, ui in zip(got, x, u):
            ref = _ref_log_tail(R, ALPHA, s, beta, xi, ui)
            worst = max(worst, abs(g - ref) / max(1.0, abs(ref)))
    assert worst < 1e-10


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("s", [100.0, 1e3, 1e4, 1e5])
@pytest.mark.parametrize("row", [(0.0, 0.0, 60.0), (1.0, 10.0, 80.0), (10.0, 50.0, 52.0)])
def test_loglik_up_the_ridge(s: float, row: tuple) -> None:
    """The documented defect: r = 0.8, alpha = 5, beta = s / 0.02 (a one-time buyer was off
    by 7e-5 at s = 100, 0.10 at s = 1,000, 0.59 at s = 10,000); now 1e-10."""
    beta = s / 0.02
    ll = _parts(np.array([R, ALPHA, s, beta]), *(np.array([v]) for v in row))[0][0]
    ref = _ref_loglik(*row, R, ALPHA, s, beta)
    assert ll == pytest.approx(ref, rel=1e-10, abs=1e-10)


def _data(n: int = 300, seed: int = 3) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    rng = np.random.default_rng(seed)
    age = rng.uniform(0.5, 200.0, n)
    x = rng.poisson(rng.gamma(0.6, 3.0, n)).astype(float)
    x[:10] = rng.integers(50, 200, 10)
    tx = np.where(x > 0, age * rng.beta(3.0, 1.0, n), 0.0)
    return (x, tx, age), rng.uniform(0.5, 2.0, n)


RIDGE = [(0.8, 5.0, 1e3, 5e4), (0.8, 5.0, 1e5, 5e6), (0.5, 2.0, 0.7, 3e4),  # beta >> alpha
         (0.3, 3e4, 0.6, 2.0), (2.0, 1e6, 50.0, 1.0)]  # alpha >> beta


def _fd(fn, p: np.ndarray, i: int, step: float = 1e-4):
    """Five-point central difference in parameter ``i`` (``step`` relative; truncation error
    ~ step^4): the log-likelihood far up the ridge is a difference of terms ~ s log(beta) ~ 1e6
    per customer, whose rounding (~1e-7 summed) a smaller step would amplify."""
    e = np.zeros(len(p))
    e[i] = step * p[i]
    return (8 * (fn(p + e) - fn(p - e)) - (fn(p + 2 * e) - fn(p - 2 * e))) / (12 * e[i])


def _scale(p: np.ndarray, w: np.ndarray) -> float:
    """Size of the cancelling terms of the summed log-likelihood (its rounding unit)."""
    r, alpha, s, beta = p
    return float(w.sum()) * (abs(s * math.log(beta)) + abs(r * math.log(alpha)) + 1.0)


@pytest.mark.skipif(not _kernels.available(), reason="numba not installed")
@pytest.mark.parametrize("params", RIDGE)
def test_kernel_equals_numpy_and_finite_differences(params: tuple) -> None:
    from custlens.clv import _kernels_pnbd

    cols, w = _data()
    p = np.array(params)
    ev = _kernels_pnbd.summed(*cols, w)
    ll, grad, hess = ev.with_hessian(p)
    ref_ll, ref_grad = ParetoNBDModel._loglik(p, cols)
    assert abs(ll - w @ ref_ll) < 1e-12 * abs(ll) + 1e-14 * _scale(p, w)
    np.testing.assert_allclose(grad, w @ ref_grad, rtol=1e-9, atol=1e-9 * np.abs(grad).max())
    num_grad = np.array([_fd(lambda q: ev(q)[0], p, i, 1e-2) for i in range(4)])
    num_hess = np.array([_fd(lambda q: ev(q)[1], p, i, 1e-3) for i in range(4)])
    np.testing.assert_allclose(grad, num_grad, rtol=1e-6, atol=1e-7 * np.abs(grad).max())
    np.testing.assert_allclose(hess, hess.T, rtol=1e-12, atol=1e-14 * np.abs(hess).max())
    np.testing.assert_allclose(hess, num_hess, rtol=1e-5, atol=1e-6 * np.abs(hess).max())


@pytest.mark.parametrize("params", RIDGE)
def test_numpy_gradient_matches_finite_differences(params: tuple) -> None:
    cols, w = _data(120, seed=4)
    p = np.array(params)
    grad = w @ ParetoNBDModel._loglik(p, cols)[1]
    num = np.array([_fd(lambda q: w @ ParetoNBDModel._loglik(q, cols)[0], p, i) for i in range(4)])
    np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-7 * np.abs(grad).max())
