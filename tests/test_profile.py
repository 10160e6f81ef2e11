"""Customer profile: chi-square and Cramér's V against scipy, hand counts on the toy shop, demo links."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import toyshop
from scipy.stats import chi2_contingency, contingency

from custlens.behaviour import MISSING
from custlens.profile import cramers_v, profile, strength


def test_cramers_v_by_hand_and_against_scipy() -> None:
    """2x2 [[10, 20], [30, 40]]: chi2 = n (ad - bc)^2 / (row and column totals) = 100 * 200^2 / 5,040,000."""
    chi2, p, dof, v = cramers_v(np.array([[10, 20], [30, 40]]), corrected=False)
    assert chi2 == pytest.approx(100 * 200**2 / (30 * 70 * 40 * 60))
    assert v == pytest.approx(np.sqrt(chi2 / 100)) and dof == 1
    table = np.array([[12, 5, 9], [3, 14, 8], [7, 7, 20]])
    assert cramers_v(table, corrected=False)[3] == pytest.approx(
        contingency.association(table, method="cramer", correction=False))
    assert cramers_v(np.array([[1, 2, 3]])) == (0.0, 1.0, 0, 0.0)
    assert [strength(x) for x in (0.05, 0.2, 0.4, 0.6)] == ["negligible", "weak", "moderate", "strong"]


def test_cramers_v_bias_correction_by_hand() -> None:
    """Bergsma (2013) on [[10, 20], [30, 40]] (n = 100, r = c = 2).

    chi2 = 0.7937; phi2+ = 0.007937 - 1/99 < 0 -> 0: V~ = 0 where the plain V says 0.089.
    On the 3x3 table (n = 85, chi2 from scipy): phi2+ = chi2/85 - 4/84, r~ = c~ = 3 - 4/84.
    """
    assert cramers_v(np.array([[10, 20], [30, 40]]))[3] == 0.0
    table = np.array([[12, 5, 9], [3, 14, 8], [7, 7, 20]])
    chi2 = chi2_contingency(table, correction=False)[0]
    expected = np.sqrt((chi2 / 85 - 4 / 84) / (2 - 4 / 84))
    v = cramers_v(table)[3]
    assert v == pytest.approx(expected) and v == pytest.approx(0.2784, abs=5e-4)
    assert v < contingency.association(table, method="cramer", correction=False)
    # independent attributes in a small sample: the plain V is far from 0, the corrected one is 0
    rng = np.random.default_rng(0)
    noise = rng.multinomial(60, [1 / 12] * 12).reshape(3, 4)
    assert cramers_v(noise, corrected=False)[3] > 0.1
    assert cramers_v(noise)[3] < cramers_v(noise, corrected=False)[3] / 2


def test_toy_distributions_keep_missing_values(toy) -> None:
    seg = pd.DataFrame({"customer_id": list("abcdf"), "segment": ["s1", "s1", "s2", "s2", "s2"]})
    res = profile(toy, as_of=toyshop.AS_OF, segments=seg)
    assert res.n_customers == 6  # five buyers and the prospect e
    d = res.distributions
    gender = d[d["dimension"] == "gender"].set_index("value")
    assert gender["customers"].to_dict() == {"F": 3, "M": 2, MISSING: 1}
    assert gender.loc["F", "revenue"] == pytest.approx(180 + 140 + 70)  # a, c, f
    assert gender.loc["M", "buyers"] == 1 and gender.loc["M", "revenue_per_customer"] == 100.0  # b 200, e 0
    ages = d[d["dimension"] == "age_band"]
    assert ages["value"].tolist() == ["18-24", "25-34", "35-44", "55+", MISSING]
    miss = res.missing.set_index("dimension")["missing"]
    assert miss["age_band"] == 1 and miss["city_tier"] == 1 and miss["region"] == 6
    assert "region" not in res.dimensions  # no region in the data: left out, counted as missing
    assert d.groupby("dimension")["customers"].sum().eq(6).all()
    assert set(res.tests["target"]) == {"value_band", "segment"}
    assert res.tests["p_value"].between(0, 1).all() and (res.tests["n"] == [6, 5] * len(res.dimensions)).all()


def test_profile_without_customer_table(toy, store) -> None:
    store._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES ('o', 'a', '2024-01-01', 5)")
    res = profile(store)
    assert res.dimensions == [] and res.tests.empty and res.missing["missing"].eq(1).all()
    assert res.findings().empty and "cramers_v" in res.findings().columns


def test_demo_income_goes_with_value(demo, demo_run) -> None:
    """The demo links income to spend per order (log income += 0.25 (-z_nu)); tiers to purchase rate."""
    res = profile(demo)
    # income is the strongest link to value; its bias-corrected V (0.09) is below the 0.1 of a
    # finding, where the plain V (0.11) crossed it only through the small-sample bias
    tests = res.tests[res.tests["target"] == "value_band"].set_index("dimension")
    assert tests["cramers_v"].idxmax() == "income_band" and tests.loc["income_band", "p_value"] < 1e-6
    assert 0.05 < tests.loc["income_band", "cramers_v"] < 0.1
    inc = res.distributions[res.distributions["dimension"] == "income_band"]
    inc = inc[inc["value"] != MISSING]
    truth = demo_run.truth["demographic_links"]["mean_expected_order_value_by_income_quintile"]
    assert inc["aov"].iloc[-1] > inc["aov"].iloc[0]
    assert np.corrcoef(inc["aov"], truth)[0, 1] > 0.8
    tier = res.distributions[res.distributions["dimension"] == "city_tier"].set_index("value")
    assert tier.loc["一线", "revenue_per_customer"] > tier.loc["四线及以下", "revenue_per_customer"]
    assert res.missing.set_index("dimension").loc["gender", "missing"] > 0  # the demo plants blanks


def test_age_from_birth_date_and_future_signups(store) -> None:
    """Born 15 Jun 2000: 23 full years on 1 Apr 2024 (band 18-24), not 24; z signs up after as_of."""
    store._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES "
                      "('o1', 'x', '2024-01-01', 10), ('o2', 'y', '2024-02-01', 20)")
    store._con.execute("INSERT INTO customers (customer_id, birth_date, signup_at) VALUES "
                      "('x', '2000-06-15', '2023-01-01'), ('y', '1999-03-01', '2023-01-01'), "
                      "('z', '1990-01-01', '2024-05-01')")
    res = profile(store, as_of="2024-04-01")
    ages = res.distributions[res.distributions["dimension"] == "age_band"].set_index("value")["customers"]
    assert ages.to_dict() == {"18-24": 1, "25-34": 1} and res.n_customers == 2
