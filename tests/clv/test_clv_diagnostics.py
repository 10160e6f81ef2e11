"""Soundness checks of fitted CLV models and the automatic choice rule (issue 11, points 2 and 3)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from custlens.clv import BetaGeoModel, compare_models
from custlens.clv.diagnostics import MAE_TOLERANCE, check_fit, rank_models


def _never_leaving(n: int = 300, seed: int = 1) -> pd.DataFrame:
    """Every customer bought again on the last day observed: nothing in the data says anyone
    ever drops out, so every drop-out model runs to a degenerate corner (a -> 0, or s -> 0)."""
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 53, n).astype(float)
    return pd.DataFrame({"frequency": rng.integers(1, 6, n).astype(float), "recency": age, "T": age})


def test_a_parameter_on_the_bound_is_found() -> None:
    """The UCI Online Retail refit of issue 11: a = 1e-08, b = 1236, NaN standard errors."""
    model = BetaGeoModel.from_params(r=0.53, alpha=26.1, a=1e-8, b=1236.0)
    keys = [k for k, _ in check_fit(model, "bgnbd").problems]
    assert keys[0] == "clv.diag.bound" and "clv.diag.hessian" in keys
    assert check_fit(model, "bgnbd").texts()[0] == (
        "BG/NBD: parameter a = 1e-08 ran to the optimiser's bound; the model degenerates on this data.")
    assert "落在优化边界上" in check_fit(model, "bgnbd").texts("zh")[0]


def test_a_sound_fit_passes(cdnow: pd.DataFrame) -> None:
    """CDNOW (FHL 2005 calibration): interior optimum, finite standard errors -> no problem."""
    model = BetaGeoModel().fit(cdnow)
    assert check_fit(model, "bgnbd").sound
    assert not check_fit(model, "bgnbd", holdout_pct_error=-12.0).problems
    huge = check_fit(model, "bgnbd", holdout_pct_error=-63.0)
    assert [k for k, _ in huge.problems] == ["clv.diag.holdout"]
    assert "-63.0%" in huge.texts()[0]


def test_synthetic_degenerate_data_leaves_no_model_to_choose() -> None:
    data = _never_leaving()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        comparison = compare_models(data)
    assert not caught  # the fits' ConvergenceWarnings became checks, none escaped
    assert comparison.best == "" and comparison.ranking == []
    assert not comparison.table["sound"].any()
    # Every customer bought last at T, so each likelihood is at most that of the best Poisson
    # rate per customer, sum x log(x / T) - x. The unbounded Newton steps once sent Pareto/NBD
    # to s ~ 1e44, where the sums lost every digit: log-likelihood +2.0e8, minutes per fit.
    x, age = data["frequency"].to_numpy(), data["T"].to_numpy()
    assert (comparison.table["log_likelihood"] <= np.sum(x * np.log(x / age) - x)).all()
    for name, check in comparison.checks.items():
        keys = {k for k, _ in check.problems}
        assert "clv.diag.bound" in keys, (name, keys)
    with pytest.raises(Exception, match="no model passed the soundness checks"):
        comparison.best_model


def test_rule_uses_bic_among_models_tied_on_holdout_mae() -> None:
    """Issue 11 numbers: MBG/NBD wins on MAE alone (0.7244 vs 0.7287) while BG/NBD has the lower
    BIC; 0.7287 is within 5% of 0.7244, so the rule picks BG/NBD."""
    table = pd.DataFrame({"bic": [2876.6, 2882.2, 2890.0], "holdout_mae": [0.7287, 0.7244, 0.7400]},
                         index=["bgnbd", "mbgnbd", "pnbd"])
    ranking, rule = rank_models(table, {"bgnbd": True, "mbgnbd": True, "pnbd": True})
    assert rule == "holdout_mae_bic" and ranking == ["bgnbd", "mbgnbd", "pnbd"]
    # an unsound fit is never chosen, however good its numbers
    ranking, _ = rank_models(table, {"bgnbd": False, "mbgnbd": True, "pnbd": True})
    assert ranking == ["mbgnbd", "pnbd"]
    # a model clearly worse on the holdout (beyond the tolerance) comes after, by MAE
    far = table.assign(holdout_mae=[0.7244 * (1 + MAE_TOLERANCE) + 0.01, 0.7244, 0.80])
    ranking, _ = rank_models(far, {"bgnbd": True, "mbgnbd": True, "pnbd": True})
    assert ranking == ["mbgnbd", "bgnbd", "pnbd"]
    # without a holdout: BIC alone
    ranking, rule = rank_models(table[["bic"]], {"bgnbd": True, "mbgnbd": True, "pnbd": True})
    assert (ranking, rule) == (["bgnbd", "mbgnbd", "pnbd"], "bic")
