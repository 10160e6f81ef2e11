"""Base class of the CLV models: validation, fitting, summary table, printing.

A model subclass declares its parameter names, the columns it reads and its
log-likelihood with gradient; this class does the rest (scikit-learn contract:
``__init__`` stores hyperparameters, ``fit`` learns ``params_`` and returns ``self``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy.stats import norm

from custlens.clv import _names as N
from custlens.clv import _kernels
from custlens.clv._fit import FitResult, compress, compress_if_useful, maximise
from custlens.errors import InputError, NotFittedError, SchemaError

_Z95 = float(norm.ppf(0.975))


def as_frame(data: Any, columns: tuple[str, ...], model_name: str) -> pd.DataFrame:
    """Check that ``data`` is a DataFrame with the numeric ``columns``; return it."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{model_name} expects a pandas DataFrame with columns "
                         f"{list(columns)}, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise SchemaError(f"{model_name}: missing column(s) {missing}; the data has "
                          f"{list(data.columns)[:12]}; build it with "
                          "custlens.clv.summary_from_transactions")
    return data


def column(data: pd.DataFrame, name: str) -> np.ndarray:
    """Return ``data[name]`` as float64, raising InputError on non-numeric or missing values."""
    try:
        values = data[name].to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"column '{name}' must be numeric ({exc})") from None
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f"column '{name}': {int(bad.sum()):,} of {len(values):,} values are "
                         f"missing or infinite (row {row}: {data[name].iloc[row]!r}); "
                         "drop or fill those rows")
    return values


def check_rfm(frequency: np.ndarray, recency: np.ndarray, age: np.ndarray,
              age_name: str = N.T) -> None:
    """Validate ``0 <= recency <= T``, ``frequency >= 0`` and ``recency = 0`` when ``frequency = 0``."""
    tests = [
        (frequency < 0, f"'{N.FREQUENCY}' must be >= 0", frequency),
        (recency < 0, f"'{N.RECENCY}' must be >= 0", recency),
        (recency > age * (1 + 1e-12), f"'{N.RECENCY}' must be <= '{age_name}'", recency),
        (age <= 0, f"'{age_name}' must be > 0", age),
        ((frequency == 0) & (recency != 0),
         f"'{N.RECENCY}' must be 0 when '{N.FREQUENCY}' is 0", recency),
    ]
    for bad, what, values in tests:
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{what}: {int(bad.sum()):,} of {len(bad):,} rows break it (row {row}: "
                f"frequency={frequency[row]:g}, recency={recency[row]:g}, {age_name}={age[row]:g}); "
                "recency and T are measured from the first purchase, see summary_from_transactions")


class BaseModel:
    """Shared machinery of the CLV models.

    Parameters
    ----------
    penalizer_coef : float, default 0
        L2 penalty on the parameters, added to the mean negative log-likelihood.
    n_starts : int, default 3
        Most optimiser starts: the first at the model's default (data-driven) point; the
        others, perturbed around it, run only when a start fails to converge or ends on a
        bound.
    random_state : int, optional
        Seed of the perturbed starts.
    initial_params : dict, optional
        Starting point replacing the model's default.

    Attributes
    ----------
    params_ : dict
        Maximum-likelihood parameters.
    log_likelihood_ : float
        Log-likelihood at ``params_`` (unpenalised, weighted).
    n_obs_ : float
        Number of customers (sum of weights) the model was fitted on.
    covariance_ : DataFrame
        Covariance of the parameters from the inverse Hessian.
    """

    _param_names: ClassVar[tuple[str, ...]] = ()
    _columns: ClassVar[tuple[str, ...]] = ()
    _default_start: ClassVar[tuple[float, ...]] = ()
    #: The model has a compiled likelihood kernel (used when numba is available).
    _has_kernel: ClassVar[bool] = False

    def __init__(self, penalizer_coef: float = 0.0, n_starts: int = 3,
                 random_state: int | None = 0, initial_params: dict[str, float] | None = None):
        self.penalizer_coef = penalizer_coef
        self.n_starts = n_starts
        self.random_state = random_state
        self.initial_params = initial_params

    # -- to be provided by the subclasses -------------------------------------------
    def _extract(self, data: pd.DataFrame) -> tuple[np.ndarray, ...]:
        """Validated model columns of ``data`` (in ``_columns`` order)."""
        raise NotImplementedError

    @staticmethod
    def _loglik(params: np.ndarray, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Per-row log-likelihood and its gradient with respect to ``params``."""
        raise NotImplementedError

    # -- fitting ------------------------------------------------------------------------
    def fit(self, data: pd.DataFrame) -> BaseModel:
        """Fit the model by maximum likelihood.

        Parameters
        ----------
        data : DataFrame
            One row per customer with the model's columns; an optional ``weights``
            column counts identical customers.

        Returns
        -------
        self
        """
        name = type(self).__name__
        frame = as_frame(data, self._columns, name)
        cols = self._extract(frame)
        weights = column(frame, N.WEIGHTS) if N.WEIGHTS in frame.columns else None
        if weights is not None and (weights < 0).any():
            raise InputError(f"column '{N.WEIGHTS}' must be >= 0")
        if self._has_kernel and _kernels.available():
            unique, w = compress_if_useful(cols, weights)  # kernels: compress only when it pays
        else:
            unique, w, _ = compress(cols, weights)
        keep = w > 0
        if not keep.all():
            unique = tuple(u[keep] for u in unique)
            w = w[keep]
        if w.sum() <= 0:
            raise InputError(f"{name}: no customers to fit on")
        result = maximise(self._loglik, self._prepare(unique), w, self._starts(unique, w),
                          float(self.penalizer_coef), model_name=name)
        self._set_result(result, float(w.sum()), len(w))
        return self

    @classmethod
    def from_params(cls, **params: float) -> BaseModel:
        """A model at given parameters, without fitting (for scoring, tests and simulation).

        Examples
        --------
        >>> from custlens.clv import BetaGeoModel
        >>> BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        <custlens.clv.BetaGeoModel: fitted on 0 customers, r: 0.243, alpha: 4.414, a: 0.793, b: 2.426>
        """
        if set(params) != set(cls._param_names):
            raise InputError(f"{cls.__name__} takes the parameters {list(cls._param_names)}, "
                             f"got {sorted(params)}")
        bad = {k: v for k, v in params.items() if not (np.isfinite(v) and v > 0)}
        if bad:
            raise InputError(f"{cls.__name__}: parameters must be finite and > 0, got {bad}")
        model = cls()
        k = len(cls._param_names)
        values = np.array([params[p] for p in cls._param_names], dtype=float)
        model._set_result(FitResult(values, float("nan"), np.full((k, k), np.nan), 0, "given"), 0.0, 0)
        return model

    def _prepare(self, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        """Precompute what ``_loglik`` reuses at every evaluation (default: nothing)."""
        return data

    def _data_start(self, data: tuple[np.ndarray, ...], weights: np.ndarray) -> tuple[float, ...]:
        """Default starting point; subclasses may derive it from the data."""
        return self._default_start

    def _starts(self, data: tuple[np.ndarray, ...], weights: np.ndarray) -> np.ndarray:
        base = np.array([self.initial_params[p] for p in self._param_names]
                        if self.initial_params else self._data_start(data, weights), dtype=float)
        rng = np.random.default_rng(self.random_state)
        starts = [np.log(base)]
        for _ in range(max(self.n_starts, 1) - 1):
            starts.append(np.log(base) + rng.normal(0.0, 0.5, size=len(base)))
        return np.array(starts)

    def _set_result(self, result: FitResult, n_obs: float, n_unique: int) -> None:
        self.params_ = dict(zip(self._param_names, map(float, result.params), strict=True))
        self.log_likelihood_ = result.log_likelihood
        self.n_obs_ = n_obs
        self.n_unique_ = n_unique
        self.covariance_ = pd.DataFrame(result.covariance, index=list(self._param_names),
                                        columns=list(self._param_names))

    # -- fitted state -------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet. "
                                 "Call 'fit' first.")

    def _p(self) -> tuple[float, ...]:
        self._check_fitted()
        return tuple(self.params_[p] for p in self._param_names)

    @property
    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% intervals.

        The interval is computed on the log scale (``estimate * exp(+-1.96 se / estimate)``),
        so it stays positive like the parameters.
        """
        self._check_fitted()
        est = np.array([self.params_[p] for p in self._param_names])
        se = np.sqrt(np.diag(self.covariance_.to_numpy()))
        half = _Z95 * se / est
        return pd.DataFrame({"estimate": est, "std_error": se,
                             "lower_95": est * np.exp(-half), "upper_95": est * np.exp(half)},
                            index=pd.Index(self._param_names, name="parameter"))

    @property
    def aic_(self) -> float:
        """Akaike information criterion."""
        self._check_fitted()
        return 2 * len(self._param_names) - 2 * self.log_likelihood_

    @property
    def bic_(self) -> float:
        """Bayesian information criterion (n = number of customers)."""
        self._check_fitted()
        return len(self._param_names) * np.log(self.n_obs_) - 2 * self.log_likelihood_

    def __repr__(self) -> str:
        name = type(self).__name__
        if not hasattr(self, "params_"):
            return f"<custlens.clv.{name}: not fitted>"
        params = ", ".join(f"{k}: {v:.3f}" for k, v in self.params_.items())
        return f"<custlens.clv.{name}: fitted on {self.n_obs_:,.0f} customers, {params}>"
