"""What BG/NBD and MBG/NBD share beyond the math in `_bgfamily`: the purchase-count pmf.

The two models differ only in whether the drop-out coin is also tossed at the first purchase,
which shifts the posterior ``b`` by ``_extra`` (0 for BG/NBD, 1 for MBG/NBD).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlens.clv import _bgfamily
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
