"""The catalogue of row-level checks: validity, uniqueness and consistency, as Ibis expressions.

A check is either a row predicate (``failing``, within ``scope``) on its table, which
`custlens.quality.assess` counts together with the table's other predicates in one aggregate,
or a ``rows`` function for checks that need another table or a group (unknown customers by
anti-join, duplicate keys by group/window, line sums by join + aggregate): it returns the
checked rows, the failing rows and, where it differs from the failing rows' count, the number
of failing rows. Only portable Ibis operations are used, so the checks also run on Spark.
Checks that need a table the store does not hold are simply not built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ibis
import ibis.expr.types as ir
import pandas as pd

from custlens import schema

#: Dates before this are implausible for online orders.
MIN_ORDER_DATE = "1990-01-01"
MIN_BIRTH_DATE = "1900-01-01"
#: Absolute tolerance (currency units) and relative tolerance of the line-sum comparison.
LINE_SUM_ABS_TOL = 0.01
LINE_SUM_REL_TOL = 0.005
EXAMPLES = 3

#: The store's Ibis table of a name (``store.table``).
Tables = Callable[[str], ibis.Table]
Predicate = Callable[[ibis.Table], ir.BooleanValue]


@dataclass(frozen=True)
class Rows:
    """What a grouped or joined check found.

    ``checked`` and ``failing`` are Ibis tables (the rows judged and the rows that fail, the
    latter shown as examples in ``order``); ``count`` the number of failing rows when it is
    not ``failing.count()`` (duplicate keys: rows beyond the first of each key).
    """

    checked: ibis.Table
    failing: ibis.Table
    count: ir.IntegerScalar | None = None
    order: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """One check of one table (and column).

    ``failing`` and ``scope`` are row predicates over the table; ``rows`` (for checks that need
    other tables or groups) builds a `Rows` from the table and the store's tables instead.
    """

    table: str
    column: str | None
    name: str
    dimension: str
    severity: str
    failing: Predicate | None = None
    scope: Predicate | None = None
    rows: Callable[[ibis.Table, Tables], Rows] | None = None

    @property
    def key(self) -> str:
        return f"quality.check.{self.name}"

    @property
    def simple(self) -> bool:
        """A row predicate, counted in the table's shared aggregate."""
        return self.rows is None

    def in_scope(self, t: ibis.Table) -> ir.BooleanValue:
        return ibis.literal(True) if self.scope is None else self.scope(t)

    def fails(self, t: ibis.Table) -> ir.BooleanValue:
        bad = ibis.literal(False) if self.failing is None else self.failing(t)
        return self.in_scope(t) & bad

    def examples(self, t: ibis.Table) -> ibis.Table:
        """Up to `EXAMPLES` failing rows of a simple check (in the table's order, as before)."""
        return t.filter(self.fails(t)).limit(EXAMPLES)


def _not_null(column: str) -> Predicate:
    return lambda t: t[column].notnull()


def _predicate(table: str, column: str, name: str, dimension: str, severity: str, failing: Predicate) -> Check:
    return Check(table, column, name, dimension, severity, failing=failing, scope=_not_null(column))


def _all_not_null(columns: tuple[str, ...]) -> Predicate:
    def scope(t: ibis.Table) -> ir.BooleanValue:
        out = t[columns[0]].notnull()
        for c in columns[1:]:
            out &= t[c].notnull()
        return out
    return scope


def duplicate_key(table: str, key: tuple[str, ...]) -> Check:
    """Rows beyond the first of each key value (rows with a null key part are not checked)."""
    scope = _all_not_null(key)

    def rows(t: ibis.Table, tables: Tables) -> Rows:
        checked = t.filter(scope(t))
        groups = checked.group_by(list(key)).aggregate(_n=ibis._.count())
        sized = checked.mutate(_n=ibis._.count().over(group_by=list(key)))
        failing = sized.filter(sized._n > 1).drop("_n")
        return Rows(checked, failing, groups._n.sum() - groups.count(), key)

    return Check(table, ", ".join(key), "duplicate_key", "uniqueness", "high", scope=scope, rows=rows)


def _known_customers(present: set[str]) -> str | None:
    for name in (schema.CUSTOMERS.name, schema.ORDERS.name):
        if name in present:
            return name
    return None


def _anti(table: str, column: str, name: str, other: str, other_column: str) -> Check:
    """Rows of ``table`` whose ``column`` is not among the non-null ``other_column`` of ``other``."""
    def rows(t: ibis.Table, tables: Tables) -> Rows:
        o = tables(other)
        known = o.filter(o[other_column].notnull()).select(_k=o[other_column]).distinct()
        checked = t.filter(t[column].notnull())
        return Rows(checked, checked.anti_join(known, checked[column] == known._k))

    return Check(table, column, name, "consistency", "medium", scope=_not_null(column), rows=rows)


def _unknown_customer(table: str, present: set[str]) -> list[Check]:
    if table == schema.CUSTOMERS.name:
        return []
    if table == schema.ORDERS.name and schema.CUSTOMERS.name not in present:
        return []
    known = _known_customers(present)
    if known is None:
        return []
    return [_anti(table, schema.CUSTOMER_ID, "unknown_customer", known, schema.CUSTOMER_ID)]


def _date_checks(table: schema.Table, columns: list[str], tomorrow: pd.Timestamp) -> list[Check]:
    out = []
    for col in table.columns:
        if col.dtype not in ("TIMESTAMP", "DATE") or col.name not in columns:
            continue
        out.append(_predicate(table.name, col.name, "future_date", "validity", "high",
                              lambda t, c=col.name: _as_ts(t[c]) >= ibis.timestamp(tomorrow)))
    return out


def _as_ts(value: ir.Value) -> ir.Value:
    """A DATE column as midnight timestamps (comparable with a timestamp literal)."""
    return value.cast("timestamp") if value.type().is_date() else value


def _line_sum_mismatch() -> Check:
    """Orders whose lines add up neither to the amount paid nor to amount + discount."""
    def rows(t: ibis.Table, tables: Tables) -> Rows:
        i = tables(schema.ORDER_ITEMS.name)
        line = i[schema.LINE_AMOUNT].fill_null(i[schema.QUANTITY] * i[schema.UNIT_PRICE])
        sums = i.group_by(_oid=i[schema.ORDER_ID]).aggregate(line_sum=line.sum())
        joined = t.inner_join(sums, t[schema.ORDER_ID] == sums._oid).select(*t.columns, "line_sum")
        amount = joined[schema.AMOUNT]
        discount = joined[schema.DISCOUNT].fill_null(0) if schema.DISCOUNT in t.columns else 0
        tol = ibis.greatest(LINE_SUM_ABS_TOL, LINE_SUM_REL_TOL * amount.abs()) + 1e-9
        bad = ((joined.line_sum - amount).abs() > tol) & ((joined.line_sum - (amount + discount)).abs() > tol)
        return Rows(joined, joined.filter(bad), order=(schema.ORDER_ID,))

    return Check(schema.ORDERS.name, schema.AMOUNT, "line_sum_mismatch", "consistency", "medium", rows=rows)


def _order_facts(tables: Tables) -> ibis.Table:
    o = tables(schema.ORDERS.name)
    return o.group_by(_oid=o[schema.ORDER_ID]).aggregate(
        _a=o[schema.AMOUNT].max(), _at=o[schema.ORDERED_AT].min())


def _returns_checks(present: set[str]) -> list[Check]:
    if schema.ORDERS.name not in present:
        return []
    r, oid = schema.RETURNS.name, schema.ORDER_ID

    def exceeds(t: ibis.Table, tables: Tables) -> Rows:
        per_order = t.group_by(_rid=t[oid]).aggregate(_s=t[schema.AMOUNT].sum())
        x = _order_facts(tables)
        over = per_order.inner_join(x, per_order._rid == x._oid).filter(
            lambda j: j._s > j._a + LINE_SUM_ABS_TOL).select("_rid")
        checked = t.filter(t[schema.AMOUNT].notnull())
        return Rows(checked, checked.semi_join(over, checked[oid] == over._rid))

    def before(t: ibis.Table, tables: Tables) -> Rows:
        x = _order_facts(tables)
        checked = t.filter(t[schema.RETURNED_AT].notnull())
        failing = checked.semi_join(
            x, [checked[oid] == x._oid, checked[schema.RETURNED_AT].date() < x._at.date()])
        return Rows(checked, failing)

    return [
        _anti(r, oid, "return_without_order", schema.ORDERS.name, oid),
        Check(r, schema.AMOUNT, "return_exceeds_order", "consistency", "medium",
              scope=_not_null(schema.AMOUNT), rows=exceeds),
        Check(r, schema.RETURNED_AT, "return_before_order", "consistency", "low",
              scope=_not_null(schema.RETURNED_AT), rows=before),
    ]


def _range(table: str, column: str, name: str, low: float, high: float) -> Check:
    return _predicate(table, column, name, "validity", "medium",
                      lambda t: ~t[column].between(low, high) | t[column].isnan())


def _negative(table: str, column: str) -> Check:
    return _predicate(table, column, "negative_value", "validity", "medium", lambda t: t[column] < 0)


def _not_positive(table: str, column: str, severity: str) -> Check:
    # NaN and infinities are not valid amounts or quantities either.
    return _predicate(table, column, "not_positive", "validity", severity,
                      lambda t: ~((t[column] > 0) & ~t[column].isnan() & ~t[column].isinf()))


def _in_set(table: str, column: str, name: str, values: tuple[str, ...]) -> Check:
    return _predicate(table, column, name, "validity", "low",
                      lambda t: t[column].strip().lower().notin(values))


def _before(table: str, earlier: str, later: str, name: str) -> Check:
    return Check(table, later, name, "consistency", "medium",
                 failing=lambda t: t[later] < t[earlier], scope=_all_not_null((earlier, later)))


def _earlier_than(table: str, column: str, name: str, bound: str) -> Check:
    return _predicate(table, column, name, "validity", "medium",
                      lambda t: _as_ts(t[column]) < ibis.timestamp(pd.Timestamp(bound)))


def build_checks(table: str, columns: list[str], present: set[str], today: pd.Timestamp) -> list[Check]:
    """The checks of ``table`` (with ``columns``), given the tables ``present`` and ``today``."""
    tomorrow = today.normalize() + pd.Timedelta(days=1)
    spec = schema.ALL_TABLES[table]
    checks = _date_checks(spec, columns, tomorrow)
    if spec.key:
        checks.append(duplicate_key(table, spec.key))
    checks += _unknown_customer(table, present)
    if table == schema.ORDERS.name:
        checks += [
            _not_positive(table, schema.AMOUNT, "high"),
            _earlier_than(table, schema.ORDERED_AT, "before_1990", MIN_ORDER_DATE),
            _negative(table, schema.DISCOUNT),
        ]
        if schema.ORDER_ITEMS.name in present:
            checks.append(_line_sum_mismatch())
    elif table == schema.ORDER_ITEMS.name:
        checks += [
            _not_positive(table, schema.QUANTITY, "medium"),
            _negative(table, schema.UNIT_PRICE),
            _negative(table, schema.LINE_AMOUNT),
        ]
        if schema.ORDERS.name in present:
            checks.append(_anti(table, schema.ORDER_ID, "unknown_order", schema.ORDERS.name, schema.ORDER_ID))
    elif table == schema.RETURNS.name:
        checks += [
            _not_positive(table, schema.AMOUNT, "high"),
            _earlier_than(table, schema.RETURNED_AT, "before_1990", MIN_ORDER_DATE),
        ]
        checks += _returns_checks(present)
    elif table == schema.CUSTOMERS.name:
        checks += [
            _range(table, "age", "age_out_of_range", 0, 120),
            _earlier_than(table, "birth_date", "birth_date_out_of_range", MIN_BIRTH_DATE),
            _negative(table, "income"),
        ]
    elif table == schema.SURVEYS.name:
        checks += [_range(table, "nps", "nps_out_of_range", 0, 10),
                   _range(table, "csat", "csat_out_of_range", 1, 5)]
    elif table == schema.FEEDBACK.name:
        checks.append(_in_set(table, "kind", "invalid_kind", ("review", "complaint", "suggestion")))
    elif table == schema.TICKETS.name:
        checks += [_before(table, "opened_at", "resolved_at", "resolved_before_opened"),
                   _before(table, "opened_at", "first_response_at", "response_before_opened")]
    elif table == schema.CAMPAIGN_MEMBERS.name:
        checks += [_in_set(table, "group", "invalid_group", ("treatment", "control")),
                   _negative(table, "cost")]
    return [ch for ch in checks if ch.column is None or all(
        part.strip() in columns for part in ch.column.split(","))]
