"""The Pareto/NBD at its limit s -> inf (one death rate): closed forms, fit and choice.

References: the limit's likelihood is checked against adaptive numerical integration
(scipy.integrate.quad) of its defining integral, and against the Pareto/NBD likelihood
at s = 1e6, beta = s / mu, itself computed by numerical integration of the model's
definition (Fader & Hardie 2005, note 009), not by custlens' hypergeometric series.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import integrate
from scipy.special import gammaln

from custlens.clv import ParetoNBDModel
from custlens.clv import _kernels_limit as K
from custlens.clv.pareto_nbd import _parts as _pnbd_parts
from custlens.clv.pareto_nbd_limit import ParetoNBDLimitModel
from custlens.clv.simulate import simulate_pareto_nbd

R, ALPHA, MU = 0.8, 5.0, 0.02


def _quad(f, lo, hi):
    return integrate.quad(f, lo, hi, epsabs=0, epsrel=1e-13, limit=500)[0]


@pytest.mark.parametrize("k", [0.05, 0.8, 1.0, 1.7, 3.0, 9.5, 20.0, 300.0])
@pytest.mark.parametrize("c", [0.05, 5.0, 500.0])
@pytest.mark.parametrize("mu", [1e-3, 0.014, 3.0])
def test_log_g_matches_adaptive_quadrature(k, c, mu):
    """G(k, c, mu) = int_0^inf e^{-mu w} (1 + w/c)^-k dw on both evaluation paths."""
    got = K.log_g(k, c, mu, *K._RULES)[0]
    ref = math.log(_quad(lambda w: math.exp(-mu * w - k * math.log1p(w / c)), 0, np.inf))
    assert got == pytest.approx(ref, rel=1e-11, abs=1e-11)


def _rows(n=400, seed=5):
    rng = np.random.default_rng(seed)
    age = rng.uniform(2, 150, n)
    df = simulate_pareto_nbd(n, R, ALPHA, 1e8, 1e8 / MU, T=age, random_state=seed)
    return (df[c].to_numpy(float) for c in ("frequency", "recency", "T"))


def test_gradient_matches_finite_differences():
    x, tx, age = _rows()
    p = np.array([R, ALPHA, MU])
    _, grad, _ = K.parts(p, x, tx, age)
    for j in range(3):
        h = 1e-6 * p[j]
        up, down = p.copy(), p.copy()
        up[j] += h
        down[j] -= h
        fd = (K.parts(up, x, tx, age)[0] - K.parts(down, x, tx, age)[0]) / (2 * h)
        np.testing.assert_allclose(grad[:, j], fd, rtol=1e-5, atol=1e-5 * np.abs(fd).max())


def _pnbd_reference(x, tx, age, r, alpha, s, beta):
    """Pareto/NBD log-likelihood and P(alive) by numerical integration of note 009's form."""
    k = r + x

    def log_tail(u):  # log int_u^inf (alpha + y)^-k ((beta + y) / beta)^-(s + 1) dy
        f = lambda y: math.exp(-k * math.log(alpha + y) - (s + 1) * math.log1p(y / beta) + k * math.log(alpha + u))
        return -k * math.log(alpha + u) + math.log(_quad(f, u, np.inf))

    a3 = -k * math.log(alpha + age) - s * math.log1p(age / beta)
    lt1, lt2 = log_tail(tx), log_tail(age)
    b = math.log(s / beta) + lt1 + math.log(-math.expm1(lt2 - lt1)) if age > tx else -math.inf
    mix = np.logaddexp(a3, b)
    return gammaln(k) - gammaln(r) + r * math.log(alpha) + mix, math.exp(a3 - mix)


@pytest.mark.parametrize("row", [(0.0, 0.0, 149.9), (3.0, 20.0, 100.0), (12.0, 60.5, 61.0),
                                 (40.0, 101.0, 130.0), (1.0, 0.5, 2.0)])
def test_limit_is_the_pareto_nbd_at_large_s(row):
    """Likelihood, P(alive) and expected purchases equal the Pareto/NBD's at s = 1e6, beta = s/mu
    (their difference is O(1/s))."""
    x, tx, age = row
    s = 1e6
    ll_ref, pa_ref = _pnbd_reference(x, tx, age, R, ALPHA, s, s / MU)
    ll, _, pa = K.parts(np.array([R, ALPHA, MU]), *(np.array([v]) for v in row))
    assert ll[0] == pytest.approx(ll_ref, abs=1e-5)
    assert pa[0] == pytest.approx(pa_ref, abs=1e-5)
    # the four-parameter likelihood itself is exact there (it used to be off by ~1 at s = 1e6:
    # test_clv_pnbd_ridge), so the limit is compared with it directly: the gap is O(1/s)
    ll4, _, pa4 = _pnbd_parts(np.array([R, ALPHA, s, s / MU]), *(np.array([v]) for v in row))
    assert ll4[0] == pytest.approx(ll_ref, abs=1e-8)  # the reference's quad: ~3e-9
    assert pa4[0] == pytest.approx(pa_ref, abs=1e-8)
    assert ll[0] == pytest.approx(ll4[0], abs=2e-6)  # measured: at most 7.3e-7
    assert pa[0] == pytest.approx(pa4[0], abs=2e-7)  # measured: at most 5.7e-8
    pnbd = ParetoNBDModel.from_params(r=R, alpha=ALPHA, s=s, beta=s / MU)
    limit = ParetoNBDLimitModel.from_params(r=R, alpha=ALPHA, mu=MU)
    args = tuple(np.array([v]) for v in row)
    e_pnbd = pnbd._expected(52.0, *args, pa=np.array([pa_ref]))
    e_limit = limit._expected(52.0, *args)
    assert e_limit[0] == pytest.approx(e_pnbd[0], rel=1e-5)


def test_new_customer_expectation_closed_form():
    m = ParetoNBDLimitModel.from_params(r=R, alpha=ALPHA, mu=MU)
    t = np.array([1.0, 10.0, 100.0])
    np.testing.assert_allclose(m.expected_purchases_new_customer(t), R / ALPHA * -np.expm1(-MU * t) / MU,
                               rtol=1e-14)
    # P(no purchase within t) of a new customer, against its integral over the time of death
    t0 = 30.0
    p0 = (math.exp(-MU * t0) * (ALPHA / (ALPHA + t0)) ** R
          + _quad(lambda y: MU * math.exp(-MU * y) * (ALPHA / (ALPHA + y)) ** R, 0, t0))
    assert m.probability_of_purchases_new_customer(t0, 0) == pytest.approx(p0, rel=1e-10)


def test_recovers_known_parameters_and_predicts_the_holdout():
    """Simulated one-death-rate customers: the fit recovers r, alpha, mu within 3 standard
    errors, finds no heterogeneity, and predicts the next 52 weeks' purchases."""
    n = 20_000
    rng = np.random.default_rng(11)
    age = rng.uniform(10, 150, n)
    df = simulate_pareto_nbd(n, R, ALPHA, 1e9, 1e9 / MU, T=age, random_state=12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = ParetoNBDModel().fit(df)
    assert m.at_limit_
    assert set(m.params_) == {"r", "alpha", "mu"} and m.bic_ == pytest.approx(
        3 * math.log(n) - 2 * m.log_likelihood_)
    summary = m.summary
    for name, truth in (("r", R), ("alpha", ALPHA), ("mu", MU)):
        est, se = summary.loc[name, "estimate"], summary.loc[name, "std_error"]
        assert abs(est - truth) < 3 * se, (name, est, se)
    assert m.heterogeneity_test_.statistic < 3.0
    # the holdout: alive customers live on Exp(mu) (memoryless) and buy at their rate
    alive = df["alive"].to_numpy()
    rest = rng.exponential(1 / MU, n)
    bought = rng.poisson(df["lambda_"].to_numpy() * np.minimum(rest, 52.0)) * alive
    truth_model = ParetoNBDLimitModel.from_params(r=R, alpha=ALPHA, mu=MU)
    predicted = truth_model.expected_purchases(df, 52.0)
    assert predicted.sum() == pytest.approx(bought.sum(), rel=0.03)
    one_time = df["frequency"].to_numpy() == 0
    assert predicted[one_time].sum() == pytest.approx(bought[one_time].sum(), rel=0.06)
    # P(alive) is calibrated: its mean equals the share actually alive
    assert truth_model.p_alive(df).mean() == pytest.approx(alive.mean(), abs=0.01)


def test_varying_death_rates_keep_the_four_parameter_fit():
    """With mu ~ Gamma(2, 100) the test rejects one death rate and s stays finite."""
    n = 20_000
    rng = np.random.default_rng(3)
    df = simulate_pareto_nbd(n, R, ALPHA, 2.0, 100.0, T=rng.uniform(10, 150, n), random_state=4)
    m = ParetoNBDModel().fit(df)
    assert not m.at_limit_
    assert m.heterogeneity_test_.statistic > 5.0
    s, se = m.summary.loc["s", "estimate"], m.summary.loc["s", "std_error"]
    assert abs(s - 2.0) < 3 * se


def test_limit_start_is_accepted_and_repr_says_limit():
    n = 5_000
    rng = np.random.default_rng(8)
    df = simulate_pareto_nbd(n, R, ALPHA, 1e9, 1e9 / MU, T=rng.uniform(10, 150, n), random_state=9)
    m = ParetoNBDModel(initial_params={"r": 1.0, "alpha": 4.0, "mu": 0.03}).fit(df)
    assert m.at_limit_
    assert "limit s -> inf" in repr(m)
    # a refit of the same instance starts again as the four-parameter model
    m.initial_params = None
    m.fit(df)
    assert m.at_limit_ and len(m.params_) == 3


def test_no_purchase_probability_closed_form_matches_quadrature():
    """P(0 purchases in t | history): the closed form (through G) against the 96-point
    quadrature over the time of death used for n > 0."""
    x, tx, age = _rows(200, seed=21)
    m = ParetoNBDLimitModel.from_params(r=R, alpha=ALPHA, mu=MU)
    closed = m._pmf(0, 52.0, x, tx, age)
    pa = m._p_alive(x, tx, age)
    k, ra = R + x, ALPHA + age
    y = 26.0 * (np.polynomial.legendre.leggauss(96)[0][:, None] + 1.0)
    w = np.polynomial.legendre.leggauss(96)[1]
    died = 26.0 * (w @ (MU * np.exp(-MU * y) * (ra / (ra + y)) ** k))
    ref = pa * (np.exp(-MU * 52.0) * (ra / (ra + 52.0)) ** k + died) + 1.0 - pa
    np.testing.assert_allclose(closed, ref, rtol=1e-10)
    # and the probabilities of 0, 1, 2, ... purchases add up to one
    total = sum(m._pmf(j, 52.0, x[:20], tx[:20], age[:20]) for j in range(200))
    np.testing.assert_allclose(total, 1.0, atol=1e-8)


def test_summed_hessian_matches_finite_differences_of_the_gradient():
    """The Newton path's analytic Hessian (weighted sums) against central differences of the
    analytic gradient, and its value and gradient against the per-row form."""
    x, tx, age = _rows(1_500, seed=31)
    w = np.random.default_rng(1).integers(1, 4, len(x)).astype(float)
    ev = K.summed(x, tx, age, w)
    p = np.array([R, ALPHA, MU])
    ll, g, h = ev.with_hessian(p)
    ll_rows, g_rows, _ = K.parts(p, x, tx, age)
    assert ll == pytest.approx(w @ ll_rows, rel=1e-12)
    np.testing.assert_allclose(g, w @ g_rows, rtol=1e-10)
    fd = np.empty((3, 3))
    for j in range(3):
        d = 1e-6 * p[j]
        up, down = p.copy(), p.copy()
        up[j] += d
        down[j] -= d
        fd[j] = (ev.with_hessian(up)[1] - ev.with_hessian(down)[1]) / (2 * d)
    np.testing.assert_allclose(h, fd, rtol=1e-6, atol=1e-8 * np.abs(fd).max())
