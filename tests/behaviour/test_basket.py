"""Market basket: hand-computed support, confidence and lift; the demo's planted pairs come out on top."""

from __future__ import annotations

import pytest

from custlens.behaviour import market_basket
from custlens.errors import InputError, MissingDataError


def _rule(res, a: str, b: str):
    r = res.rules[(res.rules["antecedent"] == a) & (res.rules["consequent"] == b)]
    assert len(r) == 1, (a, b)
    return r.iloc[0]


def test_rules_by_hand(toy) -> None:
    """5 baskets: n(X)=4, n(Y)=4, n(Z)=2, n(XY)=3, n(YZ)=2, n(XZ)=1 (X twice in one order counts once)."""
    res = market_basket(toy, min_support=0.0)
    assert res.n_baskets == 5 and res.min_count == 2
    assert sorted(zip(res.pairs["item_a"], res.pairs["item_b"])) == [("X", "Y"), ("Y", "Z")]  # XZ: 1 order < 2
    xy = _rule(res, "X", "Y")
    assert (xy["orders"], xy["support"], xy["confidence"], xy["lift"]) == pytest.approx((3, 0.6, 0.75, 0.75 / 0.8))
    zy = _rule(res, "Z", "Y")
    assert (zy["support"], zy["confidence"], zy["lift"]) == pytest.approx((0.4, 1.0, 1.25))
    yz = _rule(res, "Y", "Z")
    assert (yz["confidence"], yz["lift"]) == pytest.approx((0.5, 1.25))
    assert res.rules["lift"].is_monotonic_decreasing
    assert xy["antecedent_name"] == "name X"


def test_min_support_and_confidence_filter(toy) -> None:
    assert len(market_basket(toy, min_support=0.5).pairs) == 1  # ceil(0.5 * 5) = 3 orders: XY only
    res = market_basket(toy, min_support=0.0, min_confidence=0.9)
    assert list(zip(res.rules["antecedent"], res.rules["consequent"])) == [("Z", "Y")]
    cat = market_basket(toy, level="category", min_support=0.0)
    assert set(cat.rules["antecedent"]) == {"catX", "catY", "catZ"}


def test_bad_arguments_and_missing_lines(toy, store) -> None:
    with pytest.raises(InputError, match="level='sku'"):
        market_basket(toy, level="sku")
    with pytest.raises(InputError, match="min_support"):
        market_basket(toy, min_support=2)
    store._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES ('o', 'a', '2024-01-01', 1)")
    with pytest.raises(MissingDataError, match="order_items"):
        market_basket(store)


def test_demo_planted_pairs_are_the_top_rules(demo, demo_run) -> None:
    res = market_basket(demo)
    planted = demo_run.truth["basket_pairs"]
    top = set(zip(res.rules["antecedent"].head(2 * len(planted)), res.rules["consequent"].head(2 * len(planted))))
    want = {(p["antecedent"], p["consequent"]) for p in planted} | {(p["consequent"], p["antecedent"]) for p in planted}
    assert top == want
    for p in planted:
        r = _rule(res, p["antecedent"], p["consequent"])
        assert r["orders"] == p["orders_with_both"]
        assert r["confidence"] == pytest.approx(p["confidence"], abs=1e-4)
        assert r["lift"] == pytest.approx(p["lift"], abs=0.01)
