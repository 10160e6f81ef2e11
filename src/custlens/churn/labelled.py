"""Definition (c): churn from a labelled customer table (e.g. a subscription export).

Every column but the label and the customer id is a feature: numbers as numbers, anything
else as a category. There is no time axis, so the model is checked on a stratified random
25% of the rows held out from training, then refitted on all rows to score them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from custlens import schema
from custlens.churn.analysis import (MIN_CLASS_HOLDOUT, MIN_CLASS_TRAIN, PD_TOP, ChurnResult, check_eligible,
                                     drivers_of, score_frame)
from custlens.churn.drivers import partial_dependence, permutation_importance
from custlens.churn.model import ChurnModel, calibration_table, evaluate
from custlens.churn.texts import Phrase
from custlens.churn.warning import DEFAULT_CUTOFFS
from custlens.errors import InputError, SchemaError

__all__ = ["churn_from_labels", "parse_labels"]

_POSITIVE = {"1", "1.0", "true", "yes", "y", "churn", "churned", "t", "是", "流失"}
_NEGATIVE = {"0", "0.0", "false", "no", "n", "retained", "active", "f", "stay", "否", "未流失"}
_ID_NAMES = ("customer_id", "customerid", "customer", "id", "user_id", "userid", "member_id")


def parse_labels(values: pd.Series, column: str) -> np.ndarray:
    """0/1 from yes/no, true/false, 1/0, churned/retained (case-insensitive)."""
    text = values.astype(str).str.strip().str.lower()
    pos, neg = text.isin(_POSITIVE), text.isin(_NEGATIVE)
    bad = ~(pos | neg)
    if bad.any():
        examples = ", ".join(repr(v) for v in values[bad].astype(str).unique()[:5])
        raise InputError(f"label column '{column}': {int(bad.sum()):,} of {len(values):,} values are not churn "
                         f"labels ({examples}); use 1/0, yes/no, true/false or churned/retained")
    return pos.to_numpy().astype(int)


def _id_column(df: pd.DataFrame, id_column: str | None) -> str | None:
    if id_column is not None:
        if id_column not in df.columns:
            raise SchemaError(f"id column {id_column!r} is not in the table; its columns are {list(df.columns)}")
        return id_column
    for c in df.columns:
        if str(c).strip().lower() in _ID_NAMES:
            return c
    return None


def churn_from_labels(df: pd.DataFrame, label_column: str, id_column: str | None = None,
                      cutoffs: tuple[float, float] = DEFAULT_CUTOFFS, random_state: int = 0) -> ChurnResult:
    """Train, check and apply a churn model on a labelled table.

    Parameters
    ----------
    df : DataFrame
        One row per customer.
    label_column : str
        The churn label (1/0, yes/no, true/false, churned/retained).
    id_column : str, optional
        The customer id (default: a column named like ``customer_id``/``id``, else the row number).
    cutoffs : (float, float)
        (medium, high) probability cut-offs of the risk bands.

    Returns
    -------
    ChurnResult
        With ``horizon=None``, no baselines, ``value`` = 0 (a labelled table has no spend) unless a
        ``total_spend`` / ``TotalCharges`` / ``MonthlyCharges`` column exists.
    """
    if label_column not in df.columns:
        raise SchemaError(f"label column {label_column!r} is not in the table; its columns are {list(df.columns)}")
    idc = _id_column(df, id_column)
    y = parse_labels(df[label_column], label_column)
    X = df.drop(columns=[c for c in (label_column, idc) if c is not None]).copy()
    X.index = df[idc].astype(str).to_numpy() if idc else pd.RangeIndex(len(df)).astype(str)
    X.index.name = schema.CUSTOMER_ID
    X.columns = [str(c) for c in X.columns]
    num, cat = [], []
    for col in X.columns:
        as_num = pd.to_numeric(X[col], errors="coerce")
        if as_num.notna().sum() >= 0.95 * X[col].notna().sum() and X[col].notna().any():
            X[col] = as_num.astype(float)
            num.append(col)
        else:
            X[col] = X[col].astype(object).where(X[col].notna(), None)
            cat.append(col)
    if not num and not cat:
        raise InputError(f"the labelled table has no feature columns besides '{label_column}'")
    check_eligible(y, MIN_CLASS_TRAIN + MIN_CLASS_HOLDOUT, "the labelled rows")
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=random_state)
    model = ChurnModel(num, cat, random_state).fit(X_tr, y_tr)
    p_te = model.predict_proba(X_te)
    metrics = pd.DataFrame({"gradient_boosting": evaluate(y_te, p_te).to_dict(),
                            "logistic": evaluate(y_te, model.baseline_proba(X_te)).to_dict()}).T
    importance = permutation_importance(model, X_te, y_te, random_state=random_state)
    top = [f for f in importance["feature"] if f in num][:PD_TOP]
    final = ChurnModel(num, cat, random_state).fit(X, y)
    value_col = next((c for c in ("total_spend", "TotalCharges", "MonthlyCharges") if c in num), None)
    value = X[value_col] if value_col else pd.Series(0.0, index=X.index)
    scores = score_frame(final, X, None, cutoffs, value, drivers_of(importance))
    scores["churned"] = y
    empty = scores.iloc[0:0][["customer_id"]]
    return ChurnResult(
        definition=Phrase("churn.definition.labels", {"column": label_column, "positive": "1/yes/true"}),
        horizon=None, as_of=None, holdout_snapshot=None, train_snapshots=[], n_train=len(X_tr),
        n_holdout=len(X_te), metrics=metrics, baselines={}, calibration=calibration_table(y_te, p_te),
        importance=importance, partial_dependence=partial_dependence(model, X_te, top), scores=scores,
        early_warning=scores[scores["churned"] == 0].sort_values("churn_probability", ascending=False)
        .drop(columns=["reasons"]).reset_index(drop=True) if len(scores) else empty,
        win_back=empty, cutoffs=cutoffs, model=final, features=X)
