"""Definition (c): a labelled customer table, every other column a feature."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.churn import churn_from_labels
from custlens.churn.labelled import parse_labels
from custlens.errors import InputError, SchemaError


def labelled_table(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """A subscription export: churn driven by short tenure and month-to-month contracts only."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, n)
    contract = rng.choice(["month-to-month", "one year", "two year"], n, p=[0.5, 0.3, 0.2])
    noise = rng.normal(size=n)
    logit = 1.0 - 0.06 * tenure + np.where(contract == "month-to-month", 1.5, -1.0)
    churn = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"customerID": [f"u{i}" for i in range(n)], "tenure": tenure, "Contract": contract,
                         "noise": noise, "MonthlyCharges": rng.uniform(20, 100, n).round(2),
                         "Churn": np.where(churn, "Yes", "No")})


def test_labelled_table_is_modelled_and_explained() -> None:
    df = labelled_table()
    res = churn_from_labels(df, "Churn")
    assert res.horizon is None and "Churn" in res.definition.text("en") and "Churn" in res.definition.text("zh")
    assert len(res.scores) == len(df) and set(res.scores["customer_id"]) == set(df["customerID"])
    assert res.auc > 0.75
    top2 = set(res.importance["feature"].head(2))
    assert top2 == {"tenure", "Contract"}
    # reasons name only the real drivers
    named = {r.group for rs in res.scores["reasons"] for r in rs} - {"no_signal"}
    assert named and named <= {"tenure", "Contract", "MonthlyCharges"}
    assert "noise" not in named
    assert res.to_dict()["horizon_days"] is None


def test_label_values_are_parsed_or_refused() -> None:
    assert parse_labels(pd.Series(["Yes", "no", "TRUE", "0", "churned"]), "c").tolist() == [1, 0, 1, 0, 1]
    with pytest.raises(InputError, match=r"label column 'c': 1 of 2 values are not churn labels \('maybe'\)"):
        parse_labels(pd.Series(["yes", "maybe"]), "c")
    with pytest.raises(SchemaError, match="label column 'Gone' is not in the table"):
        churn_from_labels(labelled_table(50), "Gone")
