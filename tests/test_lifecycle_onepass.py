"""The one-pass lifecycle equals the queries it replaced (``tests/lifecycle_reference.py``).

Session 4 read the stages at two dates, the gap before the last purchase day and the monthly
states from one aggregate over the orders (per-customer lists of days and amounts, reduced in
NumPy) instead of three queries with windows. These tests compare every frame with the old
queries, kept verbatim as the reference: on a shop built for the edges (first orders on the
``as_of`` and ``date_from`` boundaries, one-time buyers, same-day orders, customers exactly at
each stage threshold, prospects with and without a signup date, a month without orders,
duplicated customer rows), on random shops, and on the demo shop.

Counts, ids, stages and dates must be equal; revenue sums equal to 1e-12 relative (the store
and NumPy add the same amounts in different orders).
"""

from __future__ import annotations

import lifecycle_reference as ref
import numpy as np
import pandas as pd
import pytest

from custlens.errors import InputError
from custlens.lifecycle import StageRules, customer_stages, lifecycle, period_states, transitions
from custlens.store import Store

AS_OF = pd.Timestamp("2024-07-01")
RULES = [StageRules(), StageRules(new_days=30, active_days=40, churn_days=60, mature_orders=2,
                                  reactivation_gap_days=20)]


def _insert(store: Store, table: str, df: pd.DataFrame) -> None:
    store._con.register("_t", df)
    cols = ", ".join(f'"{c}"' for c in df.columns)
    store._con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _t')
    store._con.unregister("_t")


def _orders(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["customer_id", "ordered_at", "amount"])
    df.insert(0, "order_id", [f"o{i}" for i in range(len(df))])
    df["ordered_at"] = pd.to_datetime(df["ordered_at"], format="ISO8601")
    return df


def _days_before(days: int, when: pd.Timestamp = AS_OF, time: str = "12:00") -> str:
    return f"{(when - pd.Timedelta(days=days)).date()} {time}"


def edge_rows() -> list[tuple[str, str, float]]:
    """Orders at the edges of the default rules as of `AS_OF` (days counted to `AS_OF`)."""
    rows = [
        ("on_as_of", str(AS_OF), 10.0),                       # not observed: ordered on as_of
        ("before_as_of", _days_before(1, time="23:59:59"), 11.0),  # the last second observed
        ("one_time", _days_before(200), 12.5),
        ("same_day", _days_before(50, time="09:00"), 5.0), ("same_day", _days_before(50, time="21:00"), 6.0),
        ("same_day", _days_before(250), 7.0),                # gap 200 before a day with two orders
        ("new_90", _days_before(90), 1.0),                   # first order exactly new_days ago: new
        ("new_91", _days_before(91), 1.0),                   # one day more: active
        ("active_180", _days_before(400), 2.0), ("active_180", _days_before(180), 2.0),
        ("active_181", _days_before(400), 2.0), ("active_181", _days_before(181), 2.0),
        ("churn_365", _days_before(365), 3.0), ("churn_366", _days_before(366), 3.0),
        ("gap_180", _days_before(300), 4.0), ("gap_180", _days_before(120), 4.0),  # reactivated
        ("gap_179", _days_before(299), 4.0), ("gap_179", _days_before(120), 4.0),  # not (gap 179)
        ("mature_4", *[None] * 2),
        ("d0_first", str(AS_OF - pd.Timedelta(days=365)), 8.0),  # first order at the transitions' date_from
        ("d0_last_second", _days_before(366, time="23:59:59"), 8.5),
        ("signed_late", _days_before(10), 9.0),              # signup after as_of, yet a buyer
    ]
    rows = [r for r in rows if r[1] is not None]
    rows += [("mature_4", _days_before(d), 1.25) for d in (100, 60, 30, 20)]  # exactly mature_orders
    rows += [("mature_3", _days_before(d), 1.25) for d in (100, 60, 30)]
    # A shop-wide month without orders: nobody buys in 2023-03.
    rows += [("quiet", "2023-02-10 10:00", 20.0), ("quiet", "2023-04-10 10:00", 21.0),
             ("quiet", "2023-05-02 10:00", 22.0)]
    return rows


def edge_customers() -> pd.DataFrame:
    ids = ["prospect_old", "prospect_undated", "prospect_late", "one_time", "signed_late", "twice", "twice"]
    signup = ["2023-01-01", None, str((AS_OF + pd.Timedelta(days=3)).date()), "2022-01-01", str((AS_OF + pd.Timedelta(days=5)).date()),
              None, "2024-05-01"]  # 'twice': two rows, one undated (known at any date)
    return pd.DataFrame({"customer_id": ids, "signup_at": pd.to_datetime(signup)})


@pytest.fixture
def edge(tmp_path) -> Store:
    st = Store(tmp_path / "edge.duckdb")
    _insert(st, "orders", _orders(edge_rows()))
    _insert(st, "customers", edge_customers())
    yield st
    st.close()


def assert_same_stages(new: pd.DataFrame, old: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(new.drop(columns="revenue"), old.drop(columns="revenue"))
    np.testing.assert_allclose(new["revenue"], old["revenue"], rtol=1e-12, atol=0)


def assert_same_periods(new: pd.DataFrame, old: pd.DataFrame) -> None:
    money = [c for c in old.columns if c.startswith("revenue_")]
    pd.testing.assert_frame_equal(new.drop(columns=money), old.drop(columns=money))
    np.testing.assert_allclose(new[money].to_numpy(), old[money].to_numpy(), rtol=1e-12, atol=1e-9)


def assert_same_everything(st: Store, as_of: pd.Timestamp, date_from: pd.Timestamp, rules: StageRules) -> None:
    """`lifecycle` (stages, states, transitions from one pass) and `transitions` equal the old queries."""
    old_stages = ref.customer_stages(st, as_of, rules)
    old_tr = ref.transitions(st, date_from, as_of, rules, stages_to=old_stages)
    res = lifecycle(st, as_of=as_of, rules=rules, transitions_from=date_from)
    assert_same_stages(res.customers, old_stages)
    assert_same_periods(res.periods, ref.period_states(st, as_of))
    for tr in (res.transitions, transitions(st, date_from, as_of, rules),
               transitions(st, date_from, as_of, rules, stages_to=old_stages)):
        pd.testing.assert_frame_equal(tr.counts, old_tr.counts)
        pd.testing.assert_frame_equal(tr.shares, old_tr.shares)
        assert (tr.date_from, tr.date_to) == (old_tr.date_from, old_tr.date_to)


def test_edge_stages_by_hand(edge) -> None:
    """The edges land where the rules say (so the comparison below compares something)."""
    stages = customer_stages(edge, AS_OF)
    assert_same_stages(stages, ref.customer_stages(edge, AS_OF))
    assert_same_periods(period_states(edge, AS_OF), ref.period_states(edge, AS_OF))
    st = stages.set_index("customer_id")
    want = {"before_as_of": "new", "one_time": "at_risk", "same_day": "reactivated", "new_90": "new",
            "new_91": "active", "active_180": "reactivated", "active_181": "at_risk", "churn_365": "at_risk",
            "churn_366": "churned", "gap_180": "reactivated", "gap_179": "active", "mature_4": "mature",
            "mature_3": "active", "prospect_old": "prospect", "prospect_undated": "prospect", "twice": "prospect",
            "signed_late": "new", "d0_first": "at_risk", "d0_last_second": "churned", "quiet": "churned"}
    assert st["stage"].to_dict() == want  # on_as_of and prospect_late are not known yet
    assert st.loc["same_day", "prev_gap_days"] == 200 and st.loc["same_day", "orders"] == 3
    assert np.isnan(st.loc["one_time", "prev_gap_days"]) and st.loc["gap_179", "prev_gap_days"] == 179
    assert st.loc["active_180", "days_since_last"] == 180


@pytest.mark.parametrize("rules", RULES, ids=["default", "short"])
@pytest.mark.parametrize("as_of, date_from", [
    (AS_OF, AS_OF - pd.Timedelta(days=365)),  # d0_first's first order is on date_from
    (AS_OF, AS_OF - pd.Timedelta(days=1)),
    (AS_OF + pd.Timedelta(days=1), AS_OF),    # on_as_of is observed now; its order is on date_from
    (pd.Timestamp("2024-01-17"), pd.Timestamp("2023-03-01")),  # mid-month as_of, date_from before a quiet month
    (pd.Timestamp("2023-03-01"), pd.Timestamp("2022-01-01")),  # date_from before every order
])
def test_edges_equal_the_old_queries(edge, as_of, date_from, rules) -> None:
    assert_same_everything(edge, as_of, date_from, rules)


@pytest.mark.parametrize("seed", range(3))
def test_random_shops_equal_the_old_queries(tmp_path, seed: int) -> None:
    """Random shops: bursts of same-day orders, long gaps, prospects, ids of mixed length."""
    rng = np.random.default_rng(seed)
    n = 150
    rows = []
    for i in range(n):
        cid = f"c{i}" if i % 3 else f"customer-{i:05d}"
        k = int(rng.geometric(0.25))
        days = rng.integers(0, 900, size=k)
        days = np.concatenate([days, rng.choice(days, size=int(rng.integers(0, 3)))])  # same-day repeats
        for d in days:
            at = pd.Timestamp("2022-01-01") + pd.Timedelta(days=int(d), seconds=int(rng.integers(0, 86400)))
            rows.append((cid, str(at), float(np.round(rng.gamma(2.0, 30.0), 2))))
    st = Store(tmp_path / f"random{seed}.duckdb")
    _insert(st, "orders", _orders(rows))
    ids = [f"c{i}" for i in range(1, n, 3)] + [f"p{i}" for i in range(20)]
    signup = pd.Timestamp("2021-06-01") + pd.to_timedelta(rng.integers(0, 1000, len(ids)), unit="D")
    _insert(st, "customers", pd.DataFrame({"customer_id": ids, "signup_at": signup.where(rng.random(len(ids)) > 0.2)}))
    as_of = pd.Timestamp("2024-06-19") if seed != 1 else pd.Timestamp("2023-02-01")  # orders after as_of too
    assert_same_everything(st, as_of, as_of - pd.Timedelta(days=int(rng.integers(30, 400))), RULES[seed % 2])
    st.close()


def test_demo_equals_the_old_queries(demo) -> None:
    as_of = demo.default_as_of()
    assert_same_everything(demo, as_of, as_of - pd.Timedelta(days=365), StageRules())
    res = lifecycle(demo, as_of=as_of)
    assert res.transitions is None and "transitions" not in res.to_dict()
    assert len(res.customers) > 1000 and res.customers["stage"].nunique() >= 5


def test_without_a_customers_table_and_too_early(tmp_path) -> None:
    st = Store(tmp_path / "bare.duckdb")
    _insert(st, "orders", _orders([("a", "2024-01-05 10:00", 5.0), ("a", "2024-03-05 10:00", 6.0),
                                   ("b", "2024-02-01 00:00", 7.0)]))
    assert_same_everything(st, pd.Timestamp("2024-04-01"), pd.Timestamp("2024-02-01"), RULES[1])
    early = customer_stages(st, "2023-12-01")
    assert early.empty and list(early.columns) == list(ref.customer_stages(st, "2023-12-01").columns)
    with pytest.raises(InputError, match="as_of=2023-12-01.*later as_of"):
        period_states(st, "2023-12-01")
    with pytest.raises(InputError, match="before"):
        lifecycle(st, as_of="2024-04-01", transitions_from="2024-04-01")
    st.close()
