"""`custlens.segments.clustering` as of commit 5c1950d (before the issue-13 speed-ups): only the changed code.

`_validate` (count of distinct rows), `_scores` and `_select` (silhouette distances computed once)
and `cluster_customers` (which calls them) were rewritten; they are kept here verbatim as the
oracle of tests/segments/test_fast_paths.py. Everything unchanged since 5c1950d is imported from src.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.metrics import calinski_harabasz_score, silhouette_score
from threadpoolctl import threadpool_limits

from custlens.errors import InputError, SchemaError
from custlens.features.columns import CUSTOMER_ID, TOTAL_SPEND
from custlens.segments.clustering import (_SILHOUETTE_SAMPLE, CLUSTER, METHODS, RFM_FEATURES, SAMPLE_SIZE, SEGMENT,
                                          ClusterResult, _canonical, _fit, scale_features)
from custlens.segments.naming import name_centres
from custlens.segments.profile import profile_clusters


def _validate(table: Any, features: Sequence[str], method: str, k: int | None,
              k_range: tuple[int, int]) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"pass the customer table as a pandas DataFrame; got {type(table).__name__}")
    if method not in METHODS:
        raise InputError(f"method={method!r} is unknown; use one of {', '.join(METHODS)}")
    cols = [CUSTOMER_ID, *features]
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise SchemaError(f"customer table: missing column(s) {', '.join(map(repr, missing))}; "
                          f"available: {', '.join(map(str, table.columns))}")
    if len(features) < 1:
        raise InputError("pass at least one feature to cluster on")
    frame = table.loc[:, cols].reset_index(drop=True)
    for c in features:
        if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]):
            raise InputError(f"feature {c!r} must be numeric; got dtype {frame[c].dtype}")
        bad = ~np.isfinite(frame[c].to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            row = frame.loc[bad].iloc[0]
            raise InputError(f"feature {c!r}: {int(bad.sum()):,} of {len(frame):,} values are missing or "
                             f"infinite (customer {row[CUSTOMER_ID]!r}); fill or drop them first")
    lo, hi = (int(k), int(k)) if k is not None else (int(k_range[0]), int(k_range[1]))
    if lo < 2 or hi < lo:
        raise InputError(f"k must be >= 2 and k_range a (low, high) pair with low <= high; got "
                         f"k={k}, k_range={tuple(k_range)}")
    distinct = len(frame.drop_duplicates(subset=list(features)))
    if distinct <= lo:
        raise InputError(f"n_samples={distinct} distinct customers should be > n_clusters={lo}; "
                         "cluster more customers or ask for fewer clusters")
    return frame


def _scores(x: np.ndarray, labels: np.ndarray, random_state: int) -> tuple[float, float]:
    if len(np.unique(labels)) < 2:
        return float("nan"), float("nan")
    sample = min(len(x), _SILHOUETTE_SAMPLE)
    sil = silhouette_score(x, labels, sample_size=sample if sample < len(x) else None,
                           random_state=random_state)
    return float(sil), float(calinski_harabasz_score(x, labels))


def _select(x: np.ndarray, ks: range, method: str, random_state: int, n_init: int
            ) -> tuple[pd.DataFrame, dict[int, tuple[np.ndarray, Any]]]:
    rows, fits = [], {}
    for k in ks:
        labels, model = _fit(x, k, method, random_state, n_init)
        sil, ch = _scores(x, labels, random_state)
        extra = {"inertia": float(model.inertia_)} if method == "kmeans" else {"bic": float(model.bic(x))}
        rows.append({"k": k, "silhouette": sil, "calinski_harabasz": ch, **extra})
        fits[k] = (labels, model)
    sel = pd.DataFrame(rows)
    rank = (sel["silhouette"].fillna(-np.inf).rank(ascending=False)
            + sel["calinski_harabasz"].fillna(-np.inf).rank(ascending=False))
    order = sorted(range(len(sel)), key=lambda i: (rank.iloc[i], -np.nan_to_num(sel["silhouette"].iloc[i], nan=-9)))
    sel["chosen"] = False
    sel.loc[order[0], "chosen"] = True
    return sel, fits


def cluster_customers(
    table: pd.DataFrame,
    features: Sequence[str] = RFM_FEATURES,
    *,
    method: str = "kmeans",
    k: int | None = None,
    k_range: tuple[int, int] = (3, 8),
    scaling: str = "log",
    random_state: int = 0,
    n_init: int = 10,
    demographics: pd.DataFrame | None = None,
    revenue: str = TOTAL_SPEND,
    sample_size: int | None = SAMPLE_SIZE,
) -> ClusterResult:
    """The old `custlens.segments.cluster_customers` (same parameters and result)."""
    features = list(features)
    frame = _validate(table, features, method, k, k_range)
    x_all = scale_features(frame[features], scaling)
    sample = None
    if sample_size is not None and len(x_all) > sample_size:
        if sample_size < 100:
            raise InputError(f"sample_size={sample_size} is too small to cluster on; use at least 100 or None")
        sample = np.sort(np.random.default_rng(random_state).choice(len(x_all), sample_size, replace=False))
    x = x_all if sample is None else x_all[sample]
    if k is None:
        distinct = len(np.unique(x, axis=0))
        ks = range(int(k_range[0]), max(int(k_range[0]), min(int(k_range[1]), distinct - 1)) + 1)
    else:
        ks = range(int(k), int(k) + 1)
    selection, fits = _select(x, ks, method, random_state, n_init)
    chosen = int(selection.loc[selection["chosen"], "k"].iloc[0])
    raw = fits[chosen][0]
    if sample is not None:
        with threadpool_limits(limits=1):
            raw = fits[chosen][1].predict(x_all)
    labels, centres_z = _canonical(x_all, raw, features)
    names = name_centres(centres_z)
    customers = frame.copy()
    if revenue in table.columns and revenue not in customers.columns:
        customers[revenue] = table[revenue].to_numpy()
    customers[CLUSTER] = labels
    customers[SEGMENT] = np.asarray(names, dtype=object)[labels]
    centres = customers.groupby(CLUSTER)[features].mean().reset_index()
    centres.insert(1, SEGMENT, [names[c] for c in centres[CLUSTER]])
    centres_z.insert(0, CLUSTER, range(len(centres_z)))
    centres_z.insert(1, SEGMENT, names[: len(centres_z)])
    sil, ch = _scores(x_all, labels, random_state)
    profile, demo = profile_clusters(customers, features, revenue=revenue, demographics=demographics)
    pca = PCA(n_components=min(2, x.shape[1]), random_state=random_state).fit(x)
    shown = customers if sample is None else customers.iloc[sample]
    pcs = pca.transform(x)
    if pcs.shape[1] == 1:
        pcs = np.column_stack([pcs, np.zeros(len(pcs))])
    ratio = list(pca.explained_variance_ratio_) + [0.0]
    projection = pd.DataFrame({CUSTOMER_ID: shown[CUSTOMER_ID].to_numpy(), "pc1": pcs[:, 0], "pc2": pcs[:, 1],
                               CLUSTER: shown[CLUSTER].to_numpy(), SEGMENT: shown[SEGMENT].to_numpy()})
    return ClusterResult(
        method=method, features=features, scaling=scaling, k=len(centres), silhouette=sil,
        calinski_harabasz=ch, customers=customers, centres=centres, centres_z=centres_z,
        selection=selection, profile=profile, demographics=demo, projection=projection,
        explained_variance=(float(ratio[0]), float(ratio[1])),
        sample_size=None if sample is None else int(sample_size), seed=int(random_state),
    )

