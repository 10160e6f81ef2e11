"""Likelihood of the Pareto/NBD at its limit s -> inf (one death rate ``mu`` for everyone).

With ``lambda ~ Gamma(r, alpha)`` and an exponential lifetime of rate ``mu`` (the Pareto/NBD
with ``s -> inf``, ``s / beta -> mu``), a customer with ``x`` repeat purchases, the last at
``t_x``, observed for ``T``, has (``k = r + x``)

    L = Gamma(k) alpha^r / Gamma(r) * [ e^{-mu T} (alpha + T)^-k + mu (I(t_x) - I(T)) ],
    I(u) = int_u^inf e^{-mu y} (alpha + y)^-k dy = e^{-mu u} (alpha + u)^-k G(k, alpha + u, mu),
    G(k, c, mu) = int_0^inf e^{-mu w} (1 + w / c)^-k dw = c U(1, 2 - k, mu c),

``U`` being Tricomi's confluent hypergeometric function (``U(1, 2 - k, z) = e^z z^(k-1)
Gamma(1 - k, z)``). ``U`` is evaluated with Legendre's continued fraction of the incomplete
gamma function (converges for every ``z > 0``, within rounding in at most ~150 terms when
``z >= 1.5`` or ``k >= 10``) and otherwise, where the fraction converges slowly enough to fool
its stopping rule, by 40-point (``z < 1e-3``: 128-point) Gauss-Legendre
quadrature of ``int_0^inf exp(-z (e^s - 1) - (k - 1) s) ds`` (``1 + t = e^s``: a smooth
integrand on a finite range). Both paths carry the derivatives in ``k`` and ``z``, so the
likelihood comes with its analytic gradient.
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

#: Gauss-Legendre rules: 40 points reach 2e-12 (relative) for z >= 1e-3 and k < 10 (checked
#: against adaptive quadrature); 128 points for smaller z.
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(40)
_NODES_FINE, _WEIGHTS_FINE = np.polynomial.legendre.leggauss(128)
#: Quadrature range: the integrand is below e^-45 of its scale beyond it.
_TAIL = 45.0
_RULES = (np.concatenate([_NODES, _NODES_FINE]), np.concatenate([_WEIGHTS, _WEIGHTS_FINE]))
_MAX_CF = 20_000
_EPS = 1e-15


@njit(cache=True, nogil=True)
def _u_cf(k: float, z: float) -> tuple[float, float, float, bool]:  # pragma: no cover
    """``U(1, 2 - k, z)`` and its derivatives in ``k`` and ``z`` by the continued fraction
    ``1 / (z + k - 1 k / (z + k + 2 - 2 (k + 1) / (z + k + 4 - ...)))`` (convergents ``P/Q``,
    rescaled; their derivatives by the same recurrences)."""
    # W = b0 + a1 / (b1 + a2 / (b2 + ...)), U = 1 / W
    p2, q2, pk2, qk2, pz2, qz2 = 1.0, 0.0, 0.0, 0.0, 0.0, 0.0  # convergent -1
    b = z + k
    p1, q1, pk1, qk1, pz1, qz1 = b, 1.0, 1.0, 0.0, 1.0, 0.0  # convergent 0
    w_old = b
    for i in range(1, _MAX_CF):
        a = -i * (i - 1.0 + k)
        ak = -float(i)
        b = z + k + 2.0 * i
        p = b * p1 + a * p2
        q = b * q1 + a * q2
        pk = p1 + b * pk1 + ak * p2 + a * pk2
        qk = q1 + b * qk1 + ak * q2 + a * qk2
        pz = p1 + b * pz1 + a * pz2
        qz = q1 + b * qz1 + a * qz2
        scale = 1.0 / abs(p) if p != 0.0 else 1.0
        p2, q2, pk2, qk2, pz2, qz2 = p1 * scale, q1 * scale, pk1 * scale, qk1 * scale, pz1 * scale, qz1 * scale
        p1, q1, pk1, qk1, pz1, qz1 = p * scale, q * scale, pk * scale, qk * scale, pz * scale, qz * scale
        w = p1 / q1
        if abs(w - w_old) <= _EPS * abs(w) and i > 2:
            u = 1.0 / w
            dw_k = (pk1 * q1 - p1 * qk1) / (q1 * q1)
            dw_z = (pz1 * q1 - p1 * qz1) / (q1 * q1)
            return u, -dw_k * u * u, -dw_z * u * u, True
        w_old = w
    return math.nan, math.nan, math.nan, False


@njit(cache=True, nogil=True)
def _u_quad(k: float, z: float, nodes: np.ndarray, weights: np.ndarray
            ) -> tuple[float, float, float]:  # pragma: no cover
    """``U(1, 2 - k, z)`` and its derivatives by Gauss-Legendre in ``s = log(1 + t)``."""
    top = math.log1p(_TAIL / z)
    if k > 1.0:
        top = min(top, _TAIL / (k - 1.0))
    half = 0.5 * top
    u = uk = uz = 0.0
    for j in range(len(nodes)):
        s = half * (nodes[j] + 1.0)
        em1 = math.expm1(s)
        f = weights[j] * math.exp(-z * em1 - (k - 1.0) * s)
        u += f
        uk -= s * f
        uz -= em1 * f
    return u * half, uk * half, uz * half


@njit(cache=True, nogil=True)
def log_g(k: float, c: float, mu: float, nodes: np.ndarray, weights: np.ndarray
          ) -> tuple[float, float, float, float]:  # pragma: no cover
    """``log G(k, c, mu)`` and its derivatives in ``k``, ``c`` and ``mu`` (``nodes``,
    ``weights``: the 40- and 128-point rules stacked)."""
    z = mu * c
    done = False
    u = uk = uz = 0.0
    if z >= 1.5 or k >= 10.0:
        u, uk, uz, done = _u_cf(k, z)
    if not done:
        if z >= 1e-3:
            u, uk, uz = _u_quad(k, z, nodes[:40], weights[:40])
        else:
            u, uk, uz = _u_quad(k, z, nodes[40:], weights[40:])
    lz = uz / u
    return math.log(c) + math.log(u), uk / u, 1.0 / c + lz * mu, lz * c


@njit(cache=True, nogil=True)
def _log_i(r: float, alpha: float, mu: float, x: float, u: float, nodes: np.ndarray,
           weights: np.ndarray, g: np.ndarray) -> float:  # pragma: no cover
    """``log I(u)`` and its gradient in ``(r, alpha, mu)`` (into ``g``)."""
    k = r + x
    la = math.log(alpha + u)
    lg, gk, gc, gm = log_g(k, alpha + u, mu, nodes, weights)
    g[0] = -la + gk
    g[1] = -k / (alpha + u) + gc
    g[2] = -u + gm
    return -mu * u - k * la + lg


@njit(cache=True, nogil=True)
def rows(r: float, alpha: float, mu: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
         nodes: np.ndarray, weights: np.ndarray, ll: np.ndarray, grad: np.ndarray,
         p_alive: np.ndarray) -> None:  # pragma: no cover
    """Per row: ``log(e^{-mu T}(alpha+T)^-k + mu (I(t_x) - I(T)))`` (the part of the
    log-likelihood beyond ``log Gamma(k) - log Gamma(r) + r log alpha``), its gradient in
    ``(r, alpha, mu)`` and P(alive) = the first term's share."""
    g1, g2 = np.zeros(3), np.zeros(3)
    g0 = np.zeros(3)
    f0 = 0.0
    have0 = False
    for i in range(len(x)):
        xi, ti, ai = x[i], tx[i], age[i]
        k = r + xi
        la_t = math.log(alpha + ai)
        a3 = -mu * ai - k * la_t
        if ti == 0.0 and xi == 0.0:  # shared by every customer without repeat purchases
            if not have0:
                f0 = _log_i(r, alpha, mu, 0.0, 0.0, nodes, weights, g0)
                have0 = True
            f1 = f0
            g1[0], g1[1], g1[2] = g0[0], g0[1], g0[2]
        else:
            f1 = _log_i(r, alpha, mu, xi, ti, nodes, weights, g1)
        f2 = _log_i(r, alpha, mu, xi, ai, nodes, weights, g2)
        delta = min(f2 - f1, 0.0)
        ga0, ga1, ga2 = -la_t, -k / (alpha + ai), -ai
        if delta < 0.0:
            one_minus = -math.expm1(delta)
            rho = 1.0 - one_minus
            b = math.log(mu) + f1 + math.log(one_minus)
            if a3 >= b:
                e = math.exp(b - a3)
                mix = a3 + math.log1p(e)
                w3 = 1.0 / (1.0 + e)
                wb = e * w3
            else:
                e = math.exp(a3 - b)
                mix = b + math.log1p(e)
                wb = 1.0 / (1.0 + e)
                w3 = e * wb
            gb0 = (g1[0] - rho * g2[0]) / one_minus
            gb1 = (g1[1] - rho * g2[1]) / one_minus
            gb2 = (g1[2] - rho * g2[2]) / one_minus + 1.0 / mu
        else:
            mix, w3, wb = a3, 1.0, 0.0
            gb0 = gb1 = gb2 = 0.0
        ll[i] = mix
        grad[i, 0] = w3 * ga0 + wb * gb0
        grad[i, 1] = w3 * ga1 + wb * gb1
        grad[i, 2] = w3 * ga2 + wb * gb2
        p_alive[i] = w3


@njit(cache=True, nogil=True)
def _g_rows(k: np.ndarray, c: np.ndarray, mu: float, nodes: np.ndarray, weights: np.ndarray,
            out: np.ndarray) -> None:  # pragma: no cover
    for i in range(len(k)):
        out[i] = log_g(k[i], c[i], mu, nodes, weights)[0]


def g_values(k: np.ndarray, c: np.ndarray, mu: float) -> np.ndarray:
    """``G(k, c, mu)`` per element (``k``, ``c`` arrays of the same shape)."""
    k, c = (np.ascontiguousarray(np.broadcast_to(v, np.broadcast(k, c).shape), dtype=float).ravel()
            for v in (k, c))
    out = np.empty(len(k))
    _g_rows(k, c, float(mu), _RULES[0], _RULES[1], out)
    return np.exp(out)


def parts(params: np.ndarray, x: np.ndarray, tx: np.ndarray, age: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-row log-likelihood, its gradient in ``(r, alpha, mu)`` and P(alive).

    Parameters
    ----------
    params : ndarray
        ``r, alpha, mu``.
    x, tx, age : ndarray
        Frequency, recency and T.

    Returns
    -------
    (ll, grad, p_alive) : ndarray, ndarray of shape (n, 3), ndarray
    """
    from scipy.special import digamma, gammaln

    r, alpha, mu = (float(v) for v in params)
    x, tx, age = (np.ascontiguousarray(v, dtype=float) for v in (x, tx, age))
    n = len(x)
    ll, grad, pa = np.empty(n), np.empty((n, 3)), np.empty(n)
    rows(r, alpha, mu, x, tx, age, _RULES[0], _RULES[1], ll, grad, pa)
    ll += gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    grad[:, 0] += digamma(r + x) - digamma(r) + np.log(alpha)
    grad[:, 1] += r / alpha
    return ll, grad, pa
