"""ABC / Pareto tiers: exact shares on hand-made data, the Gini closed form, conservation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlens.errors import InputError
from custlens.segments import abc_analysis, gini, lorenz_curve


def table(spend: list[float], orders: list[int] | None = None) -> pd.DataFrame:
    n = len(spend)
    return pd.DataFrame({"customer_id": [f"c{i:02d}" for i in range(n)], "total_spend": spend,
                         "orders": orders if orders is not None else [1] * n})


def test_shares_are_exact_on_hand_made_data() -> None:
    # 10 customers, revenue 100: 50 + 20 + 10 = 80 (A, the third closes 80%), 8 + 7 = 95 (B), 5 (C)
    spend = [50, 20, 10, 8, 7, 1, 1, 1, 1, 1]
    res = abc_analysis(table(spend, orders=[9, 5, 3, 2, 1, 1, 1, 1, 1, 1]))
    seg = res.segments.set_index("segment")
    assert seg["customers"].to_dict() == {"a": 3, "b": 2, "c": 5}
    assert seg["revenue"].to_dict() == {"a": 80.0, "b": 15.0, "c": 5.0}
    assert seg["revenue_share"].to_dict() == pytest.approx({"a": 0.8, "b": 0.15, "c": 0.05})
    assert seg["share"].to_dict() == pytest.approx({"a": 0.3, "b": 0.2, "c": 0.5})
    # orders 25 in all; orders before each customer: 0 9 14 17 19 | 20 21 22 23 | 24, i.e. shares
    # .76 < .8 for the 5th, the first of six equal one-order customers: the six are one group,
    # all heavy (by position they were split 1 heavy, 4 medium, 1 light by customer id)
    vol = res.volume.set_index("segment")["customers"].to_dict()
    assert vol == {"heavy": 10, "medium": 0, "light": 0}
    res2 = abc_analysis(table(spend, orders=[9, 5, 3, 2, 2, 1, 1, 1, 1, 1]))  # orders before: 0 9 14 17 19 21 ...
    vol = res2.volume.set_index("segment")["customers"].to_dict()
    assert vol == {"heavy": 5, "medium": 5, "light": 0}  # the 1s start at 21/26 = .81: all medium
    assert res.top20_share == pytest.approx(0.7)


def test_the_customer_crossing_the_cut_is_in_a_and_cuts_are_configurable() -> None:
    res = abc_analysis(table([70, 20, 6, 4]))
    assert res.customers["segment"].tolist() == ["a", "a", "b", "c"]
    res = abc_analysis(table([70, 20, 6, 4]), cuts=(0.5, 0.9))
    assert res.customers["segment"].tolist() == ["a", "b", "c", "c"]
    with pytest.raises(InputError, match="0 < a < b <= 1; got a=0.9, b=0.5"):
        abc_analysis(table([1, 2]), cuts=(0.9, 0.5))


def test_ties_are_listed_by_customer_id() -> None:
    res = abc_analysis(table([10, 10, 10, 10]))
    assert res.customers["customer_id"].tolist() == ["c00", "c01", "c02", "c03"]
    assert res.customers["segment"].tolist() == ["a", "a", "a", "a"]  # before: 0, .25, .5, .75 < .8


def test_equal_customers_at_a_cut_land_in_one_tier() -> None:
    """One big spender (500) then 50 customers of 10 each (total 1,000), cuts (0.8, 0.95).

    By position the 10s would be split: shares before them run 0.50, 0.51, ..., so the first 30
    (before < 0.8) were A and the next 15 B, the last 5 C, by customer id alone. As a group
    they all start at 0.50 < 0.8: all A. The same for orders: 1 heavy buyer, 50 with one order.
    """
    t = table([500.0] + [10.0] * 50)
    t["orders"] = [40] + [1] * 50
    res = abc_analysis(t)
    tiers = res.customers.groupby("total_spend")["segment"].unique()
    assert all(len(v) == 1 for v in tiers)
    assert res.customers["segment"].tolist() == ["a"] * 51
    assert res.customers.groupby("orders")["volume"].nunique().max() == 1
    # a group starting past a cut takes the next tier as a whole: 900 then 20 x 5 -> 20 x B
    res = abc_analysis(table([900.0] + [5.0] * 20))
    assert res.customers["segment"].tolist() == ["a"] + ["b"] * 20


def test_gini_closed_forms() -> None:
    assert gini([5, 5, 5, 5]) == 0.0
    for n in (2, 5, 40):
        assert gini([0] * (n - 1) + [7]) == pytest.approx((n - 1) / n)
    # 2 * (1*1 + 2*2 + 3*3 + 4*4) / (4 * 10) - 5 / 4 = 0.25
    assert gini([4, 1, 3, 2]) == pytest.approx(0.25)
    # uniform on [0, 1]: Gini -> 1/3
    assert gini(np.linspace(0, 1, 100001)) == pytest.approx(1 / 3, abs=1e-4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=60))
def test_gini_is_one_minus_twice_the_area_under_the_lorenz_curve(values: list[float]) -> None:
    lor = lorenz_curve(values)
    x, y = lor["customer_share"].to_numpy(), lor["revenue_share"].to_numpy()
    area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))
    expected = 1 - 2 * area if sum(values) > 0 else 0.0
    assert gini(values) == pytest.approx(expected, abs=1e-9)
    assert 0 <= gini(values) <= 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 1e5, allow_nan=False), min_size=1, max_size=80),
       st.floats(0.05, 0.9), st.floats(0.01, 0.09))
def test_every_customer_and_all_revenue_are_in_one_tier(values: list[float], a: float, gap: float) -> None:
    res = abc_analysis(table(values), cuts=(a, min(1.0, a + gap)))
    assert res.segments["customers"].sum() == len(values)
    assert res.segments["revenue"].sum() == pytest.approx(sum(values))
    # A is the smallest top group whose revenue reaches the cut, extended over the ties of its last member
    n_a = int(res.segments.set_index("segment").loc["a", "customers"])
    top = np.sort(values)[::-1]
    assert top[:n_a].sum() / top.sum() >= a - 1e-12
    first_of_last = int(np.argmax(top == top[n_a - 1]))
    assert top[:first_of_last].sum() / top.sum() < a
    assert n_a == len(top) or top[n_a] < top[n_a - 1]
    assert (res.customers.groupby("total_spend")["segment"].nunique() == 1).all()
