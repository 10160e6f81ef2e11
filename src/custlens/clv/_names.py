"""Column names of the per-customer RFM frame every CLV model reads.

These are the customer table's contract for the CLV models (``frequency, recency, T,
monetary_value``); import them instead of spelling the names again.
"""

from __future__ import annotations

FREQUENCY = "frequency"
RECENCY = "recency"
T = "T"
MONETARY_VALUE = "monetary_value"
N_PERIODS = "n_periods"
WEIGHTS = "weights"
FREQUENCY_HOLDOUT = "frequency_holdout"
MONETARY_VALUE_HOLDOUT = "monetary_value_holdout"
DURATION_HOLDOUT = "duration_holdout"

#: Length of one time unit in days (``time_unit`` arguments).
TIME_UNIT_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 365.25 / 12.0, "Y": 365.25}
