"""The lifecycle read from the customer table's purchase days equals the one-pass query and the old queries.

Session 5: the report's lifecycle takes ``customers=ctx.customer_build()`` and reads the stages at
two dates and the monthly states from the purchase days the customer table kept (no pass over
the orders), and counts the value per stage on integer codes (`numpy.bincount`, CLV scores
matched by an Arrow hash lookup) instead of grouping a per-customer frame by stage names.
Compared here with `lifecycle` reading the orders (`read_activity`, itself compared with the
queries of 5c1950d in ``tests/test_lifecycle_onepass.py``), with those old queries, and with the
old `stage_value` (``tests/lifecycle_reference.py``), on the edge-case shop of
``test_lifecycle_onepass`` (one-time buyers, same-day orders, orders on the ``as_of`` and
``date_from`` boundaries, prospects with and without signup, a month without orders), on random
shops and on the demo shop. Counts, ids, stages and dates equal; revenue and CLV sums to 1e-12
relative (the same amounts added in another order).
"""

from __future__ import annotations

import lifecycle_reference as ref
import numpy as np
import pandas as pd
import pytest
from test_lifecycle_onepass import (AS_OF, RULES, _insert, _orders, assert_same_periods, assert_same_stages,
                                    edge_customers, edge_rows)

from custlens.features.purchase_days import build_customer_table
from custlens.lifecycle import StageRules, lifecycle, stage_value
from custlens.store import Store


def assert_same_values(new: pd.DataFrame, old: pd.DataFrame) -> None:
    """Value-per-stage tables: the same stages, counts and columns; sums to rounding."""
    assert list(new.columns) == list(old.columns)
    pd.testing.assert_series_equal(new["stage"], old["stage"])
    pd.testing.assert_series_equal(new["customers"], old["customers"])
    floats = [c for c in old.columns if c not in ("stage", "customers")]
    np.testing.assert_allclose(new[floats].to_numpy(dtype=float), old[floats].to_numpy(dtype=float),
                               rtol=1e-12, atol=1e-12)


def assert_same_lifecycle(st: Store, as_of: pd.Timestamp, date_from: pd.Timestamp, rules: StageRules) -> None:
    """From the purchase days (with and without per-customer rows) = from the orders = the old queries."""
    build = build_customer_table(st, as_of)
    orders = lifecycle(st, as_of=as_of, rules=rules, transitions_from=date_from)
    days = lifecycle(st, as_of=as_of, rules=rules, transitions_from=date_from, customers=build)
    lean = lifecycle(st, as_of=as_of, rules=rules, transitions_from=date_from, customers=build, per_customer=False)
    old_stages = ref.customer_stages(st, as_of, rules)
    old_tr = ref.transitions(st, date_from, as_of, rules, stages_to=old_stages)
    old_periods = ref.period_states(st, as_of)
    old_values = ref.stage_value(st, old_stages, as_of)
    assert_same_stages(days.customers, old_stages)
    assert_same_stages(days.customers, orders.customers)
    assert lean.customers.empty and list(lean.customers.columns) == list(old_stages.columns)
    for res in (orders, days, lean):
        assert_same_periods(res.periods, old_periods)
        assert_same_values(res.stages, old_values)
        pd.testing.assert_frame_equal(res.transitions.counts, old_tr.counts)
        pd.testing.assert_frame_equal(res.transitions.shares, old_tr.shares)
        assert res.clv_scores == orders.clv_scores


@pytest.fixture
def edge(tmp_path) -> Store:
    st = Store(tmp_path / "edge.duckdb")
    _insert(st, "orders", _orders(edge_rows()))
    _insert(st, "customers", edge_customers())
    yield st
    st.close()


@pytest.mark.parametrize("rules", RULES, ids=["default", "short"])
@pytest.mark.parametrize("as_of, date_from", [
    (AS_OF, AS_OF - pd.Timedelta(days=365)),
    (AS_OF, AS_OF - pd.Timedelta(days=1)),
    (AS_OF + pd.Timedelta(days=1), AS_OF),
    (pd.Timestamp("2024-01-17"), pd.Timestamp("2023-03-01")),
    (pd.Timestamp("2023-03-01"), pd.Timestamp("2022-01-01")),  # date_from before every order
])
def test_edges_from_the_purchase_days(edge, as_of, date_from, rules) -> None:
    assert_same_lifecycle(edge, as_of, date_from, rules)


def test_edge_shop_without_prospects_and_with_clv(edge, tmp_path) -> None:
    """No ``customers`` rows (the activity is the customer table's order); CLV scores with a
    duplicated id, a null score, an id that is no customer and a customer without a score."""
    st = Store(tmp_path / "bare.duckdb")
    _insert(st, "orders", _orders(edge_rows()))
    scores = pd.DataFrame({"customer_id": ["same_day", "same_day", "new_90", "mature_4", "nobody", "one_time"],
                           "clv": [10.5, 2.25, np.nan, 40.0, 99.0, 7.125]})
    for store in (st, edge):
        store.write("clv_scores", scores.assign(model="bgnbd", horizon_days=365.0, as_of=AS_OF))
        assert_same_lifecycle(store, AS_OF, AS_OF - pd.Timedelta(days=365), StageRules())
        res = lifecycle(store, as_of=AS_OF, customers=build_customer_table(store, AS_OF), per_customer=False)
        s = res.stages.set_index("stage")
        assert res.clv_scores["state"] == "ok"
        assert s.loc["reactivated", "clv"] == 12.75  # same_day's two rows; active_180, gap_180 have none
        assert s.loc["mature", "clv"] == 40.0 and s.loc["at_risk", "clv"] == 7.125
        assert np.isnan(s.loc["new", "clv"])  # new_90's score is null, the other new customers have none
    st.close()


def test_stage_value_of_any_frame(edge) -> None:
    """The public `stage_value` (now on codes) equals the old one on a frame with an unknown stage name."""
    stages = ref.customer_stages(edge, AS_OF)
    stages.loc[0, "stage"] = "vip"  # not a stage: left out by both
    assert_same_values(stage_value(edge, stages, AS_OF), ref.stage_value(edge, stages, AS_OF))


@pytest.mark.parametrize("seed", range(3))
def test_random_shops_from_the_purchase_days(tmp_path, seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    rows = []
    for i in range(120):
        cid = f"c{i}" if i % 4 else f"customer-{i:05d}"
        days = rng.integers(0, 800, size=int(rng.geometric(0.3)))
        days = np.concatenate([days, rng.choice(days, size=int(rng.integers(0, 3)))])  # same-day orders
        for d in days:
            at = pd.Timestamp("2022-01-01") + pd.Timedelta(days=int(d), seconds=int(rng.integers(0, 86400)))
            rows.append((cid, str(at), float(np.round(rng.gamma(2.0, 30.0), 2))))
    st = Store(tmp_path / f"r{seed}.duckdb")
    _insert(st, "orders", _orders(rows))
    ids = [f"c{i}" for i in range(1, 120, 5)] + [f"p{i}" for i in range(15)]
    signup = pd.Timestamp("2021-06-01") + pd.to_timedelta(rng.integers(0, 900, len(ids)), unit="D")
    _insert(st, "customers", pd.DataFrame({"customer_id": ids, "signup_at": signup.where(rng.random(len(ids)) > 0.2)}))
    as_of = pd.Timestamp("2024-02-11") if seed != 1 else pd.Timestamp("2022-09-01")  # orders after as_of too
    assert_same_lifecycle(st, as_of, as_of - pd.Timedelta(days=int(rng.integers(20, 500))), RULES[seed % 2])
    st.close()


def test_demo_from_the_purchase_days(demo) -> None:
    as_of = demo.default_as_of()
    assert_same_lifecycle(demo, as_of, as_of - pd.Timedelta(days=365), StageRules())


def test_the_build_must_share_the_as_of(edge) -> None:
    build = build_customer_table(edge, AS_OF)
    with pytest.raises(ValueError, match="customer table is as of 2024-07-01, the lifecycle as of 2024-06-01"):
        lifecycle(edge, as_of="2024-06-01", customers=build)
