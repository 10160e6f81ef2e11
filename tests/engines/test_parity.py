"""The engine-parity suite: the same analyses on DuckDB and on Spark, on the same store.

Counts, scores, segments, ids and dates must be equal; floats equal to 1e-9 relative (the
engines add in different orders, so a sum of doubles may differ in its last bits). An analysis that does not run on Spark yet must raise `EngineNotSupported`
(reported as an expected failure, never a skip); if it runs, it is compared like the others,
so a Spark result that differs fails the test.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest


from custlens import Store
from custlens.errors import EngineNotSupported
from custlens.features import customer_table
from custlens.features.periods import headline_kpis, period_kpis

pytestmark = pytest.mark.spark

RTOL = 1e-9
AS_OF = "2025-07-01"  # the shop's as_of (tests/engines/conftest.py)


def assert_same_frame(duck: pd.DataFrame, spark: pd.DataFrame, what: str) -> None:
    """Equal columns and rows; exact for everything but floats (1e-9 relative; rounding to cents
    is not compared, as a ratio such as ``aov`` may sit on a half cent).

    Timestamps are compared as instants: DuckDB returns microsecond and Spark nanosecond
    ``datetime64`` columns for the same values.
    """
    assert list(duck.columns) == list(spark.columns), what
    assert len(duck) == len(spark), f"{what}: {len(duck)} rows on DuckDB, {len(spark)} on Spark"
    duck, spark = duck.reset_index(drop=True), spark.reset_index(drop=True)
    for col in duck.columns:
        a, b = duck[col], spark[col]
        label = f"{what}, column {col!r}"
        if pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
            x, y = a.to_numpy(dtype=float, na_value=np.nan), b.to_numpy(dtype=float, na_value=np.nan)
            np.testing.assert_allclose(y, x, rtol=RTOL, atol=0, equal_nan=True, err_msg=label)
        elif pd.api.types.is_datetime64_any_dtype(a):
            assert pd.api.types.is_datetime64_any_dtype(b), f"{label}: {b.dtype} on Spark"
            pd.testing.assert_series_equal(a.astype("datetime64[ns]"), b.astype("datetime64[ns]"), obj=label)
        else:
            assert a.dtype.kind == b.dtype.kind or (a.dtype == object and b.dtype == object), \
                f"{label}: {a.dtype} on DuckDB, {b.dtype} on Spark"
            assert a.isna().tolist() == b.isna().tolist(), f"{label}: nulls differ"
            assert a.dropna().tolist() == b.dropna().tolist(), f"{label}: values differ"


def assert_same(duck: Any, spark: Any, what: str) -> None:
    """Compare two results of one analysis: frames, dataclasses (field by field), dicts, numbers."""
    if isinstance(duck, pd.DataFrame):
        assert isinstance(spark, pd.DataFrame), what
        assert_same_frame(duck, spark, what)
    elif isinstance(duck, pd.Series):
        assert_same_frame(duck.to_frame(), spark.to_frame(), what)
    elif dataclasses.is_dataclass(duck):
        for field in dataclasses.fields(duck):
            assert_same(getattr(duck, field.name), getattr(spark, field.name), f"{what}.{field.name}")
    elif isinstance(duck, dict):
        assert duck.keys() == spark.keys(), what
        for key in duck:
            assert_same(duck[key], spark[key], f"{what}[{key!r}]")
    elif isinstance(duck, (list, tuple)):
        assert len(duck) == len(spark), what
        for i, (a, b) in enumerate(zip(duck, spark)):
            assert_same(a, b, f"{what}[{i}]")
    elif isinstance(duck, float) and not isinstance(spark, bool):
        assert spark == pytest.approx(duck, rel=RTOL, nan_ok=True), what
    else:
        assert duck == spark, f"{what}: {duck!r} on DuckDB, {spark!r} on Spark"


def run_both(duck: Store, spark: Store, fn: Callable[[Store], Any], what: str) -> Any:
    """``fn`` on both engines, the same result required (an `EngineNotSupported` fails the test)."""
    expected = fn(duck)
    got = fn(spark)
    assert_same(expected, got, what)
    return expected


# -- parts that run on Spark ------------------------------------------------------------------
def test_spark_store_runs_on_spark(spark: Store) -> None:
    """The store's Ibis handle is the PySpark backend, and its tables are Spark views."""
    assert spark.engine == "spark" and spark.ibis.name == "pyspark"
    assert spark.read_only
    orders = spark.table("orders")
    assert orders._find_backend().name == "pyspark"
    assert int(spark.execute(orders.count())) == spark.count("orders")


def test_customer_table(duck: Store, spark: Store) -> None:
    table = run_both(duck, spark, lambda st: customer_table(st, as_of=AS_OF), "customer table")
    # The fixture's edge cases are really in it (else the comparison proves little).
    t = table.set_index("customer_id")
    assert "late" not in t.index  # its only order is on as_of
    assert (t["orders"] == 1).sum() >= 80  # one-time buyers
    assert t.loc["tie_a", "orders"] == 3 and t.loc["tie_a", "purchase_days"] == 2
    assert t.loc["tie_a", "total_spend"] == t.loc["tie_b", "total_spend"] == 150.0
    assert t.loc["tie_a", "favourite_category"] == "books"
    assert t.loc["tie_a", "returns_count"] == 0  # its refund is after as_of
    assert (t["returns_count"] > 0).sum() >= 30
    assert t["favourite_channel"].isna().any() and t["discount_share"].notna().any()


def test_customer_table_default_as_of(duck: Store, spark: Store) -> None:
    """Default as_of (the day after the last order, read from the store file) on both engines."""
    run_both(duck, spark, customer_table, "customer table, default as_of")


@pytest.mark.parametrize("freq", ["W", "M", "Q"])
def test_period_kpis(duck: Store, spark: Store, freq: str) -> None:
    run_both(duck, spark, lambda st: period_kpis(st, freq=freq, as_of=AS_OF), f"period KPIs {freq}")


def test_headline_kpis(duck: Store, spark: Store) -> None:
    kpis = run_both(duck, spark, lambda st: headline_kpis(st, as_of=AS_OF), "headline KPIs")
    assert kpis["returns_count"] > 0


@pytest.mark.parametrize("scheme", ["rfm11", "cn8"])
def test_rfm(duck: Store, spark: Store, scheme: str) -> None:
    """RFM scores the customer table in pandas: equal tables give equal scores and segments."""
    from custlens.segments import rfm

    result = run_both(duck, spark, lambda st: rfm(customer_table(st, as_of=AS_OF), scheme=scheme), f"RFM {scheme}")
    assert result.customers.loc[result.customers["customer_id"] == "tie_a", "segment"].tolist() == \
        result.customers.loc[result.customers["customer_id"] == "tie_b", "segment"].tolist()


# -- analyses whose queries are Ibis expressions (issue 14, point 3) -------------------------
def test_cohorts(duck: Store, spark: Store) -> None:
    from custlens.cohorts import cohorts

    run_both(duck, spark, lambda st: cohorts(st, as_of=AS_OF), "cohorts")


@pytest.mark.parametrize("name", ["purchase_frequency", "purchase_timing", "preferences", "market_basket"])
def test_behaviour(duck: Store, spark: Store, name: str) -> None:
    from custlens import behaviour

    fn = getattr(behaviour, name)
    options = {"level": "category"} if name == "market_basket" else {}  # the shop's lines have categories
    run_both(duck, spark, lambda st: fn(st, as_of=AS_OF, **options), name)


def _sorted_examples(report: dict[str, Any]) -> dict[str, Any]:
    """``report`` with each problem's examples sorted: the simple checks' examples come from a
    ``LIMIT`` without ``ORDER BY`` (as the SQL version had), so their order is the engine's."""
    for problem in report["problems"]:
        problem["examples"] = sorted(problem["examples"], key=lambda e: json.dumps(e, sort_keys=True))
    return report


def test_quality(duck: Store, spark: Store) -> None:
    """The data-quality assessment: every count, score, grade and example equal on both engines."""
    from custlens.quality import assess

    report = run_both(duck, spark, lambda st: _sorted_examples(
        assess(st, as_of=AS_OF, max_problems=None).to_dict()), "quality")
    # The shop has problems for the comparison to bite on (else it proves little).
    failing = {p["check"] for p in report["problems"]}
    assert {"quality.check.missing_values", "quality.check.future_date"} <= failing, failing
    assert all(p["examples"] for p in report["problems"])

# -- analyses parity-tested since (festivals, lifecycle, loyalty, profile, the customer 360) ---
@pytest.mark.parametrize("name", ["festivals", "lifecycle", "loyalty", "profile"])
def test_more_analyses(duck: Store, spark: Store, name: str) -> None:
    """Each analysis's whole result (frames, numbers, texts) equal on both engines."""
    from custlens import analyses

    fn = getattr(analyses, name)
    options = {"country": "CN"} if name == "festivals" else {}
    result = run_both(duck, spark, lambda st: fn(st, as_of=AS_OF, **options).to_dict(), name)
    # The shop gives each analysis something to compare (else the comparison proves little).
    if name == "festivals":
        assert len(result["summary"]) >= 2
    elif name == "lifecycle":
        assert sum(s["customers"] for s in result["stages"]) > 200
    elif name == "loyalty":
        assert result["base"] > 100 and result["retained"] > 0
    else:
        assert result["n_customers"] > 200 and result["distributions"], result


@pytest.mark.parametrize("customer_id", ["tie_a", "c002", "c003"])
def test_customer_360(duck: Store, spark: Store, customer_id: str) -> None:
    from custlens import analyses

    run_both(duck, spark, lambda st: analyses.customer(st, customer_id, as_of=AS_OF).to_dict(), "360")
