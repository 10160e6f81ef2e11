"""Simulate customer histories from known parameters (tests, demo shop, benchmarks).

Every simulator returns the RFM frame the models take, drawn exactly from the model's
generative story, so fitting it should recover the parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from custlens.clv import _names as N


def _age(n: int, T: ArrayLike) -> np.ndarray:
    age = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    if np.any(age <= 0):
        raise ValueError("T must be > 0")
    return age


def _recency_of_poisson(rng: np.random.Generator, count: np.ndarray, kept: np.ndarray,
                        window: np.ndarray) -> np.ndarray:
    """Time of the ``kept``-th of ``count`` uniform arrivals on [0, window] (0 when kept = 0)."""
    out = np.zeros(len(count))
    pos = kept > 0
    out[pos] = window[pos] * rng.beta(kept[pos], count[pos] - kept[pos] + 1)
    return out


def simulate_bgnbd(n_customers: int, r: float, alpha: float, a: float, b: float,
                   T: ArrayLike = 52.0, modified: bool = False,
                   random_state: int | None = None) -> pd.DataFrame:
    """Draw ``frequency, recency, T`` from the BG/NBD (or MBG/NBD with ``modified=True``).

    Parameters
    ----------
    n_customers : int
    r, alpha, a, b : float
        Model parameters.
    T : float or array of length ``n_customers``
        Observation time since each customer's first purchase.
    modified : bool
        MBG/NBD: the customer may also drop out right after the first purchase.
    random_state : int, optional

    Returns
    -------
    DataFrame
        ``frequency, recency, T`` plus the latent ``lambda_`` and ``p_``.
    """
    rng = np.random.default_rng(random_state)
    age = _age(n_customers, T)
    lam = rng.gamma(r, 1.0 / alpha, n_customers)
    p = rng.beta(a, b, n_customers)
    count = rng.poisson(lam * age)
    # purchases made before dropping out: geometric on {1, 2, ...} ({0, 1, ...} if modified)
    limit = rng.geometric(p) - (1 if modified else 0)
    kept = np.minimum(count, limit)
    recency = _recency_of_poisson(rng, count, kept, age)
    return pd.DataFrame({N.FREQUENCY: kept.astype(float), N.RECENCY: recency, N.T: age,
                         "lambda_": lam, "p_": p})


def simulate_pareto_nbd(n_customers: int, r: float, alpha: float, s: float, beta: float,
                        T: ArrayLike = 52.0, random_state: int | None = None) -> pd.DataFrame:
    """Draw ``frequency, recency, T`` from the Pareto/NBD.

    Returns
    -------
    DataFrame
        ``frequency, recency, T`` plus the latent ``lambda_``, ``mu_`` and ``alive``.
    """
    rng = np.random.default_rng(random_state)
    age = _age(n_customers, T)
    lam = rng.gamma(r, 1.0 / alpha, n_customers)
    mu = rng.gamma(s, 1.0 / beta, n_customers)
    lifetime = rng.exponential(1.0 / mu)
    window = np.minimum(lifetime, age)
    count = rng.poisson(lam * window)
    recency = _recency_of_poisson(rng, count, count, window)
    return pd.DataFrame({N.FREQUENCY: count.astype(float), N.RECENCY: recency, N.T: age,
                         "lambda_": lam, "mu_": mu, "alive": lifetime > age})


def simulate_spend(frequency: ArrayLike, p: float, q: float, v: float,
                   random_state: int | None = None) -> np.ndarray:
    """Mean repeat-transaction value under the Gamma-Gamma model (0 where frequency is 0)."""
    rng = np.random.default_rng(random_state)
    x = np.asarray(frequency, dtype=float)
    nu = rng.gamma(q, 1.0 / v, len(x))
    shape = np.where(x > 0, p * x, 1.0)
    mean = rng.gamma(shape, 1.0 / (nu * np.where(x > 0, x, 1.0)))
    return np.where(x > 0, mean, 0.0)


def simulate_bgbb(n_customers: int, alpha: float, beta: float, gamma: float, delta: float,
                  n_periods: int = 6, random_state: int | None = None) -> pd.DataFrame:
    """Draw ``frequency, recency, n_periods`` from the BG/BB model.

    Returns
    -------
    DataFrame
        One row per customer.
    """
    rng = np.random.default_rng(random_state)
    p = rng.beta(alpha, beta, n_customers)
    theta = rng.beta(gamma, delta, n_customers)
    # opportunities the customer is alive for: geometric, capped at n_periods
    alive_for = np.minimum(rng.geometric(theta) - 1, n_periods)
    steps = np.arange(1, n_periods + 1)
    buys = (rng.random((n_customers, n_periods)) < p[:, None]) & (steps[None, :] <= alive_for[:, None])
    frequency = buys.sum(axis=1)
    recency = np.where(frequency > 0, np.max(np.where(buys, steps[None, :], 0), axis=1), 0)
    return pd.DataFrame({N.FREQUENCY: frequency.astype(float), N.RECENCY: recency.astype(float),
                         N.N_PERIODS: float(n_periods)})
