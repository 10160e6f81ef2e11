"""The generating process shows through: parameters come back, festivals, campaign, pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

from custlens.demo import DemoShop


def _bgnbd_negll(log_params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> float:
    """BG/NBD negative log-likelihood, Fader, Hardie & Lee (2005), equation (6)."""
    r, alpha, a, b = np.exp(log_params)
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a1 = special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * np.log(alpha + T)
    a2 = special.betaln(a + 1, b + x - 1) - special.betaln(a, b) - (r + x) * np.log(alpha + t_x)
    ll = common + np.where(x > 0, np.logaddexp(a1, np.where(x > 0, a2, -np.inf)), a1)
    return -float(ll.sum())


def test_bgnbd_parameters_recovered_from_truth(shop: DemoShop) -> None:
    per = shop.customers_truth()
    per = per[per["buyer"]]
    x, t_x, T = (per[c].to_numpy(float) for c in ("x", "t_x_days", "T_days"))
    truth = shop.truth["bgnbd"]
    start = np.log([1.0, 10.0, 1.0, 1.0])
    res = optimize.minimize(_bgnbd_negll, start, args=(x, t_x, T), method="L-BFGS-B")
    assert res.success, res.message
    r, alpha, a, b = np.exp(res.x)
    assert r == pytest.approx(truth["r"], rel=0.2)
    assert alpha == pytest.approx(truth["alpha_days"], rel=0.3)
    assert a / (a + b) == pytest.approx(truth["a"] / (truth["a"] + truth["b"]), abs=0.08)
    assert truth["alpha_weeks"] == pytest.approx(truth["alpha_days"] / 7)


def test_rate_heterogeneity_moments(shop: DemoShop) -> None:
    """Method of moments on the true lambdas: mean r/alpha, variance r/alpha^2."""
    lam = shop.customers_truth()["lambda_per_day"].to_numpy()
    m, v = lam.mean(), lam.var()
    assert m / v == pytest.approx(shop.truth["bgnbd"]["alpha_days"], rel=0.15)
    assert m * m / v == pytest.approx(shop.truth["bgnbd"]["r"], rel=0.15)
    p = shop.customers_truth()["p_dropout"].to_numpy()
    a, b = shop.truth["bgnbd"]["a"], shop.truth["bgnbd"]["b"]
    assert p.mean() == pytest.approx(a / (a + b), abs=0.02)


def test_gamma_gamma_mean_order_value(shop: DemoShop, valid: pd.DataFrame) -> None:
    per_order = valid.groupby("订单号")["paid"].sum()
    assert per_order.mean() == pytest.approx(shop.truth["gamma_gamma"]["mean_order_value"], rel=0.15)
    nu = shop.customers_truth()["nu"].to_numpy()
    gg = shop.truth["gamma_gamma"]
    assert nu.mean() == pytest.approx(gg["q"] / gg["v"], rel=0.05)


def test_income_raises_spend(shop: DemoShop) -> None:
    by_quintile = shop.truth["demographic_links"]["mean_expected_order_value_by_income_quintile"]
    assert by_quintile[-1] > 1.2 * by_quintile[0]


def test_festival_peaks_and_spring_festival_dip(shop: DemoShop, valid: pd.DataFrame) -> None:
    orders = valid.drop_duplicates("订单号")
    per_day = orders["ts"].dt.normalize().value_counts()
    for day in ("2024-11-11", "2025-11-11", "2025-06-18"):
        d = pd.Timestamp(day)
        around = per_day.reindex(pd.date_range(d - pd.Timedelta(days=35), d - pd.Timedelta(days=14))).fillna(0)
        assert per_day.get(d, 0) > 2.5 * around.mean(), day
    sf = pd.Timestamp(shop.truth["calendar"]["spring_festival"]["dates"]["2025"])
    dip = per_day.reindex(pd.date_range(sf, sf + pd.Timedelta(days=5))).fillna(0).mean()
    before = per_day.reindex(pd.date_range(sf - pd.Timedelta(days=40), sf - pd.Timedelta(days=20))).fillna(0).mean()
    assert dip < 0.7 * before


def test_evening_peak_and_weekends(valid: pd.DataFrame) -> None:
    timed = valid[valid["下单时间"].str.contains("/")].drop_duplicates("订单号")
    hours = timed["ts"].dt.hour.value_counts()
    assert hours.loc[[20, 21, 22]].sum() > 5 * hours.reindex([3, 4, 5], fill_value=0).sum()
    dow = timed["ts"].dt.day_of_week.value_counts()
    assert dow.loc[[5, 6]].mean() > dow.loc[[0, 1, 2]].mean()


def test_campaign_split_and_lift(shop: DemoShop) -> None:
    members = pd.read_csv(shop.paths["campaign_members"], dtype=str)
    truth = shop.truth["campaign"]
    counts = members["group"].value_counts()
    assert abs(counts["treatment"] - counts["control"]) <= 1
    assert counts.sum() == truth["members"] == members["customer_id"].nunique()
    assert (members["exposed_at"].str[:10] == truth["exposure_date"]).all()
    per = shop.customers_truth().set_index("customer_id")
    first = pd.to_datetime(per.loc[members["customer_id"], "first_order_at"])
    assert (first < pd.Timestamp(truth["exposure_date"])).all()
    extra = per.loc[members["customer_id"], "orders_campaign"].groupby(members["group"].to_numpy()).sum()
    assert extra.get("control", 0) == 0
    assert extra["treatment"] == truth["extra_purchases_made"] > 0
    assert 0 < truth["true_conversion_lift"] <= truth["extra_purchase_probability"]
    assert truth["true_incremental_revenue_per_member"] > 0


def test_basket_pairs_present(shop: DemoShop, valid: pd.DataFrame) -> None:
    baskets = valid.groupby("订单号")["商品编号"].agg(set)
    for pair in shop.truth["basket_pairs"]:
        with_a = baskets[baskets.map(lambda s, a=pair["antecedent"]: a in s)]
        both = with_a.map(lambda s, b=pair["consequent"]: b in s).sum()
        assert len(with_a) == pair["orders_with_antecedent"] >= 30
        assert both == pair["orders_with_both"]
        assert both / len(with_a) >= pair["p_consequent_given_antecedent"] - 0.1
        assert pair["lift"] > 3


def test_voice_of_customer_follows_satisfaction(shop: DemoShop) -> None:
    surveys = pd.read_csv(shop.paths["surveys"])
    assert surveys["nps"].between(0, 10).all() and surveys["csat"].between(1, 5).all()
    w = shop.truth["surveys"]["nps_driver_weights"]
    scores = surveys[[f"score_{k}" for k in w]].to_numpy(float)
    coef = np.linalg.lstsq(np.c_[np.ones(len(scores)), scores], surveys["nps"].to_numpy(float), rcond=None)[0][1:]
    assert np.argmax(coef) == list(w).index("quality")
    feedback = pd.read_csv(shop.paths["feedback"], dtype=str, keep_default_na=False)
    assert set(feedback["kind"]) == {"review", "complaint", "suggestion"}
    assert feedback["text"].str.contains(r"[\u4e00-\u9fff]").any()
    assert feedback["text"].str.fullmatch(r"[ -~]+").any()  # some plain-English texts
    tickets = pd.read_csv(shop.paths["tickets"], dtype=str, keep_default_na=False)
    assert (tickets["resolved_at"] == "").sum() == shop.truth["tickets"]["unresolved"]
    done = tickets[tickets["resolved_at"] != ""]
    assert (done["resolved_at"] >= done["opened_at"]).all()


@pytest.mark.slow
def test_bgnbd_parameters_recovered_tightly_at_scale() -> None:
    """60,000 simulated buyers: all four BG/NBD parameters within 10% (a, b within 20%)."""
    from custlens.demo._calendar import day_intensity
    from custlens.demo._params import DemoParams
    from custlens.demo._people import draw_members
    from custlens.demo._process import simulate

    params = DemoParams()
    weights, festival = day_intensity(pd.date_range("2024-01-01", "2026-09-30"), params.calendar)
    rng = np.random.default_rng(0)
    members = draw_members(60_000, params, rng)
    per = simulate(members, weights, festival, params, rng).per_member[members["buyer"].to_numpy()]
    x, t_x, T = (per[c].to_numpy(float) for c in ("x", "t_x_days", "T_days"))
    res = optimize.minimize(_bgnbd_negll, np.log([1.0, 10.0, 1.0, 1.0]), args=(x, t_x, T), method="L-BFGS-B")
    assert res.success, res.message
    r, alpha, a, b = np.exp(res.x)
    assert r == pytest.approx(params.r, rel=0.1)
    assert alpha == pytest.approx(params.alpha, rel=0.1)
    assert a == pytest.approx(params.a, rel=0.2)
    assert b == pytest.approx(params.b, rel=0.2)
