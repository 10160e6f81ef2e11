"""Pareto/NBD: Poisson purchasing with an exponential lifetime (Schmittlein, Morrison & Colombo 1987)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from custlens.clv._hyp import log_series
from custlens.clv._transaction import TransactionModel, _scored

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(96)


def _log_tail(r: float, alpha: float, s: float, beta: float, x: np.ndarray, u: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """``log F(u)`` and its gradient, ``F(u) = int_u^inf (alpha+y)^-(r+x) (beta+y)^-(s+1) dy``.

    ``F`` is a Gauss hypergeometric function; :func:`log_series` evaluates it in the
    Euler-transformed form, choosing the argument ``|alpha - beta| / (max + u)`` in [0, 1).
    """
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
    both = np.stack([np.concatenate([x, x]), np.concatenate([tx, age])], axis=1)
    pairs, inverse = np.unique(both, axis=0, return_inverse=True)
    return pairs[:, 0].copy(), pairs[:, 1].copy(), inverse.ravel()


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


class ParetoNBDModel(TransactionModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005).

    While active a customer buys as a Poisson process with rate ``lambda ~ Gamma(r,
    alpha)``; the lifetime is exponential with rate ``mu ~ Gamma(s, beta)``. Input:
    ``frequency, recency, T`` with ``0 <= recency <= T``.

    The likelihood is evaluated in log space with a hypergeometric series that is
    bounded for any purchase count (see :mod:`custlens.clv._hyp`), so customers with
    hundreds of purchases over many years do not overflow.

    Attributes
    ----------
    params_ : dict
        ``r, alpha, s, beta``.
    log_likelihood_ : float
    summary : DataFrame

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2005). A Note on Deriving the Pareto/NBD Model and
    Related Expressions. http://brucehardie.com/notes/009/
    """

    _param_names = ("r", "alpha", "s", "beta")
    _default_start = (1.0, 1.0, 1.0, 1.0)

    def _prepare(self, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        return (*data, *_tail_pairs(*data))

    @staticmethod
    def _loglik(params: np.ndarray, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        ll, grad, _ = _parts(params, *data)
        return ll, grad

    def _p_alive(self, x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
        return _parts(np.array(self._p()), x, tx, age)[2]

    def _expected(self, t: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
        r, alpha, s, beta = self._p()
        pa = self._p_alive(x, tx, age) if np.any(age > 0) else np.ones_like(x)
        log_ratio = np.log1p(t / (beta + age))
        if abs(s - 1.0) > 1e-10:
            g = -np.expm1(-(s - 1.0) * log_ratio) / (s - 1.0)
        else:
            g = log_ratio
        return (r + x) * (beta + age) / (alpha + age) * g * pa

    def _pmf(self, n: int, t: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
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

    def probability_of_purchases(self, data: pd.DataFrame, t: float, n: int) -> np.ndarray:
        """P(exactly ``n`` purchases in the next ``t`` time units | history).

        Computed from the posterior of ``(lambda, mu)`` given the history and being alive,
        integrating over the time of death by Gauss-Legendre quadrature.

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
