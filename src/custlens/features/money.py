"""Money columns rounded to cents for exports people open (CSV in Excel, workbooks).

Analyses keep full precision; an export shows ``1,299.10``, not ``1299.0999999999999``.
A column is money when its name says so (`MONEY_COLUMNS`, or a ``_value``/``_spend``/
``_revenue``/``_amount``/``_loss``/``_cost`` suffix, or a ``clv`` prefix); shares, rates,
probabilities and counts keep their precision.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["MONEY_COLUMNS", "is_money", "round_money"]

#: Money columns of the canonical tables and the analyses' outputs.
MONEY_COLUMNS = frozenset({
    "amount", "discount", "unit_price", "line_amount", "cost", "revenue", "total_spend", "aov",
    "monetary_value", "returns_value", "customer_value", "expected_loss", "expected_spend", "clv",
    "spend", "mean_spend", "revenue_per_customer", "incremental_revenue",
})
_SUFFIXES = ("_value", "_spend", "_revenue", "_amount", "_loss", "_cost", "_clv")


def is_money(name: object) -> bool:
    """True when column ``name`` holds an amount of money."""
    n = str(name).lower()
    return n in MONEY_COLUMNS or n.endswith(_SUFFIXES) or n.startswith("clv")


def round_money(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with its float money columns rounded to cents (half to even)."""
    cols = [c for c in df.columns if is_money(c) and pd.api.types.is_float_dtype(df[c])]
    if not cols:
        return df
    out = df.copy()
    out[cols] = out[cols].round(2)
    return out
