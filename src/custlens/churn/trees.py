"""The churn model's trees one at a time: explanations that re-score only the trees a change reaches.

Permutation importance and partial dependence score the same rows again and again with one
feature changed. Gradient-boosted trees add up one leaf value per tree, and a tree that never
splits on the changed feature gives every row the same leaf as before. `TreeSum` keeps the leaf
of every (row, tree) once and re-scores only the trees that split on the changed feature, then
adds the leaves in the order scikit-learn adds them, so the sums, and every probability, are the
same to the last bit as ``HistGradientBoostingClassifier.decision_function`` (``tests/churn``
compares them). Shallow trees (depth 2) split on at most three features each: a shuffled feature
reaches a few of the hundred trees, and a feature no tree uses reaches none.

This reads scikit-learn's fitted internals (``_predictors``, ``_baseline_prediction``,
``_preprocess_X``, ``_bin_mapper``); the equality tests fail loudly if a release changes them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlens.churn.model import ChurnModel

__all__ = ["TreeSum"]


class TreeSum:
    """Leaf values per row and tree of the fitted `ChurnModel`'s tree model, and their sums.

    Parameters
    ----------
    model : ChurnModel
        Fitted.
    n_threads : int, default 1
        OpenMP threads of each tree's prediction (rows are independent: any number gives the
        same values).
    """

    def __init__(self, model: ChurnModel, n_threads: int = 1) -> None:
        model._check()
        est = model.model_.calibrated_classifiers_[0].estimator  # type: ignore[union-attr]
        if est.n_trees_per_iteration_ != 1:
            raise ValueError("TreeSum handles binary classifiers only (one tree per iteration)")
        self._est = est
        self._model = model
        self._trees = [it[0] for it in est._predictors]
        self._bitsets, self._f_idx_map = est._bin_mapper.make_known_categories_bitsets()
        self._n_threads = n_threads
        # Preprocessed column of each feature: scikit-learn's ColumnTransformer puts the
        # categorical columns first, then the numeric ones, each group in input order.
        is_cat = np.asarray(est.is_categorical_, dtype=bool) if est.is_categorical_ is not None else None
        names = list(est.feature_names_in_)
        order = np.arange(len(names)) if is_cat is None else np.r_[np.flatnonzero(is_cat), np.flatnonzero(~is_cat)]
        self.column = {names[i]: j for j, i in enumerate(order)}
        # Trees that split on each preprocessed column.
        self._users: dict[int, list[int]] = {}
        for t, tree in enumerate(self._trees):
            split = tree.nodes["feature_idx"][tree.nodes["is_leaf"] == 0]
            for j in np.unique(split):
                self._users.setdefault(int(j), []).append(t)

    def prepare(self, Xe: pd.DataFrame) -> np.ndarray:
        """Rows encoded by `ChurnModel.encode` as the trees read them (float64, preprocessed columns)."""
        return np.asarray(self._est._preprocess_X(Xe, reset=False), dtype=np.float64)

    def trees_using(self, feature: str) -> list[int]:
        """Positions of the trees that split on ``feature``."""
        return self._users.get(self.column[feature], [])

    def leaves(self, Xp: np.ndarray, trees: list[int] | None = None, out: np.ndarray | None = None) -> np.ndarray:
        """Leaf value of each row (of `prepare`'s rows ``Xp``) in each tree, ``(n_rows, n_trees)``.

        With ``trees`` and ``out``, only those columns of ``out`` are recomputed (in place).
        """
        if out is None:
            out = np.empty((Xp.shape[0], len(self._trees)), dtype=np.float64, order="F")
            trees = list(range(len(self._trees)))
        for t in trees or []:
            out[:, t] = self._trees[t].predict(Xp, self._bitsets, self._f_idx_map, self._n_threads)
        return out

    def decision(self, leaves: np.ndarray) -> np.ndarray:
        """The sum of the leaves in scikit-learn's order: ``decision_function`` of the rows."""
        raw = np.zeros(leaves.shape[0], dtype=self._est._baseline_prediction.dtype)
        raw += self._est._baseline_prediction[0]
        for t in range(leaves.shape[1]):
            raw += leaves[:, t]
        return raw

    def proba(self, leaves: np.ndarray) -> np.ndarray:
        """Calibrated churn probability of the rows: `ChurnModel.predict_encoded` from their leaves."""
        x, v = self._model.calibration_  # type: ignore[misc]
        return np.clip(np.interp(self.decision(leaves), x, v), 0.0, 1.0)
