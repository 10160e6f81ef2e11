"""summary_from_transactions on hand-computed toy data."""

from __future__ import annotations

import pandas as pd
import pytest

from custlens.clv import summary_from_transactions
from custlens.errors import InputError, SchemaError

TX = pd.DataFrame({
    "cust": ["a", "a", "a", "a", "b", "c", "c"],
    "when": ["2024-01-01 09:00", "2024-01-01 18:00", "2024-01-08", "2024-01-22",
             "2024-01-15", "2024-01-05", "2024-02-05"],
    "amount": [10.0, 5.0, 20.0, 40.0, 7.0, 3.0, 9.0],
})


def test_same_day_merged_and_units() -> None:
    out = summary_from_transactions(TX, "cust", "when", "amount", observation_end="2024-01-29")
    a = out.loc["a"]
    assert a["frequency"] == 2  # 01-01 twice merges into one
    assert a["recency"] == pytest.approx(3.0)
    assert a["T"] == pytest.approx(4.0)
    assert a["monetary_value"] == pytest.approx(30.0)  # mean of 20 and 40
    assert out.loc["b", "monetary_value"] == 0 and out.loc["b", "T"] == pytest.approx(2.0)
    assert out.loc["c", "frequency"] == 0  # the 02-05 purchase is after observation_end
    days = summary_from_transactions(TX, "cust", "when", observation_end="2024-01-29", time_unit="D")
    assert days.loc["a", "T"] == 28 and "monetary_value" not in days


def test_calibration_holdout() -> None:
    out = summary_from_transactions(TX, "cust", "when", "amount", observation_end="2024-02-05",
                                    calibration_end="2024-01-10", time_unit="D")
    assert list(out.index) == ["a", "c"]  # b's first purchase is in the holdout
    assert out.loc["a", "frequency"] == 1 and out.loc["a", "T"] == 9
    assert out.loc["a", "frequency_holdout"] == 1 and out.loc["a", "monetary_value_holdout"] == 40
    assert out.loc["c", "frequency_holdout"] == 1
    assert (out["duration_holdout"] == 26).all()


def test_errors() -> None:
    with pytest.raises(SchemaError, match="missing column"):
        summary_from_transactions(TX, "customer", "when")
    bad = TX.assign(when=["2024-13-45"] + list(TX["when"][1:]))
    with pytest.raises(InputError, match="not dates .*row 0"):
        summary_from_transactions(bad, "cust", "when")
    with pytest.raises(InputError, match="calibration_end"):
        summary_from_transactions(TX, "cust", "when", observation_end="2024-01-10",
                                  calibration_end="2024-01-20")
