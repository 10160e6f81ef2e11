"""The Newton path (`custlens.clv._newton`) stays within the bounds of L-BFGS-B's box."""

from __future__ import annotations

import numpy as np

from custlens.clv import _newton


def test_a_step_out_of_the_box_ends_the_newton_run_without_evaluating_there() -> None:
    """An objective that keeps falling as theta[0] grows (a parameter running to a bound):
    the run stops at the first step that leaves the box (None: L-BFGS-B takes over) and no
    point outside is ever evaluated."""
    seen: list[np.ndarray] = []

    def f(theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float]:
        seen.append(np.array(theta))
        a, b = theta
        value = np.exp(-a) + b * b
        return float(value), np.array([-np.exp(-a), 2.0 * b]), np.diag([np.exp(-a), 2.0]), -float(value)

    assert _newton._run(f, np.array([0.0, 1.0]), 1e-8, 100) is None
    assert len(seen) > 1 and np.all(np.abs(np.array(seen)) <= _newton.LOG_BOUND)


def test_an_interior_optimum_is_still_found() -> None:
    def f(theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float]:
        d = theta - np.array([1.0, -2.0])
        value = float(d @ d)
        return value, 2.0 * d, 2.0 * np.eye(2), -value

    res = _newton._run(f, np.array([5.0, 5.0]), 1e-10, 100)
    assert res is not None and res.success
    np.testing.assert_allclose(res.x, [1.0, -2.0], atol=1e-9)
