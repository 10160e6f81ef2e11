"""Property tests: the likelihoods stay finite for any valid input."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from custlens.clv import BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel

params = st.floats(min_value=1e-3, max_value=1e3)


@st.composite
def customers(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    age = draw(st.floats(min_value=1e-3, max_value=1000.0))
    x = draw(st.integers(min_value=0, max_value=500))
    tx = 0.0 if x == 0 else draw(st.floats(min_value=0.0, max_value=age))
    return np.array([float(x)]), np.array([tx]), np.array([age])


@settings(max_examples=150, deadline=None)
@given(customers(), params, params, params, params)
def test_likelihoods_finite(cust: tuple, p1: float, p2: float, p3: float, p4: float) -> None:
    theta = np.array([p1, p2, p3, p4])
    for model in (BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel):
        ll, grad = model._loglik(theta, cust)
        assert np.all(np.isfinite(ll)), (model, ll)
        assert np.all(np.isfinite(grad)), (model, grad)


@settings(max_examples=60, deadline=None)
@given(customers(), params, params, params, params)
def test_predictions_finite(cust: tuple, p1: float, p2: float, p3: float, p4: float) -> None:
    import pandas as pd

    data = pd.DataFrame({"frequency": cust[0], "recency": cust[1], "T": cust[2]})
    for model in (BetaGeoModel.from_params(r=p1, alpha=p2, a=p3, b=p4),
                  ParetoNBDModel.from_params(r=p1, alpha=p2, s=p3, beta=p4)):
        alive = model.p_alive(data)
        assert np.all((alive >= 0) & (alive <= 1))
        assert np.all(np.isfinite(model.expected_purchases(data, 52.0)))
