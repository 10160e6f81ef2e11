"""BG/NBD: the beta-geometric / negative binomial model of repeat purchasing."""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, expit, gammaln

from custlens.clv import _bgfamily, _kernels
from custlens.clv._fit import SumLogLik, summed_by
from custlens.clv._bgbase import BetaGeoFamilyModel
from custlens.clv._transaction import levels, prepare_levels


def _summed(data: tuple[np.ndarray, ...], weights: np.ndarray) -> SumLogLik:
    """Weighted log-likelihood sum and gradient for the optimiser (see ``_fit.summed_by``).

    The compiled kernel (with Hessian) when numba is available, else the NumPy form.
    """
    if _kernels.available():
        from custlens.clv import _kernels_bg

        return _kernels_bg.summed(*data[:3], weights, extra=0)
    return _bgfamily.summed_loglik(levels(data), weights, extra=0)


class BetaGeoModel(BetaGeoFamilyModel):
    """BG/NBD model (Fader, Hardie & Lee 2005).

    While active, a customer buys as a Poisson process with rate ``lambda ~
    Gamma(r, alpha)``; after each repeat purchase they drop out with probability
    ``p ~ Beta(a, b)``. Input: ``frequency`` (repeat purchases), ``recency`` (time of the
    last purchase since the first) and ``T`` (time since the first purchase), with
    ``0 <= recency <= T`` and ``recency = 0`` when ``frequency = 0``.

    Parameters
    ----------
    penalizer_coef, n_starts, random_state, initial_params
        See :class:`custlens.clv._base.BaseModel`.

    Attributes
    ----------
    params_ : dict
        ``r, alpha, a, b``.
    log_likelihood_ : float
    summary : DataFrame
        Estimate, standard error and 95% interval per parameter.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting Your Customers" the
    Easy Way: An Alternative to the Pareto/NBD Model. Marketing Science 24(2), 275-284.

    Examples
    --------
    >>> model = BetaGeoModel().fit(rfm)  # doctest: +SKIP
    >>> model.expected_purchases(rfm, t=39)  # doctest: +SKIP
    """

    _param_names = ("r", "alpha", "a", "b")
    _extra = 0  # posterior b shift: the coin is not tossed at the first purchase
    _default_start = (1.0, 1.0, 1.0, 1.0)

    _has_kernel = True

    def _prepare(self, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        # the kernel reads the rows directly; the NumPy form works on distinct values
        return data if _kernels.available() else prepare_levels(data)

    @staticmethod
    @summed_by(_summed)
    def _loglik(params: np.ndarray, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        r, alpha, a, b = params
        x, tx, age, ux, ix, utx, itx, uage, iage = levels(data)
        rep = x > 0
        # functions of x, t_x or T alone are computed per distinct value, then gathered
        a12 = (gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + ux)
               - gammaln(b) - gammaln(a + b + ux))[ix]
        log_at, log_atx = np.log(alpha + uage)[iage], np.log(alpha + utx)[itx]
        inv_at, inv_atx = (1.0 / (alpha + uage))[iage], (1.0 / (alpha + utx))[itx]
        ubx1 = np.where(ux > 0, b + ux - 1.0, 1.0)
        a3 = -(r + x) * log_at
        a4 = np.where(rep, (np.log(a) - np.log(ubx1))[ix] - (r + x) * log_atx, -np.inf)
        mix = np.logaddexp(a3, a4)
        w4 = np.exp(a4 - mix)  # share of the "dropped out after the last purchase" term
        w3 = 1.0 - w4
        ll = a12 + mix
        dg_ab = digamma(a + b)
        dg_abx = digamma(a + b + ux)
        grad = np.empty((len(x), 4))
        grad[:, 0] = ((digamma(r + ux) - digamma(r) + np.log(alpha))[ix]
                      - w3 * log_at - w4 * log_atx)
        grad[:, 1] = r / alpha - (r + x) * (w3 * inv_at + w4 * inv_atx)
        grad[:, 2] = (dg_ab - dg_abx)[ix] + w4 / a
        grad[:, 3] = (dg_ab + digamma(b + ux) - digamma(b) - dg_abx)[ix] - w4 / ubx1[ix]
        return ll, grad

    def _p_alive(self, x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
        r, alpha, a, b = self._p()
        bx1 = np.where(x > 0, b + x - 1.0, 1.0)
        log_odds_dead = np.log(a) - np.log(bx1) + (r + x) * (np.log(alpha + age) - np.log(alpha + tx))
        return np.where(x > 0, expit(-log_odds_dead), 1.0)

    def _expected(self, t: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
                  pa: np.ndarray | None = None) -> np.ndarray:
        r, alpha, a, b = self._p()
        if pa is None:
            pa = self._p_alive(x, tx, age) if np.any(age > 0) else np.ones_like(x)
        return _bgfamily.expected(t, x, age, pa, r, alpha, a, b, extra=0)

    def probability_of_purchases_new_customer(self, t: float, n: int) -> float:
        """P(exactly ``n`` repeat purchases within ``t`` of the first purchase) (FHL 2005 eq. 8)."""
        t, n = self._check_horizon(t), int(n)
        r, alpha, a, b = self._p()
        z = np.zeros(1)
        return float(_bgfamily.pmf(n, t, z, z, np.ones(1), r, alpha, a, b + z)[0])
