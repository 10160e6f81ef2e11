"""Churn at scale: a stated, stratified sample to learn and explain on; chunks to score in.

A shop of a million customers stacks several million labelled snapshot rows. Gradient boosting,
its isotonic calibration, permutation importance and partial dependence learn nothing more from
them than from a hundred thousand rows, but cost minutes and gigabytes. `churn_analysis` therefore
fits and explains on a sample stratified by the label (both outcomes keep their share), drawn with
a stated seed, and scores every customer in chunks. Data no larger than the sample are used whole,
so small shops get exactly the numbers they got before sampling existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

__all__ = ["CHUNK_ROWS", "EXPLAIN_ROWS", "HOLDOUT_SIZE", "SAMPLE_SIZE", "SampleInfo", "chunked",
           "stratified_positions"]


#: Default number of labelled rows the churn model is trained and explained on. Held-out ROC-AUC with
#: 20,000 / 50,000 / 100,000 training rows: 0.9503 / 0.9504 / 0.9503 on the 100,000-customer simulated
#: shop and 0.9496 / 0.9497 / 0.9499 on the 1,000,000 one (same 100,000 held-out rows, standard error
#: about 0.001; bench/README.md); 50,000 halves the fits of 100,000.
SAMPLE_SIZE = 50_000
#: Default number of held-out customers the metrics and the calibration table are computed on
#: (stratified; the standard error of a ROC-AUC on 100,000 rows is about 0.001).
HOLDOUT_SIZE = 100_000
#: Customers given reasons at most (half from each action list), whatever the sample size.
EXPLAIN_ROWS = 20_000
#: Rows scored at a time (bounds the encoded copies and the trees' per-row buffers).
CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class SampleInfo:
    """How much of the labelled data the churn model learned and was explained on.

    Attributes
    ----------
    size : int
        The largest number of labelled rows used (`SAMPLE_SIZE` unless given).
    seed : int
        Seed of the draw.
    train_rows, train_population : int
        Training rows used, and labelled training rows available.
    holdout_rows, holdout_population : int
        Held-out rows the drivers (importance, partial dependence) were computed on, and
        held-out rows available.
    eval_rows : int or None
        Held-out rows in the ROC-AUC, the other metrics and the calibration table (a stratified
        sample of ``holdout_population``); None: every held-out row.
    importance_rows : int or None
        Rows per shuffle of the permutation importance (a fresh draw from ``holdout_rows`` per
        shuffle); None: all ``holdout_rows``.
    pd_rows : int or None
        Rows the partial dependence averages over; None: all ``holdout_rows``.
    btyd_rows : int or None
        Largest number of customers the MBG/NBD behind ``p_alive`` was fitted on per snapshot
        (a seeded random sample beyond it); None: every customer.
    explained : int or None
        Customers given reasons in each action list; None: every customer.
    """

    size: int
    seed: int
    train_rows: int
    train_population: int
    holdout_rows: int
    holdout_population: int
    eval_rows: int | None = None
    importance_rows: int | None = None
    pd_rows: int | None = None
    btyd_rows: int | None = None
    explained: int | None = None

    @property
    def sampled(self) -> bool:
        """True when the model's training, evaluation or drivers used part of the data."""
        evaluated = self.holdout_population if self.eval_rows is None else self.eval_rows
        return (self.train_rows < self.train_population or self.holdout_rows < self.holdout_population
                or evaluated < self.holdout_population)

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "sampled": self.sampled}


def stratified_positions(y: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Sorted row positions of a sample of at most ``size`` rows, stratified by the label ``y``.

    Each class keeps its share (rounded, at least one row of a class that occurs). With
    ``len(y) <= size`` every position is returned, so the caller's data are unchanged.

    Parameters
    ----------
    y : array of 0/1
    size : int
        Sample size, >= 2.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    numpy.ndarray
        Ascending positions into ``y``.

    Examples
    --------
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> pos = stratified_positions(y, 20, seed=0)
    >>> len(pos), int(y[pos].sum())
    (20, 2)
    """
    y = np.asarray(y)
    n = len(y)
    if size < 2:
        raise ValueError(f"sample size={size} must be >= 2")
    if n <= size:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    parts = []
    classes, counts = np.unique(y, return_counts=True)
    quota = np.maximum(1, np.round(counts / n * size).astype(int))
    quota[np.argmax(counts)] -= int(quota.sum() - size)  # rounding: the largest class absorbs it
    for cls, k in zip(classes, quota):
        where = np.flatnonzero(y == cls)
        parts.append(rng.choice(where, size=min(int(k), len(where)), replace=False))
    return np.sort(np.concatenate(parts))


def chunked(func: Callable[[pd.DataFrame], np.ndarray], X: pd.DataFrame, rows: int = CHUNK_ROWS) -> np.ndarray:
    """``func`` applied to ``X`` in slices of ``rows`` rows, the results concatenated.

    Scoring a million customers at once makes the encoded frame, the trees' binned copy and each
    calibration fold's output all a million rows long at the same time; slices bound that.
    """
    if len(X) <= rows:
        return np.asarray(func(X))
    return np.concatenate([np.asarray(func(X.iloc[i:i + rows])) for i in range(0, len(X), rows)])
