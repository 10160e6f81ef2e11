"""Clustering customers on their features: k-means or a Gaussian mixture, k chosen from a range.

Steps (`cluster_customers`):

1. **Scale** the features: ``log`` (``log1p`` of non-negative features, then z-scores; the
   default, since spend and order counts are heavily right-skewed), ``robust`` (median and
   inter-quartile range, scikit-learn's ``RobustScaler``), ``log+robust`` or ``standard``.
2. **Choose k** over ``k_range`` unless ``k`` is given: each k is fitted and scored by the
   silhouette (higher is better; computed on up to 3,000 customers) and the
   Calinski–Harabasz index (higher is better). The chosen k has the best mean rank of the
   two, ties going to the higher silhouette. The whole curve is kept in
   `ClusterResult.selection`.
3. **Order** the clusters canonically: by their centre's value score (mean z of frequency
   and spend minus z of recency, `custlens.segments.naming.value_score`), best first. Labels
   therefore do not depend on the random seed: two seeds that find the same partition
   give the same labels.
4. **Name** each cluster from its centre (`custlens.segments.naming.name_centres`).
5. **Profile** each cluster (size, revenue share, feature means against the overall mean,
   demographics when a customers table is given) and project the customers on the first two
   principal components of the scaled features.

Assumptions: the features are numeric and finite (missing values are refused, fill or drop
them first); k-means assumes roughly spherical clusters of similar spread in the scaled
space, the Gaussian mixture (full covariances) allows elongated ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn import config_context
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import calinski_harabasz_score, pairwise_distances, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.utils import check_random_state
from threadpoolctl import ThreadpoolController

from custlens.errors import InputError, SchemaError
from custlens.features.columns import CUSTOMER_ID, DAYS_SINCE_LAST, ORDERS, TOTAL_SPEND
from custlens.results import Result
from custlens.segments.naming import name_centres, value_score
from custlens.segments.profile import profile_clusters

__all__ = ["ClusterResult", "METHODS", "SCALINGS", "RFM_FEATURES", "cluster_customers", "scale_features"]

METHODS: tuple[str, ...] = ("kmeans", "gmm")
SCALINGS: tuple[str, ...] = ("log", "robust", "log+robust", "standard")
#: The default features: recency (days), frequency (orders), monetary (spend).
RFM_FEATURES: tuple[str, ...] = (DAYS_SINCE_LAST, ORDERS, TOTAL_SPEND)
CLUSTER = "cluster"
SEGMENT = "segment"
_SILHOUETTE_SAMPLE = 3000
#: Above this many customers, k is chosen and the model fitted on a random sample of this size
#: (seed ``random_state``); every customer is then assigned to its nearest cluster.
SAMPLE_SIZE = 20_000


@dataclass(frozen=True)
class ClusterResult(Result):
    """Customers clustered on a set of features.

    Attributes
    ----------
    method : str
        ``"kmeans"`` or ``"gmm"``.
    features : list of str
        The clustered columns.
    scaling : str
        How the features were scaled.
    k : int
        Number of clusters.
    silhouette, calinski_harabasz : float
        Scores of the chosen k (silhouette on up to 3,000 customers).
    customers : pandas.DataFrame
        ``customer_id``, the features, ``cluster`` (0 = best centre) and ``segment`` (name key).
    centres : pandas.DataFrame
        One row per cluster: ``cluster, segment`` and the mean of each feature in its own units.
    centres_z : pandas.DataFrame
        The same centres as z-scores of the scaled features (what the names are read from).
    selection : pandas.DataFrame
        ``k, silhouette, calinski_harabasz, inertia`` (k-means) or ``bic`` (mixture), ``chosen``.
    profile : pandas.DataFrame
        One row per cluster: ``cluster, segment, customers, share, revenue, revenue_share``,
        ``mean_<feature>`` and ``index_<feature>`` (cluster mean / overall mean).
    demographics : pandas.DataFrame
        Long table ``cluster, segment, column, value, share, mean``: the commonest value of each
        categorical demographic and its share, or the mean of each numeric one; empty
        without a customers table.
    projection : pandas.DataFrame
        ``customer_id, pc1, pc2, cluster, segment``: the first two principal components.
    explained_variance : tuple of float
        Share of the scaled variance along ``pc1`` and ``pc2``.
    sample_size : int or None
        Customers the model was fitted on when the table was larger than the sample (the
        projection then holds those customers only); None when every customer was used.
    seed : int
        Seed of the sample and of the fits (``random_state``).
    """

    method: str
    features: list[str]
    scaling: str
    k: int
    silhouette: float
    calinski_harabasz: float
    customers: pd.DataFrame
    centres: pd.DataFrame
    centres_z: pd.DataFrame
    selection: pd.DataFrame
    profile: pd.DataFrame
    demographics: pd.DataFrame
    projection: pd.DataFrame
    explained_variance: tuple[float, float]
    sample_size: int | None = None
    seed: int = 0

    @property
    def labels(self) -> np.ndarray:
        """Cluster number per customer, in the order of `customers`."""
        return self.customers[CLUSTER].to_numpy()


def scale_features(frame: pd.DataFrame, scaling: str = "log") -> np.ndarray:
    """Scale feature columns for clustering (see the module docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
        Numeric, finite feature columns only.
    scaling : {"log", "robust", "log+robust", "standard"}

    Returns
    -------
    numpy.ndarray
        ``(n, p)`` scaled values; a constant column becomes 0.
    """
    if scaling not in SCALINGS:
        raise InputError(f"scaling={scaling!r} is unknown; use one of {', '.join(SCALINGS)}")
    x = frame.to_numpy(dtype=float).copy()
    if scaling.startswith("log"):
        nonneg = (x >= 0).all(axis=0)
        x[:, nonneg] = np.log1p(x[:, nonneg])
    scaler = RobustScaler() if scaling.endswith("robust") else StandardScaler()
    out = scaler.fit_transform(x)
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)


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
    # more than lo distinct rows is what matters: a few hundred rows usually show it (at a
    # million customers counting every distinct row cost seconds); the count is exact when it fails
    head = frame.iloc[:1000]
    distinct = len(head.drop_duplicates(subset=list(features)))
    if distinct <= lo and len(frame) > len(head):
        distinct = len(frame.drop_duplicates(subset=list(features)))
    if distinct <= lo:
        raise InputError(f"n_samples={distinct} distinct customers should be > n_clusters={lo}; "
                         "cluster more customers or ask for fewer clusters")
    return frame


_CONTROLLER: list[ThreadpoolController] = []


def _one_thread() -> Any:
    """``threadpool_limits(limits=1)`` from one controller: each new one scans the process's loaded
    libraries (~20 ms, ten times per clustering)."""
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1)


def _fit(x: np.ndarray, k: int, method: str, random_state: int, n_init: int) -> tuple[np.ndarray, Any]:
    # One thread: on small shared machines OpenMP's spinning threads made k-means on 2,000
    # customers take 6-10 s instead of 0.1 s; the data here are small enough for one core.
    with _one_thread():
        return _fit_worker(x, k, method, random_state, n_init)


def _fit_worker(x: np.ndarray, k: int, method: str, random_state: int, n_init: int) -> tuple[np.ndarray, Any]:
    if method == "kmeans":
        model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(x)
        return model.labels_, model
    model = GaussianMixture(n_components=k, covariance_type="full", n_init=max(1, n_init // 3),
                            random_state=random_state, reg_covar=1e-4).fit(x)
    return model.predict(x), model


def _scores(x: np.ndarray, labels: np.ndarray, random_state: int,
            dist: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, float]:
    """Silhouette (on up to `_SILHOUETTE_SAMPLE` customers) and Calinski–Harabasz of ``labels``.

    ``dist`` is `_sample_distances` of ``x``: the same silhouette from distances computed once.
    """
    if len(np.unique(labels)) < 2:
        return float("nan"), float("nan")
    if dist is not None:
        rows, d = dist
        with config_context(assume_finite=True):  # d is finite (scaled features): skip 9M-cell checks
            sil = silhouette_score(d, labels[rows], metric="precomputed")
        return float(sil), float(calinski_harabasz_score(x, labels))
    sample = min(len(x), _SILHOUETTE_SAMPLE)
    sil = silhouette_score(x, labels, sample_size=sample if sample < len(x) else None,
                           random_state=random_state)
    return float(sil), float(calinski_harabasz_score(x, labels))


def _sample_distances(x: np.ndarray, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """The silhouette's customers (as `silhouette_score` draws them) and their distance matrix.

    Every k of the selection is scored on the same customers, so their distances are computed
    once instead of once per k (they were most of the clustering's time at a million
    customers); the scores are the same as `silhouette_score` on the features.
    """
    rows = check_random_state(random_state).permutation(len(x))[:_SILHOUETTE_SAMPLE]  # silhouette_score's draw
    with _one_thread():
        return rows, pairwise_distances(x[rows])


def _select(x: np.ndarray, ks: range, method: str, random_state: int, n_init: int
            ) -> tuple[pd.DataFrame, dict[int, tuple[np.ndarray, Any]]]:
    rows, fits = [], {}
    # sampled silhouettes share their customers (small tables are scored whole, as before)
    dist = _sample_distances(x, random_state) if len(ks) > 1 and len(x) > _SILHOUETTE_SAMPLE else None
    for k in ks:
        labels, model = _fit(x, k, method, random_state, n_init)
        sil, ch = _scores(x, labels, random_state, dist)
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


def _canonical(x: np.ndarray, labels: np.ndarray, features: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Relabel clusters best centre first; return new labels and the z-score centres."""
    present = np.unique(labels)
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    z = (x - mu) / sd
    centres = pd.DataFrame([z[labels == c].mean(axis=0) for c in present], columns=list(features))
    score = value_score(centres)
    # ties in the score (rare) broken by the centre values, then the size: deterministic
    keys = [(-score[i], *(-centres.iloc[i].to_numpy()), -int((labels == c).sum()))
            for i, c in enumerate(present)]
    order = sorted(range(len(present)), key=lambda i: keys[i])
    lookup = np.zeros(int(present.max()) + 1, dtype=np.int64)
    lookup[present[order]] = np.arange(len(order))  # vectorised: a million labels in one step
    new_labels = lookup[labels]
    return new_labels, centres.iloc[order].reset_index(drop=True)


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
    """Cluster customers, choosing k by silhouette and Calinski–Harabasz.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per customer with ``customer_id`` and the ``features`` (the customer table,
        or `custlens.segments.lrfmc_features`).
    features : sequence of str, default ``("days_since_last", "orders", "total_spend")``
        Numeric, finite columns to cluster on.
    method : {"kmeans", "gmm"}, default "kmeans"
        scikit-learn ``KMeans`` or ``GaussianMixture`` (full covariances).
    k : int, optional
        Number of clusters; when omitted it is chosen over ``k_range`` (inclusive), capped at
        the number of distinct customers minus one.
    k_range : (int, int), default (3, 8)
        Candidate k. Three is the default floor because two groups (good and the rest) is
        what silhouette favours on skewed RFM data but rarely what a campaign needs; pass
        ``(2, 8)`` to allow it.
    scaling : {"log", "robust", "log+robust", "standard"}, default "log"
    random_state : int, default 0
    n_init : int, default 10
        Restarts per k (k-means; a third of it for the mixture).
    demographics : pandas.DataFrame, optional
        The ``customers`` table (``customer_id`` and demographic columns) for the profile.
    revenue : str, default "total_spend"
        Column summed as the clusters' revenue when present.
    sample_size : int or None, default 20,000
        With more customers than this, k is chosen and the model fitted on a random sample of
        this many customers (seed ``random_state``), every customer is assigned to its nearest
        cluster (k-means) or most likely component (mixture), and the projection holds the
        sample. None fits on every customer. Tables within the sample are used whole.

    Returns
    -------
    ClusterResult

    Raises
    ------
    InputError
        Unknown method or scaling, non-numeric or missing feature values, k < 2 or too few
        distinct customers (``n_samples=3 distinct customers should be > n_clusters=5``).
    SchemaError
        A feature column is missing.

    Examples
    --------
    >>> result = cluster_customers(customer_table(store), k_range=(2, 6))  # doctest: +SKIP
    >>> result.k, result.profile[["segment", "customers", "revenue_share"]]  # doctest: +SKIP
    """
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
        with _one_thread():
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
    with _one_thread():  # BLAS threads only spin on the small silhouette sample
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
