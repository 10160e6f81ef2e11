"""CLV arithmetic, holdout validation, tracking and model choice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.clv import (BetaGeoModel, GammaGammaModel, compare_models, customer_lifetime_value,
                          holdout_by_frequency, holdout_errors, score_customers, tracking)
from custlens.errors import InputError

BG = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)


def test_clv_without_discount_is_spend_times_purchases(cdnow: pd.DataFrame) -> None:
    data = cdnow.head(50)
    clv = customer_lifetime_value(BG, data, horizon_months=12, discount_rate=0.0, time_unit="W")
    expected = data["monetary_value"] * BG.expected_purchases(data, 12 * 365.25 / 12 / 7)
    np.testing.assert_allclose(clv, expected, rtol=1e-10)
    by_days = customer_lifetime_value(BG, data, horizon_days=365.25, discount_rate=0.0)
    np.testing.assert_allclose(by_days, clv, rtol=1e-10)
    discounted = customer_lifetime_value(BG, data, horizon_months=12, discount_rate=0.05)
    assert np.all(discounted <= clv + 1e-12)
    with pytest.raises(InputError):
        customer_lifetime_value(BG, data, horizon_months=12, horizon_days=30)


def test_score_customers_table(cdnow: pd.DataFrame) -> None:
    gg = GammaGammaModel().fit(cdnow)
    table = score_customers(BG, cdnow, gg, horizon_months=6)
    assert list(table.columns) == ["predicted_purchases", "p_alive", "expected_spend", "clv"]
    assert table.index.equals(cdnow.index)
    np.testing.assert_allclose(table["p_alive"], BG.p_alive(cdnow))
    np.testing.assert_allclose(table["clv"], customer_lifetime_value(BG, cdnow, gg, horizon_months=6))


def test_holdout_tables(cdnow: pd.DataFrame) -> None:
    by_freq = holdout_by_frequency(BG, cdnow)
    assert by_freq["customers"].sum() == len(cdnow)
    assert (by_freq["actual"] * by_freq["customers"]).sum() == pytest.approx(1882)
    assert by_freq["predicted"].is_monotonic_increasing
    err = holdout_errors(BG, cdnow)
    assert err["actual"] == 1882 and err["predicted"] == pytest.approx(1653, abs=2)
    assert err["aggregate_pct_error"] == pytest.approx(100 * (err["predicted"] - 1882) / 1882)


def test_tracking_matches_counts(cdnow_transactions: pd.DataFrame) -> None:
    tr = tracking(BG, cdnow_transactions, "sample_id", "date", "1997-09-30", "1998-06-30")
    assert len(tr) == 78
    assert tr.loc[~tr["holdout"], "actual"].sum() == 2457
    assert tr.loc[tr["holdout"], "actual"].sum() == 1882
    assert tr["model_cumulative"].is_monotonic_increasing
    # the model tracks the cumulative curve within 10% at the end of calibration
    end_cal = tr.loc[~tr["holdout"]].iloc[-1]
    assert end_cal["model_cumulative"] == pytest.approx(end_cal["actual_cumulative"], rel=0.1)


def test_compare_models(cdnow: pd.DataFrame) -> None:
    result = compare_models(cdnow)
    assert set(result.table.index) == {"bgnbd", "mbgnbd", "pnbd"}
    # the rule: lowest BIC among the sound fits within 5% of the best holdout MAE. CDNOW: MAE
    # 0.7545 Pareto/NBD, 0.7648 MBG/NBD, 0.7855 BG/NBD (all within 5%); BIC 19,195.3 MBG/NBD,
    # 19,195.9 BG/NBD, 19,221.0 Pareto/NBD
    assert result.criterion == "holdout_mae_bic" and result.table["sound"].all()
    tied = result.table[result.table["holdout_mae"] <= 1.05 * result.table["holdout_mae"].min()]
    assert result.best == tied["bic"].idxmin() == "mbgnbd"
    assert result.ranking == ["mbgnbd", "bgnbd", "pnbd"]
    by_bic = compare_models(cdnow[["frequency", "recency", "T"]])
    assert by_bic.criterion == "bic" and by_bic.best == by_bic.table["bic"].idxmin()
    assert by_bic.best_model is by_bic.models[by_bic.best]
