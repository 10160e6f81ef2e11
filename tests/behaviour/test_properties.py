"""Hypothesis: basket rules equal a brute-force count; aggregations conserve customers and revenue."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custlens.behaviour import market_basket, purchase_frequency
from custlens.cohorts import cohorts
from custlens.lifecycle import customer_stages
from custlens.store import Store

baskets = st.lists(st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=4), min_size=1, max_size=25)
orders = st.lists(st.tuples(st.sampled_from("pqrst"), st.integers(0, 200), st.integers(1, 500)), min_size=1,
                  max_size=40)


def _store(order_rows: list[tuple[str, str, pd.Timestamp, float]], items: list[tuple[str, int, str]] | None = None):
    s = Store(":memory:")
    s._con.register("_o", pd.DataFrame(order_rows, columns=["order_id", "customer_id", "ordered_at", "amount"]))
    s._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) SELECT * FROM _o")
    if items:
        s._con.register("_i", pd.DataFrame(items, columns=["order_id", "line_no", "product_id"]))
        s._con.execute("INSERT INTO order_items (order_id, line_no, product_id) SELECT * FROM _i")
    return s


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baskets)
def test_rules_equal_a_brute_force_count(bs: list[list[str]]) -> None:
    day = pd.Timestamp("2024-01-01 10:00")
    rows = [(f"o{i}", "c", day, 1.0) for i in range(len(bs))]
    items = [(f"o{i}", k, it) for i, b in enumerate(bs) for k, it in enumerate(b)]
    with _store(rows, items) as s:
        res = market_basket(s, min_support=0.0)
    sets = [set(b) for b in bs]
    n = len(sets)
    single = Counter(it for b in sets for it in b)
    pair = Counter(p for b in sets for p in itertools.combinations(sorted(b), 2))
    want = {(a, b): c for (a, b), c in pair.items() if c >= 2}
    want |= {(b, a): c for (a, b), c in want.items()}
    got = {(r.antecedent, r.consequent): r for r in res.rules.itertuples()}
    assert set(got) == set(want)
    for (a, b), c in want.items():
        r = got[(a, b)]
        assert r.support == pytest.approx(c / n)
        assert r.confidence == pytest.approx(c / single[a])
        assert r.lift == pytest.approx((c / single[a]) / (single[b] / n))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders)
def test_customers_and_revenue_are_conserved(rows: list[tuple[str, int, int]]) -> None:
    start = pd.Timestamp("2024-01-01")
    data = [(f"o{i}", c, start + pd.Timedelta(days=d, hours=12), float(a)) for i, (c, d, a) in enumerate(rows)]
    as_of = start + pd.Timedelta(days=230)
    with _store(data) as s:
        freq = purchase_frequency(s, as_of=as_of)
        coh = cohorts(s, as_of=as_of)
        stages = customer_stages(s, as_of)
    customers = {c for c, _, _ in rows}
    revenue = float(sum(a for _, _, a in rows))
    assert freq.n_customers == len(customers) == coh.cohorts["customers"].sum() == len(stages)
    assert freq.buckets["revenue"].sum() == pytest.approx(revenue)
    assert coh.cohorts["revenue"].sum() == pytest.approx(revenue)
    assert stages["revenue"].sum() == pytest.approx(revenue)
    assert 0 <= freq.repeat_rate <= 1 and not math.isnan(freq.repeat_rate)
    assert (coh.table["retention"].between(0, 1)).all()
