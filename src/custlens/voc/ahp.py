"""Analytic Hierarchy Process: weights from a pairwise-comparison matrix (Saaty 1977, 1980)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from custlens.errors import InputError
from custlens.results import Result

__all__ = ["RANDOM_INDEX", "AHPResult", "ahp", "read_matrix"]

#: Saaty's random consistency index RI by matrix size n (Saaty 1980, Table 1.7): the mean
#: consistency index of random reciprocal matrices; CR = CI / RI.
RANDOM_INDEX: dict[int, float] = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32,
                                  8: 1.41, 9: 1.45, 10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56,
                                  14: 1.57, 15: 1.59}  # fmt: skip
MAX_CR = 0.1


@dataclass
class AHPResult(Result):
    """Weights and consistency of one pairwise-comparison matrix.

    Attributes
    ----------
    weights : dict of str to float
        Principal right eigenvector normalised to sum 1.
    lambda_max : float
        Principal eigenvalue (``= n`` for a perfectly consistent matrix).
    consistency_index : float
        ``CI = (lambda_max - n) / (n - 1)``.
    consistency_ratio : float
        ``CR = CI / RI(n)``; 0 for ``n <= 2`` (always consistent).
    inconsistent_pairs : DataFrame
        ``row, column, judgement, implied, ratio``: the judgements furthest from what the
        weights imply (``implied = w_i / w_j``), worst first.
    """

    weights: dict[str, float]
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    inconsistent_pairs: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``custlens satisfaction ahp``."""
        return {"weights": self.weights, "lambda_max": self.lambda_max,
                "consistency_index": self.consistency_index, "consistency_ratio": self.consistency_ratio}


def _pairs(a: np.ndarray, w: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
    """Judgements a_ij against w_i / w_j, the largest log deviation first (upper triangle)."""
    rows = []
    n = len(names)
    for i in range(n):
        for j in range(i + 1, n):
            implied = w[i] / w[j]
            rows.append({"row": names[i], "column": names[j], "judgement": float(a[i, j]),
                         "implied": float(implied), "ratio": float(a[i, j] / implied)})
    df = pd.DataFrame(rows, columns=["row", "column", "judgement", "implied", "ratio"])
    if len(df):
        df = df.iloc[np.argsort(-np.abs(np.log(df["ratio"].to_numpy())), kind="stable")].reset_index(drop=True)
    return df


def _validate(matrix: pd.DataFrame | np.ndarray, names: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    if isinstance(matrix, pd.DataFrame):
        names = [str(c) for c in matrix.columns] if names is None else list(names)
        if [str(i) for i in matrix.index] != names and not isinstance(matrix.index, pd.RangeIndex):
            raise InputError(f"the matrix rows {list(map(str, matrix.index))} and columns {names} must name the "
                             "same criteria in the same order")
        values = matrix.to_numpy()
    else:
        values = np.asarray(matrix)
    try:
        a = values.astype(float)
    except (TypeError, ValueError):
        raise InputError("the pairwise-comparison matrix has values that are not numbers; use numbers such as "
                         "3 or 0.333 (1/3)") from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 2:
        raise InputError(f"the pairwise-comparison matrix must be square with at least 2 criteria; got shape {a.shape}")
    n = a.shape[0]
    names = [f"c{i + 1}" for i in range(n)] if names is None else list(names)
    if len(names) != n or len(set(names)) != n:
        raise InputError(f"criterion names {names} must be {n} distinct names")
    if n > max(RANDOM_INDEX):
        raise InputError(f"{n} criteria: Saaty's random index is tabulated up to {max(RANDOM_INDEX)}; group the "
                         "criteria into dimensions and compare within each")
    bad = np.argwhere(~np.isfinite(a) | (a <= 0))
    if len(bad):
        i, j = bad[0]
        raise InputError(f"judgement {names[i]!r} vs {names[j]!r} is {a[i, j]!r}; judgements must be positive numbers "
                         "(Saaty's 1-9 scale and reciprocals)")
    if not np.allclose(np.diag(a), 1.0):
        i = int(np.flatnonzero(~np.isclose(np.diag(a), 1.0))[0])
        raise InputError(f"the diagonal entry of {names[i]!r} is {a[i, i]!r}; a criterion compared with itself is 1")
    off = np.argwhere(~np.isclose(a * a.T, 1.0, rtol=0.02))
    if len(off):
        i, j = off[0]
        raise InputError(f"the matrix is not reciprocal: {names[i]!r} vs {names[j]!r} is {a[i, j]:g} but "
                         f"{names[j]!r} vs {names[i]!r} is {a[j, i]:g} (should be {1 / a[i, j]:.3g}); "
                         "enter a_ji = 1 / a_ij")
    return a, names


def ahp(matrix: pd.DataFrame | np.ndarray, names: Sequence[str] | None = None, *,
        max_cr: float = MAX_CR, check: bool = True) -> AHPResult:
    """Weights of the criteria from a reciprocal pairwise-comparison matrix.

    Parameters
    ----------
    matrix : DataFrame or array, shape (n, n)
        ``a_ij`` = how much more important criterion i is than j (Saaty's 1–9 scale);
        ``a_ji = 1 / a_ij``, ``a_ii = 1``. A DataFrame's columns name the criteria.
    names : sequence of str, optional
        Criterion names (default: the DataFrame columns, else ``c1..cn``).
    max_cr : float, default 0.1
        Saaty's acceptance threshold of the consistency ratio.
    check : bool, default True
        Raise when ``CR > max_cr``; ``False`` returns the result anyway (to show it).

    Returns
    -------
    AHPResult

    Raises
    ------
    InputError
        A matrix that is not square, positive and reciprocal, or (``check``) inconsistent:
        the message names the three judgements furthest from the weights.

    References
    ----------
    Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures. Journal
    of Mathematical Psychology, 15(3), 234–281. Saaty, T. L. (1980). The Analytic Hierarchy
    Process. McGraw-Hill.
    """
    a, names = _validate(matrix, names)
    n = len(names)
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))  # Perron root of a positive matrix: real and largest
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    lam = float(vals[k].real)
    ci = max((lam - n) / (n - 1), 0.0)  # rounding can give -1e-16 for a consistent matrix
    ri = RANDOM_INDEX[n]
    cr = ci / ri if ri > 0 else 0.0
    pairs = _pairs(a, w, names)
    res = AHPResult({nm: float(x) for nm, x in zip(names, w)}, lam, ci, cr, pairs)
    if check and cr > max_cr:
        worst = "; ".join(f"{r.row} vs {r.column}: judged {r.judgement:.3g}, the other judgements imply "
                          f"{r.implied:.3g}" for r in pairs.head(3).itertuples())
        raise InputError(f"the pairwise-comparison matrix is inconsistent: CR = {cr:.3f} > {max_cr} "
                         f"(lambda_max = {lam:.3f}, CI = {ci:.3f}, RI({n}) = {ri}). Most inconsistent "
                         f"judgements: {worst}. Revise these judgements and try again.")
    return res


def read_matrix(path: str | Path) -> pd.DataFrame:
    """Read a square pairwise-comparison CSV: criterion names as header and first column.

    Cells may be numbers or fractions such as ``1/3``.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{str(p)!r}: no such file; give a CSV with the criteria as header and first column")
    try:
        df = pd.read_csv(p, index_col=0, dtype=str, encoding="utf-8-sig")
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{str(p)!r} cannot be read as CSV: {exc}") from None
    df.index = [str(i).strip() for i in df.index]
    df.columns = [str(c).strip() for c in df.columns]
    if list(df.index) != list(df.columns):
        raise InputError(f"{str(p)!r}: the first column {list(df.index)} must list the same criteria in the same "
                         f"order as the header {list(df.columns)}")

    def num(cell: object) -> float:
        s = str(cell).strip()
        try:
            if "/" in s:
                top, bottom = s.split("/", 1)
                return float(top) / float(bottom)
            return float(s)
        except (ValueError, ZeroDivisionError):
            raise InputError(f"{str(p)!r}: cell {s!r} is not a number or a fraction like 1/3") from None

    return df.map(num)
