"""BG/BB: the beta-geometric / beta-Bernoulli model for discrete transaction opportunities."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln

from custlens.clv import _names as N
from custlens.clv._base import BaseModel, as_frame, check_rfm, column
from custlens.errors import InputError


def _dbeta(p: np.ndarray | float, q: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Partial derivatives of ``betaln(p, q)``."""
    d = digamma(np.add(p, q))
    return digamma(p) - d, digamma(q) - d


class BetaGeoBetaBinomModel(BaseModel):
    """BG/BB model (Fader, Hardie & Shang 2010).

    At each of ``n_periods`` discrete transaction opportunities an active customer buys
    with probability ``p ~ Beta(alpha, beta)`` and then drops out with probability
    ``theta ~ Beta(gamma, delta)``. Input per row: ``frequency`` (opportunities with a
    purchase), ``recency`` (the last such opportunity, 0 if none) and ``n_periods``
    (``T`` is accepted as an alias), integers with ``frequency <= recency <= n_periods``;
    an optional ``weights`` column counts identical customers.

    Attributes
    ----------
    params_ : dict
        ``alpha, beta, gamma, delta``.
    log_likelihood_ : float
    summary : DataFrame

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-Base Analysis in a
    Discrete-Time Noncontractual Setting. Marketing Science 29(6), 1086-1108.
    """

    _param_names = ("alpha", "beta", "gamma", "delta")
    _columns = (N.FREQUENCY, N.RECENCY, N.N_PERIODS)
    _default_start = (1.0, 1.0, 1.0, 1.0)

    def _extract(self, data: pd.DataFrame) -> tuple[np.ndarray, ...]:
        x, tx, n = (column(data, c) for c in self._columns)
        check_rfm(x, tx, n, age_name=N.N_PERIODS)
        for name, values in ((N.FREQUENCY, x), (N.RECENCY, tx), (N.N_PERIODS, n)):
            if np.any(values != np.round(values)):
                raise InputError(f"'{name}' must hold whole numbers of periods for the BG/BB model")
        if np.any(x > tx):
            raise InputError(f"'{N.FREQUENCY}' must be <= '{N.RECENCY}' (the period of the last purchase)")
        return x, tx, n

    def _frame(self, data: pd.DataFrame) -> pd.DataFrame:
        if isinstance(data, pd.DataFrame) and N.N_PERIODS not in data.columns and N.T in data.columns:
            data = data.rename(columns={N.T: N.N_PERIODS})
        return as_frame(data, self._columns, type(self).__name__)

    def fit(self, data: pd.DataFrame) -> BetaGeoBetaBinomModel:
        """Fit by maximum likelihood (see :meth:`BaseModel.fit`)."""
        super().fit(self._frame(data))
        return self

    def _hist(self, data: pd.DataFrame) -> tuple[np.ndarray, ...]:
        self._check_fitted()
        return self._extract(self._frame(data))

    @staticmethod
    def _terms(params: np.ndarray, x: np.ndarray, tx: np.ndarray, n: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """Log of the likelihood's terms (alive at ``n`` first, then each death period) and gradients."""
        alpha, beta, gamma, delta = params
        k = int(np.max(n - tx)) if len(n) else 0
        i = np.arange(k)[None, :]
        valid = i < (n - tx)[:, None]
        c_ab, c_gd = betaln(alpha, beta), betaln(gamma, delta)
        da0, db0 = _dbeta(alpha, beta)
        dg0, dd0 = _dbeta(gamma, delta)
        q1 = (beta + tx - x)[:, None] + i
        q2 = (delta + tx)[:, None] + i
        logs = np.empty((len(x), k + 1))
        logs[:, 0] = betaln(alpha + x, beta + n - x) - c_ab + betaln(gamma, delta + n) - c_gd
        logs[:, 1:] = np.where(valid, betaln((alpha + x)[:, None], q1) - c_ab + betaln(gamma + 1, q2) - c_gd,
                               -np.inf)
        grads = np.empty((len(x), k + 1, 4))
        da, db = _dbeta(alpha + x, beta + n - x)
        dg, dd = _dbeta(gamma, delta + n)
        grads[:, 0] = np.stack([da - da0, db - db0, dg - dg0, dd - dd0], axis=1)
        da, db = _dbeta((alpha + x)[:, None], q1)
        dg, dd = _dbeta(gamma + 1, q2)
        grads[:, 1:] = np.stack([da - da0, db - db0, dg - dg0, dd - dd0], axis=2)
        return logs, grads

    @staticmethod
    def _loglik(params: np.ndarray, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        logs, grads = BetaGeoBetaBinomModel._terms(params, *data)
        top = logs.max(axis=1, keepdims=True)
        w = np.exp(logs - top)
        total = w.sum(axis=1)
        ll = top[:, 0] + np.log(total)
        grad = np.einsum("ik,ikj->ij", w / total[:, None], grads)
        return ll, grad

    def _alive_log(self, x: np.ndarray, tx: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        params = np.array(self._p())
        ll, _ = self._loglik(params, (x, tx, n))
        logs, _ = self._terms(params, x, tx, n)
        return logs[:, 0] - ll, ll

    def p_alive(self, data: pd.DataFrame) -> np.ndarray:
        """Probability that each customer is still active after the last observed period."""
        return np.exp(self._alive_log(*self._hist(data))[0])

    def expected_purchases(self, data: pd.DataFrame, t: float) -> np.ndarray:
        """Expected purchases in the next ``t`` transaction opportunities (FHS 2010 eq. 13)."""
        x, tx, n = self._hist(data)
        alpha, beta, gamma, delta = self._p()
        gamma = gamma if abs(gamma - 1.0) > 1e-7 else 1.0 + 1e-7
        _, ll = self._alive_log(x, tx, n)
        lead = np.exp(betaln(alpha + x + 1, beta + n - x) - betaln(alpha, beta) - ll
                      + gammaln(gamma + delta) - gammaln(1 + delta))
        p4 = np.exp(gammaln(1 + delta + n) - gammaln(gamma + delta + n))
        p5 = np.exp(gammaln(1 + delta + n + t) - gammaln(gamma + delta + n + t))
        return lead * delta / (gamma - 1.0) * (p4 - p5)

    def expected_purchases_new_customer(self, t: float | np.ndarray) -> np.ndarray:
        """Expected purchases of a new customer over the first ``t`` opportunities (FHS 2010 eq. 9)."""
        alpha, beta, gamma, delta = self._p()
        gamma = gamma if abs(gamma - 1.0) > 1e-7 else 1.0 + 1e-7
        t = np.atleast_1d(np.asarray(t, dtype=float))
        ratio = np.exp(gammaln(gamma + delta) + gammaln(1 + delta + t) - gammaln(gamma + delta + t)
                       - gammaln(1 + delta))
        return alpha / (alpha + beta) * delta / (gamma - 1.0) * (1.0 - ratio)

    def probability_of_purchases(self, data: pd.DataFrame, t: int, n: int) -> np.ndarray:
        """P(exactly ``n`` purchases in the next ``t`` opportunities | history).

        Given alive, the posterior is ``p ~ Beta(alpha + x, beta + n_periods - x)`` and
        ``theta ~ Beta(gamma, delta + n_periods)``; the number of future opportunities the
        customer survives is geometric (capped at ``t``), and purchases are binomial.
        """
        x, tx, periods = self._hist(data)
        return self._pmf(int(t), int(n), x, periods, np.exp(self._alive_log(x, tx, periods)[0]))

    def _pmf(self, t: int, k: int, x: np.ndarray, periods: np.ndarray, pa: np.ndarray) -> np.ndarray:
        alpha, beta, gamma, delta = self._p()
        a1, b1, g1, d1 = alpha + x, beta + periods - x, gamma, delta + periods
        out = np.zeros_like(x, dtype=float)
        for life in range(k, t + 1):  # opportunities survived
            if life < t:
                log_life = betaln(g1 + 1, d1 + life) - betaln(g1, d1)
            else:
                log_life = betaln(g1, d1 + t) - betaln(g1, d1)
            log_buy = (gammaln(life + 1.0) - gammaln(k + 1.0) - gammaln(life - k + 1.0)
                       + betaln(a1 + k, b1 + life - k) - betaln(a1, b1))
            out += np.exp(log_life + log_buy)
        return pa * out + (k == 0) * (1.0 - pa)

    def probability_of_purchases_new_customer(self, t: int, n: int) -> float:
        """P(exactly ``n`` purchases in the first ``t`` opportunities) of a new customer."""
        self._check_fitted()
        z = np.zeros(1)
        return float(self._pmf(int(t), int(n), z, z, np.ones(1))[0])
