"""Canonical tables and column names: the contract between ingest and everything after it.

Every other module imports names from here instead of spelling them again. Types are
DuckDB types. Money is stored as DOUBLE rather than DECIMAL so that pandas, NumPy and the
models get float64 without a conversion on every read; amounts are rounded to cents on
ingest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    dtype: str  # DuckDB type
    required: bool = False


@dataclass(frozen=True)
class Table:
    """A canonical table: its key, required and optional columns."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    # Free-form prefix columns accepted as extra DOUBLE columns (surveys: score_<attribute>).
    extra_prefix: str | None = None
    description: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, dtype: str, required: bool = False) -> Column:
    return Column(name, dtype, required)


# Column names used across the package.
ORDER_ID = "order_id"
CUSTOMER_ID = "customer_id"
ORDERED_AT = "ordered_at"
AMOUNT = "amount"
LINE_NO = "line_no"
PRODUCT_ID = "product_id"
QUANTITY = "quantity"
UNIT_PRICE = "unit_price"
LINE_AMOUNT = "line_amount"
CATEGORY = "category"
CHANNEL = "channel"
DISCOUNT = "discount"
RETURNED_AT = "returned_at"

ORDERS = Table(
    "orders",
    (
        _c(ORDER_ID, "VARCHAR", True),
        _c(CUSTOMER_ID, "VARCHAR", True),
        _c(ORDERED_AT, "TIMESTAMP", True),
        _c(AMOUNT, "DOUBLE", True),
        _c(DISCOUNT, "DOUBLE"),
        _c(CHANNEL, "VARCHAR"),
        _c("payment_method", "VARCHAR"),
        _c("currency", "VARCHAR"),
        _c("status", "VARCHAR"),
        _c("region", "VARCHAR"),
        _c("source", "VARCHAR"),
    ),
    key=(ORDER_ID,),
    description="one row per order; amount is the net paid amount (>= 0: a fully discounted or free order still counts as a purchase)",
)

ORDER_ITEMS = Table(
    "order_items",
    (
        _c(ORDER_ID, "VARCHAR", True),
        _c(LINE_NO, "INTEGER", True),
        _c(PRODUCT_ID, "VARCHAR"),
        _c(QUANTITY, "DOUBLE"),
        _c(UNIT_PRICE, "DOUBLE"),
        _c(LINE_AMOUNT, "DOUBLE"),
        _c("product_name", "VARCHAR"),
        _c(CATEGORY, "VARCHAR"),
        _c("brand", "VARCHAR"),
    ),
    key=(ORDER_ID, LINE_NO),
)

RETURNS = Table(
    "returns",
    (
        _c(ORDER_ID, "VARCHAR", True),
        _c(CUSTOMER_ID, "VARCHAR", True),
        _c(RETURNED_AT, "TIMESTAMP", True),
        _c(AMOUNT, "DOUBLE", True),
        _c("reason", "VARCHAR"),
        _c(PRODUCT_ID, "VARCHAR"),
        _c(QUANTITY, "DOUBLE"),
        _c("source", "VARCHAR"),
    ),
    description="cancellations and refunds; amount is positive (> 0)",
)

CUSTOMERS = Table(
    "customers",
    (
        _c(CUSTOMER_ID, "VARCHAR", True),
        _c("signup_at", "TIMESTAMP"),
        _c("gender", "VARCHAR"),
        _c("birth_date", "DATE"),
        _c("age", "DOUBLE"),
        _c("region", "VARCHAR"),
        _c("city", "VARCHAR"),
        _c("city_tier", "VARCHAR"),
        _c("occupation", "VARCHAR"),
        _c("income", "DOUBLE"),
        _c("acquisition_channel", "VARCHAR"),
    ),
    key=(CUSTOMER_ID,),
)

SURVEYS = Table(
    "surveys",
    (
        _c("response_id", "VARCHAR", True),
        _c(CUSTOMER_ID, "VARCHAR", True),
        _c("answered_at", "TIMESTAMP", True),
        _c("nps", "DOUBLE"),
        _c("csat", "DOUBLE"),
        _c("comment", "VARCHAR"),
    ),
    key=("response_id",),
    extra_prefix="score_",
)

FEEDBACK = Table(
    "feedback",
    (
        _c("feedback_id", "VARCHAR", True),
        _c(CUSTOMER_ID, "VARCHAR", True),
        _c("created_at", "TIMESTAMP", True),
        _c("text", "VARCHAR", True),
        _c("kind", "VARCHAR"),
        _c("rating", "DOUBLE"),
        _c(PRODUCT_ID, "VARCHAR"),
    ),
    key=("feedback_id",),
)

TICKETS = Table(
    "tickets",
    (
        _c("ticket_id", "VARCHAR", True),
        _c(CUSTOMER_ID, "VARCHAR", True),
        _c("opened_at", "TIMESTAMP", True),
        _c(CATEGORY, "VARCHAR"),
        _c(CHANNEL, "VARCHAR"),
        _c("first_response_at", "TIMESTAMP"),
        _c("resolved_at", "TIMESTAMP"),
        _c("satisfaction", "DOUBLE"),
    ),
    key=("ticket_id",),
)

CAMPAIGN_MEMBERS = Table(
    "campaign_members",
    (
        _c("campaign_id", "VARCHAR", True),
        _c(CUSTOMER_ID, "VARCHAR", True),
        _c("group", "VARCHAR", True),  # 'treatment' or 'control'
        _c("exposed_at", "TIMESTAMP", True),
        _c("cost", "DOUBLE"),
        _c(CHANNEL, "VARCHAR"),
    ),
    key=("campaign_id", CUSTOMER_ID),
)

QUARANTINE = Table(
    "_quarantine",
    (
        _c("source", "VARCHAR", True),
        _c("table_name", "VARCHAR", True),
        _c("row_number", "BIGINT", True),
        _c("raw", "VARCHAR", True),
        _c("reason", "VARCHAR", True),
        _c("ingested_at", "TIMESTAMP", True),
    ),
)

INGEST_LOG = Table(
    "_ingest_log",
    (
        _c("source", "VARCHAR", True),
        _c("sha256", "VARCHAR", True),
        _c("table_name", "VARCHAR", True),
        _c("rows_read", "BIGINT", True),
        _c("rows_loaded", "BIGINT", True),
        _c("rows_quarantined", "BIGINT", True),
        _c("duplicates_skipped", "BIGINT", True),
        _c("started_at", "TIMESTAMP", True),
        _c("finished_at", "TIMESTAMP", True),
    ),
)

META = Table("_meta", (_c("key", "VARCHAR", True), _c("value", "VARCHAR", True)), key=("key",))

#: Tables a user can ingest into, by name.
DATA_TABLES: dict[str, Table] = {
    t.name: t
    for t in (ORDERS, ORDER_ITEMS, RETURNS, CUSTOMERS, SURVEYS, FEEDBACK, TICKETS, CAMPAIGN_MEMBERS)
}
INTERNAL_TABLES: dict[str, Table] = {t.name: t for t in (QUARANTINE, INGEST_LOG, META)}
ALL_TABLES: dict[str, Table] = {**DATA_TABLES, **INTERNAL_TABLES}

# -- saved, derived tables ---------------------------------------------------------------
# Written only by an explicit save (`custlens.analyses.save_clv` / `save_churn`, CLI
# ``--save``, the report's and the demo's save step), never by an analysis. Every row
# carries the context it was computed with, so a reader can refuse scores of another date.

#: The context columns of every saved table: the model, the horizon, the as-of date (first
#: day not observed) and the other options as JSON text.
CONTEXT_COLUMNS: tuple[Column, ...] = (
    _c("model", "VARCHAR", True),
    _c("horizon_days", "DOUBLE", True),
    _c("as_of", "TIMESTAMP", True),
    _c("options", "VARCHAR", True),
)

CLV_SCORES = Table(
    "clv_scores",
    (
        _c(CUSTOMER_ID, "VARCHAR", True),
        _c("p_alive", "DOUBLE", True),
        _c("p_purchase", "DOUBLE", True),
        _c("expected_purchases", "DOUBLE", True),
        _c("expected_spend", "DOUBLE", True),
        _c("clv", "DOUBLE", True),
        _c("expected_days_to_next", "DOUBLE", True),
        _c("overdue", "BOOLEAN", True),
        *CONTEXT_COLUMNS,
    ),
    key=(CUSTOMER_ID,),
    description="CLV scores per customer (custlens clv --save)",
)

CHURN_SCORES = Table(
    "churn_scores",
    (
        _c(CUSTOMER_ID, "VARCHAR", True),
        _c("churn_probability", "DOUBLE", True),
        _c("risk_band", "VARCHAR", True),
        # JSON list of {"key": i18n key, "args": {...}}; translated when shown.
        _c("reasons", "VARCHAR", True),
        *CONTEXT_COLUMNS,
    ),
    key=(CUSTOMER_ID,),
    description="churn scores per customer (custlens churn --save)",
)

#: Saved, derived tables by name.
SAVED_TABLES: dict[str, Table] = {t.name: t for t in (CLV_SCORES, CHURN_SCORES)}
