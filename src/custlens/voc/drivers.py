"""Derived importance: Shapley decomposition of R² (Lipovetsky & Conklin 2001)."""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

from custlens.errors import InputError, MissingDataError

__all__ = ["MAX_SHAPLEY_ATTRIBUTES", "r_squared", "shapley_r2", "driver_table"]

#: 2^k regressions: exact and quick up to about 12 attributes; more should be grouped first.
MAX_SHAPLEY_ATTRIBUTES = 12


def r_squared(x: np.ndarray, y: np.ndarray) -> float:
    """R² of the least-squares regression of ``y`` on ``x`` with an intercept (0 for no columns)."""
    if x.shape[1] == 0:
        return 0.0
    design = np.c_[np.ones(len(y)), x]
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ beta
    tss = float(((y - y.mean()) ** 2).sum())
    return 1.0 - float(resid @ resid) / tss if tss > 0 else 0.0


def shapley_r2(frame: pd.DataFrame, target: str, attributes: list[str]) -> pd.Series:
    """Each attribute's Shapley share of the R² of ``target`` on ``attributes``.

    The share of attribute j is the mean, over all orders of entering the regression, of
    the R² it adds; the shares sum exactly to the full model's R² (efficiency), unlike
    squared standardised coefficients when attributes are correlated.

    Parameters
    ----------
    frame : DataFrame
        Complete rows are used (rows with a missing value are dropped).
    target : str
        The outcome column (e.g. overall satisfaction, NPS).
    attributes : list of str
        At most `MAX_SHAPLEY_ATTRIBUTES` predictor columns.

    Returns
    -------
    Series
        Shapley value per attribute (same units as R²), indexed by attribute.

    References
    ----------
    Lipovetsky, S., & Conklin, M. (2001). Analysis of regression in game theory approach.
    Applied Stochastic Models in Business and Industry, 17(4), 319–330.
    """
    k = len(attributes)
    if k == 0 or k > MAX_SHAPLEY_ATTRIBUTES:
        raise InputError(f"{k} attributes: the Shapley decomposition takes 1 to {MAX_SHAPLEY_ATTRIBUTES}; "
                         "group the attributes into dimensions first")
    data = frame[[target, *attributes]].apply(pd.to_numeric, errors="coerce").dropna()
    if len(data) < k + 2:
        raise MissingDataError(f"{len(data)} complete answers for {k} attributes; the driver analysis needs at "
                               f"least {k + 2}")
    y = data[target].to_numpy(float)
    x = data[attributes].to_numpy(float)
    r2 = {(): 0.0}
    for size in range(1, k + 1):
        for subset in combinations(range(k), size):
            r2[subset] = r_squared(x[:, list(subset)], y)
    shares = np.zeros(k)
    for j in range(k):
        others = [i for i in range(k) if i != j]
        for size in range(k):
            weight = factorial(size) * factorial(k - size - 1) / factorial(k)
            for subset in combinations(others, size):
                with_j = tuple(sorted((*subset, j)))
                shares[j] += weight * (r2[with_j] - r2[subset])
    return pd.Series(shares, index=attributes, name="shapley_r2")


def driver_table(frame: pd.DataFrame, target: str, attributes: list[str]) -> pd.DataFrame:
    """Importance of each attribute for ``target``: correlation, coefficient and Shapley share.

    Returns
    -------
    DataFrame
        ``attribute, mean, correlation, coefficient, shapley_r2, importance`` (importance =
        Shapley share / R², summing to 1), most important first. ``coefficient`` is the
        multiple-regression slope (change in ``target`` per point of the attribute).
    """
    shares = shapley_r2(frame, target, attributes)
    data = frame[[target, *attributes]].apply(pd.to_numeric, errors="coerce").dropna()
    design = np.c_[np.ones(len(data)), data[attributes].to_numpy(float)]
    beta = np.linalg.lstsq(design, data[target].to_numpy(float), rcond=None)[0][1:]
    total = float(shares.sum())
    out = pd.DataFrame({
        "attribute": attributes,
        "mean": [float(data[a].mean()) for a in attributes],
        "correlation": [float(data[a].corr(data[target])) for a in attributes],
        "coefficient": beta,
        "shapley_r2": shares.to_numpy(),
        "importance": shares.to_numpy() / total if total > 0 else np.nan,
    })
    out.attrs["r2"] = total
    out.attrs["n"] = len(data)
    return out.sort_values("shapley_r2", ascending=False, kind="stable").reset_index(drop=True)
