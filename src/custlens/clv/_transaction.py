"""Shared layer of the continuous-time transaction models (BG/NBD, MBG/NBD, Pareto/NBD).

They read ``frequency, recency, T`` and share the purchase-rate posterior
``lambda | alive ~ Gamma(r + x, alpha + T)``, which gives the expected time to the next
purchase and the overdue flag.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from custlens.clv import _names as N
from custlens.clv._base import BaseModel, as_frame, check_rfm, column
from custlens.clv._fit import compress

#: Row count above which predictions are computed on the unique rows only.
_COMPRESS_ABOVE = 20_000


def _scored(fn: Callable[..., np.ndarray], cols: tuple[np.ndarray, ...]) -> np.ndarray:
    """Evaluate ``fn(*cols)`` on the unique rows when that saves work, else directly."""
    n = len(cols[0])
    if n > _COMPRESS_ABOVE:
        unique, _, inverse = compress(cols)
        if len(unique[0]) < 0.5 * n:
            return fn(*unique)[inverse]
    return fn(*cols)


def prepare_levels(data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Append ``(unique, inverse)`` of each of ``x, t_x, T``: special functions and logs are
    then evaluated once per distinct value (a few hundred) instead of once per row."""
    out = list(data[:3])
    for col in data[:3]:
        codes, uniques = pd.factorize(col, sort=False)
        out += [np.asarray(uniques, dtype=float), codes]
    return tuple(out)


def levels(data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """``x, t_x, T`` and their levels, preparing them when the caller did not."""
    return data if len(data) == 9 else prepare_levels(data)


class TransactionModel(BaseModel):
    """Base of the models fitted on ``frequency, recency, T``."""

    _columns = (N.FREQUENCY, N.RECENCY, N.T)

    def _extract(self, data: pd.DataFrame) -> tuple[np.ndarray, ...]:
        x, tx, age = (column(data, c) for c in self._columns)
        check_rfm(x, tx, age)
        return x, tx, age

    def _data_start(self, data: tuple[np.ndarray, ...], weights: np.ndarray) -> tuple[float, ...]:
        # r = 1 and alpha matching the mean purchase rate; the other pair at (1, alpha) or (1, 1)
        x, _, age = data[:3]
        # einsum, not BLAS: a threaded dot product stalls on a busy machine
        rate = max(float(np.einsum("i,i->", weights, x)) / max(float(np.einsum("i,i->", weights, age)),
                                                               1e-12), 1e-6)
        alpha = float(np.clip(1.0 / rate, 1e-3, 1e6))
        return (1.0, alpha, 1.0, alpha) if self._param_names[2] == "s" else (1.0, alpha, 1.0, 1.0)

    def _rfm(self, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._check_fitted()
        x, tx, age = self._extract(as_frame(data, self._columns, type(self).__name__))
        return x, tx, age

    @staticmethod
    def _check_horizon(t: float, name: str = "t") -> float:
        t = float(t)
        if not np.isfinite(t) or t < 0:
            from custlens.errors import InputError

            raise InputError(f"{name}={t} must be a finite number >= 0 (in the data's time unit)")
        return t

    # -- to be provided by the subclasses ----------------------------------------------
    def _p_alive(self, x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _expected(self, t: float, x: np.ndarray, tx: np.ndarray, age: np.ndarray,
                  pa: np.ndarray | None = None) -> np.ndarray:
        """Expected purchases in ``(T, T + t]``; ``pa``: P(alive) when already computed."""
        raise NotImplementedError

    def _horizon_scores(self, ts: np.ndarray, weights: np.ndarray, keep: int, x: np.ndarray,
                        tx: np.ndarray, age: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """P(alive), expected purchases at ``ts[keep]`` and ``sum_k weights[k] E(ts[k])``.

        What scoring needs (:func:`custlens.clv.value.score_customers`): P(alive) is computed
        once for all horizons. Subclasses with a compiled kernel override it.
        """
        pa = self._p_alive(x, tx, age)
        summed = np.zeros(len(x))
        kept = np.zeros(len(x))
        for k, t in enumerate(np.asarray(ts, dtype=float)):
            e = self._expected(float(t), x, tx, age, pa=pa)
            summed += weights[k] * e
            if k == keep:
                kept = e
        return pa, kept, summed

    # -- public predictions ---------------------------------------------------------------
    def p_alive(self, data: pd.DataFrame) -> np.ndarray:
        """Probability that each customer is still active at ``T``.

        Parameters
        ----------
        data : DataFrame
            ``frequency, recency, T`` per customer.

        Returns
        -------
        ndarray
        """
        return _scored(self._p_alive, self._rfm(data))

    def expected_purchases(self, data: pd.DataFrame, t: float) -> np.ndarray:
        """Expected number of purchases in the next ``t`` time units, given each history.

        Parameters
        ----------
        data : DataFrame
            ``frequency, recency, T`` per customer.
        t : float
            Horizon in the data's time unit.

        Returns
        -------
        ndarray
        """
        t = self._check_horizon(t)
        return _scored(lambda x, tx, age: self._expected(t, x, tx, age), self._rfm(data))

    def expected_purchases_new_customer(self, t: float | np.ndarray) -> np.ndarray:
        """Expected repeat purchases of a new customer within ``t`` time units of the first.

        Parameters
        ----------
        t : float or array
            Time since the first purchase.

        Returns
        -------
        ndarray
        """
        self._check_fitted()
        t = np.atleast_1d(np.asarray(t, dtype=float))
        if np.any(~np.isfinite(t) | (t < 0)):
            from custlens.errors import InputError

            raise InputError("t must hold finite numbers >= 0")
        zeros = np.zeros_like(t)
        return np.asarray(self._expected(t, zeros, zeros, zeros), dtype=float)

    def expected_time_to_next_purchase(self, data: pd.DataFrame,
                                       time_unit: str = "W") -> pd.DataFrame:
        """Expected waiting time to each customer's next purchase, with an overdue flag.

        The waiting time is ``1 / E[lambda | history, alive] = (alpha + T) / (r + x)``: the
        gap between purchases at the customer's posterior mean purchase rate (by the
        memoryless Poisson assumption it is also the expected wait from now). A customer is
        *overdue* when the time since the last purchase, ``T - recency``, exceeds that gap.

        Parameters
        ----------
        data : DataFrame
            ``frequency, recency, T`` per customer.
        time_unit : {"D", "W", "M", "Y"}
            Time unit of ``recency`` and ``T``; used to express the result in days.

        Returns
        -------
        DataFrame
            ``expected_time`` (time units), ``expected_days``, ``time_since_last``,
            ``overdue`` (bool) and ``p_alive``; same index as ``data``.
        """
        x, tx, age = self._rfm(data)
        r, alpha = self.params_["r"], self.params_["alpha"]
        gap = (alpha + age) / (r + x)
        since = age - tx
        return pd.DataFrame({"expected_time": gap, "expected_days": gap * N.TIME_UNIT_DAYS[time_unit],
                             "time_since_last": since, "overdue": since > gap,
                             "p_alive": _scored(self._p_alive, (x, tx, age))}, index=data.index)
