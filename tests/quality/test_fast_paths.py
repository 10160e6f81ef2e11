"""The one-aggregate completeness and the hashed duplicate check give the previous numbers.

The reference is the previous code of `custlens.quality.assess` (a completeness aggregate that
strips every text value, the row checks in a second aggregate, duplicate keys always grouped),
kept verbatim below and swapped in for `_table_checks`; both reports must agree on every
check, column, score and example.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

import ibis
import ibis.expr.types as ir
import pandas as pd
import pytest

from custlens import Store, schema
from custlens.quality import assess
from custlens.quality.checks import Check, Tables

A = importlib.import_module("custlens.quality.assess")
TODAY = "2024-03-01"  # as in conftest.py


# -- the reference (the previous code) -------------------------------------------------------
def _ref_run(store: Store, t: ibis.Table, tables: Tables, check: Check) -> dict[str, Any] | None:
    found = check.rows(t, tables)
    checked_n = found.checked.aggregate(checked=found.checked.count())
    bad = (found.failing.aggregate(bad=found.failing.count()) if found.count is None
           else found.count.as_table().select(bad=found.count.get_name()))
    values = store.execute(checked_n.cross_join(bad)).iloc[0]
    checked, count = int(values["checked"] or 0), int(values["bad"] or 0)
    if checked == 0:
        return None
    failing = found.failing.order_by(list(found.order)) if found.order else found.failing
    examples = A._examples(store, failing.limit(3), check.column) if count else ""
    return A._check_row(check, count, checked, examples)


def _ref_run_all(store: Store, tables: Tables, table: str, checks: list[Check]) -> list[dict[str, Any]]:
    t = tables(table)
    simple = [ch for ch in checks if ch.simple]
    out: list[dict[str, Any]] = []
    if simple:
        metrics = {}
        for i, ch in enumerate(simple):
            metrics[f"c{i}"] = t.count(where=ch.in_scope(t))
            metrics[f"b{i}"] = t.count(where=ch.fails(t))
        values = store.execute(t.aggregate(**metrics)).iloc[0]
        for i, ch in enumerate(simple):
            checked, count = int(values[f"c{i}"] or 0), int(values[f"b{i}"] or 0)
            if checked:
                examples = A._examples(store, ch.examples(t), ch.column) if count else ""
                out.append(A._check_row(ch, count, checked, examples))
    for ch in checks:
        if not ch.simple:
            result = _ref_run(store, t, tables, ch)
            if result is not None:
                out.append(result)
    return out


def _ref_completeness(store: Store, tables: Tables, table: str) -> tuple[list[dict], list[dict]]:
    spec = schema.ALL_TABLES[table]
    t = tables(table)

    def missing(col: str) -> Callable[[ibis.Table], ir.BooleanValue]:
        if t[col].type().is_string():
            return lambda x: x[col].isnull() | (x[col].strip() == "")
        return lambda x: x[col].isnull()

    tests = {c: missing(c) for c in t.columns}
    metrics = {"_rows": t.count(), **{f"m{i}": t.count(where=f(t)) for i, f in enumerate(tests.values())}}
    values = store.execute(t.aggregate(**metrics)).iloc[0]
    rows = int(values["_rows"])
    columns, checks = [], []
    for i, (col, test) in enumerate(tests.items()):
        miss = int(values[f"m{i}"])
        is_required = col in set(spec.required)
        provided = is_required or miss < rows
        columns.append({"table": table, "column": col, "rows": rows, "missing": miss,
                        "completeness": 1 - miss / rows if rows else None,
                        "required": is_required, "provided": provided})
        if not provided:
            continue
        check = Check(table, col, "missing_values", "completeness", "high" if is_required else "low", failing=test)
        examples = A._examples(store, check.examples(t), col) if miss else ""
        checks.append(A._check_row(check, miss, rows, examples))
    return columns, checks


def _ref_table_checks(store: Store, tables: Tables, table: str, checks: list[Check]) -> tuple[list, list]:
    columns, rows = _ref_completeness(store, tables, table)
    return columns, rows + _ref_run_all(store, tables, table, checks)


def _both(store: Store, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> tuple[Any, Any]:
    new = assess(store, max_problems=None, **kw)
    with monkeypatch.context() as m:
        m.setattr(A, "_table_checks", _ref_table_checks)
        ref = assess(store, max_problems=None, **kw)
    return new, ref


def _same(new: Any, ref: Any) -> None:
    for name in ("checks", "columns", "tables", "problems", "timeliness"):
        pd.testing.assert_frame_equal(getattr(new, name), getattr(ref, name), check_dtype=False)
    assert new.score == ref.score and new.grade == ref.grade and new.dimensions == ref.dimensions


# -- the shops ---------------------------------------------------------------------------------
@pytest.fixture
def blanks(messy: Store, put_rows: Callable) -> Store:
    """The messy store plus texts that are blank (empty, spaces, tabs, newlines, vertical tab, form feed), texts that
    only start below '!' (a control character, a leading space), duplicate order ids and lines."""
    store, put = messy, put_rows
    put(store, "orders", ("order_id", "customer_id", "ordered_at", "amount", "channel", "payment_method"), [
        ("b1", "c1", "2024-02-01 10:00:00", 5.0, "", " web"),
        ("b2", "c1", "2024-02-02 10:00:00", 5.0, "  ", "\x01card"),
        ("b3", "c1", "2024-02-03 10:00:00", 5.0, "\t\n", None),
        ("b4", "c2", "2024-02-04 10:00:00", 5.0, "\x0b\x0c\r", "card"),
        ("b5", "  ", "2024-02-05 10:00:00", 5.0, "app", ""),  # blank customer id
        ("b5", "c2", "2024-02-06 10:00:00", 5.0, "app", "card"),  # duplicate order id
        (" ", "c3", "2024-02-07 10:00:00", 5.0, "app\t", "card"),
    ])
    put(store, "order_items", ("order_id", "line_no", "product_id", "quantity", "unit_price", "line_amount"), [
        ("b1", 1, "p", 1.0, 5.0, 5.0), ("b1", 1, "p", 1.0, 5.0, 5.0),  # duplicate (order_id, line_no)
    ])
    return store


@pytest.mark.parametrize("shop", ["clean", "messy", "blanks"])
def test_assess_equals_reference(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, shop: str) -> None:
    store = request.getfixturevalue(shop)
    new, ref = _both(store, monkeypatch, as_of=TODAY)
    _same(new, ref)


def test_blank_texts_are_counted(blanks: Store) -> None:
    cols = assess(blanks, as_of=TODAY).columns.set_index(["table", "column"])
    # channel: 4 blank texts + 1 missing in the messy rows ("app\t" is not blank)
    assert cols.loc[("orders", "channel"), "missing"] == 5
    assert cols.loc[("orders", "payment_method"), "missing"] == 10  # 8 messy nulls + b3 + ""
    assert cols.loc[("orders", "customer_id"), "missing"] == 1 and cols.loc[("orders", "order_id"), "missing"] == 1


def test_demo_equals_reference(demo: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    new, ref = _both(demo, monkeypatch, as_of="2024-07-01")
    _same(new, ref)


def _grouped_duplicates(store: Store, table: str, key: tuple[str, ...]) -> int:
    t = store.table(table)
    g = t.filter(t[key[0]].notnull() & t[key[-1]].notnull()).group_by(list(key)).aggregate(n=ibis._.count())
    return int(store.execute((g.n - 1).sum()) or 0)


@pytest.mark.parametrize("shop", ["clean", "blanks"])
def test_hashes_prove_unique_keys_or_step_aside(request: pytest.FixtureRequest, shop: str) -> None:
    store = request.getfixturevalue(shop)
    for table, key in (("orders", ("order_id",)), ("order_items", ("order_id", "line_no"))):
        got = A._unique_key_rows(store, store.table(table), key)
        if _grouped_duplicates(store, table, key):
            assert got is None, (shop, table)  # duplicates: the grouped check counts them
        else:
            assert got == store.count(table), (shop, table)
    assert shop == "clean" or _grouped_duplicates(store, "orders", ("order_id",)) == 2  # o6 and b5


def test_duplicates_counted_when_hashes_collide(clean: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hash collision (forced here) only sends the check to the grouped count."""
    store = clean
    want = assess(store, as_of=TODAY).checks
    monkeypatch.setattr(A, "_unique_key_rows", lambda *a: None)
    pd.testing.assert_frame_equal(assess(store, as_of=TODAY).checks, want)
