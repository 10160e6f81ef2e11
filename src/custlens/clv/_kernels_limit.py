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
from custlens.clv._kernels import KernelEvaluator, x_levels

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
def _step(x: np.ndarray, x1: np.ndarray, x2: np.ndarray, a: float, ak: float, b: float
          ) -> None:  # pragma: no cover
    """``x = b x1 + a x2`` with its first and second derivatives in ``(k, z)``."""
    x[0] = b * x1[0] + a * x2[0]
    x[1] = x1[0] + b * x1[1] + ak * x2[0] + a * x2[1]
    x[2] = x1[0] + b * x1[2] + a * x2[2]
    x[3] = 2.0 * x1[1] + b * x1[3] + 2.0 * ak * x2[1] + a * x2[3]
    x[4] = x1[2] + x1[1] + b * x1[4] + ak * x2[2] + a * x2[4]
    x[5] = 2.0 * x1[2] + b * x1[5] + a * x2[5]


@njit(cache=True, nogil=True)
def _lu_cf(k: float, z: float, out: np.ndarray, work: np.ndarray) -> bool:  # pragma: no cover
    """``log U(1, 2 - k, z)`` and its first and second derivatives in ``(k, z)`` into ``out``
    (``L, L_k, L_z, L_kk, L_kz, L_zz``) by the continued fraction
    ``U = 1 / (z + k - 1 k / (z + k + 2 - 2 (k + 1) / (z + k + 4 - ...)))``: convergents
    ``W = P / Q`` of the denominator, their derivatives by the differentiated recurrences
    ``X_n = b_n X_{n-1} + a_n X_{n-2}`` (``b_n = z + k + 2n``, ``a_n = -n (n - 1 + k)``),
    rescaled as they grow. False when it did not converge."""
    # state per convergent: value, d_k, d_z, d_kk, d_kz, d_zz of P and of Q (rows of ``work``,
    # a caller's buffer: no allocation per call)
    work[:, :] = 0.0
    p2, q2, p1, q1, p, q = work[0], work[1], work[2], work[3], work[4], work[5]
    p2[0] = 1.0  # convergent -1: P = 1, Q = 0
    p1[0], p1[1], p1[2] = z + k, 1.0, 1.0  # convergent 0: P = b0, Q = 1
    q1[0] = 1.0
    w_old = z + k
    for i in range(1, _MAX_CF):
        a = -i * (i - 1.0 + k)
        ak = -float(i)
        b = z + k + 2.0 * i
        _step(p, p1, p2, a, ak, b)
        _step(q, q1, q2, a, ak, b)
        scale = 1.0 / abs(p[0]) if p[0] != 0.0 else 1.0
        for j in range(6):
            p2[j], q2[j] = p1[j] * scale, q1[j] * scale
            p1[j], q1[j] = p[j] * scale, q[j] * scale
        w = p1[0] / q1[0]
        if abs(w - w_old) <= _EPS * abs(w) and i > 2:
            qq = q1[0]
            wk = (p1[1] - w * q1[1]) / qq
            wz = (p1[2] - w * q1[2]) / qq
            wkk = (p1[3] - 2.0 * wk * q1[1] - w * q1[3]) / qq
            wkz = (p1[4] - wk * q1[2] - wz * q1[1] - w * q1[4]) / qq
            wzz = (p1[5] - 2.0 * wz * q1[2] - w * q1[5]) / qq
            lk, lz = wk / w, wz / w  # log U = -log W
            out[0] = -math.log(w)
            out[1], out[2] = -lk, -lz
            out[3] = -(wkk / w - lk * lk)
            out[4] = -(wkz / w - lk * lz)
            out[5] = -(wzz / w - lz * lz)
            return True
        w_old = w
    return False


@njit(cache=True, nogil=True)
def _lu_quad(k: float, z: float, nodes: np.ndarray, weights: np.ndarray,
             out: np.ndarray) -> None:  # pragma: no cover
    """As :func:`_lu_cf`, by Gauss-Legendre in ``s = log(1 + t)`` of
    ``U = int_0^inf exp(-z (e^s - 1) - (k - 1) s) ds``."""
    top = math.log1p(_TAIL / z)
    if k > 1.0:
        top = min(top, _TAIL / (k - 1.0))
    half = 0.5 * top
    u = uk = uz = ukk = ukz = uzz = 0.0
    for j in range(len(nodes)):
        s = half * (nodes[j] + 1.0)
        em1 = math.expm1(s)
        f = weights[j] * math.exp(-z * em1 - (k - 1.0) * s)
        u += f
        uk -= s * f
        uz -= em1 * f
        ukk += s * s * f
        ukz += s * em1 * f
        uzz += em1 * em1 * f
    lk, lz = uk / u, uz / u
    out[0] = math.log(u * half)
    out[1], out[2] = lk, lz
    out[3] = ukk / u - lk * lk
    out[4] = ukz / u - lk * lz
    out[5] = uzz / u - lz * lz


@njit(cache=True, nogil=True)
def _log_g2(k: float, c: float, mu: float, nodes: np.ndarray, weights: np.ndarray,
            lu: np.ndarray, out: np.ndarray, work: np.ndarray) -> None:  # pragma: no cover
    """``log G(k, c, mu)``, its gradient and Hessian in ``(k, c, mu)`` into ``out``:
    ``0`` value, ``1..3`` gradient, ``4..9`` Hessian ``kk, kc, kmu, cc, cmu, mumu``.
    ``G = c U(1, 2 - k, z)`` with ``z = mu c``."""
    z = mu * c
    done = False
    if z >= 1.5 or k >= 10.0:
        done = _lu_cf(k, z, lu, work)
    if not done:
        if z >= 1e-3:
            _lu_quad(k, z, nodes[:40], weights[:40], lu)
        else:
            _lu_quad(k, z, nodes[40:], weights[40:], lu)
    lz, lkz, lzz = lu[2], lu[4], lu[5]
    out[0] = math.log(c) + lu[0]
    out[1] = lu[1]
    out[2] = 1.0 / c + lz * mu
    out[3] = lz * c
    out[4] = lu[3]
    out[5] = lkz * mu
    out[6] = lkz * c
    out[7] = -1.0 / (c * c) + lzz * mu * mu
    out[8] = lz + lzz * mu * c
    out[9] = lzz * c * c


@njit(cache=True, nogil=True)
def log_g(k: float, c: float, mu: float, nodes: np.ndarray, weights: np.ndarray
          ) -> tuple[float, float, float, float]:  # pragma: no cover
    """``log G(k, c, mu)`` and its derivatives in ``k``, ``c`` and ``mu`` (``nodes``,
    ``weights``: the 40- and 128-point rules stacked)."""
    lu, out, work = np.empty(6), np.empty(10), np.empty((6, 6))
    _log_g2(k, c, mu, nodes, weights, lu, out, work)
    return out[0], out[1], out[2], out[3]


@njit(cache=True, nogil=True, inline="always")
def _mix(a3: float, f1: float, f2: float, mu: float
         ) -> tuple[float, float, float, float, float]:  # pragma: no cover
    """The row's mixture ``log(e^{a3} + mu (I1 - I2))`` from ``a3`` and ``f_j = log I_j``.

    Returns ``(mix, w3, wb, rho, one_minus)``: the log-sum-exp, the weights of its two terms
    (``w3`` is P(alive)), ``rho = I2 / I1`` and ``1 - rho``. ``one_minus`` is 0 when
    ``I2 >= I1`` (nothing to mix: ``mix = a3``, ``w3 = 1``, ``wb = 0``); callers build the
    second term's gradient ``(g1 - rho g2) / one_minus`` only when it is positive.
    """
    delta = min(f2 - f1, 0.0)
    if not delta < 0.0:
        return a3, 1.0, 0.0, 1.0, 0.0
    one_minus = -math.expm1(delta)
    rho = 1.0 - one_minus
    b = math.log(mu) + f1 + math.log(one_minus)
    if a3 >= b:
        e = math.exp(b - a3)
        w3 = 1.0 / (1.0 + e)
        return a3 + math.log1p(e), w3, e * w3, rho, one_minus
    e = math.exp(a3 - b)
    wb = 1.0 / (1.0 + e)
    return b + math.log1p(e), e * wb, wb, rho, one_minus


@njit(cache=True, nogil=True)
def rows(r: float, alpha: float, mu: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
         nodes: np.ndarray, weights: np.ndarray, ll: np.ndarray, grad: np.ndarray,
         p_alive: np.ndarray) -> None:  # pragma: no cover
    """Per row: ``log(e^{-mu T}(alpha+T)^-k + mu (I(t_x) - I(T)))`` (the part of the
    log-likelihood beyond ``log Gamma(k) - log Gamma(r) + r log alpha``), its gradient in
    ``(r, alpha, mu)`` and P(alive) = the first term's share."""
    g1, g2 = np.zeros(3), np.zeros(3)
    g0 = np.zeros(3)
    h = np.zeros((3, 3))  # second derivatives: not used here
    lu, lg, work = np.empty(6), np.empty(10), np.empty((6, 6))
    f0 = 0.0
    have0 = False
    for i in range(len(x)):
        xi, ti, ai = x[i], tx[i], age[i]
        k = r + xi
        la_t = math.log(alpha + ai)
        a3 = -mu * ai - k * la_t
        if ti == 0.0 and xi == 0.0:  # shared by every customer without repeat purchases
            if not have0:
                f0 = _log_i2(r, alpha, mu, 0.0, 0.0, nodes, weights, lu, lg, g0, h, work)
                have0 = True
            f1 = f0
            g1[0], g1[1], g1[2] = g0[0], g0[1], g0[2]
        else:
            f1 = _log_i2(r, alpha, mu, xi, ti, nodes, weights, lu, lg, g1, h, work)
        f2 = _log_i2(r, alpha, mu, xi, ai, nodes, weights, lu, lg, g2, h, work)
        mix, w3, wb, rho, one_minus = _mix(a3, f1, f2, mu)
        ga0, ga1, ga2 = -la_t, -k / (alpha + ai), -ai
        if one_minus > 0.0:
            gb0 = (g1[0] - rho * g2[0]) / one_minus
            gb1 = (g1[1] - rho * g2[1]) / one_minus
            gb2 = (g1[2] - rho * g2[2]) / one_minus + 1.0 / mu
        else:
            gb0 = gb1 = gb2 = 0.0
        ll[i] = mix
        grad[i, 0] = w3 * ga0 + wb * gb0
        grad[i, 1] = w3 * ga1 + wb * gb1
        grad[i, 2] = w3 * ga2 + wb * gb2
        p_alive[i] = w3


@njit(cache=True, nogil=True)
def _log_i2(r: float, alpha: float, mu: float, x: float, u: float, nodes: np.ndarray,
            weights: np.ndarray, lu: np.ndarray, lg: np.ndarray, g: np.ndarray,
            h: np.ndarray, work: np.ndarray) -> float:  # pragma: no cover
    """``log I(u)`` with gradient ``g`` and Hessian ``h`` in ``(r, alpha, mu)``."""
    k = r + x
    c = alpha + u
    _log_g2(k, c, mu, nodes, weights, lu, lg, work)
    g[0] = -math.log(c) + lg[1]
    g[1] = -k / c + lg[2]
    g[2] = -u + lg[3]
    h[0, 0] = lg[4]
    h[0, 1] = h[1, 0] = -1.0 / c + lg[5]
    h[0, 2] = h[2, 0] = lg[6]
    h[1, 1] = k / (c * c) + lg[7]
    h[1, 2] = h[2, 1] = lg[8]
    h[2, 2] = lg[9]
    return -mu * u - k * math.log(c) + lg[0]


@njit(cache=True, nogil=True)
def _summed_rows(r: float, alpha: float, mu: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
                 w: np.ndarray, nodes: np.ndarray, weights: np.ndarray
                 ) -> tuple[float, np.ndarray, np.ndarray]:  # pragma: no cover
    """Weighted sums over rows of the mixture part of the log-likelihood (see :func:`rows`),
    its gradient and its Hessian in ``(r, alpha, mu)``."""
    ll = 0.0
    G = np.zeros(3)
    H = np.zeros((3, 3))
    lu, lg, work = np.empty(6), np.empty(10), np.empty((6, 6))
    g1, g2, g0, ga, gb, gi = np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3)
    h1, h2, h0 = np.zeros((3, 3)), np.zeros((3, 3)), np.zeros((3, 3))
    f0 = 0.0
    have0 = False
    for i in range(len(x)):
        xi, ti, ai, wi = x[i], tx[i], age[i], w[i]
        k = r + xi
        c_t = alpha + ai
        a3 = -mu * ai - k * math.log(c_t)
        ga[0], ga[1], ga[2] = -math.log(c_t), -k / c_t, -ai
        if ti == 0.0 and xi == 0.0:
            if not have0:
                f0 = _log_i2(r, alpha, mu, 0.0, 0.0, nodes, weights, lu, lg, g0, h0, work)
                have0 = True
            f1 = f0
            g1[:] = g0
            h1[:, :] = h0
        else:
            f1 = _log_i2(r, alpha, mu, xi, ti, nodes, weights, lu, lg, g1, h1, work)
        f2 = _log_i2(r, alpha, mu, xi, ai, nodes, weights, lu, lg, g2, h2, work)
        mix, w3, wb, rho, one_minus = _mix(a3, f1, f2, mu)
        if one_minus > 0.0:
            for j in range(3):
                gi[j] = (g1[j] - rho * g2[j]) / one_minus  # gradient of log(I1 - I2)
                gb[j] = gi[j]
            gb[2] += 1.0 / mu
        ll += wi * mix
        for j in range(3):
            G[j] += wi * (w3 * ga[j] + wb * gb[j])
        # Hessian of a3: d2/(dr dalpha) = -1/c_t, d2/dalpha2 = k / c_t^2
        H[0, 1] -= wi * w3 / c_t
        H[1, 1] += wi * w3 * k / (c_t * c_t)
        if wb > 0.0:
            q = wi * wb
            for j in range(3):
                for m in range(j, 3):
                    hi = ((h1[j, m] + g1[j] * g1[m]) - rho * (h2[j, m] + g2[j] * g2[m])) / one_minus
                    H[j, m] += q * (hi - gi[j] * gi[m]) + wi * w3 * wb * (ga[j] - gb[j]) * (ga[m] - gb[m])
            H[2, 2] -= q / (mu * mu)
    for j in range(3):
        for m in range(j):
            H[j, m] = H[m, j]
    return ll, G, H


def summed(x: np.ndarray, tx: np.ndarray, age: np.ndarray, weights: np.ndarray) -> KernelEvaluator:
    """Weighted log-likelihood of the limit with gradient and Hessian (the Newton path).

    Parameters
    ----------
    x, tx, age : ndarray
        Frequency, recency and T of each (possibly merged) row.
    weights : ndarray
        Customers per row.

    Returns
    -------
    KernelEvaluator
    """
    from scipy.special import digamma, gammaln, polygamma

    from custlens.clv._kernels_limit_pairs import pair_codes, summed_rows

    x, tx, age, w = (np.ascontiguousarray(v, dtype=float) for v in (x, tx, age, weights))
    pairs = pair_codes(x, tx, age) if _kernels.available() else None  # the data's, for every step
    ux, ix = x_levels(x)
    w_x = np.bincount(ix, weights=w, minlength=len(ux))
    w_total = float(w.sum())

    def evaluate(params: np.ndarray, hess: bool) -> tuple[float, np.ndarray, np.ndarray]:
        r, alpha, mu = (float(v) for v in params)
        ll, g, h = summed_rows(r, alpha, mu, x, tx, age, w, pairs)
        ll += w_x @ (gammaln(r + ux) - gammaln(r)) + w_total * r * np.log(alpha)
        g = g + np.array([w_x @ (digamma(r + ux) - digamma(r)) + w_total * np.log(alpha),
                          w_total * r / alpha, 0.0])
        h = h.copy()
        h[0, 0] += w_x @ (polygamma(1, r + ux) - polygamma(1, r))
        h[0, 1] += w_total / alpha
        h[1, 0] += w_total / alpha
        h[1, 1] -= w_total * r / alpha**2
        return float(ll), g, h

    return KernelEvaluator(evaluate)


@njit(cache=True, nogil=True)
def _g_rows(k: np.ndarray, c: np.ndarray, mu: float, nodes: np.ndarray, weights: np.ndarray,
            out: np.ndarray) -> None:  # pragma: no cover
    lu, lg, work = np.empty(6), np.empty(10), np.empty((6, 6))
    for i in range(len(k)):
        _log_g2(k[i], c[i], mu, nodes, weights, lu, lg, work)
        out[i] = lg[0]


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

    See Also
    --------
    custlens.clv._kernels_limit_pairs.parts : the same numbers, ``log I`` once per distinct pair.
    """
    r, alpha, mu = (float(v) for v in params)
    x, tx, age = (np.ascontiguousarray(v, dtype=float) for v in (x, tx, age))
    n = len(x)
    ll, grad, pa = np.empty(n), np.empty((n, 3)), np.empty(n)
    rows(r, alpha, mu, x, tx, age, _RULES[0], _RULES[1], ll, grad, pa)
    return _complete(r, alpha, x, ll, grad, pa)


def _complete(r: float, alpha: float, x: np.ndarray, ll: np.ndarray, grad: np.ndarray, pa: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add the terms outside the mixture (``log Gamma(k) - log Gamma(r) + r log alpha``)."""
    from scipy.special import digamma, gammaln

    ll += gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    grad[:, 0] += digamma(r + x) - digamma(r) + np.log(alpha)
    grad[:, 1] += r / alpha
    return ll, grad, pa
