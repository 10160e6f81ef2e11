"""The pair-cached kernels of the Pareto/NBD limit give bitwise the per-row kernels' numbers.

`custlens.clv._kernels_limit_pairs` evaluates ``log I(u)`` once per distinct ``(x, u)`` pair
instead of twice per row; the per-row kernels of `custlens.clv._kernels_limit` (``rows``,
``_summed_rows``, kept as the definition) are the reference. Equality is exact: same
function, same inputs, the rest of each row's arithmetic in the same order.
"""

from __future__ import annotations

import numpy as np
import pytest

from custlens.clv import _kernels
from custlens.clv import _kernels_limit as K
from custlens.clv import _kernels_limit_pairs as KP
from custlens.clv.simulate import simulate_pareto_nbd

pytestmark = pytest.mark.skipif(not _kernels.available(), reason="numba not installed (the pairs are a numba path)")

PARAMS = [np.array([0.8, 5.0, 0.02]), np.array([0.3, 40.0, 1e-4]), np.array([4.0, 0.5, 2.5])]


def _day_rows(n: int = 3000, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day-resolution histories in weeks (many shared pairs), with the edge cases: one-time
    buyers (x = t_x = 0), a purchase on the last day (t_x = T), T = 0 (bought on the
    as-of eve), repeated identical rows."""
    rng = np.random.default_rng(seed)
    age_days = rng.integers(0, 400, n)
    df = simulate_pareto_nbd(n, 0.8, 5.0, 1e8, 1e8 / 0.02, T=np.maximum(age_days, 1) / 7.0, random_state=seed)
    x = df["frequency"].to_numpy(float)
    tx = np.floor(df["recency"].to_numpy(float) * 7.0) / 7.0
    age = age_days / 7.0
    tx = np.minimum(tx, age)
    x[tx == 0] = 0
    edge_x = np.array([0.0, 0.0, 3.0, 1.0, 5.0, 0.0])
    edge_tx = np.array([0.0, 0.0, 2.0, 1 / 7, 4.0, 0.0])
    edge_age = np.array([0.0, 10.0, 2.0, 1 / 7, 4.0, 0.0])
    return (np.concatenate([x, edge_x, x[:50]]), np.concatenate([tx, edge_tx, tx[:50]]),
            np.concatenate([age, edge_age, age[:50]]))


def test_pairs_are_shared():
    x, tx, age = _day_rows()
    pairs = KP.pair_codes(x, tx, age)
    assert pairs is not None
    pair_x, pair_u, first, second = pairs
    assert len(pair_x) < len(x)  # the point: fewer evaluations than 2 n
    np.testing.assert_array_equal(pair_x[first], x)
    np.testing.assert_array_equal(pair_u[first], tx)
    np.testing.assert_array_equal(pair_x[second], x)
    np.testing.assert_array_equal(pair_u[second], age)


@pytest.mark.parametrize("params", PARAMS)
def test_parts_equal_per_row_kernel(params):
    x, tx, age = _day_rows()
    ref = K.parts(params, x, tx, age)
    got = KP.parts(params, x, tx, age)
    for a, b in zip(got, ref):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(KP.p_alive(params, x, tx, age), ref[2])


@pytest.mark.parametrize("params", PARAMS)
def test_summed_equal_per_row_kernel(params):
    x, tx, age = _day_rows()
    w = np.random.default_rng(1).integers(1, 4, len(x)).astype(float)
    ref = K._summed_rows(*params, x, tx, age, w, K._RULES[0], K._RULES[1])
    got = KP.summed_rows(*params, x, tx, age, w, KP.pair_codes(x, tx, age))
    assert got[0] == ref[0]
    np.testing.assert_array_equal(got[1], ref[1])
    np.testing.assert_array_equal(got[2], ref[2])


def test_distinct_pairs_fall_back_to_rows():
    """Time-stamp precision: every pair distinct, the per-row kernel runs (same numbers)."""
    rng = np.random.default_rng(0)
    age = rng.uniform(1, 50, 500)
    tx = age * rng.uniform(0, 1, 500)
    x = rng.integers(1, 6, 500).astype(float)
    assert KP.pair_codes(x, tx, age) is None
    for a, b in zip(KP.parts(PARAMS[0], x, tx, age), K.parts(PARAMS[0], x, tx, age)):
        np.testing.assert_array_equal(a, b)


def test_empty():
    z = np.zeros(0)
    assert KP.pair_codes(z, z, z) is None
    assert KP.p_alive(PARAMS[0], z, z, z).shape == (0,)
