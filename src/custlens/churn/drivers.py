"""Drivers of churn: permutation importance and partial dependence of the fitted model."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from custlens.churn.model import ChurnModel

__all__ = ["permutation_importance", "partial_dependence"]


def permutation_importance(model: ChurnModel, X: pd.DataFrame, y: np.ndarray, n_repeats: int = 3,
                           random_state: int = 0) -> pd.DataFrame:
    """Drop in ROC-AUC on held-out rows when one feature is shuffled.

    Parameters
    ----------
    model : ChurnModel
        Fitted.
    X, y : DataFrame, array
        Held-out features and labels (never the training rows).
    n_repeats : int
        Shuffles per feature.

    Returns
    -------
    DataFrame
        ``feature, importance, importance_std``, most important first.
    """
    Xe = model.encode(X).reset_index(drop=True)
    y = np.asarray(y, dtype=int)
    rng = np.random.default_rng(random_state)
    n, feats = len(Xe), model.features
    # All shuffled copies are scored in one call: the same numbers as scikit-learn's
    # permutation_importance (scoring="roc_auc"), without a model call per shuffle.
    copies = []
    for f in feats:
        for _ in range(n_repeats):
            copies.append(Xe.assign(**{f: Xe[f].iloc[rng.permutation(n)].to_numpy()}))
    stacked = pd.concat(copies, ignore_index=True)
    for f in model.categorical:
        stacked[f] = pd.Categorical(stacked[f], categories=Xe[f].cat.categories)
    p = model.predict_encoded(stacked).reshape(len(feats), n_repeats, n)
    base = roc_auc_score(y, model.predict_encoded(Xe))
    drops = base - np.array([[roc_auc_score(y, p[i, r]) for r in range(n_repeats)] for i in range(len(feats))])
    out = pd.DataFrame({"feature": feats, "importance": drops.mean(axis=1), "importance_std": drops.std(axis=1)})
    return out.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


def partial_dependence(model: ChurnModel, X: pd.DataFrame, features: list[str], grid_size: int = 12
                       ) -> pd.DataFrame:
    """Mean predicted churn probability when a numeric feature is set to each grid value.

    The grid runs over the 5th to 95th percentiles of the feature in ``X`` (brute force:
    every row is scored at every grid value).

    Returns
    -------
    DataFrame
        ``feature, feature_value, churn_probability``.
    """
    Xe = model.encode(X)
    rows = []
    for f in features:
        if f not in model.numeric or Xe[f].notna().sum() < 2:
            continue
        grid = np.unique(np.nanquantile(Xe[f].to_numpy(dtype=float), np.linspace(0.05, 0.95, grid_size)))
        stacked = pd.concat([Xe.assign(**{f: v}) for v in grid], ignore_index=True)
        p = model.predict_encoded(stacked).reshape(len(grid), len(Xe)).mean(axis=1)
        rows.extend({"feature": f, "feature_value": float(v), "churn_probability": float(q)} for v, q in zip(grid, p))
    return pd.DataFrame(rows, columns=["feature", "feature_value", "churn_probability"])
