"""Why a customer's risk is high: per-customer contributions turned into plain words.

The contribution of a group of features (e.g. the recency group ``days_since_last,
gap_ratio, usual_gap_days``) to a customer's score is a local perturbation: the score minus
the score with that group set to the population's typical values (median number, most common
category). A positive contribution means the customer's own values push the risk up. The
groups with the largest positive contributions become the reasons, each rendered from an i18n
template with the customer's values ("no order for 94 days, 3.1x longer than usual").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from custlens import i18n
from custlens.churn.texts import render_arg
from custlens.churn.model import ChurnModel

__all__ = ["GROUPS", "Reason", "contributions", "reasons_for", "render"]

#: Features explained together (they describe one thing).
GROUPS: dict[str, tuple[str, ...]] = {
    "recency": ("days_since_last", "gap_ratio", "usual_gap_days"),
    "orders": ("orders", "frequency"),
    "tenure": ("T_days", "tenure_days"),
    "spend": ("total_spend", "aov"),
    "trend": ("orders_90d", "spend_90d", "spend_change"),
    "returns": ("return_rate", "returns_count"),
    "discount": ("discount_share",),
    "btyd": ("p_alive", "p_no_purchase"),
    "survey": ("nps_last", "csat_mean"),
    "complaints": ("complaints_90d",),
    "tickets": ("tickets_90d", "ticket_satisfaction"),
}
#: Contributions below this (probability points) are not reasons.
MIN_CONTRIBUTION = 0.02
#: The group of the reason given when no group reaches `MIN_CONTRIBUTION`.
NO_SIGNAL = "no_signal"
#: Reasons compare a customer with the customers of the lowest ``LOW_RISK_SHARE`` of scores.
LOW_RISK_SHARE = 0.3


@dataclass(frozen=True)
class Reason:
    """One reason: the feature group, its i18n template key and arguments, its contribution."""

    group: str
    key: str
    args: dict[str, Any]
    contribution: float

    def text(self, lang: str) -> str:
        return i18n.t(self.key, lang, **{k: render_arg(v, lang) for k, v in self.args.items()})


def feature_groups(features: list[str]) -> dict[str, list[str]]:
    """The groups present in ``features``; a feature outside `GROUPS` is its own group."""
    out: dict[str, list[str]] = {}
    known = {f for cols in GROUPS.values() for f in cols}
    for name, cols in GROUPS.items():
        present = [f for f in cols if f in features]
        if present:
            out[name] = present
    for f in features:
        if f not in known:
            out[f] = [f]
    return out


def reference_values(model: ChurnModel, X: pd.DataFrame, p: np.ndarray | None = None,
                     low_share: float = LOW_RISK_SHARE) -> dict[str, Any]:
    """The typical low-risk customer: median numbers and most common levels.

    With scores ``p``, only the ``low_share`` of rows with the lowest scores are used, so a
    reason says how a customer differs from those who stay; without, all rows.
    """
    if p is not None and len(X) >= 10:
        X = X[np.asarray(p) <= np.quantile(p, low_share)]
    ref: dict[str, Any] = {}
    for col in model.numeric:
        v = pd.to_numeric(X[col], errors="coerce")
        ref[col] = float(v.median()) if v.notna().any() else np.nan
    for col in model.categorical:
        mode = X[col].dropna().astype(str).mode()
        ref[col] = mode.iloc[0] if len(mode) else None
    return ref


def contributions(model: ChurnModel, X: pd.DataFrame, reference: dict[str, Any] | None = None) -> pd.DataFrame:
    """Score minus the score with each feature group set to its typical value.

    The score is the trees' probability before calibration (`ChurnModel.raw_encoded`): the
    isotonic calibration is a step function that would hide most local changes.

    Parameters
    ----------
    model : ChurnModel
        Fitted.
    X : DataFrame
        Rows to explain (raw features).
    reference : dict, optional
        Typical value per feature; default `reference_values` of ``X``.

    Returns
    -------
    DataFrame
        One column per group, index of ``X``; positive = the customer's values raise the risk.
    """
    reference = reference or reference_values(model, X)
    Xe = model.encode(X)
    p = model.raw_encoded(Xe)
    groups = feature_groups(model.features)
    ref_frame = model.encode(pd.DataFrame({c: [reference[c]] for c in model.features}))
    stacked = []
    for cols in groups.values():
        Xg = Xe.copy()
        for col in cols:
            Xg[col] = ref_frame[col].iloc[0] if not pd.isna(ref_frame[col].iloc[0]) else np.nan
            if col in model.categorical:
                Xg[col] = pd.Categorical(Xg[col], categories=Xe[col].cat.categories)
        stacked.append(Xg)
    pert = model.raw_encoded(pd.concat(stacked, ignore_index=True)).reshape(len(groups), len(X))
    return pd.DataFrame((p[None, :] - pert).T, index=X.index, columns=list(groups))


def _fmt_num(v: float) -> str:
    if pd.isna(v):
        return "-"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}".rstrip("0").rstrip(".")


def render(group: str, row: "pd.Series | dict[str, Any]", reference: dict[str, Any], horizon_days: int,
           contribution: float) -> Reason:
    """The reason of ``group`` for one customer, from their values."""
    def g(col: str) -> float:
        v = row.get(col, np.nan)
        kind = type(v)
        if kind is float:  # the usual case, decided without `pd.isna` (~20% of 20,000 rows' reasons)
            return v
        if kind is int:
            return float(v)
        return float(v) if v is not None and not pd.isna(v) else np.nan

    key, args = "churn.reason.attribute", {}
    if group == "recency" and not np.isnan(g("days_since_last")):
        ratio = g("gap_ratio")
        if not np.isnan(ratio) and ratio >= 1.2:
            key, args = "churn.reason.gap", {"days": int(g("days_since_last")), "ratio": f"{ratio:.1f}"}
        else:
            key, args = "churn.reason.no_order", {"days": int(g("days_since_last"))}
    elif group == "orders" and not np.isnan(g("orders")):
        key, args = "churn.reason.few_orders", {"n": int(g("orders"))}
    elif group == "tenure" and not np.isnan(g("T_days")):
        key, args = "churn.reason.tenure", {"days": int(g("T_days"))}
    elif group == "spend" and not np.isnan(g("total_spend")):
        key, args = "churn.reason.spend", {"value": _fmt_num(g("total_spend")),
                                           "ref": _fmt_num(reference.get("total_spend", np.nan))}
    elif group == "trend":
        change = g("spend_change")
        if not np.isnan(change) and change < 0:
            key, args = "churn.reason.spend_down", {"pct": f"{-change:.0%}"}
        elif g("orders_90d") == 0:
            key, args = "churn.reason.no_recent", {}
        else:
            key, args = "churn.reason.recent_orders", {"n": int(g("orders_90d") or 0)}
    elif group == "returns" and not np.isnan(g("return_rate")):
        key, args = "churn.reason.returns", {"pct": f"{g('return_rate'):.0%}", "n": int(g("returns_count") or 0)}
    elif group == "discount" and not np.isnan(g("discount_share")):
        key, args = "churn.reason.discount", {"pct": f"{g('discount_share'):.0%}"}
    elif group == "btyd" and not np.isnan(g("p_no_purchase")):
        key, args = "churn.reason.btyd", {"pct": f"{g('p_no_purchase'):.0%}", "days": horizon_days}
    elif group == "survey" and not np.isnan(g("nps_last")):
        key, args = "churn.reason.nps", {"value": int(g("nps_last"))}
    elif group == "survey" and not np.isnan(g("csat_mean")):
        key, args = "churn.reason.csat", {"value": f"{g('csat_mean'):.1f}"}
    elif group == "survey":
        key, args = "churn.reason.no_survey", {}
    elif group == "complaints":
        key, args = "churn.reason.complaints", {"n": int(g("complaints_90d") or 0)}
    elif group == "tickets":
        key, args = "churn.reason.tickets", {"n": int(g("tickets_90d") or 0)}
    if key == "churn.reason.attribute":
        col = GROUPS.get(group, (group,))[0]
        feat = f"@churn.feature.{col}" if i18n.has(f"churn.feature.{col}") else col
        value = row.get(col)
        ref = reference.get(col)
        is_num = isinstance(value, (int, float, np.number)) or isinstance(ref, (int, float, np.number))
        args = {"feature": feat,
                "value": _fmt_num(float(value)) if is_num and value is not None else ("-" if value is None else str(value)),
                "ref": _fmt_num(float(ref)) if is_num and ref is not None else ("-" if ref is None else str(ref))}
    return Reason(group, key, args, float(contribution))


def reasons_for(contrib: pd.DataFrame, X: pd.DataFrame, reference: dict[str, Any], horizon_days: int,
                top: int = 3, drivers: set[str] | None = None) -> list[list[Reason]]:
    """Up to ``top`` reasons per row: the groups with the largest positive contributions.

    A row where no group adds at least `MIN_CONTRIBUTION` gets the single reason
    ``no_signal`` ("no single stand-out sign; the risk comes from many small signals").

    Parameters
    ----------
    drivers : set of str, optional
        Features that matter on held-out data (permutation importance above its noise); only
        groups holding one of them can be reasons. Default: every group.
    """
    out: list[list[Reason]] = []
    if drivers is not None:
        contrib = contrib[[g for g in contrib.columns if set(GROUPS.get(g, (g,))) & drivers]]
    values = contrib.to_numpy()
    names = list(contrib.columns)
    # Plain dicts, not iterrows(): a Series per row cost most of the time on 100,000 customers.
    # Only the columns `render` reads: its named ones and each group's first (its attribute).
    used = set(_RENDERED) | {GROUPS.get(g, (g,))[0] for g in names}
    cols = [col for col in X.columns if col in used]
    rows = X[cols].to_dict("records") if cols else [{} for _ in range(len(X))]  # (no columns: no records)
    # every row's groups ordered at once (a stable sort per row, as one argsort per row did)
    ranked = np.argsort(-values, axis=1, kind="stable")[:, :top] if values.size else np.zeros((len(rows), 0), int)
    for i, row in enumerate(rows):
        found = [render(names[j], row, reference, horizon_days, values[i, j])
                 for j in ranked[i] if values[i, j] >= MIN_CONTRIBUTION]
        out.append(found or [Reason(NO_SIGNAL, "churn.reason.no_signal", {}, 0.0)])
    return out


#: The reason of a customer outside the explained rows of a large shop (`custlens.churn.analysis.score_frame`).
NOT_EXPLAINED = Reason("not_explained", "churn.reason.not_explained", {}, float("nan"))


#: The columns `render` reads by name (besides each group's attribute column).
_RENDERED = ("days_since_last", "gap_ratio", "orders", "T_days", "total_spend", "spend_change", "orders_90d",
             "return_rate", "returns_count", "discount_share", "p_no_purchase", "nps_last", "csat_mean",
             "complaints_90d", "tickets_90d")


def join_reasons(reasons: list[Reason], lang: str, memo: dict[Any, str] | None = None) -> str:
    """The reasons of one customer as one line.

    ``memo`` (a dict the caller keeps for one language) reuses the text of a reason already
    rendered with the same key and arguments: 20,000 customers share a few thousand texts.
    """
    sep = "；" if lang == "zh" else "; "
    if memo is None:
        return sep.join(r.text(lang) for r in reasons)
    parts = []
    for r in reasons:
        # the type is part of the key: 1 and 1.0 hash alike but format differently
        key = (lang, r.key, tuple((k, type(v), v) for k, v in r.args.items()))
        try:
            text = memo.get(key)
        except TypeError:  # an unhashable argument: render it every time
            parts.append(r.text(lang))
            continue
        if text is None:
            text = memo[key] = r.text(lang)
        parts.append(text)
    return sep.join(parts)
