"""Published reference values on CDNOW and the donations data.

Sources: Fader, Hardie & Lee (2005) "Counting your customers the easy way" (BG/NBD);
Fader & Hardie's Pareto/NBD note (2005); Batislam et al. (2007) (MBG/NBD); Fader,
Hardie & Lee (2005) "RFM and CLV: using iso-value curves" (Gamma-Gamma); Fader, Hardie
& Shang (2010) (BG/BB); values as listed in ../shared/data/README.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.clv import (BetaGeoBetaBinomModel, BetaGeoModel, GammaGammaModel,
                          ModifiedBetaGeoModel, ParetoNBDModel)


def _sig3(value: float, expected: float) -> None:
    assert float(f"{value:.3g}") == pytest.approx(float(f"{expected:.3g}")), (value, expected)


def test_cdnow_summary_counts(cdnow: pd.DataFrame) -> None:
    assert len(cdnow) == 2357
    assert cdnow["frequency"].sum() == 2457
    assert cdnow["frequency_holdout"].sum() == 1882
    assert (cdnow["frequency"] > 0).sum() == 946
    assert cdnow["T"].max() == pytest.approx(38.86, abs=0.005)  # first purchase 1997-01-01
    assert (cdnow["duration_holdout"] == 39).all()


@pytest.mark.parametrize(("model", "expected", "ll"), [
    (BetaGeoModel, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, -9582.43),
    (ParetoNBDModel, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}, -9594.97),
    (ModifiedBetaGeoModel, {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}, -9582.13),
])
def test_cdnow_transaction_models(cdnow: pd.DataFrame, model: type, expected: dict, ll: float) -> None:
    fitted = model().fit(cdnow)
    for name, value in expected.items():
        _sig3(fitted.params_[name], value)
    assert fitted.log_likelihood_ == pytest.approx(ll, abs=0.01)
    summary = fitted.summary
    assert (summary["lower_95"] < summary["estimate"]).all()
    assert (summary["estimate"] < summary["upper_95"]).all()


def test_cdnow_gamma_gamma(cdnow: pd.DataFrame) -> None:
    fitted = GammaGammaModel().fit(cdnow)
    assert fitted.n_obs_ == 946
    for name, value in {"p": 6.25, "q": 3.74, "v": 15.44}.items():
        _sig3(fitted.params_[name], value)
    assert fitted.log_likelihood_ == pytest.approx(-4055.92, abs=0.01)
    assert abs(fitted.frequency_spend_correlation_) < 0.3


def test_donations_bgbb(donations: pd.DataFrame) -> None:
    fitted = BetaGeoBetaBinomModel().fit(donations)
    for name, value in {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}.items():
        _sig3(fitted.params_[name], value)
    assert fitted.log_likelihood_ == pytest.approx(-33225.58, abs=0.01)
    assert fitted.n_obs_ == donations["weights"].sum()


def test_bgnbd_closed_forms() -> None:
    model = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    customer = pd.DataFrame({"frequency": [2.0], "recency": [30.43], "T": [38.86]})
    assert model.expected_purchases(customer, 39)[0] == pytest.approx(1.226, abs=5e-4)
    assert model.probability_of_purchases_new_customer(39, 0) == pytest.approx(0.5737864, abs=5e-8)


def test_cdnow_holdout_total(cdnow: pd.DataFrame) -> None:
    model = BetaGeoModel().fit(cdnow)
    assert model.expected_purchases(cdnow, 39).sum() == pytest.approx(1653, abs=2)
    assert np.all(model.p_alive(cdnow) <= 1)
