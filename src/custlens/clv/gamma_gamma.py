"""Gamma-Gamma model of the average transaction value (spend per purchase)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from custlens.clv import _names as N
from custlens.clv._base import BaseModel, as_frame, column
from custlens.errors import DataQualityWarning, InputError


class GammaGammaModel(BaseModel):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV").

    Each transaction value is ``Gamma(p, nu)`` with a customer-level ``nu ~ Gamma(q, v)``
    (``v`` is the paper's gamma). Fitted on the customers with repeat purchases
    (``frequency > 0``): ``frequency`` and ``monetary_value`` (mean repeat-transaction
    value, > 0). Rows with ``frequency = 0`` are ignored by ``fit``.

    The model assumes spend per transaction is independent of the purchase frequency;
    ``fit`` reports their correlation in ``frequency_spend_correlation_`` and warns with
    :class:`~custlens.errors.DataQualityWarning` when its absolute value exceeds
    ``max_correlation``.

    Parameters
    ----------
    max_correlation : float, default 0.3
        Absolute frequency-spend correlation above which ``fit`` warns.
    penalizer_coef, n_starts, random_state, initial_params
        See :class:`custlens.clv._base.BaseModel`.

    Attributes
    ----------
    params_ : dict
        ``p, q, v``.
    log_likelihood_ : float
    frequency_spend_correlation_ : float
        Pearson correlation of frequency and monetary value among repeat customers.
    summary : DataFrame
    """

    _param_names = ("p", "q", "v")
    _columns = (N.FREQUENCY, N.MONETARY_VALUE)
    _default_start = (1.0, 1.0, 1.0)

    def __init__(self, max_correlation: float = 0.3, penalizer_coef: float = 0.0, n_starts: int = 3,
                 random_state: int | None = 0, initial_params: dict[str, float] | None = None):
        super().__init__(penalizer_coef, n_starts, random_state, initial_params)
        self.max_correlation = max_correlation

    def _extract(self, data: pd.DataFrame) -> tuple[np.ndarray, ...]:
        x, m = column(data, N.FREQUENCY), column(data, N.MONETARY_VALUE)
        if (x < 0).any():
            raise InputError(f"'{N.FREQUENCY}' must be >= 0 (min {x.min():g})")
        bad = (x > 0) & (m <= 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(f"'{N.MONETARY_VALUE}' must be > 0 for customers with repeat purchases: "
                             f"{int(bad.sum()):,} rows break it (row {row}: {m[row]:g}); "
                             "drop refunds or zero-value orders first")
        return x, m

    def fit(self, data: pd.DataFrame) -> GammaGammaModel:
        """Fit on the repeat customers of ``data`` (``frequency > 0``).

        Parameters
        ----------
        data : DataFrame
            ``frequency`` and ``monetary_value`` per customer.

        Returns
        -------
        self
        """
        frame = as_frame(data, self._columns, type(self).__name__)
        x, m = self._extract(frame)
        repeat = x > 0
        if repeat.sum() < 2:
            raise InputError(f"GammaGammaModel needs at least 2 customers with repeat purchases, "
                             f"got {int(repeat.sum())}")
        with np.errstate(all="ignore"):
            corr = float(np.corrcoef(x[repeat], m[repeat])[0, 1]) if np.ptp(x[repeat]) > 0 else 0.0
        self.frequency_spend_correlation_ = corr
        if abs(corr) > self.max_correlation:
            warnings.warn(f"frequency and spend are correlated (r={corr:.2f}, above "
                          f"{self.max_correlation}); the Gamma-Gamma independence assumption is "
                          "broken and its spend estimates may be biased", DataQualityWarning,
                          stacklevel=2)
        super().fit(frame.loc[repeat])
        return self

    @staticmethod
    def _loglik(params: np.ndarray, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        p, q, v = params
        x, m = data
        px = p * x
        log_total = np.log(x * m + v)
        ll = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v)
              + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * log_total)
        dg = digamma(px + q)
        grad = np.empty((len(x), 3))
        grad[:, 0] = x * (dg - digamma(px) + np.log(m) + np.log(x) - log_total)
        grad[:, 1] = dg - digamma(q) + np.log(v) - log_total
        grad[:, 2] = q / v - (px + q) / (x * m + v)
        return ll, grad

    def conditional_expected_spend(self, data: pd.DataFrame) -> np.ndarray:
        """Expected value of a future transaction given each customer's history.

        A weighted average of the population mean ``p v / (q - 1)`` and the customer's
        observed mean; customers without repeat purchases get the population mean.

        Parameters
        ----------
        data : DataFrame
            ``frequency`` and ``monetary_value`` per customer.

        Returns
        -------
        ndarray
        """
        self._check_fitted()
        x, m = self._extract(as_frame(data, self._columns, type(self).__name__))
        p, q, v = self._p()
        m = np.where(x > 0, m, 0.0)
        return p * (v + x * m) / (p * x + q - 1.0)

    def expected_spend_new_customer(self) -> float:
        """Population mean transaction value ``p v / (q - 1)`` (infinite when ``q <= 1``)."""
        p, q, v = self._p()
        return p * v / (q - 1.0) if q > 1 else float("inf")
