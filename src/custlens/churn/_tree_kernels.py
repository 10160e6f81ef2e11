"""Compiled traversal of the churn model's trees (numba): the leaf of each row, row by row.

`custlens.churn.trees.tree_values` evaluates a tree column-wise in NumPy: every split node costs a
few passes over all rows (comparison, ``numpy.where``, temporary arrays): ~1.4 s of CPU for the
hundred trees on a million rows. These kernels walk each row down each tree once (~0.85 s), with the
rules of `tree_values` (which are scikit-learn's ``_predict_one_from_raw_data``): a missing value
goes to the side the split learned; a number goes left when ``<= num_threshold``; a category goes
left when in the split's left bitset, right when seen at fit, otherwise (negative, unseen) it is
treated as missing. The leaf values are the trees' own float64 values, and `decision` adds them
per row in tree order from ``0.0 + baseline``, the additions ``TreeSum.decision_of`` does in
NumPy: the same bits (``tests/churn/test_trees.py`` runs both paths against scikit-learn).

The trees are passed flattened (`TreeSum` packs them): node arrays of all trees end to end, with
child indices already shifted to the flat arrays, and every tree's left-category bitsets stacked.
numba is optional (``custlens[fast]``); without it, or with ``CUSTLENS_NUMBA=0``, `TreeSum` uses
the NumPy path. Compiled once per installation (``cache=True``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["decision", "leaf_values"]


@njit(cache=True, nogil=True)
def _leaf(Xp: np.ndarray, i: int, k: int, feature: np.ndarray, threshold: np.ndarray, missing_left: np.ndarray,
          is_cat: np.ndarray, bitset: np.ndarray, left: np.ndarray, right: np.ndarray, is_leaf: np.ndarray,
          value: np.ndarray, left_bits: np.ndarray, known_bits: np.ndarray,
          f_idx_map: np.ndarray) -> float:  # pragma: no cover (compiled)
    """The leaf value of row ``i`` in the tree whose root is node ``k``."""
    while not is_leaf[k]:
        x = Xp[i, feature[k]]
        if np.isnan(x):
            go_left = missing_left[k]
        elif is_cat[k]:
            if x < 0 or x > 255:  # not a category code (codes are 0..255): as missing
                go_left = missing_left[k]
            else:
                code = int(x)
                word, bit = code >> 5, code & 31
                if (left_bits[bitset[k], word] >> bit) & 1:
                    go_left = True
                elif (known_bits[f_idx_map[feature[k]], word] >> bit) & 1:
                    go_left = False
                else:
                    go_left = missing_left[k]
        else:
            go_left = x <= threshold[k]
        k = left[k] if go_left else right[k]
    return value[k]


@njit(cache=True, nogil=True)
def leaf_values(Xp: np.ndarray, trees: np.ndarray, roots: np.ndarray, feature: np.ndarray, threshold: np.ndarray,
                missing_left: np.ndarray, is_cat: np.ndarray, bitset: np.ndarray, left: np.ndarray,
                right: np.ndarray, is_leaf: np.ndarray, value: np.ndarray, left_bits: np.ndarray,
                known_bits: np.ndarray, f_idx_map: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """``out[i, t]`` = the leaf value of row ``i`` in tree ``t``, for the trees ``trees`` only."""
    for j in range(len(trees)):
        t = trees[j]
        root = roots[t]
        for i in range(Xp.shape[0]):
            out[i, t] = _leaf(Xp, i, root, feature, threshold, missing_left, is_cat, bitset, left, right, is_leaf,
                              value, left_bits, known_bits, f_idx_map)


@njit(cache=True, nogil=True)
def decision(Xp: np.ndarray, baseline: float, roots: np.ndarray, feature: np.ndarray, threshold: np.ndarray,
             missing_left: np.ndarray, is_cat: np.ndarray, bitset: np.ndarray, left: np.ndarray, right: np.ndarray,
             is_leaf: np.ndarray, value: np.ndarray, left_bits: np.ndarray, known_bits: np.ndarray,
             f_idx_map: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Per row: ``0.0 + baseline`` plus the leaf value of each tree, added in tree order."""
    n = Xp.shape[0]
    raw = np.empty(n)
    for i in range(n):
        s = 0.0
        s += baseline
        for t in range(len(roots)):
            s += _leaf(Xp, i, roots[t], feature, threshold, missing_left, is_cat, bitset, left, right, is_leaf,
                       value, left_bits, known_bits, f_idx_map)
        raw[i] = s
    return raw
