"""What BG/NBD and MBG/NBD share beyond the math in `_bgfamily`: the purchase-count pmf.

The two models differ only in whether the drop-out coin is also tossed at the first purchase,
which shifts the posterior ``b`` by ``_extra`` (0 for BG/NBD, 1 for MBG/NBD).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlens.clv import _bgfamily, _kernels
from custlens.clv._transaction import TransactionModel, _scored


class BetaGeoFamilyModel(TransactionModel):
    """Base of the BG/NBD family; subclasses set ``_extra`` and the likelihood."""

    _extra: int = 0

    def probability_of_purchases(self, data: pd.DataFrame, t: float, n: int) -> np.ndarray:
        """P(exactly ``n`` purchases in the next ``t`` time units | history).

        Parameters
        ----------
        data : DataFrame
            ``frequency, recency, T`` per customer.
        t : float
            Horizon.
        n : int
            Number of purchases.

        Returns
        -------
        ndarray
        """
        t, n = self._check_horizon(t), int(n)
        r, alpha, a, b = self._p()
        extra = self._extra

        def fn(x: np.ndarray, tx: np.ndarray, age: np.ndarray) -> np.ndarray:
            return _bgfamily.pmf(n, t, x, age, self._p_alive(x, tx, age), r, alpha, a, b + x + extra)

        return _scored(fn, self._rfm(data))

    def _horizon_scores(self, ts: np.ndarray, weights: np.ndarray, keep: int, x: np.ndarray,
                        tx: np.ndarray, age: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """P(alive), E(ts[keep]) and ``sum_k weights[k] E(ts[k])`` in one compiled pass.

        The rows the kernel leaves (series argument too close to 1 for its table, or
        ``a > r + x + 2``) are scored with SciPy's ``hyp2f1``
        (:mod:`custlens.clv._kernels_expect`); without numba all of them are.
        """
        if not _kernels.available():
            return super()._horizon_scores(ts, weights, keep, x, tx, age)
        from custlens.clv import _kernels_expect

        r, alpha, a, b = self._p()
        pa, kept, summed, flag = _kernels_expect.scores(x, tx, age, r, alpha, a, b, self._extra,
                                                        ts, weights, keep)
        if flag.any():
            rows = np.flatnonzero(flag)
            _, kept[rows], summed[rows] = super()._horizon_scores(ts, weights, keep, x[rows], tx[rows],
                                                                  age[rows])
        return pa, kept, summed
