"""Power and sample size of a conversion A/B test.

The default method is the normal approximation on Cohen's effect size for proportions,
``h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1))``, the method of `statsmodels`
``NormalIndPower().solve_power(proportion_effectsize(p2, p1), ...)``. The two-sided power
counts both tails, so the sample size is found numerically; the textbook closed form
``n = ((z_{1-alpha/2} + z_{power}) / h)^2 (1 + 1/ratio)`` (one tail only) is reported beside it.

References
----------
Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., ch. 6.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from scipy import optimize, stats

from custlens.errors import InputError
from custlens.results import Result

__all__ = ["PowerPlan", "effect_size_h", "plan_conversion_test", "power_proportions"]


@dataclass(frozen=True)
class PowerPlan(Result):
    """Members needed to detect an absolute conversion lift ``mde`` over ``baseline``.

    Attributes
    ----------
    n_control, n_treatment, n_total : int
        Members per group and in all (rounded up).
    n_control_exact : float
        The unrounded solution for the control group.
    n_closed_form : float
        The one-tail closed-form control-group size (slightly smaller for two-sided tests).
    effect_size : float
        Cohen's h.
    """

    baseline: float
    mde: float
    alpha: float
    power: float
    ratio: float
    two_sided: bool
    effect_size: float
    n_control_exact: float
    n_closed_form: float
    n_control: int
    n_treatment: int
    n_total: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return asdict(self)


def effect_size_h(p1: float, p2: float) -> float:
    """Cohen's h of ``p1`` against ``p2`` (same sign convention as ``proportion_effectsize``)."""
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def power_proportions(h: float, n_control: float, alpha: float = 0.05, ratio: float = 1.0,
                      two_sided: bool = True) -> float:
    """Power of the test for effect size ``h`` with ``n_control`` and ``ratio * n_control`` members."""
    n_eff = n_control * ratio / (1 + ratio)  # = 1 / (1/n1 + 1/n2)
    shift = abs(h) * math.sqrt(n_eff)
    if two_sided:
        z = stats.norm.ppf(1 - alpha / 2)
        return float(stats.norm.sf(z - shift) + stats.norm.cdf(-z - shift))
    return float(stats.norm.sf(stats.norm.ppf(1 - alpha) - shift))


def plan_conversion_test(
    baseline: float,
    mde: float,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    two_sided: bool = True,
) -> PowerPlan:
    """Sample size to detect an absolute conversion lift ``mde`` over ``baseline``.

    Parameters
    ----------
    baseline : float
        Expected conversion of the control group, e.g. 0.05.
    mde : float
        Minimum detectable effect, absolute (0.01 = one percentage point, 5% -> 6%).
    alpha : float
        Significance level.
    power : float
        Probability of detecting the effect when it exists.
    ratio : float
        Treatment members per control member (1 = equal groups, 9 = 90/10 split).
    two_sided : bool
        Two-sided test (default) or one-sided.

    Returns
    -------
    PowerPlan

    Raises
    ------
    InputError
        When a rate is outside (0, 1) or ``baseline + mde`` is not a rate.
    """
    for name, v in (("baseline", baseline), ("alpha", alpha), ("power", power)):
        if not 0 < v < 1:
            raise InputError(f"--{name} {v!r} must be between 0 and 1, e.g. 0.05")
    target = baseline + mde
    if mde == 0 or not 0 < target < 1:
        raise InputError(f"--mde {mde!r}: baseline + mde = {target!r} must be a rate in (0, 1) "
                         "different from the baseline; give the lift in absolute points, e.g. 0.01")
    if ratio <= 0:
        raise InputError(f"--ratio {ratio!r} must be > 0")
    h = effect_size_h(target, baseline)
    za = stats.norm.ppf(1 - alpha / 2) if two_sided else stats.norm.ppf(1 - alpha)
    closed = float(((za + stats.norm.ppf(power)) / h) ** 2 * (1 + 1 / ratio))
    if two_sided:
        exact = float(optimize.brentq(
            lambda n: power_proportions(h, n, alpha, ratio, True) - power, 1e-9, closed * 2 + 10, xtol=1e-10))
    else:
        exact = closed
    n_c = math.ceil(exact - 1e-9)
    n_t = math.ceil(exact * ratio - 1e-9)
    return PowerPlan(baseline, mde, alpha, power, ratio, two_sided, h, exact, closed, n_c, n_t, n_c + n_t)
