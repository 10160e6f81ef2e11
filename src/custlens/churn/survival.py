"""Retention over customer lifetime: Kaplan-Meier curves by group and a Cox model (lifelines).

A customer's lifetime runs from the first order to the last one. It has *ended* (the event)
when the customer has not bought for at least ``H`` days at ``as_of`` (definition (a)); a
customer who bought within ``H`` days is censored at their age ``T_days``. One-time buyers
who lapsed end at day 0, so the curve's first drop is the share who never came back.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from custlens.churn.texts import Phrase
from custlens.errors import MissingDataError, import_optional
from custlens.features import columns as c

__all__ = ["SurvivalResult", "lifetimes", "retention_curves", "cox_model"]

#: Groups smaller than this get no curve of their own.
MIN_GROUP = 20
#: Numeric covariates of the Cox model (hazard ratios per standard deviation).
COX_NUMERIC = ("aov", "discount_share", "return_rate", "age", "income", "nps_last", "complaint_rate", "feedback_sentiment")
#: Categorical covariates (dummies of the common levels against the most common one).
COX_CATEGORICAL = ("acquisition_channel",)


@dataclass
class SurvivalResult:
    """Kaplan-Meier curves and Cox hazard ratios.

    Attributes
    ----------
    curves : DataFrame
        ``by, group, days, retention`` (the step function of each curve).
    groups : DataFrame
        ``by, group, customers, churned, retention_180, retention_365, median_days``.
    sentences : list of Phrase
        One per grouping, comparing the best and worst group.
    cox : DataFrame
        ``covariate, hazard_ratio, ci_lower, ci_upper, p_value``; empty when the fit failed.
    cox_sentences : list of Phrase
        One per covariate, reading its hazard ratio.
    cox_note : str
        Why the Cox model is missing, when it is.
    """

    curves: pd.DataFrame
    groups: pd.DataFrame
    sentences: list[Phrase] = field(default_factory=list)
    cox: pd.DataFrame = field(default_factory=pd.DataFrame)
    cox_sentences: list[Phrase] = field(default_factory=list)
    cox_note: str = ""


def lifetimes(customers: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """``duration`` (days) and ``event`` (1 = lapsed for ``H`` days) per customer."""
    event = (customers[c.DAYS_SINCE_LAST] >= horizon_days).astype(int)
    duration = np.where(event == 1, customers[c.RECENCY_DAYS], customers[c.T_DAYS]).astype(float)
    return pd.DataFrame({"duration": duration, "event": event.to_numpy()}, index=customers.index)


def _km_at(kmf: object, days: float, longest: float) -> float:
    """Retention at ``days``; NaN past the longest observed lifetime (no extrapolation)."""
    if days > longest:
        return float("nan")
    return float(kmf.survival_function_at_times(days).iloc[0])  # type: ignore[attr-defined]


def retention_curves(customers: pd.DataFrame, horizon_days: int, by: dict[str, pd.Series]) -> SurvivalResult:
    """Kaplan-Meier retention curves of each grouping in ``by``.

    Parameters
    ----------
    customers : DataFrame
        The customer table (``days_since_last, recency_days, T_days``).
    horizon_days : int
        ``H`` of the churn definition.
    by : dict of name -> Series
        Group labels aligned with ``customers`` (e.g. ``{"segment": ..., "channel": ...}``);
        labels may be i18n references ``"@key"``.

    Returns
    -------
    SurvivalResult
    """
    KaplanMeierFitter = import_optional("lifelines", "survival").KaplanMeierFitter

    if len(customers) < MIN_GROUP:
        raise MissingDataError(f"retention curves need at least {MIN_GROUP} customers, got {len(customers)}")
    life = lifetimes(customers, horizon_days)
    curves, groups, sentences = [], [], []
    day_mark = 365.0 if float(life["duration"].max()) >= 365 else float(horizon_days)
    for name, labels in by.items():
        labels = pd.Series(labels, index=customers.index).astype(object)
        at_mark = {}
        for g, idx in labels.groupby(labels, sort=True).groups.items():
            part = life.loc[idx]
            if len(part) < MIN_GROUP:
                continue
            kmf = KaplanMeierFitter().fit(part["duration"], part["event"])
            sf = kmf.survival_function_
            curves.append(pd.DataFrame({"by": name, "group": g, "days": sf.index.to_numpy(dtype=float),
                                        "retention": sf.iloc[:, 0].to_numpy()}))
            median = kmf.median_survival_time_
            longest = float(part["duration"].max())
            if longest >= day_mark:
                at_mark[g] = _km_at(kmf, day_mark, longest)
            groups.append({"by": name, "group": g, "customers": len(part), "churned": int(part["event"].sum()),
                           "retention_180": _km_at(kmf, 180, longest), "retention_365": _km_at(kmf, 365, longest),
                           "median_days": float(median) if np.isfinite(median) else np.nan})
        if len(at_mark) >= 2:
            best = max(at_mark, key=at_mark.get)
            worst = min(at_mark, key=at_mark.get)
            sentences.append(Phrase("churn.km.sentence", {
                "by": f"@churn.km.by.{name}", "days": int(day_mark), "best": best, "worst": worst,
                "best_pct": f"{at_mark[best]:.0%}", "worst_pct": f"{at_mark[worst]:.0%}"}))
    return SurvivalResult(
        curves=pd.concat(curves, ignore_index=True) if curves else
        pd.DataFrame(columns=["by", "group", "days", "retention"]),
        groups=pd.DataFrame(groups), sentences=sentences)


def cox_model(customers: pd.DataFrame, horizon_days: int, profile: pd.DataFrame | None = None
              ) -> tuple[pd.DataFrame, list[Phrase], str]:
    """Cox proportional hazards of the lifetime on spend habits and profile.

    Numeric covariates are standardised (hazard ratio per standard deviation); categories are
    dummies against their most common level. Missing numbers are set to the median.

    Returns
    -------
    (DataFrame, list of Phrase, str)
        The hazard-ratio table, one sentence per covariate, and a note when the fit failed.
    """
    CoxPHFitter = import_optional("lifelines", "survival").CoxPHFitter

    life = lifetimes(customers, horizon_days)
    data = pd.DataFrame(index=customers.index)
    sds: dict[str, float] = {}
    src = customers.join(profile, how="left", rsuffix="_p") if profile is not None else customers
    for col in COX_NUMERIC:
        if col in src and pd.to_numeric(src[col], errors="coerce").notna().sum() >= MIN_GROUP:
            v = pd.to_numeric(src[col], errors="coerce").astype(float)
            v = v.fillna(v.median())
            sd = float(v.std())
            if sd > 0:
                data[col] = (v - v.mean()) / sd
                sds[col] = sd
    bases: dict[str, tuple[str, str]] = {}
    for col in COX_CATEGORICAL:
        if col in src:
            v = src[col].astype(object)
            counts = v.value_counts()
            common = [lv for lv in counts.index if counts[lv] >= MIN_GROUP]
            if len(common) >= 2:
                for lv in common[1:]:
                    data[f"{col}={lv}"] = (v == lv).astype(float)
                    bases[f"{col}={lv}"] = (col, str(common[0]))
    if data.empty or life["event"].sum() < MIN_GROUP:
        return pd.DataFrame(), [], "too few covariates or lapsed customers for a Cox model"
    frame = data.join(life)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cph = CoxPHFitter(penalizer=0.01).fit(frame, duration_col="duration", event_col="event")
    except Exception as exc:  # noqa: BLE001 - lifelines raises several kinds on degenerate data
        return pd.DataFrame(), [], f"the Cox model did not fit: {exc}"
    s = cph.summary
    table = pd.DataFrame({"covariate": s.index.astype(str), "hazard_ratio": s["exp(coef)"].to_numpy(),
                          "ci_lower": s["exp(coef) lower 95%"].to_numpy(),
                          "ci_upper": s["exp(coef) upper 95%"].to_numpy(), "p_value": s["p"].to_numpy()})
    return table, [_cox_sentence(row, sds, bases) for row in table.itertuples(index=False)], ""


def _cox_sentence(row: object, sds: dict[str, float], bases: dict[str, tuple[str, str]]) -> Phrase:
    hr, lo, hi, p = row.hazard_ratio, row.ci_lower, row.ci_upper, row.p_value  # type: ignore[attr-defined]
    up = hr >= 1
    pct = f"{abs(hr - 1):.0%}"
    sig = Phrase("churn.cox.significant" if p < 0.05 else "churn.cox.not_significant", {"p": f"{p:.3f}"})
    args = {"hr": f"{hr:.2f}", "lo": f"{lo:.2f}", "hi": f"{hi:.2f}", "pct": pct, "sig": sig}
    cov = row.covariate  # type: ignore[attr-defined]
    if cov in bases:
        col, base = bases[cov]
        return Phrase("churn.cox.level_higher" if up else "churn.cox.level_lower",
                      {**args, "feature": f"@churn.feature.{col}", "level": cov.split("=", 1)[1], "base": base})
    unit = Phrase("churn.cox.unit.sd", {"sd": f"{sds.get(cov, 1.0):,.2f}"})
    return Phrase("churn.cox.higher" if up else "churn.cox.lower", {**args, "feature": f"@churn.feature.{cov}",
                                                                     "unit": unit})
