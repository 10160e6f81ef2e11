"""The fast summed likelihoods equal the per-row likelihoods they replace."""

from __future__ import annotations

import numpy as np
import pytest

from custlens.clv import BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel
from custlens.clv._fit import compress
from custlens.clv.simulate import simulate_bgnbd


@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel])
@pytest.mark.parametrize("theta", [(0.24, 4.4, 0.79, 2.4), (0.55, 10.6, 0.6, 11.7), (2.0, 1.0, 3.0, 0.5)])
def test_summed_equals_weighted_per_row_sum(cls, theta) -> None:
    data = simulate_bgnbd(3000, r=0.3, alpha=5.0, a=0.8, b=2.5, T=52.0, random_state=3)
    cols = [data["frequency"].to_numpy(float), data["recency"].to_numpy(float), data["T"].to_numpy(float)]
    unique, w, _ = compress(cols)
    model = cls()
    prepared = model._prepare(unique)
    params = np.array(theta, dtype=float)
    summed = cls._loglik.summed(prepared, w)
    total, grad = summed(params)
    ll, g = cls._loglik(params, prepared)
    np.testing.assert_allclose(total, w @ ll, rtol=1e-9)
    np.testing.assert_allclose(grad, w @ g, rtol=1e-9, atol=1e-9)
