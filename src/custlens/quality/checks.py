"""The catalogue of row-level checks: validity, uniqueness and consistency, as SQL.

Every check is three SQL queries on the store: how many rows were checked, how many fail,
and up to three failing rows as examples. Checks that need a table the store does not hold
(e.g. unknown customers without customers *or* orders) are simply not built.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from custlens import schema

#: Dates before this are implausible for online orders.
MIN_ORDER_DATE = "1990-01-01"
MIN_BIRTH_DATE = "1900-01-01"
#: Absolute tolerance (currency units) and relative tolerance of the line-sum comparison.
LINE_SUM_ABS_TOL = 0.01
LINE_SUM_REL_TOL = 0.005
EXAMPLES = 3


def q(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Check:
    """One check of one table (and column).

    ``failing`` and ``scope`` are SQL predicates over the table aliased ``t``; ``count_sql``
    and friends build the queries. Uniqueness checks override the queries.
    """

    table: str
    column: str | None
    name: str
    dimension: str
    severity: str
    failing: str = "FALSE"
    scope: str = "TRUE"
    custom_count: str | None = None
    custom_checked: str | None = None
    custom_examples: str | None = None
    #: One query returning (checked, failing) at once, used instead of the two above.
    custom_both: str | None = None

    @property
    def key(self) -> str:
        return f"quality.check.{self.name}"

    def checked_sql(self) -> str:
        return self.custom_checked or f"SELECT count(*) FROM {q(self.table)} t WHERE {self.scope}"

    def count_sql(self) -> str:
        return self.custom_count or (
            f"SELECT count(*) FROM {q(self.table)} t WHERE ({self.scope}) AND ({self.failing})"
        )

    def examples_sql(self) -> str:
        return self.custom_examples or (
            f"SELECT t.* FROM {q(self.table)} t WHERE ({self.scope}) AND ({self.failing}) "
            f"LIMIT {EXAMPLES}"
        )


def _not_null(column: str) -> str:
    return f"t.{q(column)} IS NOT NULL"


def _predicate(table: str, column: str, name: str, dimension: str, severity: str, failing: str) -> Check:
    return Check(table, column, name, dimension, severity, failing=failing, scope=_not_null(column))


def duplicate_key(table: str, key: tuple[str, ...]) -> Check:
    """Rows beyond the first of each key value (rows with a null key part are not checked)."""
    cols = ", ".join(f"t.{q(k)}" for k in key)
    scope = " AND ".join(_not_null(k) for k in key)
    src = f"{q(table)} t WHERE {scope}"
    return Check(
        table,
        ", ".join(key),
        "duplicate_key",
        "uniqueness",
        "high",
        scope=scope,
        custom_both=f"SELECT count(*), count(*) - count(DISTINCT ({cols})) FROM {src}",
        custom_examples=(
            f"SELECT t.* FROM {src} QUALIFY count(*) OVER (PARTITION BY {cols}) > 1 "
            f"ORDER BY {cols} LIMIT {EXAMPLES}"
        ),
    )


def _known_customers(present: set[str]) -> str | None:
    if schema.CUSTOMERS.name in present:
        return f"SELECT {q(schema.CUSTOMER_ID)} FROM {q(schema.CUSTOMERS.name)}"
    if schema.ORDERS.name in present:
        return f"SELECT {q(schema.CUSTOMER_ID)} FROM {q(schema.ORDERS.name)}"
    return None


def _unknown_customer(table: str, present: set[str]) -> list[Check]:
    if table == schema.CUSTOMERS.name:
        return []
    if table == schema.ORDERS.name and schema.CUSTOMERS.name not in present:
        return []
    known = _known_customers(present)
    if known is None:
        return []
    failing = f"t.{q(schema.CUSTOMER_ID)} NOT IN ({known} WHERE {q(schema.CUSTOMER_ID)} IS NOT NULL)"
    return [_predicate(table, schema.CUSTOMER_ID, "unknown_customer", "consistency", "medium", failing)]


def _date_checks(table: schema.Table, columns: list[str], tomorrow: str) -> list[Check]:
    out = []
    for col in table.columns:
        if col.dtype not in ("TIMESTAMP", "DATE") or col.name not in columns:
            continue
        failing = f"t.{q(col.name)} >= TIMESTAMP '{tomorrow}'"
        out.append(_predicate(table.name, col.name, "future_date", "validity", "high", failing))
    return out


def _line_sum_mismatch() -> Check:
    """Orders whose lines add up neither to the amount paid nor to amount + discount."""
    o, i, oid = q(schema.ORDERS.name), q(schema.ORDER_ITEMS.name), q(schema.ORDER_ID)
    line = f"coalesce(i.{q(schema.LINE_AMOUNT)}, i.{q(schema.QUANTITY)} * i.{q(schema.UNIT_PRICE)})"
    sums = f"SELECT i.{oid} AS oid, sum({line}) AS line_sum FROM {i} i GROUP BY 1"
    amount, discount = f"t.{q(schema.AMOUNT)}", f"coalesce(t.{q(schema.DISCOUNT)}, 0)"
    tol = f"(greatest({LINE_SUM_ABS_TOL}, {LINE_SUM_REL_TOL} * abs({amount})) + 1e-9)"
    failing = (
        f"abs(l.line_sum - {amount}) > {tol} AND abs(l.line_sum - ({amount} + {discount})) > {tol}"
    )
    joined = f"{o} t JOIN ({sums}) l ON l.oid = t.{oid}"
    return Check(
        schema.ORDERS.name, schema.AMOUNT, "line_sum_mismatch", "consistency", "medium",
        failing=failing,
        custom_both=f"SELECT count(*), count(*) FILTER (WHERE {failing}) FROM {joined}",
        custom_examples=f"SELECT t.*, l.line_sum FROM {joined} WHERE {failing} ORDER BY t.{oid} LIMIT {EXAMPLES}",
    )


def _returns_checks(present: set[str]) -> list[Check]:
    if schema.ORDERS.name not in present:
        return []
    r, o, oid = schema.RETURNS.name, q(schema.ORDERS.name), q(schema.ORDER_ID)
    per_order = f"SELECT {oid} AS oid, sum({q(schema.AMOUNT)}) AS s FROM {q(r)} GROUP BY 1"
    order_amounts = f"SELECT {oid} AS oid, max({q(schema.AMOUNT)}) AS a, min({q(schema.ORDERED_AT)}) AS at FROM {o} GROUP BY 1"
    return [
        _predicate(r, schema.ORDER_ID, "return_without_order", "consistency", "medium",
                   f"t.{oid} NOT IN (SELECT {oid} FROM {o} WHERE {oid} IS NOT NULL)"),
        _predicate(r, schema.AMOUNT, "return_exceeds_order", "consistency", "medium",
                   f"t.{oid} IN (SELECT r.oid FROM ({per_order}) r JOIN ({order_amounts}) x "
                   f"ON r.oid = x.oid WHERE r.s > x.a + {LINE_SUM_ABS_TOL})"),
        _predicate(r, schema.RETURNED_AT, "return_before_order", "consistency", "low",
                   f"EXISTS (SELECT 1 FROM ({order_amounts}) x WHERE x.oid = t.{oid} "
                   f"AND CAST(t.{q(schema.RETURNED_AT)} AS DATE) < CAST(x.at AS DATE))"),
    ]


def _range(table: str, column: str, name: str, low: float, high: float) -> Check:
    col = f"t.{q(column)}"
    return _predicate(table, column, name, "validity", "medium",
                      f"NOT ({col} BETWEEN {low} AND {high}) OR isnan({col})")


def _negative(table: str, column: str) -> Check:
    return _predicate(table, column, "negative_value", "validity", "medium", f"t.{q(column)} < 0")


def _in_set(table: str, column: str, name: str, values: tuple[str, ...]) -> Check:
    allowed = ", ".join(f"'{v}'" for v in values)
    return _predicate(table, column, name, "validity", "low", f"lower(trim(t.{q(column)})) NOT IN ({allowed})")


def _before(table: str, earlier: str, later: str, name: str) -> Check:
    return Check(table, later, name, "consistency", "medium",
                 failing=f"t.{q(later)} < t.{q(earlier)}",
                 scope=f"{_not_null(earlier)} AND {_not_null(later)}")


def build_checks(table: str, columns: list[str], present: set[str], today: pd.Timestamp) -> list[Check]:
    """The checks of ``table`` (with ``columns``), given the tables ``present`` and ``today``."""
    tomorrow = (today.normalize() + pd.Timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    spec = schema.ALL_TABLES[table]
    checks = _date_checks(spec, columns, tomorrow)
    if spec.key:
        checks.append(duplicate_key(table, spec.key))
    checks += _unknown_customer(table, present)
    amount = f"t.{q(schema.AMOUNT)}"
    not_positive = f"NOT ({amount} > 0 AND isfinite({amount}))"
    if table == schema.ORDERS.name:
        checks += [
            _predicate(table, schema.AMOUNT, "not_positive", "validity", "high", not_positive),
            _predicate(table, schema.ORDERED_AT, "before_1990", "validity", "medium",
                       f"t.{q(schema.ORDERED_AT)} < TIMESTAMP '{MIN_ORDER_DATE}'"),
            _negative(table, schema.DISCOUNT),
        ]
        if schema.ORDER_ITEMS.name in present:
            checks.append(_line_sum_mismatch())
    elif table == schema.ORDER_ITEMS.name:
        checks += [
            _predicate(table, schema.QUANTITY, "not_positive", "validity", "medium",
                       f"NOT (t.{q(schema.QUANTITY)} > 0 AND isfinite(t.{q(schema.QUANTITY)}))"),
            _negative(table, schema.UNIT_PRICE),
            _negative(table, schema.LINE_AMOUNT),
        ]
        if schema.ORDERS.name in present:
            oid = q(schema.ORDER_ID)
            checks.append(_predicate(table, schema.ORDER_ID, "unknown_order", "consistency", "medium",
                                     f"t.{oid} NOT IN (SELECT {oid} FROM {q(schema.ORDERS.name)} "
                                     f"WHERE {oid} IS NOT NULL)"))
    elif table == schema.RETURNS.name:
        checks += [
            _predicate(table, schema.AMOUNT, "not_positive", "validity", "high", not_positive),
            _predicate(table, schema.RETURNED_AT, "before_1990", "validity", "medium",
                       f"t.{q(schema.RETURNED_AT)} < TIMESTAMP '{MIN_ORDER_DATE}'"),
        ]
        checks += _returns_checks(present)
    elif table == schema.CUSTOMERS.name:
        checks += [
            _range(table, "age", "age_out_of_range", 0, 120),
            _predicate(table, "birth_date", "birth_date_out_of_range", "validity", "medium",
                       f"t.birth_date < DATE '{MIN_BIRTH_DATE}'"),
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
