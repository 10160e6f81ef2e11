"""Risk bands, the early-warning list and the win-back list.

*Early warning*: customers who still count as active (they bought within the last ``H``
days) but whose churn probability is medium or high. *Win-back*: customers who already
count as churned (no purchase for ``H`` days). Both lists put high value x high risk first:
they are sorted by ``expected_loss = value x churn_probability``. The suggested action depends
on the list and on the value tier (top 20% of value = high value).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlens import i18n
from custlens.churn import texts  # noqa: F401  (registers the texts)

__all__ = ["DEFAULT_CUTOFFS", "HIGH_VALUE_QUANTILE", "bands", "early_warning", "win_back", "localise"]

#: (medium, high): a probability >= high is "high", >= medium is "medium", else "low".
DEFAULT_CUTOFFS: tuple[float, float] = (0.4, 0.7)
#: Customers at or above this quantile of value are "high value".
HIGH_VALUE_QUANTILE = 0.8

LIST_COLUMNS = ["customer_id", "churn_probability", "risk_band", "customer_value", "expected_loss",
                "days_since_last", "reasons_en", "reasons_zh", "action"]


def bands(p: np.ndarray | pd.Series, cutoffs: tuple[float, float] = DEFAULT_CUTOFFS) -> np.ndarray:
    """``"low"``, ``"medium"`` or ``"high"`` per probability."""
    medium, high = cutoffs
    if not 0 <= medium <= high <= 1:
        raise ValueError(f"cutoffs={cutoffs} must satisfy 0 <= medium <= high <= 1")
    p = np.asarray(p, dtype=float)
    return np.where(p >= high, "high", np.where(p >= medium, "medium", "low"))


def _ranked(scores: pd.DataFrame, mask: pd.Series, kind: str) -> pd.DataFrame:
    threshold = scores["customer_value"].quantile(HIGH_VALUE_QUANTILE) if len(scores) else 0.0
    out = scores.loc[mask].copy()
    out["expected_loss"] = out["customer_value"] * out["churn_probability"]
    tier = np.where(out["customer_value"] >= threshold, "high_value", "other")
    out["action"] = [f"churn.action.{kind}.{t}" for t in tier]
    out = out.sort_values(["expected_loss", "customer_id"], ascending=[False, True], kind="stable")
    return out[[c for c in LIST_COLUMNS if c in out.columns]].reset_index(drop=True)


def early_warning(scores: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """Active customers (bought within ``H`` days) with a medium or high risk, largest expected loss first."""
    mask = (scores["days_since_last"] < horizon_days) & scores["risk_band"].isin(["medium", "high"])
    return _ranked(scores, mask, "early")


def win_back(scores: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """Customers silent for at least ``H`` days, largest expected loss (value x risk) first."""
    return _ranked(scores, scores["days_since_last"] >= horizon_days, "winback")


def localise(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A list ready to show or export: actions and bands in ``lang``, reasons in ``lang`` only."""
    out = frame.copy()
    if "action" in out:
        out["action"] = [i18n.t(k, lang) for k in out["action"]]
    if "risk_band" in out:
        out["risk_band"] = [i18n.t(f"churn.band.{b}", lang) for b in out["risk_band"]]
    keep = f"reasons_{lang}"
    if keep in out:
        out = out.drop(columns=[c for c in ("reasons_en", "reasons_zh") if c != keep and c in out])
        out = out.rename(columns={keep: "reasons"})
    return out
