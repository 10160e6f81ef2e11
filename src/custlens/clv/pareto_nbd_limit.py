"""The Pareto/NBD at its limit ``s -> inf``: one death rate for every customer.

When the death rates ``mu ~ Gamma(s, beta)`` of the Pareto/NBD barely vary between customers,
its likelihood rises along the ridge ``s, beta -> inf`` with ``s / beta`` fixed and the fit
never converges. The limit of that ridge is a proper model with three parameters: purchases
Poisson at ``lambda ~ Gamma(r, alpha)`` while alive, and an exponential lifetime with the same
rate ``mu`` for everyone. Its likelihood, P(alive) and expectations are closed forms (see
:mod:`custlens.clv._kernels_limit`); :meth:`ParetoNBDLimitModel.heterogeneity_test` says
whether the data ask for varying death rates at all (a score test of ``1 / s = 0``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import gammaln
from scipy.stats import norm

from custlens.clv._fit import compress, summed_by
from custlens.clv._transaction import TransactionModel, _scored

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(96)


def _k():  # the compiled kernels, imported on first use (numba loads in ~0.3 s)
    from custlens.clv import _kernels_limit

    return _kernels_limit


def _kp():  # the same per-row numbers, ``log I`` evaluated once per distinct (x, u) pair
    from custlens.clv import _kernels_limit_pairs

    return _kernels_limit_pairs


@dataclass(frozen=True)
class HeterogeneityTest:
    """Score test of one death rate for all (``1 / s = 0``) against gamma-distributed ones.

    Attributes
    ----------
    statistic : float
        Standardised score (approximately N(0, 1) under one death rate; large and positive
        when the death rates vary).
    p_value : float
        One-sided p-value.
    """

    statistic: float
    p_value: float


class PoissonLifetimeModel(TransactionModel):
    """Base of the Pareto/NBD and its limit: the purchase-count pmf from the subclass's ``_pmf``
    (the posterior of the purchase and death rates given the history and being alive, integrated
    over the time of death by Gauss-Legendre quadrature)."""

    def _pmf(self, n: int, t: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def probability_of_purchases(self, data: pd.DataFrame, t: float, n: int) -> np.ndarray:
        """P(exactly ``n`` purchases in the next ``t`` time units | history).

        Parameters
        ----------
        data : DataFrame
            ``frequency, recency, T`` per customer.
        t : float
            Horizon.
        n : int
            Number of purchases.

        Returns
        -------
        ndarray
        """
        t, n = self._check_horizon(t), int(n)
        return _scored(lambda x, tx, age: self._pmf(n, t, x, tx, age), self._rfm(data))

    def probability_of_purchases_new_customer(self, t: float, n: int) -> float:
        """P(exactly ``n`` repeat purchases within ``t`` of the first purchase)."""
        t, n = self._check_horizon(t), int(n)
        z = np.zeros(1)
        return float(self._pmf(n, t, z, z, z)[0])


class ParetoNBDLimitModel(PoissonLifetimeModel):
    """Pareto/NBD with one death rate: the limit ``s -> inf``, ``s / beta -> mu``.

    While active a customer buys as a Poisson process with rate ``lambda ~ Gamma(r,
    alpha)``; every lifetime is exponential with the same rate ``mu`` (no heterogeneity).
    Input: ``frequency, recency, T`` with ``0 <= recency <= T``.

    Closed forms (``k = r + x``, ``A = -mu T - k log(alpha + T)``)::

        L = Gamma(k) alpha^r / Gamma(r) [e^A + mu (I(t_x) - I(T))]
        P(alive) = e^A / [e^A + mu (I(t_x) - I(T))]
        E[purchases in (T, T + t]] = (r + x) / (alpha + T) (1 - e^{-mu t}) / mu P(alive)

    with ``I(u) = int_u^inf e^{-mu y} (alpha + y)^-k dy``, a confluent hypergeometric
    (Tricomi ``U``) function. They are the Pareto/NBD's with ``s -> inf`` and ``beta = s / mu``
    (tests/clv/test_clv_pnbd_limit.py checks that to 1e-6 at ``s = 1e6``).

    Attributes
    ----------
    params_ : dict
        ``r, alpha, mu`` (``mu`` per time unit of the data; ``1 / mu`` is the mean lifetime).
    log_likelihood_ : float
    summary : DataFrame

    References
    ----------
    Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers: who
    are they and what will they do next? Management Science 33(1), 1-24 (the model and its
    homogeneous-death-rate special case).
    """

    _param_names = ("r", "alpha", "mu")
    _default_start = (1.0, 1.0, 0.01)

    def _data_start(self, data: tuple[np.ndarray, ...], weights: np.ndarray) -> tuple[float, ...]:
        x, _, age = data[:3]
        rate = max(float(weights @ x) / max(float(weights @ age), 1e-12), 1e-6)
        alpha = float(np.clip(1.0 / rate, 1e-3, 1e6))
        # a death rate a fraction of the purchase rate: lifetimes of several purchase gaps
        return 1.0, alpha, float(np.clip(0.1 * rate, 1e-6, 1e3))

    @staticmethod
    @summed_by(lambda data, weights: _k().summed(*data[:3], weights))  # with Hessian: Newton steps
    def _loglik(params: np.ndarray, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        ll, grad, _ = _kp().parts(params, *data[:3])
        return ll, grad

    def _p_alive(self, x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
        return _kp().p_alive(np.array(self._p()), x, tx, age)

    def _expected(self, t: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
                  pa: np.ndarray | None = None) -> np.ndarray:
        r, alpha, mu = self._p()
        if pa is None:
            pa = self._p_alive(x, tx, age) if np.any(age > 0) else np.ones_like(x)
        return (r + x) / (alpha + age) * (-np.expm1(-mu * np.asarray(t, dtype=float)) / mu) * pa

    def _pmf(self, n: int, t: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
             pa: np.ndarray | None = None) -> np.ndarray:
        r, alpha, mu = self._p()
        if pa is None:
            pa = self._p_alive(x, tx, age) if np.any(age > 0) else np.ones_like(x)
        k, ra = r + x, alpha + age
        if n == 0:  # closed form: e^{-mu t} q^k + mu int_0^t e^{-mu y} (ra / (ra + y))^k dy
            # a function of (x, T) only: evaluated once per distinct pair (few at day resolution)
            (ux, uage), _, inverse = compress((np.asarray(x, dtype=float), np.asarray(age, dtype=float)))
            uk, ura = r + ux, alpha + uage
            survive = np.exp(-mu * t + uk * (np.log(ura) - np.log(ura + t)))
            g_now, g_later = _k().g_values(uk, ura, mu), _k().g_values(uk, ura + t, mu)
            alive_none = survive + mu * (g_now - survive * g_later)
            return pa * alive_none[inverse] + (1.0 - pa)

        def log_nb(y: np.ndarray) -> np.ndarray:  # P(n purchases in y | lambda ~ Gamma(k, ra))
            with np.errstate(divide="ignore", invalid="ignore"):
                out = (gammaln(k + n) - gammaln(k) - gammaln(n + 1.0) + k * (np.log(ra) - np.log(ra + y))
                       + (n * (np.log(y) - np.log(ra + y)) if n > 0 else 0.0))
            return out

        survive = np.exp(-mu * t + log_nb(np.asarray(t)))
        # death at time y in (0, t], having bought n times before: Gauss-Legendre on [0, t]
        y = 0.5 * t * (_NODES[:, None] + 1.0)
        died = 0.5 * t * (_WEIGHTS @ np.exp(np.log(mu) - mu * y + log_nb(y)))
        return pa * (survive + died) + (n == 0) * (1.0 - pa)

    def heterogeneity_test(self, data: pd.DataFrame) -> HeterogeneityTest:
        """Do the death rates vary? Score test of the limit against the Pareto/NBD.

        The Pareto/NBD's likelihood with death rates of mean ``mu`` and variance ``mu^2 / s``
        is, to first order in ``1 / s``, ``L(mu) + mu^2 L''(mu) / (2 s)``; its derivative in
        ``1 / s`` at the limit is ``mu^2 / 2 * sum_i (l_i'^2 + l_i'')`` (``l_i`` the limit
        model's log-likelihood of customer ``i`` as a function of ``mu``). Under one death rate
        each term has mean zero (the information identity); the sum is standardised by its
        variance after projecting out the scores of ``r, alpha, mu`` (the fitted nuisance
        parameters). A large positive statistic says the death rates vary: the Pareto/NBD
        then has an interior optimum with finite ``s``.

        Parameters
        ----------
        data : DataFrame
            ``frequency, recency, T`` (the data the model was fitted on).

        Returns
        -------
        HeterogeneityTest
        """
        x, tx, age = self._rfm(data)
        params = np.array(self._p())
        _, grad, _ = _kp().parts(params, x, tx, age)
        h = 1e-6 * params[2]  # forward difference: the statistic needs a few digits only
        up = params.copy()
        up[2] += h
        second = (_kp().parts(up, x, tx, age)[1][:, 2] - grad[:, 2]) / h
        d = grad[:, 2] ** 2 + second
        with np.errstate(all="ignore"):
            beta = np.linalg.lstsq(grad, d, rcond=None)[0]
            resid = d - grad @ beta
            stat = float(d.sum() / np.sqrt(resid @ resid))
        if not np.isfinite(stat):
            stat = 0.0
        return HeterogeneityTest(stat, float(norm.sf(stat)))
