"""Risk bands from a stated capacity, the early-warning list and the win-back list.

*Capacity*: how many still-active customers the shop can contact, as a share of them (default
the top 10%) or a number. Bands come from the calibrated churn probabilities of the active
customers (bought within the last ``H`` days): **high** = the ``capacity`` most likely to churn,
**medium** = the next ``capacity``, **low** = the rest; the two probability cut-offs are stated
with the result. Customers whose probabilities tie at a cut-off are never split: the cut-off
moves up so that at most ``capacity`` customers are high (at most ``2 x capacity`` high or
medium). Customers silent for ``H`` days or more have already churned by the definition and
are **lapsed**, whatever their probability.

With a base churn rate of 80% (a typical shop where most customers buy once) fixed cut-offs
such as 0.4 / 0.7 flag most customers "high risk"; a capacity keeps the list actionable.

*Early warning*: the high band (still active). *Win-back*: the lapsed customers. Both lists put
high value x high risk first: they are sorted by ``expected_loss = value x churn_probability``.
The suggested action depends on the list and on the value tier (top 20% of value = high value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from custlens import i18n
from custlens.errors import InputError

__all__ = ["BAND_NAMES", "DEFAULT_CAPACITY", "DEFAULT_CUTOFFS", "HIGH_VALUE_QUANTILE", "Capacity", "band_codes",
           "bands", "capacity_cutoffs", "early_warning", "localise", "parse_capacity", "win_back"]

#: Fixed (medium, high) cut-offs, used only for a labelled table (no activity to rank within).
DEFAULT_CUTOFFS: tuple[float, float] = (0.4, 0.7)
#: Default capacity: the top 10% of the active customers.
DEFAULT_CAPACITY = 0.10
#: Customers at or above this quantile of value are "high value".
HIGH_VALUE_QUANTILE = 0.8

LIST_COLUMNS = ["customer_id", "churn_probability", "risk_band", "customer_value", "expected_loss",
                "days_since_last", "reasons_en", "reasons_zh", "action"]


@dataclass(frozen=True)
class Capacity:
    """The capacity and the cut-offs it gives.

    Attributes
    ----------
    requested : float or int
        As given: a share of the active customers (0 < x <= 1) or a number (>= 1).
    customers : int
        The capacity in customers: at most this many are in the high band.
    active : int
        Active customers (bought within ``H`` days).
    high, medium : float
        Probability cut-offs: ``p >= high`` is high, ``p >= medium`` medium (``inf`` = nobody).
    """

    requested: float | int
    customers: int
    active: int
    high: float
    medium: float

    def text(self, lang: str, horizon_days: int | str) -> str:
        """The band rule with its cut-offs, in ``lang``."""
        def cut(x: float) -> str:
            return "-" if np.isinf(x) else f"{x:.1%}"
        return i18n.t("churn.bands.capacity", lang, n=f"{self.customers:,}", active=f"{self.active:,}",
                      share=f"{self.customers / max(self.active, 1):.1%}", high=cut(self.high),
                      medium=cut(self.medium), days=horizon_days)

    def to_dict(self) -> dict[str, object]:
        return {"requested": self.requested, "customers": self.customers, "active": self.active,
                "high": None if np.isinf(self.high) else self.high,
                "medium": None if np.isinf(self.medium) else self.medium}


def parse_capacity(text: str | float | int) -> float | int:
    """``"10%"`` or ``"0.1"`` -> 0.1 (a share); ``"200"`` -> 200 (customers).

    Raises
    ------
    InputError
        For anything else, with the accepted forms.
    """
    raw = str(text).strip()
    try:
        if raw.endswith("%"):
            value: float | int = float(raw[:-1]) / 100
        elif raw.isdigit():
            value = int(raw)
        else:
            value = float(raw)
    except ValueError:
        raise InputError(f"capacity {raw!r} is not a share or a number of customers; use e.g. 10%, 0.1 "
                         "or 200") from None
    _check_capacity(value)
    return value


def _check_capacity(capacity: float | int) -> None:
    ok = (isinstance(capacity, (int, np.integer)) and not isinstance(capacity, bool) and capacity >= 1) or (
        isinstance(capacity, float) and 0 < capacity <= 1)
    if not ok:
        raise InputError(f"capacity={capacity!r} must be a share of the active customers in (0, 1] "
                         "(e.g. 0.1 = top 10%) or a whole number of customers >= 1")


def _top_cut(p: np.ndarray, k: int) -> float:
    """The lowest cut-off with at most ``k`` values at or above it (ties never split)."""
    if k <= 0 or len(p) == 0:
        return float("inf")
    ordered = np.sort(p)[::-1]
    cut = ordered[min(k, len(p)) - 1]
    if (p >= cut).sum() > k:
        higher = ordered[ordered > cut]
        return float(higher.min()) if len(higher) else float("inf")
    return float(cut)


def capacity_cutoffs(p_active: np.ndarray | pd.Series, capacity: float | int = DEFAULT_CAPACITY) -> Capacity:
    """Cut-offs that put at most ``capacity`` active customers in the high band, ``2 x`` in high or medium.

    Parameters
    ----------
    p_active : array
        Calibrated churn probabilities of the active customers.
    capacity : float or int
        Share of them (0 < x <= 1) or number of customers (>= 1).

    Returns
    -------
    Capacity
    """
    _check_capacity(capacity)
    p = np.asarray(p_active, dtype=float)
    n = len(p)
    k = int(np.floor(capacity * n + 1e-9)) if isinstance(capacity, float) else int(min(capacity, n))
    high = _top_cut(p, k)
    medium = min(_top_cut(p, min(2 * k, n)), high)
    return Capacity(capacity, k, n, high, medium)


#: Band codes (`band_codes`) and their names: ``BAND_NAMES[code]``.
LOW, MEDIUM, HIGH, LAPSED = 0, 1, 2, 3
BAND_NAMES = np.array(["low", "medium", "high", "lapsed"], dtype=object)


def band_codes(p: np.ndarray | pd.Series, cutoffs: tuple[float, float] = DEFAULT_CUTOFFS) -> np.ndarray:
    """The bands of `bands` as codes (`LOW`, `MEDIUM`, `HIGH`; int8), for arrays of a million rows."""
    medium, high = cutoffs
    if not 0 <= medium <= high:
        raise ValueError(f"cutoffs={cutoffs} must satisfy 0 <= medium <= high")
    p = np.asarray(p, dtype=float)
    code = (p >= medium).astype(np.int8)
    code[p >= high] = HIGH
    return code


def bands(p: np.ndarray | pd.Series, cutoffs: tuple[float, float] = DEFAULT_CUTOFFS) -> np.ndarray:
    """``"low"``, ``"medium"`` or ``"high"`` per probability (a cut-off of ``inf`` admits nobody)."""
    return np.array(["low", "medium", "high"])[band_codes(p, cutoffs)]


def _ranked(scores: pd.DataFrame, mask: pd.Series, kind: str) -> pd.DataFrame:
    threshold = scores["customer_value"].quantile(HIGH_VALUE_QUANTILE) if len(scores) else 0.0
    # Only the list's columns of only its rows, each taken once in its final order into a new frame:
    # copying every column (reasons as Python lists included) of a million rows, and the frame
    # copies of iloc, reset_index and a column selection, cost seconds.
    pos = np.flatnonzero(np.asarray(mask, dtype=bool))
    value = scores["customer_value"].to_numpy()[pos]
    loss = value * scores["churn_probability"].to_numpy()[pos]
    if scores["customer_id"].is_monotonic_increasing:  # the usual case: a stable sort keeps the id order of ties
        order = np.argsort(-loss.astype(float), kind="stable")
    else:  # sorting a million string ids as a second key took seconds
        ids = scores["customer_id"].to_numpy()[pos]
        order = pd.DataFrame({"l": loss, "i": ids}).sort_values(["l", "i"], ascending=[False, True],
                                                                kind="stable").index.to_numpy()
    take = pos[order]
    # Two keys, chosen per row (a Python f-string per row cost seconds on a million rows).
    keys = np.array([f"churn.action.{kind}.other", f"churn.action.{kind}.high_value"], dtype=object)
    cols = {}
    for col in LIST_COLUMNS:
        if col == "expected_loss":
            cols[col] = loss[order]
        elif col == "action":
            cols[col] = keys[(value[order] >= threshold).astype(np.intp)]
        elif col in scores.columns:
            cols[col] = scores[col].to_numpy()[take]
    return pd.DataFrame(cols, copy=False)


def early_warning(scores: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """Active customers (bought within ``H`` days) in the high band (the capacity), largest expected loss first."""
    mask = (scores["days_since_last"] < horizon_days) & (scores["risk_band"] == "high")
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
