"""rfm(): the customer table with segments, the segment table and its JSON form."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlens.errors import InputError
from custlens.segments import SCHEMES, RFMResult, rfm, rfm_scores

CDNOW = Path(__file__).resolve().parents[3] / "shared" / "data" / "cdnow" / "CDNOW_master.txt"


def table(days, orders, spend) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(len(days))],
            "days_since_last": days,
            "orders": orders,
            "total_spend": spend,
            "favourite_channel": ["web"] * len(days),  # extra columns are ignored
        }
    )


SMALL = table([3, 40, 200, 9], [1, 1, 1, 4], [20.0, 35.0, 10.0, 300.0])


def test_customers_frame_has_scores_and_segments():
    res = rfm(SMALL)
    assert isinstance(res, RFMResult) and res.scheme == "rfm11" and res.bins == 5
    assert list(res.customers.columns) == [
        "customer_id", "days_since_last", "orders", "total_spend",
        "r_score", "f_score", "m_score", "fm_score", "segment",
    ]
    assert res.customers["segment"].tolist() == [
        "potential_loyalist", "at_risk", "lost", "champions",
    ]
    scores = rfm_scores(SMALL)
    for col in ("r_score", "f_score", "m_score", "fm_score"):
        assert res.customers[col].tolist() == scores[col].tolist()


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_segment_table_is_complete_and_in_display_order(scheme):
    res = rfm(SMALL, scheme=scheme)
    seg = res.segments
    assert seg["segment"].tolist() == list(SCHEMES[scheme].segments)
    assert list(seg.columns) == [
        "segment", "customers", "share", "revenue", "revenue_share", "mean_recency_days",
        "mean_orders", "mean_spend", "mean_r_score", "mean_f_score", "mean_m_score",
    ]
    assert seg["customers"].sum() == 4
    empty = seg[seg["customers"] == 0]
    assert (empty["revenue"] == 0).all() and (empty["share"] == 0).all()
    assert empty["mean_spend"].isna().all()
    # Each row agrees with the customers assigned to it.
    for row in seg[seg["customers"] > 0].itertuples():
        members = res.customers[res.customers["segment"] == row.segment]
        assert row.customers == len(members)
        assert row.revenue == pytest.approx(members["total_spend"].sum())
        assert row.mean_recency_days == pytest.approx(members["days_since_last"].mean())
        assert row.mean_f_score == pytest.approx(members["f_score"].mean())


def test_hand_computed_segment_row():
    res = rfm(SMALL)
    row = res.segments.set_index("segment").loc["champions"]
    assert row["customers"] == 1 and row["share"] == 0.25
    assert row["revenue"] == 300.0 and row["revenue_share"] == pytest.approx(300 / 365)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_to_dict_is_json_friendly_and_translated(lang):
    d = rfm(SMALL, scheme="cn8").to_dict(lang=lang)
    text = json.dumps(d, ensure_ascii=False)  # no NumPy types, no NaN
    assert "NaN" not in text
    assert d["scheme"] == "cn8" and d["customers"] == 4 and d["revenue"] == 365.0
    assert [s["segment"] for s in d["segments"]] == list(SCHEMES["cn8"].segments)
    first = d["segments"][0]
    assert {"segment", "name", "description", "action", "customers", "share", "revenue",
            "revenue_share", "mean_recency_days", "mean_r_score"} <= set(first)
    assert first["name"] == {"en": "Important value", "zh": "重要价值客户"}[lang]
    assert isinstance(first["customers"], int)
    empty = [s for s in d["segments"] if s["customers"] == 0]
    assert empty and all(s["mean_spend"] is None for s in empty)


def test_one_customer_and_zero_revenue():
    res = rfm(table([5], [1], [0.0]))
    assert res.customers["segment"].tolist() == ["lost"]  # scores are relative: (1, 1)
    assert res.segments["share"].sum() == 1.0
    assert (res.segments["revenue_share"] == 0).all()


def test_scheme_and_bins_errors():
    with pytest.raises(InputError, match="scheme='x' is not known"):
        rfm(SMALL, scheme="x")
    with pytest.raises(InputError, match="got bins=3"):
        rfm(SMALL, scheme="rf10", bins=3)
    res = rfm(SMALL, scheme="cn8", bins=3)
    assert res.customers["r_score"].between(1, 3).all()


rows = st.lists(
    st.tuples(
        st.integers(0, 400),
        st.integers(1, 12),
        st.floats(0, 1e5, allow_nan=False, allow_subnormal=False),
    ),
    min_size=1,
    max_size=80,
)


@settings(max_examples=60, deadline=None)
@given(rows=rows, scheme=st.sampled_from(list(SCHEMES)))
def test_shares_sum_to_one_and_revenue_is_conserved(rows, scheme):
    days, orders, spend = (list(c) for c in zip(*rows))
    res = rfm(table(days, orders, spend), scheme=scheme)
    seg = res.segments
    assert seg["customers"].sum() == len(rows)
    assert seg["share"].sum() == pytest.approx(1.0)
    total = math.fsum(spend)
    assert seg["revenue"].sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
    if total > 0:
        assert seg["revenue_share"].sum() == pytest.approx(1.0)
    assert set(res.customers["segment"]) <= set(SCHEMES[scheme].segments)


@pytest.mark.skipif(not CDNOW.exists(), reason="../shared/data not present")
def test_cdnow_master_one_order_customers_are_frequency_one():
    """CDNOW master as of 1998-07-01: 23,570 customers, about half with one order.

    The cohort all bought first in 1997 Q1, so recent customers are repeat buyers and New
    and Promising (recent, FM = 1) are rightly empty; Lost (R = 1, FM = 1) is not.
    """
    tx = pd.read_csv(CDNOW, sep=r"\s+")
    tx.columns = ["customer_id", "date", "cds", "spend"]
    tx["date"] = pd.to_datetime(tx["date"].astype(str), format="%Y%m%d")
    as_of = pd.Timestamp("1998-07-01")
    customers = tx.groupby("customer_id").agg(
        last=("date", "max"), orders=("date", "size"), total_spend=("spend", "sum")
    ).reset_index()
    customers["days_since_last"] = (as_of - customers["last"]).dt.days
    assert len(customers) == 23_570
    res = rfm(customers)
    scored = res.customers
    assert set(scored.loc[scored["orders"] == 1, "f_score"]) == {1}
    assert set(scored.loc[scored["orders"] > 1, "f_score"]) <= {3, 4, 5}
    assert res.segments["revenue"].sum() == pytest.approx(tx["spend"].sum())
    counts = res.segments.set_index("segment")["customers"]
    assert counts["new"] == 0 and counts["promising"] == 0
    assert counts["lost"] > 1000 and counts["champions"] > 1000
