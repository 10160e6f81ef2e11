"""Compiled BG/NBD and MBG/NBD likelihood: value, gradient and Hessian in one pass.

Per customer (``extra`` = 0 for BG/NBD, 1 for MBG/NBD; FHL 2005 eq. 6, Batislam 2007)

    ll = A(x) + r log(alpha) - (r + x) log(alpha + T) + softplus(d),
    d  = log(a) - log(b + x - 1 + extra) + (r + x) (log(alpha + T) - log(alpha + t_x)),

where ``A`` (log-gamma terms) depends on ``x`` only and is summed per distinct ``x`` in
NumPy; BG/NBD customers without repeat purchases have no ``softplus(d)`` term. The row
loop does the rest with ``expit(d)`` as the weight of the "dropped out after the last
purchase" branch. The numbers equal ``BetaGeoModel._loglik`` / ``ModifiedBetaGeoModel._loglik``
(tests/clv/test_clv_kernels.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy.special import digamma, gammaln, polygamma

from custlens.clv._kernels import KernelEvaluator, x_levels


@njit(cache=True, nogil=True)
def _t_terms(r: float, alpha: float, x: np.ndarray, age: np.ndarray, w: np.ndarray,
             lt: np.ndarray, hess: bool) -> tuple[float, np.ndarray, np.ndarray]:  # pragma: no cover
    """Sums of ``-(r + x) log(alpha + T)`` over all rows (``lt = log(alpha + T)``)."""
    ll = 0.0
    g = np.zeros(4)
    h = np.zeros((4, 4))
    for i in range(len(x)):
        wi = w[i]
        rx = r + x[i]
        inv_t = 1.0 / (alpha + age[i])
        ll -= wi * rx * lt[i]
        g[0] -= wi * lt[i]
        g[1] -= wi * rx * inv_t
        if hess:
            h[0, 1] -= wi * inv_t
            h[1, 1] += wi * rx * inv_t * inv_t
    return ll, g, h


@njit(cache=True, nogil=True)
def _d_values(r: float, log_a: float, x: np.ndarray, lt: np.ndarray, ltx: np.ndarray,
              ix: np.ndarray, lbx: np.ndarray, d: np.ndarray) -> None:  # pragma: no cover
    """``d = log a - log(b + x - 1 + extra) + (r + x) (log(alpha + T) - log(alpha + t_x))``."""
    for i in range(len(x)):
        d[i] = log_a - lbx[ix[i]] + (r + x[i]) * (lt[i] - ltx[i])


@njit(cache=True, nogil=True)
def _d_terms(r: float, alpha: float, a: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
             w: np.ndarray, ix: np.ndarray, ibx: np.ndarray, lt: np.ndarray, ltx: np.ndarray,
             d: np.ndarray, e: np.ndarray, log1pe: np.ndarray, hess: bool
             ) -> tuple[float, np.ndarray, np.ndarray]:  # pragma: no cover
    """Sums of ``softplus(d)`` with gradient and Hessian (``e = exp(-|d|)``, ``log1pe = log(1 + e)``)."""
    ll = 0.0
    g = np.zeros(4)
    h = np.zeros((4, 4))
    inv_a = 1.0 / a
    s_w = 0.0  # sum of w * expit(d); times 1/a it is the gradient in a
    for i in range(len(x)):
        wi = w[i]
        rx = r + x[i]
        di = d[i]
        if di >= 0.0:
            ll += wi * (di + log1pe[i])
            sig = 1.0 / (1.0 + e[i])
        else:
            ll += wi * log1pe[i]
            sig = e[i] / (1.0 + e[i])
        inv_t = 1.0 / (alpha + age[i])
        inv_x = 1.0 / (alpha + tx[i])
        diff = lt[i] - ltx[i]
        ws = wi * sig
        d_alpha = rx * (inv_t - inv_x)  # d d / d alpha
        ib = ibx[ix[i]]
        g[0] += ws * diff
        g[1] += ws * d_alpha
        s_w += ws
        g[3] -= ws * ib
        if hess:
            q = ws * (1.0 - sig)  # w * softplus''(d), times grad(d) grad(d)^T
            h[0, 0] += q * diff * diff
            h[0, 1] += q * diff * d_alpha + ws * (inv_t - inv_x)
            h[0, 2] += q * diff * inv_a
            h[0, 3] -= q * diff * ib
            h[1, 1] += q * d_alpha * d_alpha + ws * rx * (inv_x * inv_x - inv_t * inv_t)
            h[1, 2] += q * d_alpha * inv_a
            h[1, 3] -= q * d_alpha * ib
            h[2, 2] += q * inv_a * inv_a - ws * inv_a * inv_a
            h[2, 3] -= q * inv_a * ib
            h[3, 3] += q * ib * ib + ws * ib * ib
    g[2] += s_w * inv_a
    return ll, g, h


def summed(x: np.ndarray, tx: np.ndarray, age: np.ndarray, weights: np.ndarray,
           extra: int) -> KernelEvaluator:
    """Weighted BG/NBD (``extra=0``) or MBG/NBD (``extra=1``) log-likelihood, gradient, Hessian.

    Parameters
    ----------
    x, tx, age : ndarray
        Frequency, recency and T of each (possibly compressed) row.
    weights : ndarray
        Customers per row.
    extra : {0, 1}
        Death opportunities at the first purchase.

    Returns
    -------
    KernelEvaluator
    """
    x, tx, age, w = (np.ascontiguousarray(v, dtype=float) for v in (x, tx, age, weights))
    ux, ix = x_levels(x)
    # rows with a softplus(d) term, gathered once into contiguous arrays
    rows = np.flatnonzero(x > 0) if extra == 0 else None
    xr, txr, ager, wr, ixr = (x, tx, age, w, ix) if rows is None else (
        np.ascontiguousarray(v[rows]) for v in (x, tx, age, w, ix))
    lt = np.empty(len(x))
    ltr, ltx, d, e, log1pe = (np.empty(len(xr)) for _ in range(5))
    w_x = np.bincount(ix, weights=w, minlength=len(ux))
    w_total = float(w.sum())
    ue = ux + extra
    shift = np.where((ux > 0) | (extra > 0), ux - 1.0 + extra, 0.0)  # b + shift in d (unused at x = 0 for BG/NBD)

    def evaluate(params: np.ndarray, hess: bool) -> tuple[float, np.ndarray, np.ndarray]:
        r, alpha, a, b = params
        bx = b + shift
        # transcendental functions by NumPy's vectorised loops, the rest fused in the kernels
        np.log(np.add(age, alpha, out=lt), out=lt)
        ll, g, h = _t_terms(r, alpha, x, age, w, lt, hess)
        lt_d = lt if rows is None else np.take(lt, rows, out=ltr)
        np.log(np.add(txr, alpha, out=ltx), out=ltx)
        _d_values(r, np.log(a), xr, lt_d, ltx, ixr, np.log(bx), d)
        np.exp(np.negative(np.abs(d, out=e), out=e), out=e)
        np.log(np.add(e, 1.0, out=log1pe), out=log1pe)  # log(1 + e), e in (0, 1]: exact enough
        ll_d, g_d, h_d = _d_terms(r, alpha, a, xr, txr, ager, wr, ixr, 1.0 / bx, lt_d, ltx,
                                  d, e, log1pe, hess)
        ll, g, h = ll + ll_d, g + g_d, h + h_d
        if hess:
            h = np.triu(h) + np.triu(h, 1).T
        # terms of x alone, per level (log-gamma functions and their derivatives)
        ll += w_x @ (gammaln(r + ux) - gammaln(r) + gammaln(a + b) + gammaln(b + ue)
                     - gammaln(b) - gammaln(a + b + ue)) + w_total * r * np.log(alpha)
        dg_ab, dg_abx = digamma(a + b), digamma(a + b + ue)
        g = g + np.array([w_x @ (digamma(r + ux) - digamma(r)) + w_total * np.log(alpha),
                          w_total * r / alpha,
                          w_x @ (dg_ab - dg_abx),
                          w_x @ (dg_ab + digamma(b + ue) - digamma(b) - dg_abx)])
        if hess:
            t_ab, t_abx = polygamma(1, a + b), polygamma(1, a + b + ue)
            h_ab = w_x @ (t_ab - t_abx)
            extra_h = np.zeros((4, 4))
            extra_h[0, 0] = w_x @ (polygamma(1, r + ux) - polygamma(1, r))
            extra_h[0, 1] = extra_h[1, 0] = w_total / alpha
            extra_h[1, 1] = -w_total * r / alpha**2
            extra_h[2, 2] = extra_h[2, 3] = extra_h[3, 2] = h_ab
            extra_h[3, 3] = w_x @ (t_ab + polygamma(1, b + ue) - polygamma(1, b) - t_abx)
            h = h + extra_h
        return float(ll), g, h

    return KernelEvaluator(evaluate)
