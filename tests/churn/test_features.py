"""Snapshot features: hand-computed trends, and no feature reads data dated after its snapshot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.churn import snapshot_features


def test_trend_and_gap_features_by_hand(make_store) -> None:
    st = make_store([
        ("1", "a", "2024-01-10", 100.0),   # 2 quarters before the snapshot 2024-07-01
        ("2", "a", "2024-02-20", 100.0),   # previous quarter [2024-01-03, 2024-04-02)
        ("3", "a", "2024-05-01", 80.0),    # last quarter [2024-04-02, 2024-07-01)
        ("4", "b", "2024-06-01", 50.0),
        ("5", "b", "2024-06-21", 50.0),
        ("6", "a", "2024-07-01", 999.0),   # on the snapshot day: not seen
    ])
    f = snapshot_features(st, "2024-07-01", 30)
    a, b = f.loc["a"], f.loc["b"]
    assert a["orders"] == 3 and a["spend_90d"] == 80.0 and a["orders_90d"] == 1
    assert a["spend_change"] == pytest.approx(80.0 / 200.0 - 1.0)       # -60%
    assert a["days_since_last"] == 61                                   # 2024-05-01 -> 07-01
    assert a["usual_gap_days"] == pytest.approx(112 / 2)                # (05-01 - 01-10) / 2 gaps
    assert a["gap_ratio"] == pytest.approx(61 / 56)
    assert np.isnan(b["spend_change"])                                  # nothing in the quarter before
    assert b["usual_gap_days"] == 20 and b["gap_ratio"] == pytest.approx(10 / 20)


def _add_future_rows(store, snapshot: pd.Timestamp, customers: list[str]) -> None:
    """Orders, returns, surveys, feedback and tickets dated on or after ``snapshot``."""
    con = store._con
    for i, cid in enumerate(customers):
        at = snapshot + pd.Timedelta(hours=1 + i)
        con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount, channel) VALUES (?, ?, ?, ?, ?)",
                    [f"future{i}", cid, at, 5000.0, "future-channel"])
        con.execute("INSERT INTO returns (order_id, customer_id, returned_at, amount) VALUES (?, ?, ?, ?)",
                    [f"future{i}", cid, at, 100.0])
        con.execute("INSERT INTO surveys (response_id, customer_id, answered_at, nps, csat) VALUES (?, ?, ?, ?, ?)",
                    [f"futureR{i}", cid, at, 0.0, 1.0])
        con.execute("INSERT INTO feedback (feedback_id, customer_id, created_at, text, kind) VALUES (?, ?, ?, ?, ?)",
                    [f"futureF{i}", cid, at, "terrible", "complaint"])
        con.execute("INSERT INTO tickets (ticket_id, customer_id, opened_at, satisfaction) VALUES (?, ?, ?, ?)",
                    [f"futureT{i}", cid, at, 1.0])


@pytest.mark.slow
def test_rows_after_the_snapshot_change_no_feature(demo_store) -> None:
    snapshot = pd.Timestamp("2026-03-21")
    before = snapshot_features(demo_store, snapshot, 194)
    customers = list(before.index[:200]) + ["brand-new-customer"]
    _add_future_rows(demo_store, snapshot, customers)
    after = snapshot_features(demo_store, snapshot, 194)
    pd.testing.assert_frame_equal(before, after)
    # the same rows one day *before* the snapshot do change the features (the test can fail)
    _add_future_rows(demo_store, snapshot - pd.Timedelta(days=1), customers[:4] + ["brand-new-customer"])
    earlier = snapshot_features(demo_store, snapshot, 194)
    assert "brand-new-customer" in earlier.index
    assert (earlier.loc[customers[:4], "total_spend"] > before.loc[customers[:4], "total_spend"]).all()
    assert (earlier.loc[customers[:4], "complaints_90d"] > before.loc[customers[:4], "complaints_90d"]).all()


def test_features_of_some_customers_equal_their_rows_of_all(make_store) -> None:
    """`customers=` reads only the sampled customers' rows; their own features are unchanged."""
    rows = []
    for k in range(6):
        for j in range(k + 1):  # customer k buys k + 1 times, every 20 + k days
            rows.append((f"o{k}_{j}", f"c{k}", str(pd.Timestamp("2024-01-05") + pd.Timedelta(days=j * (20 + k))),
                         10.0 + k))
    st = make_store(rows)
    full = snapshot_features(st, "2024-07-01", 30)
    some = snapshot_features(st, "2024-07-01", 30, customers=pd.Index(["c1", "c4", "c5"]))
    assert list(some.index) == ["c1", "c4", "c5"]
    own = ["orders", "frequency", "days_since_last", "T_days", "total_spend", "aov", "orders_90d", "spend_90d",
           "spend_change", "gap_mean_days"]
    pd.testing.assert_frame_equal(some[own], full.loc[["c1", "c4", "c5"], own])
    # a shop-level quantity comes from the sample: the usual gap of a one-time buyer is the
    # sample's median gap (c4: 24 days, c5: 25), not the shop's
    one_time = snapshot_features(st, "2024-07-01", 30, customers=pd.Index(["c0", "c4", "c5"]))
    assert one_time.loc["c0", "usual_gap_days"] == pytest.approx(24.5)
    assert full.loc["c0", "usual_gap_days"] == pytest.approx(float(np.median([21, 22, 23, 24, 25])))


def test_a_given_customer_table_is_reused_only_for_its_date(make_store) -> None:
    from custlens.churn.features import snapshot_frame
    from custlens.errors import InputError
    from custlens.features import customer_table

    st = make_store([("1", "a", "2024-01-10", 100.0), ("2", "a", "2024-05-01", 80.0), ("3", "b", "2024-06-01", 50.0)])
    own = snapshot_features(st, "2024-07-01", 30)
    reused, _ = snapshot_frame(st, "2024-07-01", 30, table=customer_table(st, "2024-07-01"))
    pd.testing.assert_frame_equal(reused, own)
    with pytest.raises(InputError, match="not as of 2024-07-01"):
        snapshot_frame(st, "2024-07-01", 30, table=customer_table(st, "2024-06-20"))
    with pytest.raises(InputError, match="lacks the columns"):
        snapshot_frame(st, "2024-07-01", 30, table=customer_table(st, "2024-07-01").drop(columns="aov"))
