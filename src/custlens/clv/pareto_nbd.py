"""Pareto/NBD: Poisson purchasing with an exponential lifetime (Schmittlein, Morrison & Colombo 1987)."""

from __future__ import annotations

import warnings
import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from custlens.clv import _kernels
from custlens.clv._fit import SumLogLik, compress, summed_by
from custlens.clv._hyp import log_series
from custlens.clv._pnbd_quad import Z_SPLIT, combine, split_point
from custlens.clv.pareto_nbd_limit import HeterogeneityTest, ParetoNBDLimitModel, PoissonLifetimeModel

#: Above this p-value of the death-rate heterogeneity test the Pareto/NBD is fitted at its
#: limit s -> inf (one death rate): the data do not show the variation that would pin s down.
LIMIT_P_VALUE = 0.05

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(96)


def _log_tail(r: float, alpha: float, s: float, beta: float, x: np.ndarray, u: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """``log F(u)`` and its gradient, ``F(u) = int_u^inf (alpha+y)^-(r+x) (beta+y)^-(s+1) dy``.

    Where the series argument ``z = |alpha - beta| / (max + u)`` exceeds ``Z_SPLIT`` the
    integral is split at ``w`` (``z(w) = Z_SPLIT``): the series at ``w`` plus quadrature on
    ``[u, w]`` (:mod:`custlens.clv._pnbd_quad`, the very code the compiled kernel runs).
    """
    x, u = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(u, dtype=float))
    big, small = max(alpha, beta), min(alpha, beta)
    far = (big - small) > Z_SPLIT * (big + u)
    if not far.any():
        return _log_tail_series(r, alpha, s, beta, x, u)
    value, grad = _log_tail_series(r, alpha, s, beta, x, np.where(far, split_point(alpha, beta), u))
    w = split_point(alpha, beta)
    g, h = np.empty(4), np.empty((4, 4))
    for i in np.flatnonzero(far):
        g[:] = grad[i]
        h[:, :] = 0.0  # the log-Hessian is not needed here: the gradient does not use it
        value[i] = combine(r, alpha, s, beta, float(x[i]), float(u[i]), w, float(value[i]), g, h)
        grad[i] = g
    return value, grad


def _log_tail_series(r: float, alpha: float, s: float, beta: float, x: np.ndarray, u: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_log_tail` by the Euler-transformed hypergeometric series (:func:`log_series`)."""
    big_a = r + s + x
    la, lb = np.log(alpha + u), np.log(beta + u)
    grad = np.empty((len(x), 4))
    if alpha >= beta:
        z = (alpha - beta) / (alpha + u)
        ls, sp, sc, sz = log_series(r + x, big_a + 1.0, z)
        value = -(r + x) * la - s * lb - np.log(big_a) + ls
        grad[:, 0] = -la - 1.0 / big_a + sp + sc
        grad[:, 1] = -(r + x) / (alpha + u) + sz * (beta + u) / (alpha + u) ** 2
        grad[:, 2] = -lb - 1.0 / big_a + sc
        grad[:, 3] = -s / (beta + u) - sz / (alpha + u)
    else:
        z = (beta - alpha) / (beta + u)
        ls, sp, sc, sz = log_series(np.full_like(x, s + 1.0), big_a + 1.0, z)
        value = -(r + x - 1.0) * la - (s + 1.0) * lb - np.log(big_a) + ls
        grad[:, 0] = -la - 1.0 / big_a + sc
        grad[:, 1] = -(r + x - 1.0) / (alpha + u) - sz / (beta + u)
        grad[:, 2] = -lb - 1.0 / big_a + sp + sc
        grad[:, 3] = -(s + 1.0) / (beta + u) + sz * (alpha + u) / (beta + u) ** 2
    return value, grad


def _tail_pairs(x: np.ndarray, tx: np.ndarray, age: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique ``(x, u)`` pairs over ``u in {t_x, T}`` and the index of each row's two pairs."""
    (px, pu), _, inverse = compress((np.concatenate([x, x]), np.concatenate([tx, age])))
    return px, pu, inverse


def _parts(params: np.ndarray, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
           px: np.ndarray | None = None, pu: np.ndarray | None = None,
           inverse: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log-likelihood, its gradient and P(alive) per row (``px, pu, inverse``: see _tail_pairs)."""
    r, alpha, s, beta = params
    n = len(x)
    if px is None:
        px, pu, inverse = _tail_pairs(x, tx, age)
    log_f, d_f = _log_tail(r, alpha, s, beta, px, pu)
    log_f, d_f = log_f[inverse], d_f[inverse]
    f1, f2, d1, d2 = log_f[:n], log_f[n:], d_f[:n], d_f[n:]
    ratio = np.exp(np.minimum(f2 - f1, 0.0))  # F(T) / F(t_x) in [0, 1]
    has_gap = ratio < 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        log_i = np.where(has_gap, f1 + np.log(-np.expm1(np.minimum(f2 - f1, 0.0))), -np.inf)
        d_i = np.where(has_gap[:, None], (d1 - ratio[:, None] * d2) / (1.0 - ratio[:, None]), 0.0)
    a3 = -(r + x) * np.log(alpha + age) - s * np.log(beta + age)
    b_term = np.log(s) + log_i
    mix = np.logaddexp(a3, b_term)
    w3 = np.exp(a3 - mix)
    wb = np.where(has_gap, np.exp(b_term - mix), 0.0)
    ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + mix
    grad = np.empty((n, 4))
    grad[:, 0] = digamma(r + x) - digamma(r) + np.log(alpha) - w3 * np.log(alpha + age) + wb * d_i[:, 0]
    grad[:, 1] = r / alpha - w3 * (r + x) / (alpha + age) + wb * d_i[:, 1]
    grad[:, 2] = np.log(beta) - w3 * np.log(beta + age) + wb * (1.0 / s + d_i[:, 2])
    grad[:, 3] = s / beta - w3 * s / (beta + age) + wb * d_i[:, 3]
    return ll, grad, w3


def _summed(data: tuple[np.ndarray, ...], weights: np.ndarray) -> SumLogLik:
    """Weighted sums of :func:`_parts`' log-likelihood and gradient (see ``_fit.summed_by``).

    Functions of ``x`` or ``T`` alone are summed per level; the tail integrals ``F`` are
    evaluated once per ``(x, u)`` pair and their gradients enter through per-pair
    coefficients (``bincount``), instead of gathering a gradient matrix to every row.
    """
    x, tx, age = data[:3]
    if _kernels.available():  # the compiled kernel, with Hessian (same numbers)
        from custlens.clv import _kernels_pnbd

        return _kernels_pnbd.summed(x, tx, age, weights)
    px, pu, inverse = data[3:] if len(data) == 6 else _tail_pairs(x, tx, age)
    w = np.ascontiguousarray(weights, dtype=float)
    n, n_pairs = len(x), len(px)
    i1, i2 = np.ascontiguousarray(inverse[:n]), np.ascontiguousarray(inverse[n:])
    ix, ux = pd.factorize(x, sort=False)
    iage, uage = pd.factorize(age, sort=False)
    ux, uage = np.asarray(ux, dtype=float), np.asarray(uage, dtype=float)
    n_age = len(uage)
    w_total = float(w.sum())
    w_x = np.bincount(ix, weights=w, minlength=len(ux))

    tiny = np.finfo(float).tiny
    f1, delta, one_minus, a3, dd, e, inv, t1 = (np.empty(n) for _ in range(8))
    pos = np.empty(n, dtype=bool)

    def evaluate(params: np.ndarray) -> tuple[float, np.ndarray]:
        # Row arrays live in the buffers above (out=): fresh temporaries of this size cost
        # more in page faults than the arithmetic. Augmented assignments are avoided, as
        # they would rebind the closure's names.
        r, alpha, s, beta = params
        log_f, d_f = _log_tail(r, alpha, s, beta, px, pu)
        lg_a, lg_b = np.log(alpha + uage), np.log(beta + uage)
        np.take(log_f, i1, out=f1)
        np.subtract(np.take(log_f, i2, out=delta), f1, out=delta)
        np.minimum(delta, 0.0, out=delta)  # log F(T) / F(t_x)
        np.negative(np.expm1(delta, out=one_minus), out=one_minus)  # 1 - F(T) / F(t_x)
        # a3 = -(r + x) log(alpha + T) - s log(beta + T)
        np.multiply(np.add(x, r, out=a3), np.take(lg_a, iage, out=t1), out=a3)
        np.negative(np.add(a3, np.take(s * lg_b, iage, out=t1), out=a3), out=a3)
        # dd = b_term - a3, b_term = log s + log(F(t_x) - F(T)) (-inf without a gap)
        with np.errstate(divide="ignore"):
            np.log(one_minus, out=dd)
        np.add(dd, f1, out=dd)
        np.subtract(dd, a3, out=dd)
        np.add(dd, np.log(s), out=dd)
        np.exp(np.negative(np.abs(dd, out=e), out=e), out=e)  # exp(-|dd|)
        np.divide(1.0, np.add(e, 1.0, out=inv), out=inv)
        np.greater_equal(dd, 0.0, out=pos)
        # log-likelihood: mix = logaddexp(a3, b_term) = a3 + max(dd, 0) + log1p(e)
        mix_sum = w @ a3 + w @ np.maximum(dd, 0.0, out=t1) + w @ np.log1p(e, out=t1)
        # weights of the two terms: wb = expit(dd) (into dd), w3 = expit(-dd) (into inv)
        np.multiply(e, inv, out=e)
        np.copyto(dd, e)
        np.copyto(dd, inv, where=pos)
        np.copyto(inv, e, where=pos)
        wb, w3 = dd, inv
        # d log(F1 - F2) = (dF1 - ratio dF2) / (1 - ratio), folded into per-pair coefficients
        np.multiply(w, wb, out=t1)
        wb_sum = t1.sum()
        np.divide(t1, np.maximum(one_minus, tiny, out=one_minus), out=t1)  # c1 (0 without a gap)
        coef = np.bincount(i1, weights=t1, minlength=n_pairs)
        np.multiply(t1, np.exp(delta, out=delta), out=t1)
        coef -= np.bincount(i2, weights=t1, minlength=n_pairs)
        np.multiply(w, w3, out=t1)
        w3_age = np.bincount(iage, weights=t1, minlength=n_age)
        w3x_age = np.bincount(iage, weights=np.multiply(t1, x, out=t1), minlength=n_age)
        ll = (w_x @ (gammaln(r + ux) - gammaln(r)) + w_total * (r * np.log(alpha) + s * np.log(beta))
              + mix_sum)
        grad = np.array([
            w_x @ (digamma(r + ux) - digamma(r)) + w_total * np.log(alpha) - w3_age @ lg_a,
            w_total * r / alpha - (r * w3_age + w3x_age) @ (1.0 / (alpha + uage)),
            w_total * np.log(beta) - w3_age @ lg_b + wb_sum / s,
            w_total * s / beta - w3_age @ (s / (beta + uage)),
        ]) + coef @ d_f
        return float(ll), grad

    return evaluate


class ParetoNBDModel(PoissonLifetimeModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005).

    While active a customer buys as a Poisson process with rate ``lambda ~ Gamma(r,
    alpha)``; the lifetime is exponential with rate ``mu ~ Gamma(s, beta)``. Input:
    ``frequency, recency, T`` with ``0 <= recency <= T``.

    The likelihood is evaluated in log space with a hypergeometric series that is
    bounded for any purchase count (see :mod:`custlens.clv._hyp`), so customers with
    hundreds of purchases over many years do not overflow.

    **The limit s -> inf.** When every customer has nearly the same death rate, the
    likelihood rises along the ridge ``s, beta -> inf`` with ``s / beta`` fixed, and no finite
    optimum exists. ``fit`` therefore first fits the limit of that ridge
    (:class:`~custlens.clv.pareto_nbd_limit.ParetoNBDLimitModel`: one death rate ``mu``) and
    tests whether the death rates vary (:meth:`~custlens.clv.pareto_nbd_limit.
    ParetoNBDLimitModel.heterogeneity_test`). Without evidence of variation (p-value above
    ``LIMIT_P_VALUE``) the model *is* that limit: ``at_limit_`` is True, ``params_`` are
    ``r, alpha, mu`` and every prediction uses the limit's closed forms. Otherwise the
    four-parameter fit runs as before (and a fit stopped by the iteration cap is still
    reported as not converged).

    Attributes
    ----------
    params_ : dict
        ``r, alpha, s, beta``; at the limit ``r, alpha, mu``.
    log_likelihood_ : float
    summary : DataFrame
    at_limit_ : bool
        True when the fit is the limit ``s -> inf`` (one death rate).
    heterogeneity_test_ : HeterogeneityTest
        The score test of one death rate against varying ones (statistic, p-value).

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2005). A Note on Deriving the Pareto/NBD Model and
    Related Expressions. http://brucehardie.com/notes/009/
    """

    _param_names = ("r", "alpha", "s", "beta")
    _default_start = (1.0, 1.0, 1.0, 1.0)

    _has_kernel = True

    at_limit_ = False

    def fit(self, data: pd.DataFrame) -> ParetoNBDModel:
        """Fit by maximum likelihood, at the limit ``s -> inf`` when the data ask for it.

        Parameters
        ----------
        data : DataFrame
            ``frequency, recency, T`` (optional ``weights``).

        Returns
        -------
        self
        """
        self.__dict__.pop("_param_names", None)  # a refit starts as the four-parameter model
        self.at_limit_ = False
        given = dict(self.initial_params or {})
        limit_start = ({k: given[k] for k in ParetoNBDLimitModel._param_names}
                       if set(ParetoNBDLimitModel._param_names) <= set(given) else None)
        limit = ParetoNBDLimitModel(penalizer_coef=self.penalizer_coef, n_starts=self.n_starts,
                                    random_state=self.random_state, initial_params=limit_start)
        try:
            with warnings.catch_warnings(record=True) as limit_caught:
                warnings.simplefilter("always")
                limit.fit(data)
            test = limit.heterogeneity_test(data)
        except Exception:  # noqa: BLE001 - the four-parameter fit below decides then
            limit, test = None, HeterogeneityTest(float("nan"), float("nan"))
        self.heterogeneity_test_ = test
        if limit is not None and not limit_caught and test.p_value > LIMIT_P_VALUE:
            return self._adopt(limit)
        own = self.initial_params
        if own is not None and not set(self._param_names) <= set(own):
            self.initial_params = None  # a limit start: the four-parameter fit starts afresh
        try:
            super().fit(data)
        finally:
            self.initial_params = own
        return self

    def _adopt(self, limit: ParetoNBDLimitModel) -> ParetoNBDModel:
        """Become the fitted limit (its parameters, likelihood and covariance)."""
        self.at_limit_ = True
        self.limit_model_ = limit
        self._param_names = limit._param_names  # this instance's parameters: r, alpha, mu
        self.params_ = dict(limit.params_)
        self.log_likelihood_ = limit.log_likelihood_
        self.n_obs_, self.n_unique_ = limit.n_obs_, limit.n_unique_
        self.covariance_ = limit.covariance_
        return self

    def __repr__(self) -> str:
        text = super().__repr__()
        return text[:-1] + " (limit s -> inf: one death rate)>" if self.at_limit_ else text

    def _prepare(self, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        # the kernel reads the rows directly; the NumPy form works on distinct (x, u) pairs
        return data if _kernels.available() else (*data, *_tail_pairs(*data))

    @staticmethod
    @summed_by(_summed)
    def _loglik(params: np.ndarray, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        ll, grad, _ = _parts(params, *data)
        return ll, grad

    def _p_alive(self, x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
        if self.at_limit_:
            return self.limit_model_._p_alive(x, tx, age)
        return _parts(np.array(self._p()), x, tx, age)[2]

    def _expected(self, t: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
                  pa: np.ndarray | None = None) -> np.ndarray:
        if self.at_limit_:
            return self.limit_model_._expected(t, x, tx, age, pa)
        r, alpha, s, beta = self._p()
        if pa is None:
            pa = self._p_alive(x, tx, age) if np.any(age > 0) else np.ones_like(x)
        log_ratio = np.log1p(t / (beta + age))
        if abs(s - 1.0) > 1e-10:
            g = -np.expm1(-(s - 1.0) * log_ratio) / (s - 1.0)
        else:
            g = log_ratio
        return (r + x) * (beta + age) / (alpha + age) * g * pa

    def _pmf(self, n: int, t: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
        if self.at_limit_:
            return self.limit_model_._pmf(n, t, x, tx, age)
        r, alpha, s, beta = self._p()
        pa = self._p_alive(x, tx, age) if np.any(age > 0) else np.ones_like(x)
        k, ra, rb = r + x, alpha + age, beta + age

        def log_nb(y: np.ndarray) -> np.ndarray:  # P(n purchases in y | lambda ~ Gamma(k, ra))
            with np.errstate(divide="ignore", invalid="ignore"):
                out = (gammaln(k + n) - gammaln(k) - gammaln(n + 1.0) + k * (np.log(ra) - np.log(ra + y))
                       + (n * (np.log(y) - np.log(ra + y)) if n > 0 else 0.0))
            return out

        survive = np.exp(s * (np.log(rb) - np.log(rb + t)) + log_nb(np.asarray(t)))
        # death at time y in (0, t], having bought n times before: Gauss-Legendre on [0, t]
        y = 0.5 * t * (_NODES[:, None] + 1.0)
        dens = np.exp(np.log(s) + s * np.log(rb) - (s + 1.0) * np.log(rb + y) + log_nb(y))
        died = 0.5 * t * (_WEIGHTS @ dens)
        return pa * (survive + died) + (n == 0) * (1.0 - pa)
