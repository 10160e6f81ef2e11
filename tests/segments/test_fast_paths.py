"""The fast paths of the segments (issue 13) give the same results as the straightforward code.

Each fast function is compared with the implementation it replaced, kept verbatim in
``tests/reference_impl``, on the demo shop and on tables with edge cases: ties across tier
cuts, one-time buyers, zero spend, unsorted and non-string ids, labels outside the display
order, missing labels, customers present at one date only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_impl import abc as old_abc
from reference_impl import migration as old_migration
from reference_impl import value_matrix as old_value

from custlens.features import customer_table
from custlens.segments import abc_analysis, migration, migration_from_labels, rfm, value_matrix
from custlens.store import Store


def _same_abc(table: pd.DataFrame, **kw) -> None:  # type: ignore[no-untyped-def]
    new, old = abc_analysis(table, **kw), old_abc.abc_analysis(table, **kw)
    for name in ("customers", "segments", "volume", "lorenz", "pareto"):
        pd.testing.assert_frame_equal(getattr(new, name), getattr(old, name), check_exact=True, obj=name)
    assert (new.gini, new.top20_share, new.cuts) == (old.gini, old.top20_share, old.cuts)


def _edge_tables() -> list[pd.DataFrame]:
    rng = np.random.default_rng(7)
    n = 400
    ties = pd.DataFrame({"customer_id": [f"c{i:03d}" for i in rng.permutation(n)],  # ids not sorted
                         "total_spend": rng.choice([0.0, 5.0, 10.0, 10.0, 50.0, 400.0], n),
                         "orders": rng.choice([1, 1, 1, 2, 3, 9], n)})
    return [
        ties,
        ties.assign(customer_id=np.arange(n)[::-1]),  # integer ids
        pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "total_spend": [70.0, 20.0, 6.0, 4.0], "orders": [5, 2, 1, 1]}),
        pd.DataFrame({"customer_id": ["x"], "total_spend": [12.0], "orders": [1]}),  # one customer
        pd.DataFrame({"customer_id": list("pqrs"), "total_spend": [0.0] * 4, "orders": [1] * 4}),  # no revenue
        pd.DataFrame({"customer_id": list("pqrs"), "total_spend": [3.0] * 4, "orders": [2] * 4}),  # all equal
    ]


def test_abc_equals_the_old_implementation_on_the_demo_shop(demo: Store) -> None:
    table = customer_table(demo)
    _same_abc(table)
    _same_abc(table, cuts=(0.5, 0.9))


@pytest.mark.parametrize("i", range(6))
def test_abc_equals_the_old_implementation_on_edge_cases(i: int) -> None:
    _same_abc(_edge_tables()[i])
    _same_abc(_edge_tables()[i], cuts=(0.3, 1.0))


def _same_value(table: pd.DataFrame, **kw) -> None:  # type: ignore[no-untyped-def]
    new, old = value_matrix(table, **kw), old_value.value_matrix(table, **kw)
    pd.testing.assert_frame_equal(new.customers, old.customers, check_exact=True)
    pd.testing.assert_frame_equal(new.segments, old.segments, check_exact=True)
    # the old grid came from a crosstab of categoricals: same labels and counts, plain index types
    pd.testing.assert_frame_equal(new.grid, old.grid, check_index_type=False, check_column_type=False)
    assert list(new.grid.index) == list(old.grid.index) and list(new.grid.columns) == list(old.grid.columns)
    assert (new.method, new.reason, new.cuts, new.params, new.sample_size) == \
        (old.method, old.reason, old.cuts, old.params, old.sample_size)


def test_value_matrix_equals_the_old_implementation(demo: Store) -> None:
    table = customer_table(demo)
    _same_value(table)  # MBG/NBD + Gamma-Gamma
    _same_value(table, sample_size=500, random_state=3)  # fitted on a sample
    _same_value(table, use_clv=False)  # repeat behaviour
    _same_value(table.iloc[:20])  # too few customers: the fallback, with empty cells


def _labels(draw_ids: list[int], segs: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [f"c{k:02d}" for k in draw_ids], "segment": segs})


_LABEL = st.sampled_from(["x", "y", "z", "w", None])  # w: not in the display order; None: missing


@settings(max_examples=120, deadline=None)
@given(st.dictionaries(st.integers(0, 60), _LABEL, max_size=40),
       st.dictionaries(st.integers(0, 60), _LABEL, max_size=40), st.booleans())
def test_migration_from_labels_equals_the_old_implementation(before: dict, after: dict, shuffle: bool) -> None:
    b, a = _labels(sorted(before), [before[k] for k in sorted(before)]), _labels(sorted(after), [after[k] for k in sorted(after)])
    if shuffle:  # unsorted ids take the hashing path, sorted ones the merge
        b, a = b.sample(frac=1, random_state=1), a.sample(frac=1, random_state=2)
    new = migration_from_labels(b, a, ["x", "y", "z"], "s")
    old = old_migration.migration_from_labels(b, a, ["x", "y", "z"], "s")
    pd.testing.assert_frame_equal(new.matrix, old.matrix)
    pd.testing.assert_frame_equal(new.flows, old.flows)
    pd.testing.assert_frame_equal(new.customers, old.customers)
    assert new.stayed == old.stayed or (np.isnan(new.stayed) and np.isnan(old.stayed))


def test_migration_with_the_end_segments_handed_in_equals_the_old_one(demo: Store) -> None:
    t1 = demo.default_as_of()
    t0 = t1 - pd.Timedelta(days=90)
    table = customer_table(demo, t1)
    new = migration(demo, t0, t1, scheme="rfm11", customers=table, after=rfm(table, "rfm11"))
    old = old_migration.migration(demo, t0, t1, scheme="rfm11", customers=table)
    pd.testing.assert_frame_equal(new.matrix, old.matrix)
    pd.testing.assert_frame_equal(new.flows, old.flows)
    pd.testing.assert_frame_equal(new.customers, old.customers)
    assert new.matrix.loc["none_before"].sum() > 0  # customers without orders before t0 are in
    for scheme in ("cn8", "abc"):  # integer ids behind the RFM start; other schemes as they were
        new, old = migration(demo, t0, t1, scheme=scheme), old_migration.migration(demo, t0, t1, scheme=scheme)
        pd.testing.assert_frame_equal(new.matrix, old.matrix)
        pd.testing.assert_frame_equal(new.customers, old.customers)


def _shop_like(n: int, seed: int) -> pd.DataFrame:
    """A customer table with RFM-like skew (many one-order customers, long-tailed spend)."""
    rng = np.random.default_rng(seed)
    orders = 1 + rng.poisson(rng.gamma(0.6, 2.0, n))
    return pd.DataFrame({"customer_id": [f"c{i:05d}" for i in range(n)],
                         "days_since_last": rng.integers(0, 700, n).astype(float),
                         "orders": orders, "total_spend": np.round(orders * rng.gamma(2.0, 30.0, n), 2)})


@pytest.mark.parametrize("sample_size", [None, 4000])
def test_clustering_equals_the_old_implementation_above_the_silhouette_sample(sample_size: int | None) -> None:
    """Above 3,000 customers the silhouettes of every k reuse one distance matrix: same scores, same k."""
    from reference_impl.clustering import cluster_customers as old_cluster

    from custlens.segments import cluster_customers

    table = _shop_like(6000, 11)
    new, old = cluster_customers(table, sample_size=sample_size), old_cluster(table, sample_size=sample_size)
    pd.testing.assert_frame_equal(new.selection, old.selection, check_exact=True)
    assert (new.k, new.silhouette, new.calinski_harabasz) == (old.k, old.silhouette, old.calinski_harabasz)
    pd.testing.assert_frame_equal(new.customers, old.customers)
    pd.testing.assert_frame_equal(new.profile, old.profile)


def test_clustering_and_its_segment_table_equal_the_old_ones_on_the_demo_shop(demo: Store) -> None:
    from reference_impl.clustering import cluster_customers as old_cluster

    from custlens.segments import segment_customers
    from custlens.segments.profile import segment_summary  # unchanged since 5c1950d

    table = customer_table(demo)
    new, old = segment_customers(table, "kmeans"), old_cluster(table)
    pd.testing.assert_frame_equal(new.detail.selection, old.selection, check_exact=True)
    pd.testing.assert_frame_equal(new.detail.customers, old.customers)
    ref = segment_summary(old.customers["segment"], old.customers["total_spend"], list(old.profile["segment"]))
    pd.testing.assert_frame_equal(new.segments, ref, check_exact=True)


def test_too_few_distinct_customers_still_counts_them_all() -> None:
    from custlens.errors import InputError
    from custlens.segments import cluster_customers

    table = _shop_like(3000, 2).assign(days_since_last=1.0, orders=1, total_spend=10.0)
    table.loc[2500, "total_spend"] = 11.0  # the second distinct customer comes after the first 1,000 rows
    with pytest.raises(InputError, match="n_samples=2 distinct customers should be > n_clusters=3"):
        cluster_customers(table)
