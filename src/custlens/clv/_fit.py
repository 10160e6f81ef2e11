"""Fitting machinery shared by the CLV models: compression, optimiser, Hessian.

The models maximise a weighted log-likelihood over the unique rows of their input
(identical customers merged with a weight), in log-parameter space. When the model's
likelihood comes with an analytic Hessian (the compiled kernels of
:mod:`custlens.clv._kernels`), a trust-region Newton method (``trust-exact``) takes the
first start: each step costs one pass over the data, and it needs a handful of them; after
``MAX_NEWTON_ITER`` (30) steps the fit stops and warns that it did not converge (a ridge of
the likelihood, which the diagnostics then report). Otherwise, or when Newton ends without converging or on a bound, a bounded quasi-Newton
optimiser (L-BFGS-B) with analytic gradients runs as before. Further starting points are
tried only when a start ends without converging or on a bound.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from custlens.clv._newton import newton_fit
from custlens.errors import ConvergenceError, ConvergenceWarning

try:  # installed with scikit-learn; threaded BLAS only slows these tiny problems down
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    from contextlib import nullcontext as _null

    def threadpool_limits(limits: int) -> _null:  # type: ignore[misc]
        return _null()

#: Bounds of the log-parameters: every parameter stays within [1e-8, 1e8].
LOG_BOUND = 8.0 * np.log(10.0)

#: Row count above which compression is skipped if it cannot at least halve the rows.
_COMPRESS_CHECK_ABOVE = 20_000

LogLik = Callable[[np.ndarray, tuple[np.ndarray, ...]], tuple[np.ndarray, np.ndarray]]
SumLogLik = Callable[[np.ndarray], tuple[float, np.ndarray]]


def compress(
    columns: Sequence[np.ndarray], weights: np.ndarray | None = None
) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray]:
    """Merge identical rows, summing their weights.

    Parameters
    ----------
    columns : sequence of 1-d arrays of equal length
        The columns whose identical rows are merged.
    weights : 1-d array, optional
        Row weights (default 1 per row).

    Returns
    -------
    unique : tuple of arrays
        The columns restricted to the unique rows.
    weights : ndarray
        Summed weight of each unique row.
    inverse : ndarray of int
        Index of the unique row of every input row (``unique[i][inverse]`` rebuilds the input).
    """
    n = len(columns[0])
    key = np.zeros(n, dtype=np.int64)
    for col in columns:
        codes, uniques = pd.factorize(np.asarray(col), sort=False)
        key = key * np.int64(len(uniques) + 1) + codes
    inverse, first = pd.factorize(key, sort=False)
    # position of the first row of every group
    first_pos = np.full(len(first), n, dtype=np.int64)
    np.minimum.at(first_pos, inverse, np.arange(n, dtype=np.int64))
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    summed = np.bincount(inverse, weights=w, minlength=len(first))
    unique = tuple(np.asarray(col)[first_pos] for col in columns)
    return unique, summed, inverse


def compress_if_useful(
    columns: Sequence[np.ndarray], weights: np.ndarray | None = None
) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """:func:`compress` when it pays, else the rows as they are (for the compiled kernels).

    The number of distinct rows is at least the number of distinct values of any column.
    When a systematic sample of 50,000 rows of one column (from the last, ``T``, usually
    the most varied) has over 95% distinct values, that column has roughly half as many
    distinct values as rows or more, so compression could not even halve the work and
    costs more than a kernel pass saves: time-stamp precision data take this path,
    day-resolution data (a few hundred distinct ``T``) still compress. Either way the
    likelihood is the same; only the work differs.

    Returns
    -------
    columns : tuple of arrays
    weights : ndarray
    """
    n = len(columns[0])
    if mostly_distinct(columns):
        w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
        return tuple(np.ascontiguousarray(c, dtype=float) for c in columns), w
    unique, w, _ = compress(columns, weights)
    return unique, w


def mostly_distinct(columns: Sequence[np.ndarray]) -> bool:
    """True when merging identical rows could not even halve them (see :func:`compress_if_useful`).

    Checked on a systematic sample of 50,000 rows per column, from the last column; always
    False up to ``_COMPRESS_CHECK_ABOVE`` rows.
    """
    n = len(columns[0])
    if n <= _COMPRESS_CHECK_ABOVE:
        return False
    step = max(n // 50_000, 1)
    for col in reversed(columns):
        sample = np.asarray(col)[::step]
        if len(np.unique(sample)) > 0.95 * len(sample):
            return True
    return False


@dataclass
class FitResult:
    """What the optimiser found: natural-scale parameters and the fit statistics."""

    params: np.ndarray
    log_likelihood: float
    covariance: np.ndarray  # of the natural-scale parameters
    n_starts_converged: int
    message: str


def summed_by(summed: Callable[[tuple[np.ndarray, ...], np.ndarray], SumLogLik]
              ) -> Callable[[LogLik], LogLik]:
    """Attach a weighted-sum form to a per-row log-likelihood (decorator).

    ``summed(data, weights)`` does the data-only work once and returns ``fn(params) ->
    (sum_i w_i ll_i, sum_i w_i grad_i)``: the same numbers as the per-row function,
    computed with per-level aggregation instead of per-row gradient matrices.
    :func:`maximise` uses it when present.
    """

    def attach(loglik: LogLik) -> LogLik:
        loglik.summed = summed  # type: ignore[attr-defined]
        return loglik

    return attach


def _weighted(loglik: LogLik, data: tuple[np.ndarray, ...], weights: np.ndarray) -> SumLogLik:
    summed = getattr(loglik, "summed", None)
    if summed is not None:
        return summed(data, weights)

    def evaluate(params: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = loglik(params, data)
        # einsum, not BLAS: a threaded matrix-vector product costs more than it saves here
        return np.einsum("i,i->", weights, ll), np.einsum("i,ij->j", weights, grad)

    return evaluate


def _objective(evaluate: SumLogLik, total: float,
               penalizer: float) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    def f(theta: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(theta)
        with np.errstate(all="ignore"):
            ll, grad = evaluate(params)
            value = -ll / total + penalizer * np.sum(params**2)
            g = -grad / total * params + 2.0 * penalizer * params**2
        if not np.isfinite(value) or not np.all(np.isfinite(g)):
            return np.inf, np.zeros_like(theta)
        return float(value), g

    return f


def maximise(
    loglik: LogLik,
    data: tuple[np.ndarray, ...],
    weights: np.ndarray,
    starts: np.ndarray,
    penalizer: float = 0.0,
    tol: float = 1e-10,
    max_iter: int = 2000,
    model_name: str = "model",
) -> FitResult:
    """Maximise a weighted log-likelihood in log-parameter space, trying several starts if needed.

    Parameters
    ----------
    loglik : callable
        ``loglik(params, data) -> (ll, grad)``: per-row log-likelihoods and their
        gradient (rows x parameters) with respect to the natural-scale parameters.
    data : tuple of arrays
        The (compressed) columns passed to ``loglik``.
    weights : ndarray
        Row weights.
    starts : ndarray, shape (n_starts, n_params)
        Starting points in log-parameter space, tried in order until one converges to
        an interior optimum (the best of those tried is kept).
    penalizer : float
        L2 penalty coefficient on the natural-scale parameters (added to the mean
        negative log-likelihood, as in lifetimes).
    tol : float
        Gradient tolerance of L-BFGS-B.
    max_iter : int
        Iteration limit per start.
    model_name : str
        Used in messages.

    Returns
    -------
    FitResult

    Raises
    ------
    ConvergenceError
        When no start reaches a finite likelihood.
    """
    with threadpool_limits(1):
        return _maximise(loglik, data, weights, starts, penalizer, tol, max_iter, model_name)


def _maximise(loglik: LogLik, data: tuple[np.ndarray, ...], weights: np.ndarray, starts: np.ndarray,
              penalizer: float, tol: float, max_iter: int, model_name: str) -> FitResult:
    evaluate = _weighted(loglik, data, weights)
    f = _objective(evaluate, float(weights.sum()), penalizer)
    bounds = [(-LOG_BOUND, LOG_BOUND)] * starts.shape[1]
    best = newton = None
    n_ok = 0
    if getattr(evaluate, "with_hessian", None) is not None:
        best = newton_fit(lambda d, w: _weighted(loglik, d, w), evaluate, data, weights, starts[0],
                          penalizer, tol, max_iter)
        if best is not None:
            # A clean interior optimum needs no further starts; a fit stopped by the Newton
            # cap (a ridge) gets none either: L-BFGS-B would crawl along the same ridge.
            n_ok, newton = int(best.success), best.objective
            starts = starts[:0]
    for x0 in starts:
        value0, _ = f(x0)
        if not np.isfinite(value0):
            continue
        res = minimize(f, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                       options={"maxiter": max_iter, "ftol": 1e-15, "gtol": tol, "maxcor": 20})
        ok = bool(res.success or np.max(np.abs(res.jac)) < 1e-6)
        n_ok += ok
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
        if ok and res is best and np.all(np.abs(res.x) < LOG_BOUND - 1e-3):
            # A clean interior optimum: the further starts only guard against failed or
            # boundary runs (on the models' likelihoods they land on the same optimum).
            break
    if best is None:
        raise ConvergenceError(
            f"{model_name}: the likelihood is not finite at any of the {len(starts)} starting "
            "points; check the data (frequency, recency, T) or pass other initial parameters"
        )
    theta = best.x
    params = np.exp(theta)
    converged = best.success or np.max(np.abs(best.jac)) < 1e-6
    if not converged:
        warnings.warn(f"{model_name}: the optimiser stopped without converging "
                      f"({best.message}); the estimates may be inaccurate",
                      ConvergenceWarning, stacklevel=3)
    elif np.any(np.abs(theta) > LOG_BOUND - 1e-3):
        warnings.warn(f"{model_name}: a parameter reached its bound (params={np.round(params, 6)}); "
                      "the model may not suit the data, try a penalizer_coef > 0",
                      ConvergenceWarning, stacklevel=3)
    if newton is not None:
        ll_total = best.log_likelihood
    elif getattr(loglik, "summed", None) is not None:
        with np.errstate(all="ignore"):
            ll_total = float(evaluate(params)[0])
    else:
        ll_total = float(weights @ loglik(params, data)[0])
    cov = _covariance(f, theta, weights.sum(), model_name,
                      None if newton is None else (lambda th: newton(th)[2] * weights.sum()))
    return FitResult(params, ll_total, cov, n_ok, str(best.message))


def _covariance(f: Callable[[np.ndarray], tuple[float, np.ndarray]], theta: np.ndarray,
                total_weight: float, model_name: str,
                hessian: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """Covariance of the natural-scale parameters from the Hessian of the objective.

    The Hessian in log space is the analytic one when the likelihood provides it, else
    the central difference of the analytic gradient; the delta method maps the covariance
    to the natural scale.
    """
    k = len(theta)
    if hessian is not None:
        hess = hessian(theta) / total_weight
    else:
        hess = np.empty((k, k))
        for i in range(k):
            h = 1e-5 * max(1.0, abs(theta[i]))
            e = np.zeros(k)
            e[i] = h
            hess[i] = (f(theta + e)[1] - f(theta - e)[1]) / (2 * h)
    hess = 0.5 * (hess + hess.T) * total_weight
    params = np.exp(theta)
    try:
        cov_log = np.linalg.inv(hess)
        if np.any(np.diag(cov_log) <= 0) or not np.all(np.isfinite(cov_log)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        warnings.warn(f"{model_name}: the Hessian is not invertible; standard errors are NaN",
                      ConvergenceWarning, stacklevel=4)
        return np.full((k, k), np.nan)
    return cov_log * np.outer(params, params)
