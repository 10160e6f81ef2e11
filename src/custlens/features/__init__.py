"""Features: the customer table (one row per customer as of a date) and its export.

Built as Ibis expressions over the store, so DuckDB runs them by default and any other
Ibis backend can run them unchanged.
"""

from custlens.features import columns
from custlens.features.columns import BTYD_COLUMNS, CUSTOMER_TABLE_COLUMNS
from custlens.features.customer_table import (customer_table, customer_table_expr, resolve_as_of,
                                              rfm_inputs)
from custlens.features.export import export_table

__all__ = [
    "BTYD_COLUMNS",
    "CUSTOMER_TABLE_COLUMNS",
    "columns",
    "customer_table",
    "customer_table_expr",
    "export_table",
    "resolve_as_of",
    "rfm_inputs",
]
