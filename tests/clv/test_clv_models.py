"""Contract tests run over every CLV model, plus per-model checks of the math."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from custlens.clv import (BetaGeoBetaBinomModel, BetaGeoModel, GammaGammaModel,
                          ModifiedBetaGeoModel, ParetoNBDModel)
from custlens.clv.simulate import simulate_bgbb, simulate_bgnbd, simulate_pareto_nbd, simulate_spend
from custlens.errors import DataQualityWarning, InputError, NotFittedError, SchemaError

TRANSACTION = [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel]
ALL = [*TRANSACTION, BetaGeoBetaBinomModel, GammaGammaModel]


def _data(model: type) -> pd.DataFrame:
    if model is BetaGeoBetaBinomModel:
        return simulate_bgbb(2000, 1.2, 0.75, 0.66, 2.8, random_state=1)
    if model is ParetoNBDModel:
        data = simulate_pareto_nbd(2000, 0.55, 10.0, 0.6, 11.0, T=40.0, random_state=1)
    else:
        data = simulate_bgnbd(2000, 0.5, 5.0, 0.8, 2.5, T=40.0, random_state=1)
    data["monetary_value"] = simulate_spend(data["frequency"], 6.0, 4.0, 15.0, random_state=2)
    return data


@pytest.mark.parametrize("model", ALL)
def test_not_fitted(model: type) -> None:
    m = model()
    assert "not fitted" in repr(m)
    with pytest.raises(NotFittedError, match=f"This {model.__name__} instance is not fitted yet. Call 'fit' first."):
        _ = m.summary
    method = m.conditional_expected_spend if model is GammaGammaModel else m.p_alive
    with pytest.raises(NotFittedError):
        method(_data(model))


@pytest.mark.parametrize("model", ALL)
def test_fit_contract(model: type) -> None:
    data = _data(model)
    m = model()
    assert m.fit(data) is m
    assert list(m.params_) == list(model._param_names)
    assert np.isfinite(m.log_likelihood_)
    assert list(m.summary.columns) == ["estimate", "std_error", "lower_95", "upper_95"]
    assert (m.summary["std_error"] > 0).all()
    assert m.bic_ > m.aic_ > -2 * m.log_likelihood_
    assert model.__name__ in repr(m) and f"fitted on {m.n_obs_:,.0f} customers" in repr(m)


@pytest.mark.parametrize("model", ALL)
def test_weights_equal_repeated_rows(model: type) -> None:
    data = _data(model).head(300)
    doubled = model().fit(pd.concat([data, data]))
    weighted = model().fit(data.assign(weights=2.0))
    assert weighted.log_likelihood_ == pytest.approx(doubled.log_likelihood_, rel=1e-9)
    for k, v in doubled.params_.items():
        assert weighted.params_[k] == pytest.approx(v, rel=1e-4)


@pytest.mark.parametrize("model", ALL)
def test_gradient_matches_finite_differences(model: type) -> None:
    data = _data(model).head(200)
    m = model()
    cols = m._extract(m._frame(data) if hasattr(m, "_frame") else data)
    if model is GammaGammaModel:
        cols = tuple(c[cols[0] > 0] for c in cols)
    params = np.array([0.7, 3.0, 1.3, 2.2][: len(model._param_names)])
    _, grad = model._loglik(params, cols)
    for i in range(len(params)):
        step = np.zeros_like(params)
        step[i] = 1e-6
        numeric = (model._loglik(params + step, cols)[0] - model._loglik(params - step, cols)[0]) / 2e-6
        np.testing.assert_allclose(grad[:, i], numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("model", TRANSACTION)
def test_bad_input_messages(model: type) -> None:
    with pytest.raises(SchemaError, match="missing column"):
        model().fit(pd.DataFrame({"frequency": [1.0]}))
    with pytest.raises(InputError, match="must be <= 'T'.*row 1"):
        model().fit(pd.DataFrame({"frequency": [1.0, 2.0], "recency": [1.0, 9.0], "T": [5.0, 8.0]}))
    with pytest.raises(InputError, match="must be 0 when"):
        model().fit(pd.DataFrame({"frequency": [0.0], "recency": [1.0], "T": [5.0]}))
    with pytest.raises(InputError, match="missing or infinite"):
        model().fit(pd.DataFrame({"frequency": [np.nan], "recency": [1.0], "T": [5.0]}))
    with pytest.raises(InputError):
        model.from_params(**{k: -1.0 for k in model._param_names})


@pytest.mark.parametrize("model", TRANSACTION)
def test_pmf_sums_to_one_and_matches_expectation(model: type) -> None:
    m = model().fit(_data(model))
    data = _data(model).head(20)
    t = 10.0
    probs = np.array([m.probability_of_purchases(data, t, n) for n in range(120)])
    np.testing.assert_allclose(probs.sum(axis=0), 1.0, atol=1e-6)
    np.testing.assert_allclose((np.arange(120)[:, None] * probs).sum(axis=0),
                               m.expected_purchases(data, t), rtol=1e-5)
    new = [m.probability_of_purchases_new_customer(t, n) for n in range(120)]
    assert sum(new) == pytest.approx(1.0, abs=1e-6)
    assert sum(n * p for n, p in enumerate(new)) == pytest.approx(m.expected_purchases_new_customer(t)[0], rel=1e-5)


@pytest.mark.parametrize("model", TRANSACTION)
def test_predictions_shapes_and_monotonicity(model: type) -> None:
    data = _data(model)
    m = model().fit(data)
    alive = m.p_alive(data)
    assert alive.shape == (len(data),) and np.all((alive >= 0) & (alive <= 1))
    e1, e2 = m.expected_purchases(data, 10), m.expected_purchases(data, 20)
    assert np.all(e2 >= e1) and np.all(e1 >= 0)
    # a long silence after the last purchase lowers P(alive)
    probe = pd.DataFrame({"frequency": [5.0, 5.0], "recency": [39.0, 5.0], "T": [40.0, 40.0]})
    fresh, stale = m.p_alive(probe)
    assert fresh > stale
    nxt = m.expected_time_to_next_purchase(probe, time_unit="W")
    assert list(nxt["overdue"]) == [False, True]
    np.testing.assert_allclose(nxt["expected_days"], 7 * nxt["expected_time"])


def test_bgbb_pmf_sums_to_one() -> None:
    data = _data(BetaGeoBetaBinomModel)
    m = BetaGeoBetaBinomModel().fit(data)
    probs = np.array([m.probability_of_purchases(data.head(10), 4, k) for k in range(5)])
    np.testing.assert_allclose(probs.sum(axis=0), 1.0, atol=1e-10)
    np.testing.assert_allclose((np.arange(5)[:, None] * probs).sum(axis=0),
                               m.expected_purchases(data.head(10), 4), rtol=1e-8)
    assert sum(m.probability_of_purchases_new_customer(6, k) for k in range(7)) == pytest.approx(1.0)


def test_gamma_gamma_warns_on_correlated_spend() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(1, 20, 500).astype(float)
    data = pd.DataFrame({"frequency": x, "monetary_value": 10 * x + rng.gamma(2.0, 1.0, 500)})
    with pytest.warns(DataQualityWarning, match="correlated"):
        m = GammaGammaModel().fit(data)
    assert m.frequency_spend_correlation_ > 0.9
    with pytest.raises(InputError, match="must be > 0"):
        GammaGammaModel().fit(pd.DataFrame({"frequency": [1.0, 2.0], "monetary_value": [5.0, 0.0]}))


def test_gamma_gamma_spend_shrinks_to_population_mean() -> None:
    m = GammaGammaModel.from_params(p=6.0, q=4.0, v=15.0)
    data = pd.DataFrame({"frequency": [0.0, 1.0, 100.0], "monetary_value": [0.0, 100.0, 100.0]})
    spend = m.conditional_expected_spend(data)
    assert spend[0] == pytest.approx(m.expected_spend_new_customer()) == pytest.approx(30.0)
    assert spend[0] < spend[1] < spend[2] < 100.0


def test_no_convergence_warning_on_clean_data() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        BetaGeoModel().fit(_data(BetaGeoModel))
