"""The limit's per-row kernels with ``log I(u)`` evaluated once per distinct ``(x, u)`` pair.

Each row of :func:`custlens.clv._kernels_limit.rows` (and ``_summed_rows``) evaluates
``log I(t_x)`` and ``log I(T)`` with their derivatives: two confluent hypergeometric
evaluations, nearly all of its cost. Both depend on one pair only, ``(x, t_x)`` and
``(x, T)``, and at day resolution a million customers have ~60,000 distinct pairs of each
(714,568 distinct triples ``(x, t_x, T)``: compressing whole rows saves nothing). Here the
pairs are evaluated once each (:func:`_pair_values`, the same ``_log_i2`` call) and every row
reads its two pairs; the rest of the row's arithmetic is the same code in the same order, so
log-likelihoods, gradients, Hessians and P(alive) are bitwise those of the per-row kernels
(``tests/clv/test_clv_limit_pairs.py`` checks equality). When the pairs are mostly distinct
(time-stamp precision) the per-row kernels run unchanged.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from custlens.clv import _kernels
from custlens.clv._kernels_limit import _RULES, _log_i2, _mix, _summed_rows, njit, rows

#: Use the pair cache when the distinct pairs are at most this share of the 2 n pairs read.
PAIR_SHARE = 0.5

__all__ = ["PAIR_SHARE", "pair_codes", "p_alive", "parts", "rows_parts", "summed_rows"]


def pair_codes(x: np.ndarray, tx: np.ndarray, age: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The distinct ``(x, u)`` pairs over ``u`` in ``t_x`` and ``T``, and each row's two pairs.

    Returns ``(pair_x, pair_u, first, second)`` (row ``i`` reads pairs ``first[i]`` =
    ``(x_i, t_x_i)`` and ``second[i]`` = ``(x_i, T_i)``), or None when the distinct pairs
    exceed `PAIR_SHARE` of the ``2 n`` read (the cache would not pay).
    """
    n = len(x)
    if n == 0:
        return None
    cx, ux = pd.factorize(x, sort=False)
    cu, uu = pd.factorize(np.concatenate([tx, age]), sort=False)
    key = np.tile(cx.astype(np.int64), 2) * np.int64(len(uu)) + cu
    inverse, keys = pd.factorize(key, sort=False)
    if len(keys) > PAIR_SHARE * 2 * n:
        return None
    pair_x = np.asarray(ux, dtype=float)[keys // len(uu)]
    pair_u = np.asarray(uu, dtype=float)[keys % len(uu)]
    return pair_x, pair_u, inverse[:n].astype(np.intp), inverse[n:].astype(np.intp)


@njit(cache=True, nogil=True)
def _pair_values(r: float, alpha: float, mu: float, x: np.ndarray, u: np.ndarray, nodes: np.ndarray,
                 weights: np.ndarray, f: np.ndarray, g: np.ndarray, h: np.ndarray
                 ) -> None:  # pragma: no cover
    """``log I(u)`` of each pair with its gradient and Hessian in ``(r, alpha, mu)``."""
    lu, lg, work = np.empty(6), np.empty(10), np.empty((6, 6))
    gi, hi = np.zeros(3), np.zeros((3, 3))
    for p in range(len(x)):
        f[p] = _log_i2(r, alpha, mu, x[p], u[p], nodes, weights, lu, lg, gi, hi, work)
        for j in range(3):
            g[p, j] = gi[j]
            for m in range(3):
                h[p, j, m] = hi[j, m]


@njit(cache=True, nogil=True)
def _rows_cached(r: float, alpha: float, mu: float, x: np.ndarray, age: np.ndarray,
                 first: np.ndarray, second: np.ndarray, f: np.ndarray, g: np.ndarray,
                 ll: np.ndarray, grad: np.ndarray, p_alive: np.ndarray) -> None:  # pragma: no cover
    """:func:`custlens.clv._kernels_limit.rows` reading ``log I`` from the pair cache."""
    for i in range(len(x)):
        xi, ai = x[i], age[i]
        a, b_ = first[i], second[i]
        k = r + xi
        la_t = math.log(alpha + ai)
        a3 = -mu * ai - k * la_t
        f1, f2 = f[a], f[b_]
        mix, w3, wb, rho, one_minus = _mix(a3, f1, f2, mu)
        ga0, ga1, ga2 = -la_t, -k / (alpha + ai), -ai
        if one_minus > 0.0:
            gb0 = (g[a, 0] - rho * g[b_, 0]) / one_minus
            gb1 = (g[a, 1] - rho * g[b_, 1]) / one_minus
            gb2 = (g[a, 2] - rho * g[b_, 2]) / one_minus + 1.0 / mu
        else:
            gb0 = gb1 = gb2 = 0.0
        ll[i] = mix
        grad[i, 0] = w3 * ga0 + wb * gb0
        grad[i, 1] = w3 * ga1 + wb * gb1
        grad[i, 2] = w3 * ga2 + wb * gb2
        p_alive[i] = w3


@njit(cache=True, nogil=True)
def _summed_cached(r: float, alpha: float, mu: float, x: np.ndarray, age: np.ndarray, w: np.ndarray,
                   first: np.ndarray, second: np.ndarray, f: np.ndarray, g: np.ndarray, h: np.ndarray
                   ) -> tuple[float, np.ndarray, np.ndarray]:  # pragma: no cover
    """``custlens.clv._kernels_limit._summed_rows`` reading ``log I`` from the pair cache."""
    ll = 0.0
    G = np.zeros(3)
    H = np.zeros((3, 3))
    ga, gb, gi = np.zeros(3), np.zeros(3), np.zeros(3)
    for i in range(len(x)):
        xi, ai, wi = x[i], age[i], w[i]
        a, b_ = first[i], second[i]
        k = r + xi
        c_t = alpha + ai
        a3 = -mu * ai - k * math.log(c_t)
        ga[0], ga[1], ga[2] = -math.log(c_t), -k / c_t, -ai
        f1, f2 = f[a], f[b_]
        mix, w3, wb, rho, one_minus = _mix(a3, f1, f2, mu)
        if one_minus > 0.0:
            for j in range(3):
                gi[j] = (g[a, j] - rho * g[b_, j]) / one_minus
                gb[j] = gi[j]
            gb[2] += 1.0 / mu
        ll += wi * mix
        for j in range(3):
            G[j] += wi * (w3 * ga[j] + wb * gb[j])
        H[0, 1] -= wi * w3 / c_t
        H[1, 1] += wi * w3 * k / (c_t * c_t)
        if wb > 0.0:
            q = wi * wb
            for j in range(3):
                for m in range(j, 3):
                    hi = ((h[a, j, m] + g[a, j] * g[a, m]) - rho * (h[b_, j, m] + g[b_, j] * g[b_, m])) / one_minus
                    H[j, m] += q * (hi - gi[j] * gi[m]) + wi * w3 * wb * (ga[j] - gb[j]) * (ga[m] - gb[m])
            H[2, 2] -= q / (mu * mu)
    for j in range(3):
        for m in range(j):
            H[j, m] = H[m, j]
    return ll, G, H


def _cache(r: float, alpha: float, mu: float, pairs: tuple[np.ndarray, ...]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pair_x, pair_u = pairs[0], pairs[1]
    m = len(pair_x)
    f, g, h = np.empty(m), np.empty((m, 3)), np.empty((m, 3, 3))
    _pair_values(r, alpha, mu, pair_x, pair_u, _RULES[0], _RULES[1], f, g, h)
    return f, g, h


def rows_parts(r: float, alpha: float, mu: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
               ll: np.ndarray, grad: np.ndarray, pa: np.ndarray) -> None:
    """Fill ``ll``, ``grad``, ``pa`` as :func:`custlens.clv._kernels_limit.rows` does."""
    pairs = pair_codes(x, tx, age) if _kernels.available() else None
    if pairs is None:
        rows(r, alpha, mu, x, tx, age, _RULES[0], _RULES[1], ll, grad, pa)
        return
    f, g, _ = _cache(r, alpha, mu, pairs)
    _rows_cached(r, alpha, mu, x, age, pairs[2], pairs[3], f, g, ll, grad, pa)


def summed_rows(r: float, alpha: float, mu: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
                w: np.ndarray, pairs: tuple[np.ndarray, ...] | None
                ) -> tuple[float, np.ndarray, np.ndarray]:
    """As ``custlens.clv._kernels_limit._summed_rows``; ``pairs`` from :func:`pair_codes`
    (computed once per fit: the data do not change between optimiser steps)."""
    if pairs is None:
        return _summed_rows(r, alpha, mu, x, tx, age, w, _RULES[0], _RULES[1])
    f, g, h = _cache(r, alpha, mu, pairs)
    return _summed_cached(r, alpha, mu, x, age, w, pairs[2], pairs[3], f, g, h)


def parts(params: np.ndarray, x: np.ndarray, tx: np.ndarray, age: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`custlens.clv._kernels_limit.parts` through the pair cache (same numbers)."""
    from custlens.clv._kernels_limit import _complete

    r, alpha, mu = (float(v) for v in params)
    x, tx, age = (np.ascontiguousarray(v, dtype=float) for v in (x, tx, age))
    n = len(x)
    ll, grad, pa = np.empty(n), np.empty((n, 3)), np.empty(n)
    rows_parts(r, alpha, mu, x, tx, age, ll, grad, pa)
    return _complete(r, alpha, x, ll, grad, pa)


def p_alive(params: np.ndarray, x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
    """P(alive) of each row (the third output of :func:`parts`, without the other terms)."""
    r, alpha, mu = (float(v) for v in params)
    x, tx, age = (np.ascontiguousarray(v, dtype=float) for v in (x, tx, age))
    n = len(x)
    ll, grad, pa = np.empty(n), np.empty((n, 3)), np.empty(n)
    rows_parts(r, alpha, mu, x, tx, age, ll, grad, pa)
    return pa
