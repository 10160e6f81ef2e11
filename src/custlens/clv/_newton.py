"""Newton fitting for likelihoods that come with an analytic Hessian (the compiled kernels).

A trust-region Newton method (SciPy's ``trust-exact``, which solves each small subproblem
exactly and so copes with indefinite Hessians far from the optimum) in log-parameter space.
On large data it first fits a systematic subsample of the rows and starts the full fit
from there: the full data then need only the few quadratically converging last steps, each
one pass over the rows. The optimum is that of the full data either way; the subsample
only chooses the starting point.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize

#: Bounds of the log-parameters (as in ``_fit``): every parameter stays within [1e-8, 1e8].
LOG_BOUND = 8.0 * np.log(10.0)
#: Rows above which a subsample fit supplies the starting point, and its size.
_WARM_ABOVE = 50_000
_WARM_ROWS = 20_000
#: Gradient tolerance (mean log-likelihood, log parameters). At 1e-7 the parameters are
#: within about H^-1 g ~ 1e-6 (relative) of the optimum and the log-likelihood within
#: rounding (the error is quadratic in g); the subsample fit needs only a start.
_GTOL = 1e-7
_GTOL_WARM = 1e-5
#: Smallest accepted ratio of the Hessian's eigenvalues at a Newton optimum (CDNOW: ~1e-3).
_MIN_CURVATURE = 1e-6
#: Newton iterations of one fit (each one pass over the rows). A sound fit needs fewer than
#: ten from the default start; on a ridge of the likelihood (Pareto/NBD on a shop whose
#: lifetimes barely vary: s ~ 36, beta ~ 2,500 weeks) it crawls for ~90, each pass 4 s per
#: 100,000 customers. A fit that hits the cap stops there and is reported as not converged.
MAX_NEWTON_ITER = 30

Objective = Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray, float]]


def objective(with_hessian: Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray]],
              total: float, penalizer: float) -> Objective:
    """Mean penalised negative log-likelihood, its gradient and Hessian in log space.

    With ``p = exp(theta)``: ``d2/dtheta2 = diag(p) H_p diag(p) + diag(p * g_p)``. Returns
    ``(value, grad, hess, log_likelihood)``; the last point is cached, as SciPy asks for
    the value and the Hessian in separate calls.
    """
    last: dict[bytes, tuple[float, np.ndarray, np.ndarray, float]] = {}

    def f(theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float]:
        key = np.asarray(theta, dtype=float).tobytes()
        if key not in last:
            params = np.exp(theta)
            with np.errstate(all="ignore"):
                ll, g, h = with_hessian(params)
                value = -ll / total + penalizer * np.sum(params**2)
                grad = -g / total * params + 2.0 * penalizer * params**2
                hess = (-(h * np.outer(params, params) + np.diag(g * params)) / total
                        + np.diag(4.0 * penalizer * params**2))
            if not (np.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(hess))):
                value, grad, hess = np.inf, np.zeros_like(theta), np.eye(len(theta))
            last.clear()
            last[key] = (float(value), grad, hess, float(ll))
        return last[key]

    return f


class _LeftBounds(Exception):
    """A trust-region step asked for a point outside ``[-LOG_BOUND, LOG_BOUND]``."""


class NewtonResult:
    """The fields of SciPy's ``OptimizeResult`` that ``_fit`` reads, plus the objective.

    ``success`` is False only for a fit stopped by ``MAX_NEWTON_ITER`` (``capped``).
    """

    def __init__(self, x: np.ndarray, f: Objective, message: str, success: bool = True):
        self.x = x
        self.fun, self.jac, _, self.log_likelihood = f(x)
        self.objective, self.message, self.success = f, message, success
        self.capped = not success


def _run(f: Objective, x0: np.ndarray, tol: float, max_iter: int) -> NewtonResult | None:
    """Trust-region Newton from ``x0``; None unless it ends converged and inside the bounds,
    or stopped by the iteration cap (then a result with ``success=False``)."""
    if not np.isfinite(f(x0)[0]):
        return None
    cap = min(max_iter, MAX_NEWTON_ITER)

    def inside(theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float]:
        if np.any(np.abs(theta) > LOG_BOUND):
            raise _LeftBounds
        return f(theta)

    try:
        res = minimize(lambda th: inside(th)[:2], x0, jac=True, hess=lambda th: inside(th)[2],
                       method="trust-exact", options={"gtol": tol, "maxiter": cap})
    except _LeftBounds:
        # A step out of L-BFGS-B's box: a parameter is running to a bound. Such a run used to
        # go on unbounded (to s ~ 1e44 on data where nobody drops out: a minute per pass, the
        # sums' digits lost) and end outside, i.e. here; L-BFGS-B fits within the bounds.
        return None
    except (ValueError, np.linalg.LinAlgError):  # pragma: no cover - defensive, L-BFGS-B follows
        return None
    value, grad, hess = f(res.x)[:3]
    if (not res.success and res.nit >= cap and np.isfinite(value)
            and not np.max(np.abs(grad)) < max(tol, _GTOL)):
        # Still climbing after the cap: a ridge. L-BFGS-B would crawl along it for hundreds
        # of passes more; stop and let the caller report the fit as not converged.
        return NewtonResult(res.x, f, f"Newton (trust-exact): stopped at the cap of {cap} "
                            "iterations", success=False)
    # Near the optimum the objective's changes fall below its rounding and trust-exact may
    # stop with "a bad approximation" at a tiny gradient; that is converged (the
    # parameters' error is about H^-1 g), while L-BFGS-B's fallback accepts 1e-6.
    ok = np.isfinite(value) and (res.success or np.max(np.abs(grad)) < max(tol, _GTOL))
    if not ok or np.any(np.abs(res.x) > LOG_BOUND - 1e-3):
        return None
    # A nearly singular Hessian means a ridge (parameters running off along a direction the
    # data do not pin down): leave it to L-BFGS-B and its warnings, as without the kernels.
    eig = np.linalg.eigvalsh(0.5 * (hess + hess.T))
    if not eig.min() > _MIN_CURVATURE * eig.max():
        return None
    return NewtonResult(res.x, f, f"Newton (trust-exact): {res.message}")


def newton_fit(make: Callable[[tuple[np.ndarray, ...], np.ndarray], Callable],
               evaluate: Callable, data: tuple[np.ndarray, ...], weights: np.ndarray,
               x0: np.ndarray, penalizer: float, tol: float, max_iter: int) -> NewtonResult | None:
    """Maximise with Newton steps from ``x0`` (warm-started on a subsample of large data).

    Parameters
    ----------
    make : callable
        ``make(data, weights)`` builds the evaluator of other rows (the subsample).
    evaluate : callable with a ``with_hessian`` method
        The evaluator of all rows.
    data, weights : the rows (row-aligned arrays) and their weights.
    x0 : ndarray
        Start in log-parameter space.
    penalizer, tol, max_iter : as in ``_fit.maximise``.

    Returns
    -------
    NewtonResult or None
        None when Newton did not reach a converged interior optimum (the caller then
        falls back to L-BFGS-B); a result with ``success=False`` when it hit
        ``MAX_NEWTON_ITER`` still climbing (the caller reports it as not converged).
    """
    n = len(weights)
    start = x0
    if n > _WARM_ABOVE and all(len(col) == n for col in data):
        idx = np.arange(0, n, n // _WARM_ROWS)
        sub_w = weights[idx]
        sub = make(tuple(col[idx] for col in data), sub_w)
        warm = _run(objective(sub.with_hessian, float(sub_w.sum()), penalizer), x0, _GTOL_WARM,
                    max_iter)
        if warm is not None:  # a capped subsample fit still starts nearer the optimum
            start = warm.x
    f = objective(evaluate.with_hessian, float(weights.sum()), penalizer)
    gtol = max(tol, _GTOL)
    res = _run(f, start, gtol, max_iter)
    if res is None and start is not x0:
        res = _run(f, x0, gtol, max_iter)
    return res
