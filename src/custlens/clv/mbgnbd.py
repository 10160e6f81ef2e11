"""MBG/NBD: the modified BG/NBD, where a customer can also drop out right after the first purchase."""

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

        return _kernels_bg.summed(*data[:3], weights, extra=1)
    return _bgfamily.summed_loglik(levels(data), weights, extra=1)


class ModifiedBetaGeoModel(BetaGeoFamilyModel):
    """MBG/NBD model (Batislam, Denizel & Filiztekin 2007).

    Like BG/NBD (:class:`~custlens.clv.BetaGeoModel`), but the drop-out coin
    ``p ~ Beta(a, b)`` is also tossed at the first purchase, so customers without repeat
    purchases are not certainly alive. Input: ``frequency, recency, T`` with
    ``0 <= recency <= T``.

    Attributes
    ----------
    params_ : dict
        ``r, alpha, a, b``.
    log_likelihood_ : float
    summary : DataFrame

    References
    ----------
    Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and
    comparison of models for customer base analysis. IJRM 24(3), 201-209.
    """

    _param_names = ("r", "alpha", "a", "b")
    _extra = 1  # posterior b shift: the coin is tossed at the first purchase
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
        a12 = (gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + ux + 1)
               - gammaln(b) - gammaln(a + b + ux + 1))[ix]
        log_at, log_atx = np.log(alpha + uage)[iage], np.log(alpha + utx)[itx]
        inv_at, inv_atx = (1.0 / (alpha + uage))[iage], (1.0 / (alpha + utx))[itx]
        a3 = -(r + x) * log_at
        a4 = (np.log(a) - np.log(b + ux))[ix] - (r + x) * log_atx
        mix = np.logaddexp(a3, a4)
        w4 = np.exp(a4 - mix)
        w3 = 1.0 - w4
        ll = a12 + mix
        dg_ab = digamma(a + b)
        dg_abx = digamma(a + b + ux + 1)
        grad = np.empty((len(x), 4))
        grad[:, 0] = ((digamma(r + ux) - digamma(r) + np.log(alpha))[ix]
                      - w3 * log_at - w4 * log_atx)
        grad[:, 1] = r / alpha - (r + x) * (w3 * inv_at + w4 * inv_atx)
        grad[:, 2] = (dg_ab - dg_abx)[ix] + w4 / a
        grad[:, 3] = (dg_ab + digamma(b + ux + 1) - digamma(b) - dg_abx)[ix] - w4 / (b + ux)[ix]
        return ll, grad

    def _p_alive(self, x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
        r, alpha, a, b = self._p()
        log_odds_dead = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + age) - np.log(alpha + tx))
        return expit(-log_odds_dead)

    def _expected(self, t: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
                  pa: np.ndarray | None = None) -> np.ndarray:
        r, alpha, a, b = self._p()
        pa = self._p_alive(x, tx, age) if pa is None else pa
        return _bgfamily.expected(t, x, age, pa, r, alpha, a, b, extra=1)

    def probability_of_purchases_new_customer(self, t: float, n: int) -> float:
        """P(exactly ``n`` repeat purchases within ``t`` of the first purchase)."""
        t, n = self._check_horizon(t), int(n)
        r, alpha, a, b = self._p()
        z = np.zeros(1)
        return float(_bgfamily.pmf(n, t, z, z, self._p_alive(z, z, z), r, alpha, a, b + z + 1)[0])
