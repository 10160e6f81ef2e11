"""Small-group suppression (k-anonymity) for report tables.

A statistic of a group of fewer than ``k`` customers can point at a person (the one
customer in "age 70+, Lhasa"). `suppress_small_groups` blanks every number of such rows;
report sections call it on each group table and add the footnote ``privacy.min_group_note``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlens import i18n

#: Default smallest group shown (``custlens report --min-group``).
MIN_GROUP = 5

i18n.register({
    "privacy.min_group_note": {
        "en": "Groups of fewer than {k} customers are not shown ({n} suppressed) so that no figure points at a person.",
        "zh": "为避免数字指向具体个人，少于 {k} 位客户的分组不显示（已隐藏 {n} 组）。",
    },
})


def suppress_small_groups(df: pd.DataFrame, size_col: str, k: int = MIN_GROUP,
                          keep: list[str] | None = None) -> tuple[pd.DataFrame, int]:
    """Blank the numbers of every row whose ``size_col`` (customers) is below ``k``.

    Parameters
    ----------
    df : DataFrame
        One row per group.
    size_col : str
        The column counting the group's customers.
    k : int, default 5
        Smallest group shown; ``k <= 1`` shows everything.
    keep : list of str, optional
        Numeric columns left as they are (e.g. a group's label that happens to be a number).

    Returns
    -------
    (DataFrame, int)
        A copy with NaN in every numeric cell of the small rows, and how many rows that hit.

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["A", "B"], "customers": [40, 2], "revenue": [900.0, 75.0]})
    >>> out, n = suppress_small_groups(df, "customers", k=5)
    >>> n, out["revenue"].tolist()
    (1, [900.0, nan])
    """
    if size_col not in df.columns:
        raise KeyError(f"suppress_small_groups: no column {size_col!r}; columns are {list(df.columns)}")
    small = pd.to_numeric(df[size_col], errors="coerce").fillna(0) < k
    out = df.copy()
    if k <= 1 or not small.any():
        return out, 0
    numeric = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c]) and c not in (keep or [])]
    for c in numeric:
        if pd.api.types.is_integer_dtype(out[c]) or pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].astype("float64")
        out.loc[small, c] = np.nan
    return out, int(small.sum())
