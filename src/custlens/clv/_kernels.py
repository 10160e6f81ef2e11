"""Compiled likelihood kernels: availability switch and the shared Newton-form evaluator.

The BG/NBD, MBG/NBD and Pareto/NBD likelihoods have fused per-row kernels compiled with
numba (:mod:`custlens.clv._kernels_bg`, :mod:`custlens.clv._kernels_pnbd`): one pass over
the customers returns the weighted log-likelihood, its gradient and its Hessian. They
matter when ``(frequency, recency, T)`` do not compress to few distinct rows (time-stamp
precision). numba is an optional dependency (``pip install custlens[fast]``): without it,
or with ``CUSTLENS_NUMBA=0`` in the environment, the models use their NumPy/SciPy
likelihoods, which give the same numbers, only slower on uncompressible data.

Kernels are compiled on first use and cached on disk (``cache=True``), so the compile
cost (a few seconds) is paid once per installation, not per process.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache

import numpy as np

#: ``fn(params) -> (sum of w * loglik, gradient, Hessian)`` in natural parameters.
SumLogLikHess = Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray]]


@cache
def _numba_importable() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def available() -> bool:
    """True when the compiled kernels can be used (numba importable, not switched off)."""
    if os.environ.get("CUSTLENS_NUMBA", "1").strip().lower() in {"0", "false", "no", "off"}:
        return False
    return _numba_importable()


def x_levels(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of the purchase count and each row's level index.

    Counts are integers in practice, so the index is the count itself (no hashing); other
    values fall back to ``pandas.factorize``.
    """
    top = float(x.max()) if len(x) else 0.0
    if top < 1e6 and np.array_equal(x, np.floor(x)):
        return np.arange(int(top) + 1, dtype=float), x.astype(np.intp)
    import pandas as pd

    codes, uniques = pd.factorize(x, sort=False)
    return np.asarray(uniques, dtype=float), codes.astype(np.intp)


class KernelEvaluator:
    """Weighted log-likelihood with gradient (``__call__``) and Hessian (``with_hessian``).

    ``__call__`` matches the ``SumLogLik`` interface of :mod:`custlens.clv._fit`, so the
    optimiser can use either; ``with_hessian`` lets it take Newton steps.
    """

    def __init__(self, fn: Callable[[np.ndarray, bool], tuple[float, np.ndarray, np.ndarray]]):
        self._fn = fn

    def __call__(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad, _ = self._fn(np.asarray(params, dtype=float), False)
        return ll, grad

    def with_hessian(self, params: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Log-likelihood, gradient and Hessian at natural-scale ``params``."""
        return self._fn(np.asarray(params, dtype=float), True)
