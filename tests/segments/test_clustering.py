"""Clustering: planted clusters recovered, agreement with scikit-learn, stable labels, names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from custlens.errors import InputError, SchemaError
from custlens.segments import cluster_customers, scale_features
from custlens.segments.naming import name_centres

# Three planted groups in log space: (days since last, orders, spend) medians.
_CENTRES = {"best": (10, 12, 3000.0), "new": (15, 1, 80.0), "gone": (400, 2, 150.0)}


def planted(n_per: int = 150, seed: int = 1, spread: float = 0.15) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for g, (r, f, m) in enumerate(_CENTRES.values()):
        noise = rng.normal(0, spread, (n_per, 3))
        rows.append(np.column_stack([np.expm1(np.log1p(r) + noise[:, 0]), np.expm1(np.log1p(f) + noise[:, 1]),
                                     np.expm1(np.log1p(m) + noise[:, 2])]))
        truth += [g] * n_per
    x = np.vstack(rows)
    frame = pd.DataFrame({"customer_id": [f"c{i:04d}" for i in range(len(x))], "days_since_last": x[:, 0],
                          "orders": x[:, 1], "total_spend": x[:, 2]})
    return frame, np.array(truth)


def test_planted_clusters_are_recovered_and_k_is_chosen() -> None:
    frame, truth = planted()
    res = cluster_customers(frame, k_range=(2, 6))
    assert res.k == 3
    assert adjusted_rand_score(truth, res.labels) == pytest.approx(1.0)
    assert bool(res.selection.loc[res.selection["k"] == 3, "chosen"].iloc[0])
    sel = res.selection.set_index("k")
    assert sel["silhouette"].idxmax() == 3 and sel["calinski_harabasz"].idxmax() == 3


def test_same_partition_as_scikit_learn_on_the_scaled_data() -> None:
    frame, _ = planted(spread=0.35, seed=3)
    res = cluster_customers(frame, k=3)
    x = scale_features(frame[["days_since_last", "orders", "total_spend"]], "log")
    direct = KMeans(n_clusters=3, n_init=10, random_state=0).fit_predict(x)
    assert adjusted_rand_score(direct, res.labels) == pytest.approx(1.0)


def test_labels_do_not_depend_on_the_seed() -> None:
    frame, _ = planted(spread=0.3, seed=5)
    labels = [cluster_customers(frame, k=3, random_state=s).labels for s in (0, 1, 7)]
    for other in labels[1:]:
        assert np.array_equal(labels[0], other)


def test_clusters_are_ordered_and_named_from_their_centres() -> None:
    frame, truth = planted()
    res = cluster_customers(frame, k=3)
    # cluster 0 is the best centre: the frequent big spenders
    assert set(truth[res.labels == 0]) == {0}
    names = dict(zip(res.profile["cluster"], res.profile["segment"]))
    assert names[0] == "keep"
    assert names[res.labels[truth == 1][0]] == "develop"  # recent one-order buyers
    assert names[res.labels[truth == 2][0]] == "low_value"
    assert res.profile["customers"].sum() == len(frame)
    assert res.profile["revenue"].sum() == pytest.approx(frame["total_spend"].sum())
    assert res.profile["share"].sum() == pytest.approx(1.0)


def test_gaussian_mixture_recovers_the_planted_clusters() -> None:
    frame, truth = planted()
    res = cluster_customers(frame, method="gmm", k_range=(2, 5))
    assert res.k == 3 and "bic" in res.selection.columns
    assert adjusted_rand_score(truth, res.labels) > 0.95


@pytest.mark.parametrize("scaling", ["robust", "log+robust", "standard"])
def test_other_scalings_run(scaling: str) -> None:
    frame, truth = planted()
    res = cluster_customers(frame, k=3, scaling=scaling)
    assert len(res.labels) == len(frame) and res.projection.shape[0] == len(frame)


def test_profile_demographics_and_projection() -> None:
    frame, truth = planted(n_per=40)
    demo = pd.DataFrame({"customer_id": frame["customer_id"], "gender": np.where(truth == 0, "f", "m"),
                         "age": 20.0 + 10 * truth})
    res = cluster_customers(frame, k=3, demographics=demo)
    d = res.demographics.set_index(["cluster", "column"])
    best = int(res.labels[truth == 0][0])
    assert d.loc[(best, "gender"), "value"] == "f" and d.loc[(best, "gender"), "share"] == 1.0
    assert d.loc[(best, "age"), "mean"] == pytest.approx(20.0)
    assert d.loc[(-1, "age"), "mean"] == pytest.approx(30.0)
    assert 0 < sum(res.explained_variance) <= 1.0 + 1e-9


def test_name_rules_on_hand_made_centres() -> None:
    z = pd.DataFrame({"days_since_last": [-1.0, 1.0, -1.0, 1.0, 0.0, 0.0],
                      "orders": [1.0, 1.0, -0.2, -1.0, 0.0, 0.1], "total_spend": [1.0, 1.0, -0.2, -1.0, 0.0, 0.1]})
    assert name_centres(z) == ["keep", "retain", "develop", "low_value", "general", "general_2"]


def test_errors_print_the_values() -> None:
    frame, _ = planted(n_per=1)
    with pytest.raises(InputError, match="n_samples=3 distinct customers should be > n_clusters=5"):
        cluster_customers(frame, k=5)
    with pytest.raises(InputError, match="method='dbscan' is unknown"):
        cluster_customers(frame, method="dbscan")
    with pytest.raises(SchemaError, match="'nope'"):
        cluster_customers(frame, features=["nope"])
    bad = frame.assign(orders=[1.0, np.nan, 2.0])
    with pytest.raises(InputError, match="customer 'c0001'"):
        cluster_customers(bad, k=2)
