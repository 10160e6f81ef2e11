"""ABC's one-pass run starts and whole-number sort keys give what the binary searches and float sorts gave.

Compared with the implementation of ``tests/reference_impl/abc.py`` (searchsorted run starts,
float keys) on ties, zeros of both signs, order counts beyond 16 bits, fractional and missing
counts, and unsorted input to the public `pareto_tiers`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_impl import abc as old_abc

from custlens.segments import abc_analysis
from custlens.segments.abc import _by_value, _run_starts, pareto_tiers


def _same(table: pd.DataFrame) -> None:
    new, old = abc_analysis(table), old_abc.abc_analysis(table)
    for name in ("customers", "segments", "volume", "lorenz", "pareto"):
        pd.testing.assert_frame_equal(getattr(new, name), getattr(old, name), check_exact=True, obj=name)
    assert (new.gini, new.top20_share) == (old.gini, old.top20_share)


@pytest.mark.parametrize("orders", [
    [1, 1, 2, 40_000, 40_000, 3, 32_767, 32_768, 1, 2],  # beyond int16: the float key
    [1.5, 1.0, 1.5, 2.0, 0.5, 1.0, 2.0, 1.0, 3.0, 1.0],  # fractional counts
    [1, 0, 0, 2, 2, 2, 1, 0, 5, 1],  # zeros and ties
])
def test_abc_on_unusual_order_counts_equals_the_old_one(orders: list[float]) -> None:
    n = len(orders)
    table = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)],
                          "total_spend": [5.0, 0.0, -0.0, 7.0, 5.0, 5.0, 1.0, 0.0, 9.0, 7.0][:n],
                          "orders": orders})
    _same(table)
    _same(table.iloc[::-1].reset_index(drop=True))  # ids not in order: the lexsort path


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([0.0, -0.0, 1.0, 2.5, 2.5, 10.0, 1e6]), min_size=1, max_size=60),
       st.lists(st.integers(0, 70_000), min_size=60, max_size=60), st.booleans())
def test_abc_with_ties_equals_the_old_one(spend: list[float], orders: list[int], sorted_ids: bool) -> None:
    n = len(spend)
    ids = [f"c{i:03d}" for i in (range(n) if sorted_ids else reversed(range(n)))]
    _same(pd.DataFrame({"customer_id": ids, "total_spend": spend, "orders": orders[:n]}))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.0, -0.0, 1.0, 3.0, 3.0, 7.5, 100.0]), max_size=50), st.booleans())
def test_run_starts_equal_the_binary_searches(values: list[float], sort: bool) -> None:
    x = np.array(values, dtype=float)
    if sort:
        x = -np.sort(-x)
    np.testing.assert_array_equal(_run_starts(x), np.searchsorted(-x, -x, side="left"))
    if sort:  # pareto_tiers takes values sorted largest first
        cuts, labels = (0.5, 0.9), ("a", "b", "c")
        np.testing.assert_array_equal(pareto_tiers(x, cuts, labels), old_abc.pareto_tiers(x, cuts, labels))


def test_whole_number_keys_sort_as_the_float_keys() -> None:
    rng = np.random.default_rng(5)
    for key in (-rng.integers(0, 30, 500).astype(float), -rng.integers(0, 90_000, 500).astype(float),
                np.array([np.nan, 1.0, np.inf, 1.0, -0.0, 0.0])):
        ident = np.arange(len(key))
        np.testing.assert_array_equal(_by_value(key, ident), np.argsort(key, kind="stable"))
        perm = rng.permutation(len(key))
        np.testing.assert_array_equal(_by_value(key, perm), np.lexsort((perm, key)))
