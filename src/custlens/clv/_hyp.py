"""A stable Gauss hypergeometric series for the Pareto/NBD likelihood.

The Pareto/NBD needs ``log 2F1(A, B; A + 1; z)`` for ``0 <= z < 1`` with ``A`` growing
with the purchase count. Euler's transformation writes it as
``(1 - z)^(1 - B) * S(A + 1 - B, A + 1, z)`` with

    S(p, c, z) = 2F1(1, p; c; z) = sum_n (p)_n / (c)_n z^n,

a series of positive terms bounded by ``1 / (1 - z)``: no overflow and no cancellation
however many purchases a customer has. The series is summed term by term for all rows
at once (rows leave the loop as they converge; a geometric tail closes
the few rows with z so close to 1 that they need more than ``_MAX_TERMS`` terms) together with its derivatives in
``p``, ``c`` and ``z``, which the analytic gradient needs.
"""

from __future__ import annotations

import numpy as np

_RTOL = 1e-16
_MAX_TERMS = 4_096
_BLOCK = 32


def _block_size(z_max: float) -> int:
    """Terms per block: enough for ``z_max ** n`` to fall below ``_RTOL`` (4 to _BLOCK)."""
    if z_max <= 0.0:
        return 4
    need = np.log(_RTOL) / np.log(z_max) + 4.0 if z_max < 1.0 else _BLOCK
    return int(min(max(np.ceil(need), 4), _BLOCK))


def log_series(p: np.ndarray, c: np.ndarray, z: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``log S(p, c, z)`` and its partial derivatives ``d/dp, d/dc, d/dz``.

    Parameters
    ----------
    p, c, z : ndarray
        Broadcastable arrays with ``p > 0``, ``c > 0`` and ``0 <= z < 1``.

    Returns
    -------
    log_s, dlog_dp, dlog_dc, dlog_dz : ndarray
    """
    p, c, z = (np.array(v, dtype=float) for v in np.broadcast_arrays(p, c, z))
    shape = p.shape
    p, c, z = p.ravel(), c.ravel(), z.ravel()
    m = len(p)
    s = np.ones(m)
    sp = np.zeros(m)
    sc = np.zeros(m)
    sz = np.zeros(m)
    idx = np.flatnonzero(z > 0)
    pa, ca, za = p[idx], c[idx], z[idx]
    term = np.ones(len(idx))
    cum_p = np.zeros(len(idx))
    cum_c = np.zeros(len(idx))
    acc_s, acc_p, acc_c, acc_z = np.ones(len(idx)), np.zeros(len(idx)), np.zeros(len(idx)), np.zeros(len(idx))
    n = 0
    while len(idx) and n < _MAX_TERMS:
        # `block` terms at once, laid out (term, row) so that the running products and
        # sums run along axis 0 over contiguous rows:
        # t_{n+j+1} = t_n * prod_{i<=j} (p + n + i) / (c + n + i) * z.
        # With p < c (as in the Pareto/NBD) every term ratio is below z, so about
        # log(eps) / log(max z) terms suffice: small z (alpha close to beta, the usual
        # case) needs only a few; otherwise the loop simply runs more blocks.
        block = _block_size(float(za.max()))
        k = np.arange(block, dtype=float)[:, None]
        p_k = pa + n + k
        inv_p = 1.0 / p_k
        inv_c = 1.0 / (ca + n + k)
        terms = p_k
        terms *= inv_c
        terms *= za
        terms[0] *= term
        inv_p[0] += cum_p
        np.subtract(cum_c, inv_c[0], out=inv_c[0])
        for j in range(1, block):  # running products and sums (np.cumprod along axis 0 is far slower)
            terms[j] *= terms[j - 1]
            inv_p[j] += inv_p[j - 1]
            np.subtract(inv_c[j - 1], inv_c[j], out=inv_c[j])
        cp, cc = inv_p, inv_c
        acc_s += terms.sum(axis=0)
        acc_p += np.einsum("ij,ij->j", terms, cp)
        acc_c += np.einsum("ij,ij->j", terms, cc)
        acc_z += np.einsum("i,ij->j", n + 1.0 + k[:, 0], terms)
        term, cum_p, cum_c = terms[-1], cp[-1], cc[-1]
        n += block
        # remaining tail <= term * q / (1 - q), q >= every later term ratio
        q = np.maximum(np.minimum((pa + n) / (ca + n), 1.0) * za, za)
        tail = term * q / (1.0 - q) * (n + 1.0 / (1.0 - q))
        done = tail < _RTOL * acc_s * (1.0 + np.abs(cum_p) + np.abs(cum_c))
        if done.any():
            s[idx[done]], sp[idx[done]], sc[idx[done]], sz[idx[done]] = (
                acc_s[done], acc_p[done], acc_c[done], acc_z[done])
            keep = ~done
            idx, pa, ca, za, term, cum_p, cum_c = (v[keep] for v in (idx, pa, ca, za, term, cum_p, cum_c))
            acc_s, acc_p, acc_c, acc_z = (v[keep] for v in (acc_s, acc_p, acc_c, acc_z))
    if len(idx):
        # Not converged within _MAX_TERMS (z very close to 1, far from any sensible fit):
        # close the sums with a geometric tail at the current term ratio. The value stays
        # finite and slightly underestimated, which only makes such regions look worse.
        ratio = np.minimum((pa + n) / (ca + n) * za, 1.0 - 1e-12)
        geo = ratio / (1.0 - ratio)
        s[idx] = acc_s + term * geo
        sp[idx] = acc_p + term * cum_p * geo
        sc[idx] = acc_c + term * cum_c * geo
        sz[idx] = acc_z + term * geo * (n + 1.0 / (1.0 - ratio))
    dz = np.where(z > 0, sz / np.where(z > 0, z, 1.0) / s, p / c)
    return (np.log(s).reshape(shape), (sp / s).reshape(shape), (sc / s).reshape(shape),
            dz.reshape(shape))
