"""Clustering above the sample size: fitted on a stated sample, every customer assigned."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from custlens.errors import InputError
from custlens.segments import cluster_customers

from segments.test_clustering import planted


def test_sampled_fit_recovers_planted_clusters_for_every_customer() -> None:
    frame, truth = planted(n_per=400)  # 1,200 customers, sample of 300
    res = cluster_customers(frame, k_range=(2, 6), sample_size=300, random_state=3)
    assert res.sample_size == 300 and res.seed == 3
    assert len(res.customers) == 1200 and len(res.labels) == 1200
    assert res.k == 3
    assert adjusted_rand_score(truth, res.labels) == pytest.approx(1.0)
    assert len(res.projection) == 300  # the chart's points come from the sample only
    assert set(res.projection["customer_id"]) <= set(frame["customer_id"])
    assert int(res.profile["customers"].sum()) == 1200  # sizes count every customer


def test_data_within_the_sample_are_used_whole() -> None:
    frame, _ = planted()
    whole = cluster_customers(frame, k_range=(2, 5), sample_size=None)
    default = cluster_customers(frame, k_range=(2, 5))
    assert default.sample_size is None
    np.testing.assert_array_equal(whole.labels, default.labels)
    assert whole.silhouette == default.silhouette


def test_tiny_sample_is_refused() -> None:
    frame, _ = planted()
    with pytest.raises(InputError, match="sample_size=10"):
        cluster_customers(frame, sample_size=10)
