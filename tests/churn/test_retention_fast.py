"""`retention_analysis`'s cohorts and first-order values equal the code they replaced.

The references are the old implementations, kept here: the cohort label by string arithmetic on
every customer, and the first-order values looked up by customer id (`Series.reindex`). Checked
on the demo shop and on a shop with one-time buyers, same-second orders, customers whose first
order comes after ``as_of`` and first orders on either side of a half-year's edge.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from custlens import schema
from custlens.churn import retention as rt
from custlens.features.customer_table import customer_table
from custlens.features.purchase_days import build_customer_table


def _reference_cohort(first: pd.Series) -> pd.Series:
    ts = pd.to_datetime(first)
    return ts.dt.year.astype(str) + "H" + ((ts.dt.month - 1) // 6 + 1).astype(str)


def _reference_first_order_value(store, as_of: pd.Timestamp) -> pd.Series:
    o = store.table(schema.ORDERS.name)
    o = o.filter(o[schema.ORDERED_AT] < ibis.literal(as_of.to_pydatetime(), type="timestamp"))
    expr = o.group_by(schema.CUSTOMER_ID).aggregate(first_value=o[schema.AMOUNT].argmin(o[schema.ORDERED_AT]))
    return store.execute(expr).set_index(schema.CUSTOMER_ID)["first_value"].astype(float)


def _rows() -> list[tuple[str, str, str, float]]:
    rows = [("a1", "one", "2023-06-30 23:59:59", 5.0), ("b1", "jul", "2023-07-01 00:00:00", 7.0),
            ("c1", "same", "2023-12-31 10:00:00", 3.0), ("c2", "same", "2024-01-01 10:00:00", 8.0),
            ("z1", "late", "2024-09-01 10:00:00", 4.0)]
    for k in range(60):
        for j in range(1 + k % 4):
            rows.append((f"r{k}_{j}", f"c{k:02d}", str(pd.Timestamp("2023-01-03") + pd.Timedelta(days=7 * k + 40 * j)),
                         10.0 + k % 9 + j))
    return rows


@pytest.mark.parametrize("as_of", ["2024-03-01", "2024-08-01"])
def test_cohorts_and_first_values_equal_the_references(make_store, as_of: str) -> None:
    st = make_store(_rows())
    as_of = pd.Timestamp(as_of)
    table = customer_table(st, as_of).set_index(schema.CUSTOMER_ID, drop=False)
    got = rt._cohort(table["first_order_at"])
    pd.testing.assert_series_equal(got, _reference_cohort(table["first_order_at"]), check_names=False)
    assert {"2023H1", "2023H2"} <= set(got)
    ref = _reference_first_order_value(st, as_of).reindex(table.index)
    pd.testing.assert_series_equal(rt._first_order_value(st, as_of, table.index), ref, check_names=False)
    # another order of the customers: aligned by id, not by position
    back = table.index[::-1]
    pd.testing.assert_series_equal(rt._first_order_value(st, as_of, back), ref.reindex(back), check_names=False)
    assert "late" not in table.index


def test_cohort_of_a_missing_date_keeps_the_old_text() -> None:
    first = pd.Series(pd.to_datetime(["2024-02-01", None]))
    pd.testing.assert_series_equal(rt._cohort(first), _reference_cohort(first))


def test_retention_analysis_equals_the_reference_on_the_demo(demo, monkeypatch) -> None:
    as_of = demo.default_as_of()
    table = customer_table(demo, as_of)
    got = rt.retention_analysis(demo, as_of=as_of, horizon_days=60, customers=table)
    monkeypatch.setattr(rt, "_cohort", _reference_cohort)
    monkeypatch.setattr(rt, "_first_order_value",
                        lambda store, at, index=None, days=None: _reference_first_order_value(store, at).reindex(index))
    ref = rt.retention_analysis(demo, as_of=as_of, horizon_days=60, customers=table)
    pd.testing.assert_frame_equal(got.curves, ref.curves)
    pd.testing.assert_frame_equal(got.groups, ref.groups)
    pd.testing.assert_frame_equal(got.cox, ref.cox)
    assert [(s.key, s.args) for s in got.sentences] == [(s.key, s.args) for s in ref.sentences]
    assert set(got.curves["by"]) >= {"first_value", "cohort"} and np.isfinite(got.cox["hazard_ratio"]).all()


def _first_day_rows() -> list[tuple[str, str, str, float]]:
    """`_rows` plus customers with several orders on their first day: a later, smaller one the
    same day (argmin must not take the day's smallest amount), three the same day, a one-time
    buyer with two orders in one day, and a one-order first day followed by a busy day."""
    return _rows() + [
        ("m1", "multi", "2023-05-02 18:00:00", 2.0), ("m2", "multi", "2023-05-02 09:00:00", 9.0),
        ("m3", "multi", "2023-06-10 10:00:00", 4.0),
        ("t1", "three", "2023-04-01 12:00:00", 6.5), ("t2", "three", "2023-04-01 08:30:00", 3.25),
        ("t3", "three", "2023-04-01 23:59:59", 1.0),
        ("o1", "once2", "2023-09-09 11:00:00", 12.0), ("o2", "once2", "2023-09-09 10:59:59", 13.0),
        ("s1", "single", "2023-03-03 10:00:00", 21.0), ("s2", "single", "2023-03-04 08:00:00", 1.0),
        ("s3", "single", "2023-03-04 07:00:00", 0.5),
    ]


@pytest.mark.parametrize("as_of", ["2023-04-01", "2024-03-01", "2024-08-01"])
def test_first_values_from_the_purchase_days_equal_the_reference(make_store, monkeypatch, as_of: str) -> None:
    st = make_store(_first_day_rows())
    as_of = pd.Timestamp(as_of)
    build = build_customer_table(st, as_of)
    index = pd.Index(build.frame[schema.CUSTOMER_ID], name=schema.CUSTOMER_ID)
    asked: list[int] = []
    expr = rt._first_value_expr
    monkeypatch.setattr(rt, "_first_value_expr",
                        lambda store, at, ids=None: asked.append(-1 if ids is None else len(ids)) or expr(store, at, ids))
    got = rt._first_order_value(st, as_of, index, build.days)
    ref = _reference_first_order_value(st, as_of).reindex(index)
    pd.testing.assert_series_equal(got, ref, check_names=False)
    several = int((build.days.orders[build.days.start[:-1]] > 1).sum())
    assert asked == ([several] if several else [])  # only the customers with a busy first day
    if as_of > pd.Timestamp("2023-09-10"):
        assert several == 3 and got["multi"] == 9.0 and got["three"] == 3.25 and got["once2"] == 13.0
        assert got["single"] == 21.0


def test_first_values_ignore_purchase_days_of_other_customers_or_dates(make_store) -> None:
    st = make_store(_first_day_rows())
    as_of = pd.Timestamp("2024-03-01")
    build = build_customer_table(st, as_of)
    index = pd.Index(build.frame[schema.CUSTOMER_ID], name=schema.CUSTOMER_ID)
    ref = _reference_first_order_value(st, as_of).reindex(index)
    earlier = build_customer_table(st, pd.Timestamp("2023-12-01")).days
    pd.testing.assert_series_equal(rt._first_order_value(st, as_of, index, earlier), ref, check_names=False)
    back = index[::-1]  # other order of the customers: the store's values, by id
    pd.testing.assert_series_equal(rt._first_order_value(st, as_of, back, build.days), ref.reindex(back),
                                   check_names=False)


def test_first_values_from_the_purchase_days_on_the_demo(demo) -> None:
    as_of = demo.default_as_of()
    build = build_customer_table(demo, as_of)
    index = pd.Index(build.frame[schema.CUSTOMER_ID], name=schema.CUSTOMER_ID)
    got = rt._first_order_value(demo, as_of, index, build.days)
    pd.testing.assert_series_equal(got, _reference_first_order_value(demo, as_of).reindex(index), check_names=False)
    surv = rt.retention_analysis(demo, as_of=as_of, horizon_days=60, customers=build.frame, days=build.days)
    ref = rt.retention_analysis(demo, as_of=as_of, horizon_days=60, customers=build.frame)
    pd.testing.assert_frame_equal(surv.curves, ref.curves)
    pd.testing.assert_frame_equal(surv.cox, ref.cox)
