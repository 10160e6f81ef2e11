"""Discount columns: money off, or a rate of the price (``0.2``, ``20%``, ``折扣率``)?

The canonical ``orders.discount`` is money: what the customer did not pay, so ``amount +
discount`` is the gross price (the customer table's ``discount_share`` divides by it). Many
exports (e.g. Superstore) hold the *rate* instead. Reading ``0.2`` as 0.20 of money would make
every discount look negligible, so a rate is detected and converted per line:

- a rate when the header says so (``discount_rate``, ``discount %``, ``折扣率``, ``折扣比例``...),
  when the values are written with ``%``, or when every value lies in [0, 1] and at least one
  lies strictly between 0 and 1 (money discounts of a few cents on every line do not occur in
  practice; a header such as ``discount_amount`` keeps the column as money);
- the line amount is taken as *net paid* (after the discount), as in the canonical schema, so
  ``gross = amount / (1 - rate)`` and ``discount = rate x gross = amount x rate / (1 - rate)``;
  a rate of 1 (free) or above gives no discount value (NULL), since the gross price is unknown;
- without an amount column (``amount = quantity x unit_price``) that product is the net amount
  as well.

The ingest result's ``decisions`` say which reading was taken and why.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from custlens.ingest.aliases import normalize_header
from custlens.ingest.values import NumberStyle, number_expr, q

__all__ = ["DiscountStyle", "detect_discount_style", "discount_expr", "RATE_HEADERS", "MONEY_HEADERS"]

#: Normalised headers that name a rate.
RATE_HEADERS = frozenset(normalize_header(h) for h in (
    "discount_rate", "discount rate", "discount %", "discount pct", "discount percent", "discount_pct",
    "折扣率", "折扣比例", "优惠比例", "折扣比率"))
#: Normalised headers that name money (never read as a rate).
MONEY_HEADERS = frozenset(normalize_header(h) for h in (
    "discount amount", "discount_amount", "coupon", "优惠金额", "折扣金额", "优惠券金额"))


@dataclass(frozen=True)
class DiscountStyle:
    """How a discount column is read.

    Attributes
    ----------
    rate : bool
        True when the column holds rates (converted to money with the line amount).
    percent : bool
        True when the values carry ``%`` (``20%`` = 0.2).
    why : str
        ``"header"``, ``"percent sign"``, ``"values in [0, 1]"`` or ``"money"``.
    """

    rate: bool
    percent: bool = False
    why: str = "money"

    def decision(self, header: str) -> str:
        """The sentence for the ingest result's decisions."""
        if not self.rate:
            return ""
        return (f"discounts in {header!r} read as rates of the price ({self.why}), not money: "
                "discount = rate x gross price, the line amount taken as net paid after the discount "
                "(gross = amount / (1 - rate))")


def _percent_value(col: str) -> str:
    return f"TRY_CAST(replace(regexp_replace(nullif(trim({q(col)}), ''), '\\s', '', 'g'), '%', '') AS DOUBLE) / 100"


def detect_discount_style(con: duckdb.DuckDBPyConnection, table: str, col: str, style: NumberStyle
                          ) -> DiscountStyle:
    """Decide whether ``col`` of ``table`` holds rates or money (see the module docstring)."""
    norm = normalize_header(col)
    if norm in MONEY_HEADERS:
        return DiscountStyle(False)
    n_percent = con.execute(f"SELECT count(*) FROM {table} WHERE contains({q(col)}, '%')").fetchall()[0][0]
    if n_percent:
        return DiscountStyle(True, percent=True, why="percent sign")
    if norm in RATE_HEADERS:
        return DiscountStyle(True, why="header")
    v = number_expr(col, style)
    lo, hi, inside = con.execute(
        f"SELECT min({v}), max({v}), count(*) FILTER (WHERE {v} > 0 AND {v} < 1) FROM {table}").fetchall()[0]
    if lo is not None and lo >= 0 and hi <= 1 and inside > 0:
        return DiscountStyle(True, why="values in [0, 1]")
    return DiscountStyle(False)


def discount_expr(col: str, style: NumberStyle, discount: DiscountStyle, amount: str) -> str:
    """SQL for the discount in money of each row (``amount`` is the row's net amount expression)."""
    if not discount.rate:
        return number_expr(col, style)
    rate = _percent_value(col) if discount.percent else number_expr(col, style)
    return f"(CASE WHEN ({rate}) >= 0 AND ({rate}) < 1 THEN ({amount}) * ({rate}) / (1 - ({rate})) END)"
