"""CUPED: less noisy experiment estimates using a pre-period covariate.

``y_cuped = y - theta * (x - mean(x))`` with ``theta = cov(x, y) / var(x)`` estimated on both
groups pooled. Because the covariate is measured before exposure it is independent of the
assignment, so the adjusted difference of means is still unbiased for the treatment effect;
its variance shrinks by the factor ``1 - corr(x, y)^2``.

References
----------
Deng, A., Xu, Y., Kohavi, R. & Walker, T. (2013). Improving the sensitivity of online
controlled experiments by utilizing pre-experiment data. WSDM '13.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from custlens.campaigns.stats import MeanTest, welch_ttest
from custlens.errors import InputError
from custlens.results import Result

__all__ = ["CupedResult", "cuped_adjust", "cuped_test"]


@dataclass(frozen=True)
class CupedResult(Result):
    """A CUPED-adjusted comparison.

    Attributes
    ----------
    theta : float
        Regression coefficient of the outcome on the covariate (pooled groups).
    variance_reduction : float
        ``1 - var(y_cuped) / var(y)`` on the pooled members (0 = no gain, 0.3 = 30% less).
    test : MeanTest
        Welch test of the adjusted outcome, ``treatment - control``.
    """

    theta: float
    variance_reduction: float
    test: MeanTest


def cuped_adjust(y: Sequence[float], x: Sequence[float]) -> tuple[np.ndarray, float]:
    """The CUPED-adjusted outcome and ``theta`` for outcome ``y`` and pre-period covariate ``x``."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    if y.shape != x.shape:
        raise InputError(f"outcome ({len(y)} values) and covariate ({len(x)} values) differ in length")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InputError("CUPED needs finite outcome and covariate values; fill or drop the missing ones")
    vx = x.var(ddof=1)
    theta = float(np.cov(x, y, ddof=1)[0, 1] / vx) if vx > 0 else 0.0
    return y - theta * (x - x.mean()), theta


def cuped_test(
    y_control: Sequence[float],
    y_treatment: Sequence[float],
    x_control: Sequence[float],
    x_treatment: Sequence[float],
    alpha: float = 0.05,
) -> CupedResult:
    """Welch test of the CUPED-adjusted outcome with the achieved variance reduction.

    Parameters
    ----------
    y_control, y_treatment : array-like
        Outcome per member of each group.
    x_control, x_treatment : array-like
        Pre-period covariate (e.g. spend before exposure) of the same members.
    alpha : float
        1 - confidence level.
    """
    yc, yt = np.asarray(y_control, dtype=float), np.asarray(y_treatment, dtype=float)
    y = np.concatenate([yc, yt])
    adj, theta = cuped_adjust(y, np.concatenate([np.asarray(x_control, float), np.asarray(x_treatment, float)]))
    vy = y.var(ddof=1)
    reduction = float(1 - adj.var(ddof=1) / vy) if vy > 0 else 0.0
    test = welch_ttest(adj[: len(yc)], adj[len(yc):], alpha=alpha)
    return CupedResult(theta, reduction, test)
