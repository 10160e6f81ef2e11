"""Closed forms shared by BG/NBD and MBG/NBD (they differ by one death opportunity)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import betainc, betaln, digamma, gammaln, hyp2f1


def hyp2f1_safe(a: np.ndarray | float, b: np.ndarray | float, c: np.ndarray | float,
                z: np.ndarray | float) -> np.ndarray:
    """SciPy's ``hyp2f1``, re-summed as a plain series where SciPy returns a non-finite value.

    (SciPy 1.17 returns ``inf`` for e.g. ``hyp2f1(2, 1, 101, 0.963)``; with ``c`` large the
    series converges quickly.)
    """
    a, b, c, z = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, b, c, z)))
    out = np.array(hyp2f1(a, b, c, z), dtype=float, ndmin=1)
    bad = ~np.isfinite(out)
    if bad.any():
        aa, bb, cc, zz = (np.atleast_1d(v)[bad] for v in (a, b, c, z))
        term = np.ones(len(aa))
        total = np.ones(len(aa))
        for n in range(20_000):
            term = term * (aa + n) * (bb + n) / ((cc + n) * (n + 1.0)) * zz
            total += term
            if np.all(np.abs(term) < 1e-17 * np.abs(total)):
                break
        out[bad] = total
    return out.reshape(np.shape(a))


def log_hyp2f1_positive(a: np.ndarray, b: np.ndarray, c: np.ndarray, z: np.ndarray,
                        block: int = 512, max_terms: int = 4_000_000) -> np.ndarray:
    """``log 2F1(a, b; c; z)`` for ``a, b, c > 0`` and ``0 <= z < 1`` (1-d arrays).

    The series has positive terms; it is summed in log space (running maximum and scaled
    sum), ``block`` terms at a time, so no term overflows however large the parameters.
    A slow fallback for the few rows where SciPy and both closed forms overflow.
    """
    a, b, c, z = (np.atleast_1d(np.asarray(v, dtype=float)) for v in np.broadcast_arrays(a, b, c, z))
    out = np.zeros(len(a))
    idx = np.flatnonzero(z > 0)
    log_t = np.zeros(len(idx))  # log of the last term summed (t_0 = 1)
    peak = np.zeros(len(idx))  # the sum is exp(peak) * acc
    acc = np.ones(len(idx))
    k = np.arange(block, dtype=float)[None, :]
    n = 0
    while len(idx) and n < max_terms:
        aa, bb, cc, zz = (v[idx][:, None] for v in (a, b, c, z))
        steps = np.log(aa + n + k) + np.log(bb + n + k) - np.log(cc + n + k) - np.log(n + 1.0 + k) + np.log(zz)
        logs = log_t[:, None] + np.cumsum(steps, axis=1)
        new_peak = np.maximum(peak, logs.max(axis=1))
        acc = acc * np.exp(peak - new_peak) + np.exp(logs - new_peak[:, None]).sum(axis=1)
        peak, log_t = new_peak, logs[:, -1]
        n += block
        # The term ratio minus 1 has the sign of the concave quadratic
        # (z - 1) m^2 + (z (a + b) - c - 1) m + z a b - c: once it is negative and falling,
        # the ratios stay below q = max(last ratio, z) and the tail is <= t q / (1 - q).
        aa, bb, cc, zz = aa[:, 0], bb[:, 0], cc[:, 0], zz[:, 0]
        falling = 2.0 * (zz - 1.0) * n + zz * (aa + bb) - cc - 1.0 <= 0.0
        q = np.maximum(np.exp(steps[:, -1]), zz)
        log_tail = log_t + np.log(q) - np.log1p(-np.minimum(q, 1.0 - 1e-16))
        done = (q < 1.0) & falling & (log_tail < peak + np.log(acc) - 40.0)
        if n >= max_terms:
            done[:] = True
        if done.any():
            tail = np.where(q < 1.0, np.exp(log_tail - peak), 0.0)
            out[idx[done]] = (peak + np.log(acc + tail))[done]
            keep = ~done
            idx, log_t, peak, acc = idx[keep], log_t[keep], peak[keep], acc[keep]
    return out


def nudge_a(a: float) -> float:
    """Keep ``a`` away from 1, where the expectation formula is 0/0."""
    return a if abs(a - 1.0) > 1e-7 else 1.0 + 1e-7


def expected(t: float, x: np.ndarray, age: np.ndarray, pa: np.ndarray,
             r: float, alpha: float, a: float, b: float, extra: int) -> np.ndarray:
    """Conditional expected purchases in ``(T, T + t]`` (FHL 2005 eq. 10; Batislam 2007).

    ``extra`` is 0 for BG/NBD and 1 for MBG/NBD. The Gauss hypergeometric function is
    evaluated after Euler's transformation, which keeps it bounded for any frequency:
    ``(1-z)^(r+x) 2F1(r+x, b+x+e; c; z) = (1-z)^(a-1) 2F1(c-r-x, a-1; c; z)``.
    """
    a = nudge_a(a)
    c = a + b + x - 1.0 + extra
    one_minus_z = (alpha + age) / (alpha + age + t)
    z = t / (alpha + age + t)
    with np.errstate(all="ignore"):
        euler = one_minus_z ** (a - 1.0) * hyp2f1_safe(c - r - x, a - 1.0, c, z)
        bad = ~np.isfinite(euler)
        if np.any(bad):  # large a: the untransformed form is the bounded one
            direct = one_minus_z ** (r + x) * hyp2f1_safe(r + x, b + x + extra, c, z)
            euler = np.where(bad, direct, euler)
            bad = ~np.isfinite(euler)
            if np.any(bad):  # both overflow (z near 1, large x and a): sum in log space
                k, b_x, cc, zz, lz = (np.broadcast_to(v, np.shape(euler))[bad] for v in (
                    r + x, b + x + extra, c, z, np.log(one_minus_z)))
                euler = np.array(euler, dtype=float)
                euler[bad] = np.exp(k * lz + log_hyp2f1_positive(k, b_x, cc, zz))
    bracket = 1.0 - euler
    return c / (a - 1.0) * bracket * pa


def pmf(n: int, t: float, x: np.ndarray, age: np.ndarray, pa: np.ndarray,
        r: float, alpha: float, a: float, b_post: np.ndarray) -> np.ndarray:
    """P(n purchases in ``(T, T + t]`` | history) for the BG death process.

    Given alive at ``T``: ``lambda ~ Gamma(r + x, alpha + T)``, ``p ~ Beta(a, b_post)``.
    """
    k = r + x
    log_q = np.log(alpha + age) - np.log(alpha + age + t)
    log_1mq = np.log(t) - np.log(alpha + age + t) if t > 0 else -np.inf
    with np.errstate(invalid="ignore"):
        log_nb = gammaln(k + n) - gammaln(k) - gammaln(n + 1.0) + k * log_q + (
            n * log_1mq if n > 0 else 0.0)
    alive = np.exp(betaln(a, b_post + n) - betaln(a, b_post) + log_nb)
    if n > 0:
        tail = betainc(float(n), k, np.exp(log_1mq)) if t > 0 else np.zeros_like(k)
        alive = alive + np.exp(betaln(a + 1.0, b_post + n - 1.0) - betaln(a, b_post)) * tail
    return pa * alive + (n == 0) * (1.0 - pa)


def summed_loglik(data: tuple[np.ndarray, ...], weights: np.ndarray, extra: int
                  ) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """Weighted sum of the BG/NBD (``extra=0``) or MBG/NBD (``extra=1``) log-likelihood.

    ``data`` is ``x, t_x, T`` with their levels (``_transaction.levels``). Per row

        ll = A(x) - (r + x) log(alpha + T) + softplus(d),
        d  = log a - log(b + x - 1 + extra) + (r + x) (log(alpha + T) - log(alpha + t_x)),

    where ``A`` depends on ``x`` only (``softplus(d)`` is absent for BG/NBD customers
    without repeat purchases). Terms of one level are summed over the level's weight, so
    only ``d``, its softplus and logistic weight ``w4 = expit(d)`` are computed per row,
    in buffers allocated once (augmented assignments would rebind the closure's names; fresh megabyte-sized temporaries cost more in page faults
    than the arithmetic). Returns the weighted sums of ``BetaGeoModel._loglik`` /
    ``ModifiedBetaGeoModel._loglik`` and of their gradients.
    """
    x, tx, age, ux, ix, utx, itx, uage, iage = data
    w = np.ascontiguousarray(weights, dtype=float)
    n_x, n_age = len(ux), len(uage)
    w_total = float(w.sum())
    w_x = np.bincount(ix, weights=w, minlength=n_x)  # weight per level of x
    w_age = np.bincount(iage, weights=w, minlength=n_age)  # ... of T
    wx_age = np.bincount(iage, weights=w * x, minlength=n_age)  # sum of w * x per level of T
    rows = x > 0 if extra == 0 else np.ones(len(x), dtype=bool)
    jx, jtx, jage = (np.ascontiguousarray(v[rows], dtype=np.intp) for v in (ix, itx, iage))
    xr, wr = np.ascontiguousarray(x[rows]), np.ascontiguousarray(w[rows])
    has_d = ux > 0 if extra == 0 else np.ones(n_x, dtype=bool)
    ux_b = np.where(has_d, ux - 1.0 + extra, 0.0)  # log(b + ux_b) enters d
    ue = ux + extra
    m = len(xr)
    diff, rx, d, e, t1, t2 = (np.empty(m) for _ in range(6))
    pos = np.empty(m, dtype=bool)

    def evaluate(params: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = params
        lg_age, lg_tx = np.log(alpha + uage), np.log(alpha + utx)
        inv_age, inv_tx = 1.0 / (alpha + uage), 1.0 / (alpha + utx)
        bx = b + ux_b
        # per row: diff = log(alpha + T) - log(alpha + t_x), d, e = exp(-|d|)
        np.take(lg_age, jage, out=diff)
        np.subtract(diff, np.take(lg_tx, jtx, out=t1), out=diff)
        np.add(xr, r, out=rx)
        np.take(np.log(a) - np.log(bx), jx, out=d)
        np.add(d, np.multiply(rx, diff, out=t1), out=d)
        np.negative(np.abs(d, out=e), out=e)
        np.exp(e, out=e)
        # softplus(d) = max(d, 0) + log1p(e)
        sp = wr @ np.maximum(d, 0.0, out=t1) + wr @ np.log1p(e, out=t1)
        # w4 = expit(d) = inv if d >= 0 else e * inv, with inv = 1 / (1 + e); t1 <- w * w4
        np.greater_equal(d, 0.0, out=pos)
        np.subtract(1.0, e, out=t1)
        np.multiply(t1, pos, out=t1)
        np.add(t1, e, out=t1)
        np.add(e, 1.0, out=t2)
        np.divide(t1, t2, out=t1)
        q = np.multiply(t1, wr, out=t1)
        qr = np.multiply(q, rx, out=t2)
        g_alpha_rows = qr @ np.take(inv_age, jage, out=e) - qr @ np.take(inv_tx, jtx, out=d)
        g_r_rows = q @ diff
        g_b_rows = q @ np.take(1.0 / bx, jx, out=e)
        q_sum = q.sum()
        # per level
        a12 = (gammaln(r + ux) - gammaln(r) + gammaln(a + b) + gammaln(b + ue)
               - gammaln(b) - gammaln(a + b + ue))
        rx_age = r * w_age + wx_age
        ll = w_x @ a12 + w_total * r * np.log(alpha) - rx_age @ lg_age + sp
        dg_ab, dg_abx = digamma(a + b), digamma(a + b + ue)
        grad = np.array([
            w_x @ (digamma(r + ux) - digamma(r)) + w_total * np.log(alpha) - w_age @ lg_age + g_r_rows,
            w_total * r / alpha - rx_age @ inv_age + g_alpha_rows,
            w_x @ (dg_ab - dg_abx) + q_sum / a,
            w_x @ (dg_ab + digamma(b + ue) - digamma(b) - dg_abx) - g_b_rows,
        ])
        return float(ll), grad

    return evaluate
