"""The Pareto/NBD tail integral where its hypergeometric series converges slowly.

``F(u) = int_u^inf (alpha + y)^-(r+x) (beta + y)^-(s+1) dy`` is summed as an Euler-transformed
hypergeometric series in ``z = |alpha - beta| / (max(alpha, beta) + u)``. As ``z -> 1``
(``beta >> alpha`` far up the ridge ``s, beta -> inf``, or ``alpha >> beta``) that series needs
~``1 / (1 - z)`` terms, or, when its exponent ``c - a - b`` is negative, diverges at ``z = 1``.
Where ``z > Z_SPLIT`` (0.9) both paths therefore split the integral at
``w = (max - min) / Z_SPLIT - max`` (where ``z(w) = Z_SPLIT``):

    F(u) = int_u^w f(y) dy + F(w),

``F(w)`` by the series (converged to rounding in < 500 terms at ``z = 0.9``; below 0.9 the
series is also faster than the quadrature), the finite part here by
composite 16-point Gauss-Legendre quadrature in ``tau = log(min + y)``. There the log-integrand
``psi(tau) = (1 - P) tau - Q log(M - m + e^tau)`` (``m, P``: the smaller of ``alpha, beta`` with
its exponent, ``M, Q`` the larger) is concave, so panels are sized so that ``psi`` changes by
at most 2 across each (its slope is monotone, so the end slopes bound it), and the panels stop
once the concave tail bound ``e^psi(tau_b) / |psi'(tau_b)|`` is below 1e-18 of the sum.

The nodes are fixed points ``y_j`` for a given evaluation, so the gradient and Hessian are
the quadrature of the integrand's own derivatives; the split point ``w`` drops out of the
derivatives (``d/dw`` of the two parts cancel), so it is held fixed too.
"""

from __future__ import annotations

import math

import numpy as np

from custlens.clv import _kernels

if _kernels.available():
    from numba import njit
else:  # the same code, interpreted (slow, but the same numbers)
    def njit(*args, **kwargs):  # type: ignore[no-redef]
        return (lambda f: f) if not args or not callable(args[0]) else args[0]

#: Above this series argument the tail integral is split (series at z = 1/2, quadrature below).
Z_SPLIT = 0.9
NODES, WEIGHTS = np.polynomial.legendre.leggauss(16)
_STEP = 2.0  # largest change of psi across one panel
_LOG_TAIL_REL = math.log(1e-18)
_MAX_PANELS = 100_000


@njit(cache=True, nogil=True)
def _slope(tau: float, p: float, q: float, gap: float) -> float:  # pragma: no cover
    e = math.exp(tau)
    return (1.0 - p) - q * e / (gap + e)


@njit(cache=True, nogil=True)
def log_quad(p: float, m: float, q: float, big_m: float, u: float, w: float,
             nodes: np.ndarray, weights: np.ndarray, g: np.ndarray, h: np.ndarray
             ) -> float:  # pragma: no cover
    """``log int_u^w (m + y)^-p (M + y)^-q dy`` for ``0 < m < M``, ``u < w``.

    Parameters
    ----------
    p, m, q, big_m : float
        Exponent and scale of the smaller and of the larger factor.
    u, w : float
        Integration limits.
    nodes, weights : ndarray
        A Gauss-Legendre rule on [-1, 1].
    g, h : ndarray
        Out: ``d log I`` and ``(d^2 I) / I`` in ``(p, m, q, M)`` (4 and 4 x 4).

    Returns
    -------
    float
    """
    gap = big_m - m
    t0, t1 = math.log(m + u), math.log(m + w)
    shift = (1.0 - p) * t0 - q * math.log(gap + math.exp(t0))  # psi(t0)
    s0 = 0.0
    g[:] = 0.0
    h[:, :] = 0.0
    ta = t0
    sa = _slope(ta, p, q, gap)
    for _ in range(_MAX_PANELS):
        if ta >= t1:
            break
        width = min(1.0, t1 - ta)
        if abs(sa) * width > _STEP:
            width = _STEP / abs(sa)
        if width < 1e-13 * max(1.0, abs(ta)) and sa < 0.0:
            # decay faster than tau's rounding (q ~ 1e44 in a runaway fit): Laplace's one-node
            # rule, int e^psi = e^psi(ta) / |psi'(ta)| (1 + O(1 / |psi'|)); the rest is nil
            tau = ta
            e = math.exp(tau)
            k = gap + e
            lk = math.log(k)
            f = math.exp((1.0 - p) * tau - q * lk - shift) / -sa
            d0, d1, d2, d3 = -tau, -p / e, -lk, -q / k
            s0 += f
            g[0] += f * d0
            g[1] += f * d1
            g[2] += f * d2
            g[3] += f * d3
            h[0, 0] += f * d0 * d0
            h[0, 1] += f * (d0 * d1 - 1.0 / e)
            h[0, 2] += f * d0 * d2
            h[0, 3] += f * d0 * d3
            h[1, 1] += f * (d1 * d1 + p / (e * e))
            h[1, 2] += f * d1 * d2
            h[1, 3] += f * d1 * d3
            h[2, 2] += f * d2 * d2
            h[2, 3] += f * (d2 * d3 - 1.0 / k)
            h[3, 3] += f * (d3 * d3 + q / (k * k))
            break
        tb = min(ta + width, t1)
        sb = _slope(tb, p, q, gap)
        while abs(sb) * (tb - ta) > _STEP:  # psi' is monotone: the end slopes bound it
            tb = ta + 0.5 * (tb - ta)
            sb = _slope(tb, p, q, gap)
        half = 0.5 * (tb - ta)
        mid = ta + half
        for j in range(len(nodes)):
            tau = mid + half * nodes[j]
            e = math.exp(tau)
            k = gap + e
            lk = math.log(k)
            f = weights[j] * half * math.exp((1.0 - p) * tau - q * lk - shift)
            d0, d1, d2, d3 = -tau, -p / e, -lk, -q / k
            s0 += f
            g[0] += f * d0
            g[1] += f * d1
            g[2] += f * d2
            g[3] += f * d3
            h[0, 0] += f * d0 * d0
            h[0, 1] += f * (d0 * d1 - 1.0 / e)
            h[0, 2] += f * d0 * d2
            h[0, 3] += f * d0 * d3
            h[1, 1] += f * (d1 * d1 + p / (e * e))
            h[1, 2] += f * d1 * d2
            h[1, 3] += f * d1 * d3
            h[2, 2] += f * d2 * d2
            h[2, 3] += f * (d2 * d3 - 1.0 / k)
            h[3, 3] += f * (d3 * d3 + q / (k * k))
        ta, sa = tb, sb
        if sb < 0.0:  # concave psi: int_tb^inf e^psi <= e^psi(tb) / |psi'(tb)|
            psi_b = (1.0 - p) * tb - q * math.log(gap + math.exp(tb)) - shift
            if psi_b - math.log(-sb) < _LOG_TAIL_REL + math.log(s0):
                break
    for i in range(4):
        g[i] /= s0
        for j in range(i, 4):
            h[i, j] /= s0
            h[j, i] = h[i, j]
    return shift + math.log(s0)


@njit(cache=True, nogil=True)
def combine(r: float, alpha: float, s: float, beta: float, x: float, u: float, w: float,
            log_t: float, g: np.ndarray, h: np.ndarray) -> float:  # pragma: no cover
    """``log F(u) = log(int_u^w f + F(w))`` from ``log F(w)`` with its gradient ``g`` and
    log-Hessian ``h`` (upper triangle read) in ``(r, alpha, s, beta)``; ``g``, ``h`` are
    overwritten with those of ``log F(u)`` (full Hessian)."""
    qg = np.empty(4)
    qh = np.empty((4, 4))
    perm = np.empty(4, dtype=np.int64)
    if beta >= alpha:  # local (p, m, q, M) = (r + x, alpha, s + 1, beta)
        lq = log_quad(r + x, alpha, s + 1.0, beta, u, w, NODES, WEIGHTS, qg, qh)
        perm[0], perm[1], perm[2], perm[3] = 0, 1, 2, 3
    else:  # (s + 1, beta, r + x, alpha)
        lq = log_quad(s + 1.0, beta, r + x, alpha, u, w, NODES, WEIGHTS, qg, qh)
        perm[0], perm[1], perm[2], perm[3] = 2, 3, 0, 1
    top = max(lq, log_t)
    lf = top + math.log(math.exp(lq - top) + math.exp(log_t - top))
    pq, pt = math.exp(lq - lf), math.exp(log_t - lf)
    gq = np.empty(4)
    m2 = np.empty((4, 4))
    for a in range(4):
        gq[perm[a]] = qg[a]
        for b in range(4):
            m2[perm[a], perm[b]] = pq * qh[a, b]
    for i in range(4):
        for j in range(4):
            lo, hi = min(i, j), max(i, j)
            m2[i, j] += pt * (h[lo, hi] + g[i] * g[j])
    for i in range(4):
        g[i] = pq * gq[i] + pt * g[i]
    for i in range(4):
        for j in range(4):
            h[i, j] = m2[i, j] - g[i] * g[j]
    return lf


@njit(cache=True, nogil=True)
def split_point(alpha: float, beta: float) -> float:  # pragma: no cover
    """``w = (max - min) / Z_SPLIT - max``: the ``u`` at which the series argument is
    :data:`Z_SPLIT`."""
    big, small = max(alpha, beta), min(alpha, beta)
    return (big - small) / Z_SPLIT - big
