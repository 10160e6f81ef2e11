"""VoC per customer: as-of safe, and wired into churn features, the Cox model and the customer 360."""

from __future__ import annotations

import pandas as pd
import pytest

from custlens import Store
from custlens.voc.customer import customer_voc


@pytest.fixture
def shop(tmp_path, put_rows) -> Store:
    st = Store(tmp_path / "c.duckdb")
    put_rows(st, "orders", ("order_id", "customer_id", "ordered_at", "amount"), [
        ("o1", "a", "2024-01-01 10:00:00", 10.0), ("o2", "a", "2024-02-01 10:00:00", 10.0),
        ("o3", "b", "2024-01-15 10:00:00", 10.0)])
    put_rows(st, "surveys", ("response_id", "customer_id", "answered_at", "nps", "csat"), [
        ("r1", "a", "2024-01-05 10:00:00", 3, 2), ("r2", "a", "2024-03-05 10:00:00", 10, 5)])
    put_rows(st, "feedback", ("feedback_id", "customer_id", "created_at", "text", "kind"), [
        ("f1", "a", "2024-01-06 10:00:00", "The parcel arrived broken, terrible.", "complaint"),
        ("f2", "a", "2024-03-06 10:00:00", "Great, thank you!", "review")])
    put_rows(st, "tickets", ("ticket_id", "customer_id", "opened_at", "resolved_at"), [
        ("t1", "a", "2024-01-07 10:00:00", "2024-03-01 10:00:00")])
    yield st
    st.close()


def test_only_rows_before_as_of_count(shop) -> None:
    """On 2024-02-15 customer a had answered NPS 3 once, complained once in 2 orders, and the
    ticket was still open (resolved on 1 March); the March rows do not exist yet."""
    row = customer_voc(shop, pd.Timestamp("2024-02-15")).loc["a"]
    assert row["surveys"] == 1 and row["nps_last"] == 3 and row["complaints"] == 1
    assert row["complaint_rate"] == pytest.approx(0.5) and row["open_tickets"] == 1
    assert row["feedback_sentiment"] < 0.5  # only the complaint
    later = customer_voc(shop, pd.Timestamp("2024-04-01")).loc["a"]
    assert later["nps_last"] == 10 and later["open_tickets"] == 0 and later["feedback_sentiment"] > row["feedback_sentiment"]


def test_customer_360_shows_voc(shop) -> None:
    from custlens.customer360 import customer_360

    d = customer_360(shop, "a", as_of="2024-02-15").to_dict()
    assert d["voc"]["nps_last"] == 3 and d["voc"]["complaints"] == 1
    assert customer_360(shop, "b", as_of="2024-02-15").voc is None


def test_churn_features_include_sentiment_as_of(shop) -> None:
    from custlens.churn.features import snapshot_features

    f = snapshot_features(shop, "2024-02-15", 60)
    assert f.loc["a", "feedback_sentiment"] < 0.5 and f.loc["a", "nps_last"] == 3
    assert pd.isna(f.loc["b", "feedback_sentiment"])


def test_demo_cox_has_voc_hazard_ratios(demo) -> None:
    from custlens.churn.retention import retention_analysis

    cox = retention_analysis(demo).cox.set_index("covariate")
    assert {"nps_last", "complaint_rate", "feedback_sentiment"} <= set(cox.index)
    # The demo ties satisfaction to the dropout rate: a higher last NPS means a lower hazard.
    assert cox.loc["nps_last", "hazard_ratio"] < 1
