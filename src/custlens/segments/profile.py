"""Profiles of customer groups: size, revenue, feature means against the overall mean, demographics."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from custlens.features.columns import CUSTOMER_ID

__all__ = ["DEMOGRAPHIC_COLUMNS", "profile_clusters", "segment_summary", "summary_of_codes"]

#: Columns of the ``customers`` table profiled when present (numeric: mean; others: top value).
DEMOGRAPHIC_COLUMNS: tuple[str, ...] = (
    "gender", "age", "region", "city", "city_tier", "occupation", "income", "acquisition_channel",
)


def segment_summary(labels: pd.Series, revenue: pd.Series, order: Sequence[str]) -> pd.DataFrame:
    """``segment, customers, share, revenue, revenue_share`` for every segment in ``order``.

    Segments of ``order`` nobody falls in get zero rows; labels outside ``order`` are appended.
    Shares sum to 1 (``revenue_share`` is 0 when the total revenue is 0).
    """
    # one hash pass over the (string) labels; counts and sums then group small integer codes
    codes, uniques = pd.factorize(np.asarray(labels), use_na_sentinel=False)
    rev = pd.Series(np.asarray(revenue, dtype=float))
    keys = list(order) + [s for s in uniques if s not in set(order)]
    counts = pd.Series(np.bincount(codes, minlength=len(uniques)), index=uniques).reindex(
        keys, fill_value=0).astype("int64")
    sums = rev.groupby(codes).sum().set_axis(uniques[np.unique(codes)]).reindex(keys, fill_value=0.0).astype(float)
    total = float(rev.sum())
    n = len(labels)
    return pd.DataFrame({
        "segment": keys,
        "customers": counts.to_numpy(),
        "share": counts.to_numpy() / n if n else 0.0,
        "revenue": sums.to_numpy(),
        "revenue_share": sums.to_numpy() / total if total else 0.0,
    })


def summary_of_codes(codes: np.ndarray, revenue: np.ndarray | pd.Series, keys: Sequence[str]) -> pd.DataFrame:
    """`segment_summary` of labels given as integer codes into ``keys`` (every code in range).

    The same table, without hashing a million string labels: ``keys[codes[i]]`` is customer
    ``i``'s segment. Sums group the codes as `segment_summary` does, so they are bit-identical.
    """
    codes = np.asarray(codes, dtype=np.intp)
    rev = pd.Series(np.asarray(revenue, dtype=float))
    counts = np.bincount(codes, minlength=len(keys)).astype("int64")
    sums = rev.groupby(codes).sum().reindex(range(len(keys)), fill_value=0.0).to_numpy(dtype=float)
    total, n = float(rev.sum()), len(codes)
    return pd.DataFrame({
        "segment": list(keys),
        "customers": counts,
        "share": counts / n if n else 0.0,
        "revenue": sums,
        "revenue_share": sums / total if total else 0.0,
    })


def _demographics(customers: pd.DataFrame, demographics: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in DEMOGRAPHIC_COLUMNS if c in demographics.columns and demographics[c].notna().any()]
    if not cols:
        return pd.DataFrame(columns=["cluster", "segment", "column", "value", "share", "mean"])
    merged = customers[[CUSTOMER_ID, "cluster", "segment"]].merge(
        demographics[[CUSTOMER_ID, *cols]].drop_duplicates(CUSTOMER_ID), on=CUSTOMER_ID, how="left")
    rows = []
    groups = [(-1, "all", merged)] + [(int(c), g["segment"].iloc[0], g) for c, g in merged.groupby("cluster")]
    for cluster, segment, g in groups:
        for c in cols:
            values = g[c].dropna()
            if pd.api.types.is_numeric_dtype(demographics[c]):
                rows.append({"cluster": cluster, "segment": segment, "column": c, "value": None,
                             "share": np.nan, "mean": float(values.mean()) if len(values) else np.nan})
            else:
                top = values.astype(str).value_counts()
                rows.append({"cluster": cluster, "segment": segment, "column": c,
                             "value": top.index[0] if len(top) else None,
                             "share": float(top.iloc[0] / len(values)) if len(top) else np.nan,
                             "mean": np.nan})
    return pd.DataFrame(rows)


def profile_clusters(customers: pd.DataFrame, features: Sequence[str], *, revenue: str = "total_spend",
                     demographics: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Profile table and demographics of clustered customers.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``customer_id, cluster, segment`` and the ``features`` (and ``revenue`` when present).
    features : sequence of str
    revenue : str
        Column summed as revenue; revenue is 0 without it.
    demographics : pandas.DataFrame, optional
        The ``customers`` table.

    Returns
    -------
    profile : pandas.DataFrame
        ``cluster, segment, customers, share, revenue, revenue_share, mean_<f>, index_<f>``;
        ``index_<f>`` is the cluster mean over the overall mean (NaN when that mean is 0).
    demographics : pandas.DataFrame
        ``cluster, segment, column, value, share, mean`` (cluster -1 is everybody).
    """
    g = customers.groupby("cluster")
    rev = customers[revenue] if revenue in customers.columns else pd.Series(0.0, index=customers.index)
    total = float(rev.sum())
    prof = pd.DataFrame({
        "cluster": sorted(customers["cluster"].unique()),
    })
    prof["segment"] = g["segment"].first().reindex(prof["cluster"]).to_numpy()
    prof["customers"] = g.size().reindex(prof["cluster"]).to_numpy().astype("int64")
    prof["share"] = prof["customers"] / len(customers)
    prof["revenue"] = rev.groupby(customers["cluster"]).sum().reindex(prof["cluster"]).to_numpy(dtype=float)
    prof["revenue_share"] = prof["revenue"] / total if total else 0.0
    for f in features:
        means = g[f].mean().reindex(prof["cluster"]).to_numpy(dtype=float)
        overall = float(customers[f].mean())
        prof[f"mean_{f}"] = means
        prof[f"index_{f}"] = means / overall if overall else np.nan
    demo = (_demographics(customers, demographics) if demographics is not None and len(demographics)
            else pd.DataFrame(columns=["cluster", "segment", "column", "value", "share", "mean"]))
    return prof, demo
