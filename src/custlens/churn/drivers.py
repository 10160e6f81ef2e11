"""Drivers of churn: permutation importance and partial dependence of the fitted model."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble._bagging import _generate_indices
from scipy.special import xlogy
from sklearn.utils import check_random_state

from custlens.churn.model import ChurnModel
from custlens.churn.trees import TreeSum

__all__ = ["MAX_ROWS", "PD_ROWS", "permutation_importance", "partial_dependence"]

#: Held-out rows used per shuffle of the permutation importance (a fresh random draw per shuffle,
#: so ``importance_std`` holds the sampling noise too). At 20,000 rows the standard error of a
#: log-loss difference is far below the 5e-4 the report shows.
MAX_ROWS = 20_000
#: Held-out rows the partial dependence averages over (a seeded random sample beyond that).
PD_ROWS = 5_000


def _neg_log_loss(y: np.ndarray, p: np.ndarray) -> float:
    """The score of the importance: minus the log loss of the calibrated probabilities (clipped).

    The operations of ``-sklearn.metrics.log_loss(y, p, labels=[0, 1])`` for 0/1 labels, in its
    order (``xlogy`` of the one-hot labels and ``[1 - p, p]``, summed per row, negated,
    ``numpy.average``), so the same bits (``tests/churn/test_trees.py``), without its validation
    of the inputs (~15 ms per call on 20,000 rows, 47 calls per report).
    """
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    t = np.asarray(y, dtype=float)
    loss = -(xlogy(1.0 - t, 1.0 - p) + xlogy(t, p))
    return -float(np.average(loss))


def permutation_importance(model: ChurnModel, X: pd.DataFrame, y: np.ndarray, n_repeats: int = 5,
                           random_state: int = 0, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Rise of the held-out log loss of the calibrated probabilities when one feature is shuffled.

    The numbers of ``sklearn.inspection.permutation_importance`` on the calibrated model, with its
    draws (one seed drawn from ``random_state``; for every feature the same ``max_rows`` rows and
    the same ``n_repeats`` cumulative shuffles): ``tests/churn`` checks they are equal to the last
    bit. Only the trees that split on the shuffled feature are scored again (`TreeSum`), which
    makes it about ten times cheaper. The log loss scores the probabilities themselves: a feature
    that moves customers' probabilities matters even when it hardly changes their ranking. (The
    drop in ROC-AUC, used before, is a ranking measure: with one dominant feature, every other
    feature read 0.00.) Correlated features share their importance: shuffling one leaves its twin
    to carry the signal.

    Parameters
    ----------
    model : ChurnModel
        Fitted.
    X, y : DataFrame, array
        Held-out features and labels (never the training rows).
    n_repeats : int
        Shuffles per feature.
    max_rows : int, default `MAX_ROWS`
        Rows per shuffle: the shuffles score a random draw of ``min(len(X), max_rows)`` rows
        (scikit-learn's ``max_samples``, seeded by ``random_state``); the baseline score uses
        every row, as scikit-learn's does.

    Returns
    -------
    DataFrame
        ``feature, importance, importance_std`` (in units of log loss), most important first.
    """
    Xe = model.encode(X).reset_index(drop=True)
    y = np.asarray(y, dtype=int)
    n = len(Xe)
    # Up to max_rows held-out rows per shuffle: the ranking of drivers is settled long before, and a
    # store of a million customers would otherwise score 29 features x 5 shuffles x all rows.
    max_samples = min(n, max_rows)
    trees = TreeSum(model)
    Xp = trees.prepare(Xe)
    baseline = _neg_log_loss(y, trees.proba(trees.leaves(Xp)))
    # scikit-learn draws one seed and gives every feature a fresh RandomState of it: the same rows
    # and the same sequence of in-place shuffles for every feature.
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max + 1)
    rng = check_random_state(seed)
    if max_samples < n:
        rows = _generate_indices(random_state=rng, bootstrap=False, n_population=n, n_samples=max_samples)
        Xp, y = Xp[rows], y[rows]
    shuffling = np.arange(len(y))
    perms, current = [], np.arange(len(y))
    for _ in range(n_repeats):
        rng.shuffle(shuffling)
        current = current[shuffling]  # each shuffle permutes the already shuffled column
        perms.append(current)
    leaves = trees.leaves(Xp)
    unchanged = _neg_log_loss(y, trees.proba(leaves))
    scores = np.empty((len(Xe.columns), n_repeats))
    for i, f in enumerate(Xe.columns):
        users = trees.trees_using(f)
        if not users:  # no tree splits on it: every shuffle scores like the unshuffled rows
            scores[i] = unchanged
            continue
        j = trees.column[f]
        Xs, ls = Xp.copy(), leaves.copy(order="F")
        for r, perm in enumerate(perms):
            Xs[:, j] = Xp[perm, j]
            scores[i, r] = _neg_log_loss(y, trees.proba(trees.leaves(Xs, users, ls)))
    importances = baseline - scores
    out = pd.DataFrame({"feature": list(Xe.columns), "importance": np.mean(importances, axis=1),
                        "importance_std": np.std(importances, axis=1)})
    return out.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


def partial_dependence(model: ChurnModel, X: pd.DataFrame, features: list[str], grid_size: int = 12,
                       max_rows: int = PD_ROWS, random_state: int = 0) -> pd.DataFrame:
    """Mean predicted churn probability when a numeric feature is set to each grid value.

    The grid runs over the 5th to 95th percentiles of the feature in ``X`` (brute force:
    every row is scored at every grid value). With more than ``max_rows`` rows, grid and means
    come from a random sample of ``max_rows`` of them (``numpy.random.default_rng(random_state)``):
    a mean probability over 5,000 rows has a standard error below 0.007.

    Returns
    -------
    DataFrame
        ``feature, feature_value, churn_probability``.
    """
    if len(X) > max_rows:
        X = X.iloc[np.sort(np.random.default_rng(random_state).choice(len(X), size=max_rows, replace=False))]
    Xe = model.encode(X)
    rows = []
    trees = TreeSum(model)
    Xp = trees.prepare(Xe)
    leaves = trees.leaves(Xp)
    for f in features:
        if f not in model.numeric or Xe[f].notna().sum() < 2:
            continue
        grid = np.unique(np.nanquantile(Xe[f].to_numpy(dtype=float), np.linspace(0.05, 0.95, grid_size)))
        # One grid value at a time, re-scoring only the trees that split on f (`TreeSum`).
        users, j = trees.trees_using(f), trees.column[f]
        Xs, ls = Xp.copy(), leaves.copy(order="F")
        p = []
        for v in grid:
            Xs[:, j] = v
            p.append(float(np.mean(trees.proba(trees.leaves(Xs, users, ls)))))
        rows.extend({"feature": f, "feature_value": float(v), "churn_probability": float(q)} for v, q in zip(grid, p))
    return pd.DataFrame(rows, columns=["feature", "feature_value", "churn_probability"])
