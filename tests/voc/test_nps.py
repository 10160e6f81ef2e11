"""NPS interval from the trinomial variance, its coverage, and the behaviour link."""

from __future__ import annotations

import numpy as np
import pytest

from custlens import Store
from custlens.errors import InputError
from custlens.loyalty import net_promoter_score
from custlens.voc import nps_analysis, nps_ci


def test_interval_by_the_formula() -> None:
    """50 promoters, 30 passives, 20 detractors: NPS 30, Var = (0.5 + 0.2 - 0.3²)/100 = 0.0061."""
    scores = [10] * 50 + [8] * 30 + [3] * 20
    r = nps_ci(scores)
    se = np.sqrt(0.0061)
    assert r["nps"] == pytest.approx(30.0)
    assert r["se"] == pytest.approx(100 * se)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((30 - 1.959964 * 100 * se, 30 + 1.959964 * 100 * se), rel=1e-6)
    assert (r["promoters"], r["passives"], r["detractors"]) == (50, 30, 20)
    assert r["nps"] == pytest.approx(net_promoter_score(scores)[0])  # same score as the loyalty module


def test_interval_covers_the_true_nps_about_95_percent() -> None:
    rng = np.random.default_rng(0)
    p = np.array([0.45, 0.30, 0.25])
    true = 100 * (p[0] - p[2])
    hits = 0
    for _ in range(2000):
        s = rng.choice([10, 8, 2], size=300, p=p)
        r = nps_ci(s)
        hits += r["ci_low"] <= true <= r["ci_high"]
    assert 0.93 < hits / 2000 < 0.97


def test_bad_scores_are_refused() -> None:
    with pytest.raises(InputError, match="0-10; got 11"):
        nps_ci([5, 11])
    assert np.isnan(nps_ci([])["nps"])


def test_behaviour_after_answering(tmp_path, put_rows) -> None:
    """A detractor who never buys again and a promoter who buys twice within 180 days."""
    st = Store(tmp_path / "b.duckdb")
    put_rows(st, "orders", ("order_id", "customer_id", "ordered_at", "amount"), [
        ("o1", "p", "2024-01-01 10:00:00", 10.0), ("o2", "d", "2024-01-01 10:00:00", 10.0),
        ("o3", "p", "2024-03-01 10:00:00", 20.0), ("o4", "p", "2024-04-01 10:00:00", 30.0),
        ("o5", "p", "2024-12-30 10:00:00", 5.0), ("o6", "d", "2024-09-01 10:00:00", 7.0),
    ])
    put_rows(st, "surveys", ("response_id", "customer_id", "answered_at", "nps"), [
        ("r1", "p", "2024-01-05 10:00:00", 10), ("r2", "d", "2024-01-05 10:00:00", 2),
        ("r3", "p", "2024-12-01 10:00:00", 10),  # too late: its 180-day window is not observed
    ])
    res = nps_analysis(st, as_of="2025-01-01")
    b = res.behaviour.set_index("group")
    assert b.loc["promoter", "orders_after"] == 2 and b.loc["promoter", "spend_after"] == 50.0
    assert b.loc["detractor", "orders_after"] == 0 and b.loc["detractor", "lapsed_share"] == 1.0
    assert res.overall["responses"] == 3
    st.close()


def test_demo_nps_and_drivers(demo, demo_run) -> None:
    res = nps_analysis(demo)
    assert res.overall["ci_low"] < res.overall["nps"] < res.overall["ci_high"]
    assert res.drivers["attribute"].iloc[0] == "quality"  # the largest planted NPS weight
    assert res.by_period["responses"].sum() == res.overall["responses"]
    assert set(res.behaviour["group"]) == {"promoter", "passive", "detractor"}


def test_a_given_customer_table_gives_the_same_results_and_a_wrong_one_is_refused(demo) -> None:
    """The report hands its customer table to the survey analyses instead of their building one
    more (~9 s at 1M customers): the results must be those of their own table."""
    import pandas as pd

    from custlens import analyses
    from custlens.features import customer_table
    from custlens.voc._data import as_of_for

    cut = as_of_for(demo, "surveys", None)
    table = customer_table(demo, cut)
    own, given = analyses.nps(demo), analyses.nps(demo, customers=table)
    pd.testing.assert_frame_equal(own.by_segment, given.by_segment)
    assert own.overall == given.overall
    csi_own, csi_given = analyses.satisfaction(demo), analyses.satisfaction(demo, customers=table)
    pd.testing.assert_frame_equal(csi_own.by_segment, csi_given.by_segment)
    pd.testing.assert_frame_equal(csi_own.by_channel, csi_given.by_channel)
    earlier = customer_table(demo, cut - pd.Timedelta(days=30))
    with pytest.raises(InputError, match="not the customer table"):
        analyses.nps(demo, customers=earlier)
