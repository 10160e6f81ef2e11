"""Parameter recovery: data simulated from known parameters, true values inside the 95% intervals."""

from __future__ import annotations

import numpy as np
import pytest

from custlens.clv import (BetaGeoBetaBinomModel, BetaGeoModel, GammaGammaModel,
                          ModifiedBetaGeoModel, ParetoNBDModel)
from custlens.clv.simulate import (simulate_bgbb, simulate_bgnbd, simulate_pareto_nbd,
                                   simulate_spend)

AGES = np.random.default_rng(7).uniform(26, 52, 20_000).round()


def _inside(model, truth: dict) -> None:
    summary = model.summary
    for name, value in truth.items():
        row = summary.loc[name]
        assert row["lower_95"] <= value <= row["upper_95"], (name, value, row.to_dict())


@pytest.mark.parametrize(("model", "modified"), [(BetaGeoModel, False), (ModifiedBetaGeoModel, True)])
def test_bg_family_recovers_parameters(model: type, modified: bool) -> None:
    truth = {"r": 0.4, "alpha": 5.0, "a": 0.8, "b": 2.5}
    data = simulate_bgnbd(20_000, **truth, T=AGES, modified=modified, random_state=11)
    _inside(model().fit(data), truth)


def test_pareto_recovers_parameters() -> None:
    truth = {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0}
    data = simulate_pareto_nbd(20_000, **truth, T=AGES, random_state=3)
    _inside(ParetoNBDModel().fit(data), truth)


def test_bgbb_recovers_parameters() -> None:
    truth = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}
    _inside(BetaGeoBetaBinomModel().fit(simulate_bgbb(20_000, **truth, n_periods=6, random_state=5)), truth)


def test_gamma_gamma_recovers_parameters() -> None:
    truth = {"p": 6.0, "q": 3.8, "v": 15.0}
    x = np.random.default_rng(1).integers(1, 15, 5000).astype(float)
    import pandas as pd

    data = pd.DataFrame({"frequency": x, "monetary_value": simulate_spend(x, **truth, random_state=2)})
    _inside(GammaGammaModel().fit(data), truth)


def test_simulated_histories_are_valid() -> None:
    data = simulate_bgnbd(1000, 0.4, 5.0, 0.8, 2.5, T=AGES[:1000], random_state=0)
    assert (data["recency"] <= data["T"]).all() and (data["recency"] >= 0).all()
    assert ((data["frequency"] == 0) == (data["recency"] == 0)).all()
