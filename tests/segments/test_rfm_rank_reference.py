"""The NumPy percent-rank scores equal the pandas ``rank(method="min")`` rule they replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.segments.rfm import _percent_rank_score


def _pandas_reference(values: pd.Series, bins: int, higher_is_better: bool) -> np.ndarray:
    """The session-3 implementation, kept as the reference."""
    x = values.to_numpy(dtype=float)
    n = len(x)
    if n == 1:
        return np.ones(1, dtype=np.int64)
    first = pd.Series(x if higher_is_better else -x).rank(method="min").to_numpy()
    worse = np.rint(first).astype(np.int64) - 1
    return np.minimum(bins, 1 + (worse * bins) // (n - 1))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("bins", [2, 5, 7])
def test_equals_the_pandas_rank_with_ties(seed: int, bins: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    kind = seed % 3
    if kind == 0:  # counts: one-order customers are most of them
        values = rng.geometric(0.6, n).astype(float)
    elif kind == 1:  # money with cents, many repeats
        values = rng.integers(0, 500, n) / 100 * 3
    else:  # days, with zeros and a constant block
        values = np.where(rng.random(n) < 0.3, 0.0, rng.integers(0, 400, n).astype(float))
    series = pd.Series(values)
    for better in (True, False):
        got = _percent_rank_score(series, bins, higher_is_better=better)
        np.testing.assert_array_equal(got, _pandas_reference(series, bins, better))


def test_all_equal_and_signed_zero() -> None:
    series = pd.Series([0.0, -0.0, 0.0, 0.0])
    for better in (True, False):
        assert (_percent_rank_score(series, 5, higher_is_better=better) == 1).all()
