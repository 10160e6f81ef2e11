"""Compiled BG/NBD and MBG/NBD scoring: P(alive) and expected purchases at many horizons.

The conditional expected purchases in ``(T, T + t]`` (FHL 2005 eq. 10; Batislam 2007 for
MBG/NBD, ``e = 1``) are

    E(t) = c / (a - 1) * (1 - (1 - z)^(a - 1) 2F1(a', a - 1; c; z)) * P(alive),
    c = a + b + x - 1 + e,  a' = c - r - x = a + b - 1 + e - r,  z = t / (alpha + T + t),

after Euler's transformation (see :func:`custlens.clv._bgfamily.expected`). The series
coefficients ``(a')_n (a - 1)_n / ((c)_n n!)`` depend on the purchase count ``x`` only,
so they are tabulated once per distinct ``x``; a customer's horizons then differ only in
``z`` and each is a plain polynomial sum with no division. A row's P(alive) and all its
horizons are computed in one pass.

Convergence is checked with a bound, not a heuristic: from the first ``n`` where every
later coefficient ratio lies in ``[-1, 1]`` (tabulated per level), the tail after a term
``t_n`` is at most ``|t_n| z / (1 - z)``, and summation stops when that is below
``1e-15`` of the sum. A row whose series would need more terms than tabulated (``z``
close to 1) or whose parameters leave that regime (``a > r + x + 2``) is flagged, and the
caller scores it with SciPy's ``hyp2f1``, which switches to its own transformations
near ``z = 1`` (:func:`custlens.clv._bgfamily.expected`). The numbers equal that
function's to about 1e-13 (tests/clv/test_clv_score_kernel.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from custlens.clv._bgfamily import nudge_a
from custlens.clv._kernels import x_levels

#: Stop when the tail bound is below this fraction of the sum.
_RTOL = 1e-15
#: Most series terms tabulated per level; rows needing more go to SciPy.
_MAX_TERMS = 3_000


def coefficients(ux: np.ndarray, r: float, a: float, b: float, extra: int, z_max: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Series coefficients ``(a')_n (a-1)_n / ((c)_n n!)`` per level of ``x``, and ``n_safe``.

    Parameters
    ----------
    ux : ndarray
        Distinct purchase counts.
    r, a, b : float
        Model parameters (``a`` already kept away from 1).
    extra : {0, 1}
        0 for BG/NBD, 1 for MBG/NBD.
    z_max : float
        Largest series argument of the rows to score; sets how many terms are tabulated.

    Returns
    -------
    table : ndarray, shape (levels, terms)
    n_safe : ndarray of int
        Per level, the first ``n`` from which every coefficient ratio is in ``[-1, 1]``
        (``terms`` when there is none within the table: those rows go to SciPy).
    """
    if z_max <= 0.0:
        n_terms = 4
    else:
        need = np.log(_RTOL * 1e-2) / np.log(z_max) + 16.0 if z_max < 1.0 else _MAX_TERMS
        n_terms = int(min(max(np.ceil(need), 4), _MAX_TERMS))
    ap, bp = a + b - 1.0 + extra - r, a - 1.0
    c = a + b + ux - 1.0 + extra
    k = np.arange(n_terms - 1, dtype=float)[None, :]
    ratio = (ap + k) * (bp + k) / ((c[:, None] + k) * (k + 1.0))
    table = np.ones((len(ux), n_terms))
    table[:, 1:] = np.cumprod(ratio, axis=1)
    # |ratio_j| <= 1 for all j >= n: (c + j)(j + 1) - |(a' + j)(b' + j)| >= 0, linear in j
    # once j > -min(a', b') (both factors positive): slope r + x + 2 - a, value at j = n
    slope = r + ux + 2.0 - a
    start = np.maximum(np.ceil(-min(ap, bp)) + 1.0, 0.0)
    # smallest n >= start with n * slope + (c - a' b') + n^2 - n^2 ... (quadratic terms cancel)
    const = c - ap * bp
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.where(slope > 0, np.ceil(-const / slope), np.inf)
    n_safe = np.where(slope > 0, np.maximum(start, np.maximum(root, 0.0)), n_terms)
    n_safe = np.minimum(n_safe, n_terms).astype(np.int64)
    return table, n_safe


@njit(cache=True, nogil=True)
def _tail_ok(c_n: float, zn: float, z: float, s1: float) -> bool:  # pragma: no cover
    """Tail bound ``|t_n| z / (1 - z)`` below ``_RTOL`` of the sum ``1 + s1``."""
    return abs(c_n) * zn * z <= _RTOL * abs(1.0 + s1) * (1.0 - z)


@njit(cache=True, nogil=True, fastmath={"contract"})
def _series4(coef: np.ndarray, safe: int, z0: float, z1: float, z2: float, z3: float
             ) -> tuple[float, float, float, float, bool]:  # pragma: no cover
    """``S(z) - 1`` at four arguments ``z0 <= z1 <= z2 <= z3`` (0 for an unused slot).

    Four independent chains in scalars (registers), so their latencies overlap; the
    largest argument converges last and ends the loop, then the others' bounds are checked.
    (``contract`` only fuses multiply-adds; no reordering of the sums.)
    """
    n_terms = len(coef)
    p0 = p1 = p2 = p3 = 1.0
    s0 = s1 = s2 = s3 = 0.0
    if z3 == 0.0:
        return s0, s1, s2, s3, True
    # tail bound |c_n| z^n * z / (1 - z) <= _RTOL |S|, as |c_n| z^n <= limit * |S|
    limit = _RTOL * (1.0 - z3) / z3
    for n in range(1, n_terms):
        c_n = coef[n]
        p0 *= z0
        p1 *= z1
        p2 *= z2
        p3 *= z3
        s0 += c_n * p0
        s1 += c_n * p1
        s2 += c_n * p2
        s3 += c_n * p3
        if n >= safe and abs(c_n) * p3 <= limit * abs(1.0 + s3):
            ok = _tail_ok(c_n, p2, z2, s2) and _tail_ok(c_n, p1, z1, s1) and _tail_ok(c_n, p0, z0, s0)
            if ok:
                return s0, s1, s2, s3, True
    return s0, s1, s2, s3, False


@njit(cache=True, nogil=True)
def _rows(x: np.ndarray, tx: np.ndarray, age: np.ndarray, ix: np.ndarray, table: np.ndarray,
          n_safe: np.ndarray, r: float, alpha: float, a: float, a_e: float, b: float, extra: int,
          ts: np.ndarray, weights: np.ndarray, keep: int, p_alive: np.ndarray,
          e_keep: np.ndarray, summed: np.ndarray, flag: np.ndarray) -> None:  # pragma: no cover
    """Per row: P(alive), E(ts[keep]) and sum_k weights[k] E(ts[k]); ``flag`` rows not done.

    ``a`` enters P(alive), ``a_e`` (``a`` kept away from 1) the expectation, as in NumPy.
    ``ts`` is ascending; its horizons are summed four at a time (:func:`_series4`).
    """
    n_h = len(ts)
    log_a = np.log(a)
    am1 = a_e - 1.0
    zh = np.zeros(n_h + 3)
    sh = np.zeros(n_h + 3)
    for i in range(len(x)):
        xi = x[i]
        k_age = alpha + age[i]
        if xi > 0.0 or extra == 1:
            log_odds = log_a - np.log(b + xi - 1.0 + extra) + (r + xi) * (
                np.log(k_age) - np.log(alpha + tx[i]))
            if log_odds >= 0.0:
                e = np.exp(-log_odds)
                pa = e / (1.0 + e)
            else:
                pa = 1.0 / (1.0 + np.exp(log_odds))
        else:
            pa = 1.0
        p_alive[i] = pa
        lev = ix[i]
        coef = table[lev]
        safe = n_safe[lev]
        for h in range(n_h):
            zh[h] = ts[h] / (k_age + ts[h])
        ok = True
        for h in range(0, n_h, 4):
            # unused slots of the last block: z = 0 below the used ones (ascending order kept)
            if h + 3 < n_h:
                z0, z1, z2, z3 = zh[h], zh[h + 1], zh[h + 2], zh[h + 3]
            elif h + 2 < n_h:
                z0, z1, z2, z3 = 0.0, zh[h], zh[h + 1], zh[h + 2]
            elif h + 1 < n_h:
                z0, z1, z2, z3 = 0.0, 0.0, zh[h], zh[h + 1]
            else:
                z0, z1, z2, z3 = 0.0, 0.0, 0.0, zh[h]
            s0, s1, s2, s3, done = _series4(coef, safe, z0, z1, z2, z3)
            if not done:
                ok = False
                break
            m = min(n_h - h, 4)
            if m == 4:
                sh[h], sh[h + 1], sh[h + 2], sh[h + 3] = s0, s1, s2, s3
            elif m == 3:
                sh[h], sh[h + 1], sh[h + 2] = s1, s2, s3
            elif m == 2:
                sh[h], sh[h + 1] = s2, s3
            else:
                sh[h] = s3
        total = 0.0
        if ok:
            scale = (a_e + b + xi - 1.0 + extra) / am1 * pa
            for h in range(n_h):
                # 1 - (1 - z)^(a - 1) S, with 1 - z = K / (K + t)
                value = scale * (1.0 - (k_age / (k_age + ts[h])) ** am1 * (1.0 + sh[h]))
                if h == keep:
                    e_keep[i] = value
                total += weights[h] * value
            ok = np.isfinite(total) and np.isfinite(e_keep[i])
        summed[i] = total
        flag[i] = not ok


def scores(x: np.ndarray, tx: np.ndarray, age: np.ndarray, r: float, alpha: float, a: float,
           b: float, extra: int, ts: np.ndarray, weights: np.ndarray, keep: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """P(alive), expected purchases at ``ts[keep]`` and ``sum_k weights[k] E(ts[k])`` per row.

    Parameters
    ----------
    x, tx, age : ndarray
        Frequency, recency and T.
    r, alpha, a, b : float
        Parameters (the expectation uses ``a`` kept away from 1, as
        :func:`custlens.clv._bgfamily.nudge_a` does).
    extra : {0, 1}
        0 for BG/NBD, 1 for MBG/NBD.
    ts, weights : ndarray
        Horizons and the weights of their expected purchases in ``summed``.
    keep : int
        Index of the horizon whose expected purchases are returned.

    Returns
    -------
    p_alive, expected, summed : ndarray
    flag : ndarray of bool
        Rows the kernel did not score (series too long, or ``a > r + x + 2``); their
        ``expected`` and ``summed`` are undefined and must be computed otherwise.
    """
    x, tx, age = (np.ascontiguousarray(v, dtype=float) for v in (x, tx, age))
    ts = np.ascontiguousarray(ts, dtype=float)
    if np.any(np.diff(ts) < 0) or np.any(ts < 0):
        raise ValueError(f"horizons must be ascending and >= 0, got {ts}")
    ux, ix = x_levels(x)
    n = len(x)
    t_max = float(ts.max()) if len(ts) else 0.0
    z_max = t_max / (alpha + float(age.min()) + t_max) if n and t_max > 0 else 0.0
    a_e = nudge_a(a)
    table, n_safe = coefficients(ux, r, a_e, b, extra, z_max)
    p_alive, expected, summed = np.empty(n), np.zeros(n), np.empty(n)
    flag = np.zeros(n, dtype=np.bool_)
    _rows(x, tx, age, ix, table, n_safe, float(r), float(alpha), float(a), float(a_e), float(b), int(extra), ts,
          np.ascontiguousarray(weights, dtype=float), int(keep), p_alive, expected, summed, flag)
    return p_alive, expected, summed, flag
