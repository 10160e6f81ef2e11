"""assess(): planted problems are found with exact counts; a clean store scores 100."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from custlens import Store, i18n
from custlens.errors import InputError, MissingDataError
from custlens.quality import QualityReport, assess
from custlens.quality import scoring

TODAY = "2024-03-01"

#: (table, column, check) -> (failing count, rows checked), planted in conftest.fill_messy.
EXPECTED = {
    ("orders", "customer_id", "unknown_customer"): (2, 8),
    ("orders", "ordered_at", "before_1990"): (1, 8),
    ("orders", "ordered_at", "future_date"): (1, 8),
    ("orders", "amount", "not_positive"): (1, 8),
    ("orders", "order_id", "duplicate_key"): (1, 8),
    ("orders", "discount", "negative_value"): (1, 2),
    ("orders", "amount", "line_sum_mismatch"): (1, 4),
    ("orders", "channel", "missing_values"): (1, 8),
    ("orders", "discount", "missing_values"): (6, 8),
    ("orders", None, "quarantined_rows"): (3, 12),
    ("orders", None, "ingest_unbalanced"): (1, 1),
    ("order_items", "order_id, line_no", "duplicate_key"): (1, 8),
    ("order_items", "quantity", "not_positive"): (1, 8),
    ("order_items", "unit_price", "negative_value"): (1, 8),
    ("order_items", "line_amount", "negative_value"): (0, 8),
    ("order_items", "order_id", "unknown_order"): (1, 8),
    ("returns", "amount", "not_positive"): (1, 5),
    ("returns", "order_id", "return_without_order"): (1, 5),
    ("returns", "amount", "return_exceeds_order"): (1, 5),
    ("returns", "returned_at", "return_before_order"): (1, 5),
    ("returns", "customer_id", "unknown_customer"): (0, 5),
    ("customers", "customer_id", "duplicate_key"): (1, 5),
    ("customers", "age", "age_out_of_range"): (2, 3),
    ("customers", "birth_date", "birth_date_out_of_range"): (1, 1),
    ("customers", "signup_at", "future_date"): (1, 2),
    ("customers", "income", "negative_value"): (1, 2),
    ("customers", "signup_at", "missing_values"): (3, 5),
    ("customers", "birth_date", "missing_values"): (4, 5),
    ("customers", "age", "missing_values"): (2, 5),
    ("customers", "income", "missing_values"): (3, 5),
    ("surveys", "nps", "nps_out_of_range"): (1, 4),
    ("surveys", "csat", "csat_out_of_range"): (2, 4),
    ("surveys", "customer_id", "unknown_customer"): (1, 4),
    ("surveys", "response_id", "duplicate_key"): (1, 4),
    ("feedback", "kind", "invalid_kind"): (1, 2),
    ("feedback", "customer_id", "unknown_customer"): (0, 2),
    ("tickets", "resolved_at", "resolved_before_opened"): (1, 3),
    ("tickets", "first_response_at", "response_before_opened"): (1, 3),
    ("tickets", "customer_id", "unknown_customer"): (1, 3),
    ("campaign_members", "group", "invalid_group"): (1, 3),
    ("campaign_members", "cost", "negative_value"): (1, 3),
    ("campaign_members", "campaign_id, customer_id", "duplicate_key"): (1, 3),
}


def _by_key(report: QualityReport) -> dict[tuple, tuple[int, int]]:
    out = {}
    for row in report.checks.itertuples(index=False):
        column = None if pd.isna(row.column) else row.column
        name = row.check.removeprefix("quality.check.")
        assert (row.table, column, name) not in out, "a check ran twice"
        checked = None if pd.isna(row.checked) else int(row.checked)
        out[(row.table, column, name)] = (int(row.count), checked)
    return out


@pytest.fixture(scope="module")
def messy_checks(messy_shared: Store) -> dict[tuple, tuple[int, int]]:
    return _by_key(assess(messy_shared, as_of=TODAY))


@pytest.mark.parametrize("key", list(EXPECTED), ids=lambda k: f"{k[0]}.{k[1]}.{k[2]}")
def test_planted_problem_counts(messy_checks: dict, key: tuple) -> None:
    assert messy_checks[key] == EXPECTED[key]


def test_every_failing_check_is_planted(messy_checks: dict) -> None:
    """No check fires that was not planted (guards against false positives)."""
    checks = messy_checks
    planted = {k for k, (n, _) in EXPECTED.items() if n}
    fired = {k for k, (n, _) in checks.items() if n and k[2] != "stale_data"}
    assert fired == planted


def test_problems_sorted_with_examples(messy: Store) -> None:
    report = assess(messy, as_of=TODAY, max_problems=None)
    p = report.problems
    assert list(p.columns) == ["table", "column", "check", "dimension", "count", "share", "severity", "examples"]
    rank = p["severity"].map({"high": 0, "medium": 1, "low": 2})
    assert rank.is_monotonic_increasing
    for _, group in p.groupby(rank):
        assert group["count"].is_monotonic_decreasing
    row = p[(p["check"] == "quality.check.unknown_customer") & (p["table"] == "orders")].iloc[0]
    examples = json.loads(row["examples"])
    assert sorted(e["customer_id"] for e in examples) == ["c8", "c9"]
    assert row["share"] == pytest.approx(2 / 8) and row["dimension"] == "consistency"
    dup = p[(p["check"] == "quality.check.duplicate_key") & (p["table"] == "orders")].iloc[0]
    assert [e["order_id"] for e in json.loads(dup["examples"])] == ["o6", "o6"]
    assert all(len(json.loads(e)) <= 3 for e in p["examples"])
    assert len(assess(messy, as_of=TODAY, max_problems=5).problems) == 5


def test_ingest_accounting(messy: Store) -> None:
    report = assess(messy, as_of=TODAY)
    q = report.quarantine
    assert q[["source", "table_name", "reason", "rows"]].values.tolist() == [
        ["orders.csv", "orders", "bad date", 2],
        ["orders.csv", "orders", "missing customer", 1],
    ]
    assert report.ingest_log["balanced"].tolist() == [False]


def test_clean_store_scores_100(clean: Store) -> None:
    report = assess(clean, as_of=TODAY)
    assert report.problems.empty, report.problems
    assert report.score == 100.0 and report.grade == "A"
    assert set(report.tables["table"]) == {
        "orders", "order_items", "returns", "customers", "surveys", "feedback", "tickets", "campaign_members"
    }
    assert (report.tables["score"] == 100.0).all()
    assert all(v == 100.0 for v in report.dimensions.values())
    # optional columns nobody filled are not held against the data
    cols = report.columns.set_index(["table", "column"])
    assert not cols.loc[("orders", "payment_method"), "provided"]
    assert cols.loc[("orders", "channel"), "completeness"] == 1.0


def test_messy_scores_are_lower_and_consistent(messy: Store) -> None:
    report = assess(messy, as_of=TODAY)
    orders = report.tables.set_index("table").loc["orders"]
    # orders: 8 rows, one duplicate id -> 100 * (1 - 1/8)
    assert orders["uniqueness"] == pytest.approx(87.5)
    assert report.score < 90 and report.grade in {"B", "C", "D", "F"}
    assert report.grade == scoring.grade(report.score)
    expected_dims = {d: report.tables[d].dropna().mean() for d in report.dimensions}
    assert report.dimensions == pytest.approx(expected_dims)


def test_timeliness(clean: Store) -> None:
    """Latest order Feb 29; judged on June 8 it is 100 days old: 100 * (365 - 100) / 358."""
    report = assess(clean, as_of="2024-06-08")
    facts = report.timeliness.set_index("table")
    assert facts.loc["orders", "age_days"] == 100
    assert facts.loc["orders", "score"] == pytest.approx(100 * 265 / 358)
    stale = report.problems[report.problems["check"] == "quality.check.stale_data"]
    # rows affected, not days: every order is at least 100 days old
    row = stale.set_index("table").loc["orders"]
    assert row["count"] == clean.count("orders") != 100
    assert row["share"] == 1.0
    assert '"age_days": 100' in row["examples"]
    assert "order_items" not in facts.index  # no date column
    assert assess(clean, as_of="2026-01-01").dimensions["timeliness"] == 0.0


def test_future_rows_do_not_make_data_fresh(clean: Store, put_rows) -> None:
    put_rows(clean, "orders", ("order_id", "customer_id", "ordered_at", "amount"),
             [("o9", "c1", "2030-01-01", 5.0)])
    facts = assess(clean, as_of="2024-06-08").timeliness.set_index("table")
    assert facts.loc["orders", "age_days"] == 100


def test_only_orders_loaded(store: Store, put_rows) -> None:
    put_rows(store, "orders", ("order_id", "customer_id", "ordered_at", "amount"),
             [("o1", "a", "2024-02-01", 5.0), ("o2", "b", "2024-02-02", 6.0)])
    report = assess(store, as_of="2024-02-03")
    assert report.tables["table"].tolist() == ["orders"]
    assert report.score == 100.0
    assert pd.isna(report.tables.loc[0, "consistency"])  # nothing to be consistent with


def test_unknown_customers_judged_against_orders_without_customers_table(store: Store, put_rows) -> None:
    put_rows(store, "orders", ("order_id", "customer_id", "ordered_at", "amount"), [("o1", "a", "2024-02-01", 5.0)])
    put_rows(store, "surveys", ("response_id", "customer_id", "answered_at", "nps"),
             [("s1", "a", "2024-02-01", 9.0), ("s2", "zz", "2024-02-01", 9.0)])
    checks = _by_key(assess(store, as_of="2024-02-03"))
    assert checks[("surveys", "customer_id", "unknown_customer")] == (1, 2)


def test_empty_store_is_a_clear_error(store: Store) -> None:
    with pytest.raises(MissingDataError, match="no data"):
        assess(store)


def test_bad_today(clean: Store) -> None:
    with pytest.raises(InputError, match="as_of='soon' is not a date"):
        assess(clean, as_of="soon")


def test_to_dict_is_json(messy: Store) -> None:
    data = json.loads(json.dumps(assess(messy, as_of=TODAY).to_dict(), allow_nan=False))
    assert data["today"] == TODAY
    assert data["grade_rule"] == "quality.grade_rule"
    assert set(data["dimensions"]) == {"completeness", "validity", "uniqueness", "consistency", "timeliness"}
    assert isinstance(data["problems"][0]["examples"], list)


def test_every_key_is_translated(messy: Store) -> None:
    report = assess(messy, as_of=TODAY, max_problems=None)
    keys = set(report.checks["check"]) | {report.grade_rule, "quality.summary"}
    keys |= {f"quality.dimension.{d}" for d in report.dimensions}
    keys |= {f"quality.severity.{s}" for s in report.checks["severity"]}
    for key in keys:
        for lang in i18n.LANGS:
            assert i18n.t(key, lang, score=90, grade="A").strip()
    assert not [m for m in i18n.missing() if m[0].startswith("quality.")]


def test_line_sum_tolerance(store: Store, put_rows) -> None:
    """Lines may differ from the amount by 0.5% (rounding) or by exactly the discount."""
    put_rows(store, "orders", ("order_id", "customer_id", "ordered_at", "amount", "discount"), [
        ("o1", "a", "2024-02-01", 100.0, None),  # lines 100.40: within 0.5%
        ("o2", "a", "2024-02-01", 100.0, None),  # lines 101.00: mismatch
        ("o3", "a", "2024-02-01", 90.0, 10.0),  # lines 100.00 = amount + discount
        ("o4", "a", "2024-02-01", 90.0, 5.0),  # lines 100.00: neither
        ("o5", "a", "2024-02-01", 1.0, None),  # lines 1.01: within one cent
    ])
    put_rows(store, "order_items", ("order_id", "line_no", "quantity", "unit_price", "line_amount"), [
        ("o1", 1, 1.0, 100.4, None), ("o2", 1, 1.0, 101.0, 101.0), ("o3", 1, 2.0, 50.0, 100.0),
        ("o4", 1, 1.0, 100.0, 100.0), ("o5", 1, 1.0, 1.01, 1.01),
    ])
    report = assess(store, as_of="2024-02-02")
    assert _by_key(report)[("orders", "amount", "line_sum_mismatch")] == (2, 5)
    row = report.problems[report.problems["check"] == "quality.check.line_sum_mismatch"].iloc[0]
    assert [(e["order_id"], e["line_sum"]) for e in json.loads(row["examples"])] == [("o2", 101.0), ("o4", 100.0)]


def test_examples_show_dates_as_dates(messy_shared: Store) -> None:
    """A DATE column's example is the date, not a midnight timestamp (pandas holds dates as
    timestamps; the SQL version showed '1890-05-01', and the Ibis version must too)."""
    problems = assess(messy_shared, as_of=TODAY, max_problems=None).to_dict()["problems"]
    birth = [p for p in problems if p["check"] == "quality.check.birth_date_out_of_range"]
    assert [e["birth_date"] for e in birth[0]["examples"]] == ["1890-05-01"]


def test_null_customer_ids_do_not_make_others_unknown(store: Store, put_rows) -> None:
    """Known ids are the non-null ones (an anti-join, as SQL's NOT IN over non-null ids): a null
    id in customers must not turn every order into an unknown customer, nor hide a real one."""
    put_rows(store, "customers", ("customer_id",), [("a",), (None,)])
    put_rows(store, "orders", ("order_id", "customer_id", "ordered_at", "amount"),
             [("o1", "a", "2024-02-01", 5.0), ("o2", "zz", "2024-02-01", 6.0), ("o3", None, "2024-02-01", 7.0)])
    checks = _by_key(assess(store, as_of="2024-02-03"))
    assert checks[("orders", "customer_id", "unknown_customer")] == (1, 2)
