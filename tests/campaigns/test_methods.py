"""CUPED, the power calculator and difference-in-differences on data with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from custlens.campaigns import (cuped_adjust, cuped_test, diff_in_diff, effect_size_h, plan_conversion_test,
                                power_proportions, spend_panel, welch_ttest)
from custlens.errors import InputError, MissingDataError
from custlens.store import Store


def _correlated(rng: np.random.Generator, n: int, rho: float, effect: float):
    x = rng.normal(100, 20, n)
    noise = rng.normal(0, 20, n)
    y = 50 + rho * (x - 100) + np.sqrt(1 - rho**2) * noise
    t = rng.random(n) < 0.5
    return x, y + effect * t, t


def test_cuped_reduces_variance_by_about_rho_squared_and_stays_unbiased() -> None:
    rng = np.random.default_rng(1)
    x, y, t = _correlated(rng, 20_000, rho=0.8, effect=2.0)
    res = cuped_test(y[~t], y[t], x[~t], x[t])
    assert res.variance_reduction == pytest.approx(0.64, abs=0.03)
    assert res.theta == pytest.approx(0.8, abs=0.03)
    plain = welch_ttest(y[~t], y[t])
    assert res.test.se < 0.7 * plain.se  # sqrt(1 - 0.64) = 0.6
    assert res.test.ci_low < 2.0 < res.test.ci_high


def test_cuped_gains_nothing_without_correlation() -> None:
    rng = np.random.default_rng(2)
    x, y, t = _correlated(rng, 5_000, rho=0.0, effect=0.0)
    res = cuped_test(y[~t], y[t], x[~t], x[t])
    assert abs(res.variance_reduction) < 0.01
    adj, theta = cuped_adjust(y, x)
    assert adj.mean() == pytest.approx(y.mean())  # centring keeps the mean
    with pytest.raises(InputError, match="differ in length"):
        cuped_adjust(y, x[:10])


@pytest.mark.parametrize("baseline,mde,alpha,power,ratio", [
    (0.05, 0.01, 0.05, 0.8, 1.0), (0.10, 0.02, 0.01, 0.9, 1.0), (0.30, -0.05, 0.05, 0.8, 3.0), (0.02, 0.005, 0.1, 0.95, 0.5),
])
def test_sample_size_matches_statsmodels(baseline: float, mde: float, alpha: float, power: float, ratio: float) -> None:
    plan = plan_conversion_test(baseline, mde, alpha, power, ratio)
    h = proportion_effectsize(baseline + mde, baseline)
    assert plan.effect_size == pytest.approx(h, rel=1e-12)
    ref = NormalIndPower().solve_power(h, alpha=alpha, power=power, ratio=ratio)
    assert plan.n_control_exact == pytest.approx(ref, rel=1e-6)
    assert plan.n_control == int(np.ceil(ref))
    assert plan.n_treatment == int(np.ceil(ref * ratio))
    assert power_proportions(h, plan.n_control, alpha, ratio) >= power
    assert power_proportions(h, 500, alpha, ratio) == pytest.approx(
        NormalIndPower().power(h, 500, alpha, ratio=ratio), rel=1e-9)


def test_closed_form_and_one_sided() -> None:
    """n = ((z_0.975 + z_0.8) / h)^2 * 2 for equal groups; h(0.06, 0.05) = 0.043907."""
    plan = plan_conversion_test(0.05, 0.01)
    assert round(effect_size_h(0.06, 0.05), 6) == 0.043907
    assert plan.n_closed_form == pytest.approx(((1.959964 + 0.841621) / 0.0439073) ** 2 * 2, rel=1e-5)
    assert plan.n_control == 8143 and plan.n_total == 16286
    one = plan_conversion_test(0.05, 0.01, two_sided=False)
    ref = NormalIndPower().solve_power(one.effect_size, alpha=0.05, power=0.8, alternative="larger")
    assert one.n_control_exact == pytest.approx(ref, rel=1e-6)
    with pytest.raises(InputError, match="must be a rate"):
        plan_conversion_test(0.95, 0.1)
    with pytest.raises(InputError, match="between 0 and 1"):
        plan_conversion_test(5, 0.01)


def _panel(rng: np.random.Generator, effect: float, n: int = 400, pretrend: float = 0.0) -> pd.DataFrame:
    units = np.arange(n)
    treated = (units < n // 2).astype(int)
    level = rng.normal(20, 5, n) + 3 * treated  # groups differ in level: DiD allows that
    periods = np.arange(-6, 4)
    u, p = np.meshgrid(units, periods, indexing="ij")
    post = (p >= 0).astype(int)
    y = (level[u] + 0.8 * p + pretrend * treated[u] * p + effect * treated[u] * post
         + rng.normal(0, 4, u.shape))
    return pd.DataFrame({"unit": u.ravel(), "period": p.ravel(), "treated": treated[u].ravel(),
                         "post": post.ravel(), "y": y.ravel()})


def test_did_recovers_a_planted_effect() -> None:
    rng = np.random.default_rng(3)
    panel = _panel(rng, effect=5.0)
    res = diff_in_diff(panel)
    assert res.ci_low < 5.0 < res.ci_high
    assert res.effect == pytest.approx(5.0, abs=0.6)
    assert res.p_value < 1e-6
    assert res.pretrend_p_value > 0.01
    assert res.n_treated == 200 and res.n_comparison == 200 and res.n_obs == 4000
    # The OLS interaction equals the difference of the four cell means (balanced panel).
    m = panel.groupby(["treated", "post"])["y"].mean()
    assert res.effect == pytest.approx((m[1, 1] - m[1, 0]) - (m[0, 1] - m[0, 0]), rel=1e-10)
    trends = res.trends
    assert set(trends["group"]) == {"treated", "comparison"} and len(trends) == 20
    hc1 = diff_in_diff(panel, cluster=False)
    assert hc1.effect == pytest.approx(res.effect) and hc1.cov_type == "HC1"


def test_did_no_effect_and_a_broken_parallel_trend() -> None:
    rng = np.random.default_rng(4)
    null = diff_in_diff(_panel(rng, effect=0.0))
    assert null.ci_low < 0 < null.ci_high
    bent = diff_in_diff(_panel(rng, effect=0.0, pretrend=1.0))
    assert bent.pretrend_p_value < 0.001  # the chart's warning sign, as a number
    with pytest.raises(MissingDataError):
        diff_in_diff(_panel(rng, 0.0).query("treated == 1"))


def test_spend_panel_from_the_store() -> None:
    with Store(":memory:") as st:
        st._con.execute("""INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES
            ('1', 'a', '2024-03-01 10:00', 10), ('2', 'a', '2024-03-12 10:00', 5), ('3', 'a', '2024-03-12 11:00', 7),
            ('4', 'b', '2024-02-28 09:00', 4),  ('5', 'c', '2024-03-20 08:00', 99), ('6', 'b', '2024-02-01', 1)""")
        panel = spend_panel(st, ["a"], ["b"], pd.Timestamp("2024-03-08"), periods_before=2, periods_after=2)
    got = panel.set_index(["unit", "period"])["y"].to_dict()
    # a: 10 on 03-01 (period -1), 12 on 03-12 (period 0); b: 4 on 02-28 (period -2); 02-01 is out of range.
    assert got == {("a", -2): 0.0, ("a", -1): 10.0, ("a", 0): 12.0, ("a", 1): 0.0,
                   ("b", -2): 4.0, ("b", -1): 0.0, ("b", 0): 0.0, ("b", 1): 0.0}
    assert panel.groupby("unit")["treated"].first().to_dict() == {"a": 1, "b": 0}
    assert panel["post"].tolist() == [0, 0, 1, 1, 0, 0, 1, 1]
