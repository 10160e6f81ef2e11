"""Column names of the customer table: the one data contract every analysis reads.

Models, segments and churn import these names instead of spelling them again. The BTYD
columns follow pymc-marketing's ``rfm_summary`` (``frequency, recency, T,
monetary_value``): time in weeks, same-day purchases merged into one transaction.
"""

from __future__ import annotations

from custlens.schema import CUSTOMER_ID

#: First and last order timestamps before ``as_of``.
FIRST_ORDER_AT = "first_order_at"
LAST_ORDER_AT = "last_order_at"
#: Number of orders before ``as_of``.
ORDERS = "orders"
#: Distinct purchase days (same-day orders merged).
PURCHASE_DAYS = "purchase_days"
#: BTYD repeat frequency: ``purchase_days - 1``.
FREQUENCY = "frequency"
#: RFM recency: ``as_of`` minus the last purchase day, in days.
DAYS_SINCE_LAST = "days_since_last"
#: BTYD recency: last minus first purchase day, in days.
RECENCY_DAYS = "recency_days"
#: BTYD age: ``as_of`` minus the first purchase day, in days.
T_DAYS = "T_days"
#: ``recency_days / 7`` and ``T_days / 7``: the BTYD inputs in weeks.
RECENCY = "recency"
T = "T"
#: Sum of order amounts, and that sum divided by the number of orders.
TOTAL_SPEND = "total_spend"
AOV = "aov"
#: Mean value of the repeat purchase days (Gamma-Gamma input); 0 without repeats.
MONETARY_VALUE = "monetary_value"
#: ``as_of`` minus signup day when known, else ``T_days``.
TENURE_DAYS = "tenure_days"
#: Mean and sample standard deviation of the gaps between distinct purchase days.
GAP_MEAN_DAYS = "gap_mean_days"
GAP_STD_DAYS = "gap_std_days"
#: Returns registered before ``as_of``: count, value, value / total spend.
RETURNS_COUNT = "returns_count"
RETURNS_VALUE = "returns_value"
RETURN_RATE = "return_rate"
#: ``sum(discount) / (total_spend + sum(discount))`` when the shop records discounts.
DISCOUNT_SHARE = "discount_share"
#: Category with the largest spend (order_items) and most frequent order channel.
FAVOURITE_CATEGORY = "favourite_category"
FAVOURITE_CHANNEL = "favourite_channel"

#: Every column of the customer table, in order.
CUSTOMER_TABLE_COLUMNS: tuple[str, ...] = (
    CUSTOMER_ID,
    FIRST_ORDER_AT,
    LAST_ORDER_AT,
    ORDERS,
    PURCHASE_DAYS,
    FREQUENCY,
    DAYS_SINCE_LAST,
    RECENCY_DAYS,
    T_DAYS,
    RECENCY,
    T,
    TOTAL_SPEND,
    AOV,
    MONETARY_VALUE,
    TENURE_DAYS,
    GAP_MEAN_DAYS,
    GAP_STD_DAYS,
    RETURNS_COUNT,
    RETURNS_VALUE,
    RETURN_RATE,
    DISCOUNT_SHARE,
    FAVOURITE_CATEGORY,
    FAVOURITE_CHANNEL,
)

#: The BTYD / CLV model input (``rfm_summary`` of pymc-marketing), a subset of the above.
BTYD_COLUMNS: tuple[str, ...] = (CUSTOMER_ID, FREQUENCY, RECENCY, T, MONETARY_VALUE)
