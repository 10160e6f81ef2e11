"""Cohort retention: hand-computed on the toy shop, conservation on the demo."""

from __future__ import annotations

import pytest
import toyshop

from custlens.cohorts import cohorts
from custlens.errors import InputError


def test_toy_retention_by_hand(toy) -> None:
    """As of 1 Apr: cohorts Jan {a, b} and Feb {c, d}; f (Mar) has no complete period after month 0.

    Jan cohort: month 2 (Mar) a is active, a recurring buyer (first repeat on 20 Jan).
    Feb cohort: month 1 (Mar) d is active, first-time (first repeat on 1 Mar); d spends 9 x 10.
    """
    res = cohorts(toy, as_of=toyshop.AS_OF)
    assert res.cohorts["customers"].tolist() == [2, 2, 1]
    assert res.cohorts["periods_observed"].tolist() == [2, 1, 0]
    t = res.table.set_index([res.table["cohort"].dt.strftime("%Y-%m"), "period"])
    assert t.loc[("2024-01", 0), ["active", "revenue"]].tolist() == [2, 350.0]
    assert t.loc[("2024-01", 1), "active"] == 0
    assert t.loc[("2024-01", 2), ["retention", "retention_first", "retention_recurring"]].tolist() == [0.5, 0.0, 0.5]
    assert t.loc[("2024-01", 2), "revenue_retention"] == pytest.approx(30 / 350)
    assert t.loc[("2024-02", 1), ["retention", "retention_first", "retention_recurring"]].tolist() == [0.5, 0.5, 0.0]
    assert t.loc[("2024-02", 1), "revenue_retention"] == pytest.approx(90 / 200)
    avg = res.average.set_index("period")
    assert avg.loc[1, "retention"] == pytest.approx(1 / 4) and avg.loc[1, "cohorts"] == 2
    assert avg.loc[2, "retention"] == pytest.approx(1 / 2) and avg.loc[2, "customers"] == 2
    assert t.loc[("2024-01", 1), ["revenue", "revenue_0"]].tolist() == [0.0, 350.0]
    assert res.matrix().shape == (3, 3)
    with pytest.raises(InputError, match="value='x'"):
        res.matrix("x")


def test_average_revenue_retention_keeps_cohorts_with_no_revenue(toy) -> None:
    """Month 1: the Jan cohort spends 0 of its 350, the Feb cohort 90 of its 200.

    Pooled by hand: (0 + 90) / (350 + 200) = 0.1636. Dropping the Jan cohort (0 / 0 when period-0
    revenue was recovered as revenue / retention) gave 90 / 200 = 0.45.
    """
    avg = cohorts(toy, as_of=toyshop.AS_OF).average.set_index("period")
    assert avg.loc[1, "revenue_retention"] == pytest.approx(90 / 550)
    assert avg.loc[2, "revenue_retention"] == pytest.approx(30 / 350)


def test_partial_periods_are_left_out(toy) -> None:
    res = cohorts(toy, as_of="2024-03-15")  # March is not over: only Jan and Feb are complete
    assert res.table["period"].max() == 1
    assert res.cohorts["cohort"].dt.month.tolist() == [1, 2]  # f (25 Mar) is after as_of
    with pytest.raises(InputError, match="freq='week'"):
        cohorts(toy, freq="week")


def test_demo_cohorts_conserve_customers_and_revenue(demo) -> None:
    res = cohorts(demo)
    n = demo._con.execute("SELECT count(DISTINCT customer_id), sum(amount) FROM orders").fetchall()[0]
    assert res.cohorts["customers"].sum() == n[0]
    assert res.cohorts["revenue"].sum() == pytest.approx(n[1])
    month0 = res.table[res.table["period"] == 0]
    assert (month0["retention"] == 1).all()
    later = res.table[res.table["period"] >= 1]
    assert ((later["retention_first"] + later["retention_recurring"]) - later["retention"]).abs().max() < 1e-12
    # Retention decays: the first months keep more customers than a year later.
    avg = res.average.set_index("period")["retention"]
    assert avg[1] > avg[12] > 0
    q = cohorts(demo, freq="quarter")
    assert q.cohorts["customers"].sum() == n[0] and q.average.loc[1, "retention"] > avg[1]
