"""Shapley decomposition of R²: efficiency and closed-form cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.voc.drivers import driver_table, r_squared, shapley_r2


def test_shares_sum_to_full_r2() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((400, 4))
    x[:, 1] += 0.8 * x[:, 0]  # correlated attributes
    y = 1.0 * x[:, 0] + 0.5 * x[:, 1] + 0.2 * x[:, 3] + rng.standard_normal(400)
    df = pd.DataFrame(x, columns=list("abcd")).assign(y=y)
    shares = shapley_r2(df, "y", list("abcd"))
    assert shares.sum() == pytest.approx(r_squared(x, y), rel=1e-12)
    assert shares.idxmax() == "a" and shares["c"] < 0.01


def test_orthogonal_attributes_get_their_squared_correlation() -> None:
    """With uncorrelated predictors R² is additive: each Shapley share equals r_j² exactly."""
    a = np.array([1, -1, 1, -1, 1, -1, 1, -1], float)
    b = np.array([1, 1, -1, -1, 1, 1, -1, -1], float)
    y = 2 * a + b + np.array([0.3, -0.2, 0.1, 0.4, -0.3, 0.2, -0.1, -0.4])
    df = pd.DataFrame({"a": a, "b": b, "y": y})
    shares = shapley_r2(df, "y", ["a", "b"])
    assert shares["a"] == pytest.approx(np.corrcoef(a, y)[0, 1] ** 2)
    assert shares["b"] == pytest.approx(np.corrcoef(b, y)[0, 1] ** 2)


def test_driver_table_importance_sums_to_one() -> None:
    rng = np.random.default_rng(2)
    df = pd.DataFrame(rng.integers(1, 6, (200, 3)), columns=["q", "p", "d"]).astype(float)
    df["csat"] = 0.6 * df["q"] + 0.3 * df["d"] + rng.normal(0, 0.5, 200)
    t = driver_table(df, "csat", ["q", "p", "d"])
    assert t["importance"].sum() == pytest.approx(1.0)
    assert list(t["attribute"][:2]) == ["q", "d"]
    assert t.set_index("attribute")["coefficient"]["q"] == pytest.approx(0.6, abs=0.1)
