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
                        lambda store, at, index=None: _reference_first_order_value(store, at).reindex(index))
    ref = rt.retention_analysis(demo, as_of=as_of, horizon_days=60, customers=table)
    pd.testing.assert_frame_equal(got.curves, ref.curves)
    pd.testing.assert_frame_equal(got.groups, ref.groups)
    pd.testing.assert_frame_equal(got.cox, ref.cox)
    assert [(s.key, s.args) for s in got.sentences] == [(s.key, s.args) for s in ref.sentences]
    assert set(got.curves["by"]) >= {"first_value", "cohort"} and np.isfinite(got.cox["hazard_ratio"]).all()
