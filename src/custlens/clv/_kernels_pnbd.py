"""Compiled Pareto/NBD likelihood: value, gradient and Hessian in one pass over the rows.

Same mathematics as :mod:`custlens.clv.pareto_nbd` (Fader & Hardie 2005 note 009, in log
space): per customer

    ll = G(x) + r log(alpha) + s log(beta) + logaddexp(a3, log(s) + log(F(t_x) - F(T))),
    a3 = -(r + x) log(alpha + T) - s log(beta + T),

with ``F(u) = int_u^inf (alpha + y)^-(r+x) (beta + y)^-(s+1) dy`` written through the
Euler-transformed hypergeometric series ``S(p, c, z) = sum_n (p)_n / (c)_n z^n`` of
:mod:`custlens.clv._hyp` (positive terms, bounded, no overflow for any purchase count).
The series' coefficients ``(p)_n / (c)_n`` and the sums of ``1 / (p + k)``, ``1 / (c + k)``
that its derivatives need depend on ``x`` only, so they are tabulated once per distinct
``x`` and evaluation; each row then sums ``coefficient * z^n`` without a division.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy.special import digamma, gammaln, polygamma

from custlens.clv._kernels import KernelEvaluator, x_levels
# numba's on-disk cache of this module's kernels is keyed on this file only: after changing
# custlens.clv._pnbd_quad during development, touch this file (or clear __pycache__).
from custlens.clv._pnbd_quad import Z_SPLIT, combine, split_point

_MAX_TERMS = 4_096  # as _hyp: t_0..t_4096 summed, then a geometric tail (z within ~3e-3 of 1)
_RTOL = 1e-17


def _tables(p: np.ndarray, c: np.ndarray, n_terms: int) -> np.ndarray:
    """Per level, ``(p)_n/(c)_n`` times 1, P, C, P^2 - P2, C^2 + C2, P C (n < n_terms).

    ``P_n = sum_{k<n} 1/(p+k)``, ``P2_n = sum_{k<n} 1/(p+k)^2`` (likewise ``C``): the
    first and second log-derivatives of the n-th term in ``p`` and ``c``.
    """
    k = np.arange(n_terms - 1, dtype=float)[None, :]
    inv_p, inv_c = 1.0 / (p[:, None] + k), 1.0 / (c[:, None] + k)
    shape = (len(p), n_terms)
    coef, big_p, big_c, p2, c2 = (np.zeros(shape) for _ in range(5))
    coef[:, 0] = 1.0
    coef[:, 1:] = np.cumprod((p[:, None] + k) * inv_c, axis=1)
    big_p[:, 1:] = np.cumsum(inv_p, axis=1)
    big_c[:, 1:] = np.cumsum(inv_c, axis=1)
    p2[:, 1:] = np.cumsum(inv_p**2, axis=1)
    c2[:, 1:] = np.cumsum(inv_c**2, axis=1)
    return np.ascontiguousarray(np.stack([coef, coef * big_p, coef * big_c, coef * (big_p**2 - p2),
                                          coef * (big_c**2 + c2), coef * big_p * big_c], axis=1))


@njit(cache=True, nogil=True)
def _log_series(tab: np.ndarray, z: float, out: np.ndarray) -> None:  # pragma: no cover
    """log S and its derivatives in (p, c, z) into ``out``:
    0 log S, 1 d/dp, 2 d/dc, 3 d/dz, 4 pp, 5 cc, 6 pc, 7 pz, 8 cz, 9 zz."""
    n_terms = tab.shape[1]
    s = sp = sc = spp = scc = spc = sz = spz = scz = szz = 0.0
    if z == 0.0:
        s = 1.0
        sz = tab[0, 1]  # d/dz of the n = 1 term
        spz, scz = tab[1, 1], -tab[2, 1]
        szz = 2.0 * tab[0, 2] if n_terms > 2 else 0.0
    else:
        zn = 1.0
        n = 0
        for n in range(n_terms - 1):  # the last coefficient only gives the tail's ratio
            t = tab[0, n] * zn
            s += t
            sp += tab[1, n] * zn
            sc -= tab[2, n] * zn
            spp += tab[3, n] * zn
            scc += tab[4, n] * zn
            spc -= tab[5, n] * zn
            sz += n * t
            spz += n * tab[1, n] * zn
            scz -= n * tab[2, n] * zn
            szz += n * (n - 1.0) * t
            if t * (n + 2.0) * (n + 2.0) < _RTOL * s and n > 2:
                break
            zn *= z
        if n == n_terms - 2:
            # not converged (z within about 3e-3 of 1): close with a geometric tail at the
            # next term ratio after t_4096, exactly as custlens.clv._hyp does
            q = min(tab[0, n + 1] / tab[0, n] * z, 1.0 - 1e-12)
            geo = q / (1.0 - q)
            zn /= z  # the loop ended with z^(n+1); the last term summed is t_n
            t = tab[0, n] * zn
            s += t * geo
            sp += tab[1, n] * zn * geo
            sc -= tab[2, n] * zn * geo
            sz += t * geo * (n + 1.0 / (1.0 - q))
        sz /= z
        spz /= z
        scz /= z
        szz /= z * z
    lp, lc, lz = sp / s, sc / s, sz / s
    out[0] = np.log(s)
    out[1], out[2], out[3] = lp, lc, lz
    out[4] = spp / s - lp * lp
    out[5] = scc / s - lc * lc
    out[6] = spc / s - lp * lc
    out[7] = spz / s - lp * lz
    out[8] = scz / s - lc * lz
    out[9] = szz / s - lz * lz


@njit(cache=True, nogil=True)
def _log_tail(r: float, alpha: float, s: float, beta: float, x: float, u: float, log_big_a: float,
              tab: np.ndarray, ser: np.ndarray, v: np.ndarray, g: np.ndarray, h: np.ndarray) -> float:  # pragma: no cover
    """``log F(u)`` with gradient ``g`` and Hessian ``h`` (upper triangle) in (r, alpha, s, beta).

    Beyond ``z = Z_SPLIT`` the series is summed at the split point ``w`` and the quadrature
    of ``[u, w]`` is added (:mod:`custlens.clv._pnbd_quad`), as the NumPy path does.
    """
    u_in = u
    far = abs(alpha - beta) > Z_SPLIT * (max(alpha, beta) + u)
    if far:
        u = split_point(alpha, beta)
    big_a = r + s + x
    la, lb = np.log(alpha + u), np.log(beta + u)
    ia, ib = 1.0 / (alpha + u), 1.0 / (beta + u)
    inv_big_a = 1.0 / big_a
    if alpha >= beta:
        z = (alpha - beta) * ia
        _log_series(tab, z, ser)
        value = -(r + x) * la - s * lb - log_big_a + ser[0]
        # p = r + x (d/dr), c = r + s + x + 1 (d/dr, d/ds), z(alpha, beta)
        za, zb = (beta + u) * ia * ia, -ia
        zaa, zab, zbb = -2.0 * (beta + u) * ia * ia * ia, ia * ia, 0.0
        p_r = 1.0
        g[0] = -la - inv_big_a
        g[1] = -(r + x) * ia
        g[2] = -lb - inv_big_a
        g[3] = -s * ib
        h[:, :] = 0.0
        h[0, 1] = -ia
        h[1, 1] = (r + x) * ia * ia
        h[2, 3] = -ib
        h[3, 3] = s * ib * ib
    else:
        z = (beta - alpha) * ib
        _log_series(tab, z, ser)
        value = -(r + x - 1.0) * la - (s + 1.0) * lb - log_big_a + ser[0]
        za, zb = -ib, (alpha + u) * ib * ib
        zaa, zab, zbb = 0.0, ib * ib, -2.0 * (alpha + u) * ib * ib * ib
        p_r = 0.0  # p = s + 1
        g[0] = -la - inv_big_a
        g[1] = -(r + x - 1.0) * ia
        g[2] = -lb - inv_big_a
        g[3] = -(s + 1.0) * ib
        h[:, :] = 0.0
        h[0, 1] = -ia
        h[1, 1] = (r + x - 1.0) * ia * ia
        h[2, 3] = -ib
        h[3, 3] = (s + 1.0) * ib * ib
    a2 = inv_big_a * inv_big_a  # -log(A): +1/A^2 on rr, rs, ss
    h[0, 0] += a2
    h[0, 2] += a2
    h[2, 2] += a2
    # p depends on r (first form) or s (second), c = r + s + x + 1, z on alpha and beta
    v[0, 0], v[0, 1], v[0, 2], v[0, 3] = p_r, 0.0, 1.0 - p_r, 0.0
    v[1, 0], v[1, 1], v[1, 2], v[1, 3] = 1.0, 0.0, 1.0, 0.0
    v[2, 0], v[2, 1], v[2, 2], v[2, 3] = 0.0, za, 0.0, zb
    for i in range(4):
        dp, dc, dz = v[0, i], v[1, i], v[2, i]
        g[i] += ser[1] * dp + ser[2] * dc + ser[3] * dz
        for j in range(i, 4):
            ep, ec, ez = v[0, j], v[1, j], v[2, j]
            h[i, j] += (ser[4] * dp * ep + ser[5] * dc * ec + ser[9] * dz * ez
                        + ser[6] * (dp * ec + dc * ep) + ser[7] * (dp * ez + dz * ep)
                        + ser[8] * (dc * ez + dz * ec))
    h[1, 1] += ser[3] * zaa
    h[1, 3] += ser[3] * zab
    h[3, 3] += ser[3] * zbb
    if far:
        value = combine(r, alpha, s, beta, x, u_in, u, value, g, h)
        la, lb = np.log(alpha + u_in), np.log(beta + u_in)
    v[2, 0], v[2, 2] = la, lb  # handed back to the caller (unused slots of d/d r, s)
    return value


@njit(cache=True, nogil=True)
def _rows(r: float, alpha: float, s: float, beta: float, x: np.ndarray, tx: np.ndarray,
          age: np.ndarray, w: np.ndarray, ix: np.ndarray, log_big_a: np.ndarray, tabs: np.ndarray,
          hess: bool) -> tuple[float, np.ndarray, np.ndarray]:  # pragma: no cover
    """Sums over rows of ``logaddexp(a3, log s + log(F(t_x) - F(T)))`` with gradient, Hessian."""
    ll = 0.0
    G = np.zeros(4)
    H = np.zeros((4, 4))
    ser = np.zeros(10)
    v = np.zeros((3, 4))  # d(p, c, z) / d(r, alpha, s, beta)
    g1, g2, gb, ga3, dd, gi = np.zeros(4), np.zeros(4), np.zeros(4), np.zeros(4), np.zeros(4), np.zeros(4)
    h1, h2 = np.zeros((4, 4)), np.zeros((4, 4))
    # F(0) of customers without repeat purchases (x = 0, t_x = 0) is shared: compute once
    g0, h0 = np.zeros(4), np.zeros((4, 4))
    f0, k0 = 0.0, -1
    log_s = np.log(s)
    for i in range(len(x)):
        k = ix[i]
        xi = x[i]
        if tx[i] == 0.0:
            if k != k0:
                f0 = _log_tail(r, alpha, s, beta, xi, 0.0, log_big_a[k], tabs[k], ser, v, g0, h0)
                k0 = k
            f1 = f0
            g1[:] = g0
            h1[:, :] = h0
        else:
            f1 = _log_tail(r, alpha, s, beta, xi, tx[i], log_big_a[k], tabs[k], ser, v, g1, h1)
        f2 = _log_tail(r, alpha, s, beta, xi, age[i], log_big_a[k], tabs[k], ser, v, g2, h2)
        la, lb = v[2, 0], v[2, 2]  # log(alpha + T), log(beta + T) from the tail at T
        ia, ib = 1.0 / (alpha + age[i]), 1.0 / (beta + age[i])
        a3 = -(r + xi) * la - s * lb
        ga3[0], ga3[1], ga3[2], ga3[3] = -la, -(r + xi) * ia, -lb, -s * ib
        delta = min(f2 - f1, 0.0)
        wi = w[i]
        if delta < 0.0:
            one_minus = -np.expm1(delta)
            rho = 1.0 - one_minus
            b = log_s + f1 + np.log(one_minus)
            for j in range(4):
                gb[j] = (g1[j] - rho * g2[j]) / one_minus
            # logaddexp(a3, b) and the two weights
            if a3 >= b:
                e = np.exp(b - a3)
                mix = a3 + np.log1p(e)
                w3 = 1.0 / (1.0 + e)
                wb = e * w3
            else:
                e = np.exp(a3 - b)
                mix = b + np.log1p(e)
                wb = 1.0 / (1.0 + e)
                w3 = e * wb
            gb[2] += 1.0 / s
        else:  # no gap between t_x and T: only the "alive at T" term
            mix, w3, wb = a3, 1.0, 0.0
        ll += wi * mix
        for j in range(4):
            G[j] += wi * (w3 * ga3[j] + wb * gb[j])
        if hess:
            # Hessian of a3
            H[0, 1] -= wi * w3 * ia
            H[1, 1] += wi * w3 * (r + xi) * ia * ia
            H[2, 3] -= wi * w3 * ib
            H[3, 3] += wi * w3 * s * ib * ib
            if wb > 0.0:
                q = wi * wb
                for j in range(4):  # gradient of log(F1 - F2)
                    gi[j] = gb[j]
                gi[2] -= 1.0 / s
                for j in range(4):
                    dd[j] = ga3[j] - gb[j]
                for j in range(4):
                    for m in range(j, 4):
                        hi = ((h1[j, m] + g1[j] * g1[m]) - rho * (h2[j, m] + g2[j] * g2[m])) / one_minus
                        H[j, m] += q * (hi - gi[j] * gi[m]) + wi * w3 * wb * dd[j] * dd[m]
                H[2, 2] -= q / (s * s)
    for j in range(4):
        for m in range(j):
            H[j, m] = H[m, j]
    return ll, G, H


def summed(x: np.ndarray, tx: np.ndarray, age: np.ndarray, weights: np.ndarray) -> KernelEvaluator:
    """Weighted Pareto/NBD log-likelihood with gradient and Hessian.

    Parameters
    ----------
    x, tx, age : ndarray
        Frequency, recency and T of each (possibly compressed) row.
    weights : ndarray
        Customers per row.

    Returns
    -------
    KernelEvaluator
    """
    x, tx, age, w = (np.ascontiguousarray(v, dtype=float) for v in (x, tx, age, weights))
    ux, ix = x_levels(x)
    w_x = np.bincount(ix, weights=w, minlength=len(ux))
    w_total = float(w.sum())

    def evaluate(params: np.ndarray, hess: bool) -> tuple[float, np.ndarray, np.ndarray]:
        r, alpha, s, beta = params
        # rows beyond Z_SPLIT sum the series at z = Z_SPLIT (the rest is quadrature)
        z_max = min(abs(alpha - beta) / max(alpha, beta), Z_SPLIT)
        cap = _MAX_TERMS + 2  # coefficients 0..4096 summed, 4097 for the tail's ratio
        n_terms = cap if z_max >= 1.0 else int(min(
            cap, max(8.0, np.ceil(np.log(_RTOL) / np.log(z_max)) + 8.0) if z_max > 0 else 8.0))
        p = r + ux if alpha >= beta else np.full(len(ux), s + 1.0)
        tabs = _tables(p, r + s + ux + 1.0, n_terms)
        ll, g, h = _rows(r, alpha, s, beta, x, tx, age, w, ix, np.log(r + s + ux), tabs, hess)
        ll += w_x @ (gammaln(r + ux) - gammaln(r)) + w_total * (r * np.log(alpha) + s * np.log(beta))
        g = g + np.array([w_x @ (digamma(r + ux) - digamma(r)) + w_total * np.log(alpha),
                          w_total * r / alpha, w_total * np.log(beta), w_total * s / beta])
        if hess:
            extra = np.zeros((4, 4))
            extra[0, 0] = w_x @ (polygamma(1, r + ux) - polygamma(1, r))
            extra[0, 1] = extra[1, 0] = w_total / alpha
            extra[1, 1] = -w_total * r / alpha**2
            extra[2, 3] = extra[3, 2] = w_total / beta
            extra[3, 3] = -w_total * s / beta**2
            h = h + extra
        return float(ll), g, h

    return KernelEvaluator(evaluate)
