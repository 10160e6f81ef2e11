"""Closed forms shared by BG/NBD and MBG/NBD (they differ by one death opportunity)."""

from __future__ import annotations

import numpy as np
from scipy.special import betainc, betaln, gammaln, hyp2f1


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
