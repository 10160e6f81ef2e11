"""The churn model's trees one at a time: explanations that re-score only the trees a change reaches.

Permutation importance and partial dependence score the same rows again and again with one
feature changed. Gradient-boosted trees add up one leaf value per tree, and a tree that never
splits on the changed feature gives every row the same leaf as before. `TreeSum` keeps the leaf
of every (row, tree) once and re-scores only the trees that split on the changed feature, then
adds the leaves in the order scikit-learn adds them, so the sums, and every probability, are the
same to the last bit as ``HistGradientBoostingClassifier.decision_function`` (``tests/churn``
compares them). Shallow trees (depth 2) split on at most three features each: a shuffled feature
reaches a few of the hundred trees, and a feature no tree uses reaches none.

Each tree is walked row by row by a compiled kernel (`custlens.churn._tree_kernels`, numba) on
one thread, or, without numba, evaluated column-wise in NumPy (`tree_values`: one comparison per
split node over the rows, the leaf values picked with ``numpy.where``). Both give the same leaf
values, so the same bits, as scikit-learn's own traversal, with no OpenMP threads to spin-wait for
each other on a busy machine. The kernel costs ~0.85 s of CPU for a million rows by a hundred
depth-2 trees against ~1.4 s for the NumPy form (its cost is the rows' unpredictable branches).

This reads scikit-learn's fitted internals (``_predictors``, ``_baseline_prediction``,
``_preprocess_X``, ``_bin_mapper``, the trees' ``nodes`` and bitsets); the equality tests fail
loudly if a release changes them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlens.churn.model import ChurnModel

__all__ = ["TreeSum", "tree_values"]


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
        # scikit-learn's OrdinalEncoder numbers the categories seen at fit in sorted order (unseen:
        # NaN); `prepare` maps each fixed level of `ChurnModel.encode` to that number once.
        self._codes: dict[str, list[object]] = {}
        if is_cat is not None:
            seen = est._preprocessor.named_transformers_["encoder"].categories_
            for name, known in zip([names[i] for i in np.flatnonzero(is_cat)], seen):
                self._codes[name] = list(known)
        # Trees that split on each preprocessed column.
        self._users: dict[int, list[int]] = {}
        for t, tree in enumerate(self._trees):
            split = tree.nodes["feature_idx"][tree.nodes["is_leaf"] == 0]
            for j in np.unique(split):
                self._users.setdefault(int(j), []).append(t)
        self._packed = _pack(self._trees, self._bitsets, self._f_idx_map) if _compiled() else None

    def prepare(self, Xe: pd.DataFrame) -> np.ndarray:
        """Rows encoded by `ChurnModel.encode` as the trees read them (float64, preprocessed columns).

        Column-major, so each tree reads a feature's values contiguously. A category's value is its
        code in the fixed levels of `ChurnModel.encode` (missing: NaN): what scikit-learn's
        ``OrdinalEncoder`` (``_preprocess_X``) gives for those levels, without its per-value
        lookups of a million object strings (``tests/churn/test_trees.py`` compares the two).
        """
        Xp = np.empty((len(Xe), len(self.column)), dtype=np.float64, order="F")
        for name, j in self.column.items():
            col = Xe[name]
            if name in self._codes and isinstance(col.dtype, pd.CategoricalDtype):
                known = {v: k for k, v in enumerate(self._codes[name])}
                # one entry per level, then one for a missing value (code -1)
                lut = np.array([known.get(v, np.nan) for v in col.cat.categories] + [np.nan], dtype=np.float64)
                Xp[:, j] = lut[col.cat.codes.to_numpy()]
            elif name in self._codes:  # not encoded by `ChurnModel.encode`: scikit-learn's encoder
                Xp[:, j] = np.asarray(self._est._preprocess_X(Xe[list(self._est.feature_names_in_)], reset=False)
                                      )[:, j]
            else:
                Xp[:, j] = col.to_numpy(dtype=np.float64)
        return Xp

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
        if self._packed is not None and self._n_threads <= 1 and trees:
            from custlens.churn._tree_kernels import leaf_values

            roots, *nodes = self._packed
            leaf_values(Xp, np.asarray(trees, dtype=np.int64), roots, *nodes, out)
            return out
        for t in trees or []:
            out[:, t] = self._values(t, Xp)
        return out

    def _values(self, t: int, Xp: np.ndarray) -> np.ndarray:
        if self._n_threads > 1:  # scikit-learn's own traversal on OpenMP threads (same values)
            return self._trees[t].predict(Xp, self._bitsets, self._f_idx_map, self._n_threads)
        return tree_values(self._trees[t], Xp, self._bitsets, self._f_idx_map)

    def decision_of(self, Xp: np.ndarray) -> np.ndarray:
        """`decision` of the rows without keeping their ``(n_rows, n_trees)`` leaves (for scoring)."""
        base = self._est._baseline_prediction
        if self._packed is not None and self._n_threads <= 1 and base.dtype == np.float64 and base.size == 1:
            from custlens.churn._tree_kernels import decision

            roots, *nodes = self._packed
            return decision(Xp, float(base.ravel()[0]), roots, *nodes)
        raw = np.zeros(Xp.shape[0], dtype=base.dtype)
        raw += base[0]
        for t in range(len(self._trees)):
            raw += self._values(t, Xp)
        return raw

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


def _compiled() -> bool:
    """True when the compiled tree kernels can run (numba importable, ``CUSTLENS_NUMBA`` not 0)."""
    from custlens.clv._kernels import available

    return available()


def _pack(trees: list[object], known_bitsets: np.ndarray, f_idx_map: np.ndarray) -> tuple[np.ndarray, ...]:
    """The trees flattened for `custlens.churn._tree_kernels`: each tree's root, then the node arrays of
    all trees end to end (children and left-category bitsets shifted to the flat arrays), the stacked
    left bitsets, ``known_bitsets`` and ``f_idx_map``."""
    nodes = [tree.nodes for tree in trees]  # type: ignore[attr-defined]
    sizes = np.array([len(n) for n in nodes], dtype=np.int64)
    roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    # filled slice by slice: concatenating a hundred structured arrays promotes their dtype pairwise
    flat = np.empty(int(sizes.sum()), dtype=nodes[0].dtype if nodes else np.float64)
    for start, n in zip(roots, nodes):
        flat[start:start + len(n)] = n
    bits = [np.asarray(tree.raw_left_cat_bitsets, dtype=np.uint32).reshape(-1, 8) for tree in trees]  # type: ignore[attr-defined]
    bit_start = np.concatenate([[0], np.cumsum([len(b) for b in bits])[:-1]]).astype(np.int64)
    shift = np.repeat(roots, sizes)
    left_bits = np.concatenate(bits) if bits else np.zeros((0, 8), dtype=np.uint32)
    is_cat = flat["is_categorical"].astype(np.bool_)
    bitset = np.where(is_cat, flat["bitset_idx"].astype(np.int64) + np.repeat(bit_start, sizes), 0)
    known = np.asarray(known_bitsets, dtype=np.uint32).reshape(-1, 8)
    return (roots, flat["feature_idx"].astype(np.int64), flat["num_threshold"].astype(np.float64),
            flat["missing_go_to_left"].astype(np.bool_), is_cat, bitset,
            flat["left"].astype(np.int64) + shift, flat["right"].astype(np.int64) + shift,
            flat["is_leaf"].astype(np.bool_), flat["value"].astype(np.float64), np.ascontiguousarray(left_bits),
            np.ascontiguousarray(known), np.asarray(f_idx_map, dtype=np.int64))


def tree_values(tree: object, Xp: np.ndarray, known_bitsets: np.ndarray, f_idx_map: np.ndarray) -> np.ndarray:
    """The leaf value of each row in one fitted tree, column-wise: ``TreePredictor.predict``'s values.

    The rules of scikit-learn's ``_predict_one_from_raw_data``: a missing value goes to the side
    the split learned (``missing_go_to_left``); a number goes left when ``<= num_threshold``; a
    category goes left when in the split's left bitset, right when a category seen at fit,
    otherwise (negative, past 255 or unseen) it is treated as missing.

    Parameters
    ----------
    tree : TreePredictor
        One of ``HistGradientBoostingClassifier._predictors``.
    Xp : ndarray of shape (n_rows, n_features)
        Preprocessed rows (`TreeSum.prepare`).
    known_bitsets, f_idx_map : ndarray
        ``_bin_mapper.make_known_categories_bitsets()`` of the fitted model.

    Returns
    -------
    ndarray of float64, one leaf value per row.
    """
    nodes = tree.nodes  # type: ignore[attr-defined]
    left_bitsets = tree.raw_left_cat_bitsets  # type: ignore[attr-defined]

    def goes_left(k: int) -> np.ndarray:
        node = nodes[k]
        x = Xp[:, int(node["feature_idx"])]
        missing_left = bool(node["missing_go_to_left"])
        if node["is_categorical"]:
            # one entry per category code 0..255 (codes are uint8 in scikit-learn): left, right, or missing
            cats = np.arange(256)
            left = (left_bitsets[node["bitset_idx"], cats // 32] >> (cats % 32)) & 1
            known = (known_bitsets[f_idx_map[node["feature_idx"]], cats // 32] >> (cats % 32)) & 1
            table = np.where(left == 1, True, np.where(known == 1, False, missing_left))
            bad = np.isnan(x) | (x < 0) | (x > 255)  # not a category code (0..255): as missing
            code = np.where(bad, 0, x).astype(np.uint8)
            return np.where(bad, missing_left, table[code])
        below = x <= node["num_threshold"]
        return below | np.isnan(x) if missing_left else below

    def value(k: int) -> np.ndarray | float:
        node = nodes[k]
        if node["is_leaf"]:
            return node["value"]
        return np.where(goes_left(k), value(int(node["left"])), value(int(node["right"])))

    out = value(0)
    return np.full(Xp.shape[0], out, dtype=np.float64) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)
