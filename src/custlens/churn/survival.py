"""Retention over customer lifetime: Kaplan-Meier curves by group and a Cox model (lifelines).

A customer's lifetime runs from the first order to the end of the day of the last one, in
days: ``recency_days + 1`` (the day of the first order is day 1, so every curve starts at
100% at day 0 and a one-time buyer's lifetime ends at day 1). It has *ended* (the event)
when the customer has not bought for at least ``H`` days at ``as_of`` (definition (a)). A
customer who bought within ``H`` days is censored at the same point, their last order: what
is known is that they were active then. Censoring them at their age ``T_days`` instead would
count the silent days since their last order as survival for them but not for the lapsed,
and lift every curve.

Groups are chosen so that they are fixed at or near the first order (acquisition channel,
first-order value band, first-order cohort, favourite channel): curves by RFM segment are not
drawn, since the segments are built from recency, i.e. from the outcome itself.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from custlens.churn.texts import Phrase
from custlens.errors import MissingDataError, import_optional
from custlens.features import columns as c
from custlens.results import Result

__all__ = ["SurvivalResult", "kaplan_meier", "lifetimes", "retention_curves", "cox_model", "survival_at"]

#: Groups smaller than this get no curve of their own.
MIN_GROUP = 20
#: Numeric covariates of the Cox model (hazard ratios per standard deviation).
COX_NUMERIC = ("aov", "discount_share", "return_rate", "age", "income", "nps_last", "complaint_rate", "feedback_sentiment")
#: Categorical covariates (dummies of the common levels against the most common one).
COX_CATEGORICAL = ("acquisition_channel",)
#: L2 penalty of the fallback Cox fit (lifelines' ``penalizer``), used only when the plain fit fails.
COX_PENALIZER = 0.01
#: Above this many customers the Cox model is fitted on a random sample of this size (seed `COX_SEED`).
COX_SAMPLE = 50_000
COX_SEED = 0


@dataclass
class SurvivalResult(Result):
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
    cox_penalizer : float
        The L2 penalty of the Cox fit: 0.0 (plain partial likelihood) or `COX_PENALIZER` when
        the plain fit did not converge; NaN without a fit.
    cox_sample : int or None
        Customers the Cox model was fitted on when it was fitted on a sample (seed `COX_SEED`);
        None when every customer was used. The Kaplan-Meier curves always use every customer.
    """

    curves: pd.DataFrame
    groups: pd.DataFrame
    sentences: list[Phrase] = field(default_factory=list)
    cox: pd.DataFrame = field(default_factory=pd.DataFrame)
    cox_sentences: list[Phrase] = field(default_factory=list)
    cox_note: str = ""
    cox_penalizer: float = float("nan")
    cox_sample: int | None = None


def lifetimes(customers: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """``duration`` (days, ``recency_days + 1``) and ``event`` (1 = lapsed for ``H`` days) per customer.

    Lapsed and active customers alike are measured to their last order; the active ones are
    censored there (see the module docstring).
    """
    event = (customers[c.DAYS_SINCE_LAST] >= horizon_days).astype(int)
    duration = customers[c.RECENCY_DAYS].to_numpy(dtype=float) + 1.0
    return pd.DataFrame({"duration": duration, "event": event.to_numpy()}, index=customers.index)


def kaplan_meier(duration: np.ndarray | pd.Series, event: np.ndarray | pd.Series) -> pd.DataFrame:
    """The Kaplan-Meier estimate, ``S(t) = prod over event times t_i <= t of (1 - d_i / n_i)``.

    Parameters
    ----------
    duration : array
        Time to the event or to censoring (>= 0).
    event : array
        1 for an observed event, 0 for a censored time.

    Returns
    -------
    DataFrame
        ``days, at_risk, events, retention``: one row at 0 (retention 1 unless events at 0)
        and one per distinct observed time, as lifelines' ``survival_function_``.

    Examples
    --------
    >>> kaplan_meier([1, 2, 2, 3], [1, 1, 0, 0])["retention"].round(3).tolist()
    [1.0, 0.75, 0.5, 0.5]
    """
    t = np.asarray(duration, dtype=float)
    e = np.asarray(event, dtype=int)
    if len(t) == 0 or not np.isfinite(t).all() or (t < 0).any():
        raise MissingDataError(f"kaplan_meier needs finite durations >= 0; got {len(t)} values, min {np.min(t) if len(t) else None}")
    # One pass over the data (bincount), not one per distinct time: a million customers stay fast.
    times, inv = np.unique(np.concatenate([[0.0], t]), return_inverse=True)
    inv = inv[1:]  # the prepended origin is not a customer
    d = np.bincount(inv, weights=e, minlength=len(times)).astype(float)
    left = np.bincount(inv, minlength=len(times)).astype(float)
    at_risk = len(t) - np.concatenate([[0.0], np.cumsum(left)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(at_risk > 0, 1.0 - d / at_risk, 1.0)
    return pd.DataFrame({"days": times, "at_risk": at_risk.astype(int), "events": d.astype(int),
                         "retention": np.cumprod(step)})


def survival_at(curve: pd.DataFrame, days: float) -> float:
    """Retention of a `kaplan_meier` curve at ``days``.

    0 once the curve has reached 0 (everybody's lifetime has ended), NaN past the longest
    observed time while the curve is above 0 (no extrapolation).
    """
    past = curve[curve["days"] <= days]
    value = float(past["retention"].iloc[-1]) if len(past) else 1.0
    if value == 0.0:
        return 0.0
    if days > float(curve["days"].max()):
        return float("nan")
    return value


def _median(curve: pd.DataFrame) -> float:
    below = curve[curve["retention"] <= 0.5]
    return float(below["days"].iloc[0]) if len(below) else float("nan")


def retention_curves(customers: pd.DataFrame, horizon_days: int, by: dict[str, pd.Series]) -> SurvivalResult:
    """Kaplan-Meier retention curves of each grouping in ``by``.

    Parameters
    ----------
    customers : DataFrame
        The customer table (``days_since_last, recency_days, T_days``).
    horizon_days : int
        ``H`` of the churn definition.
    by : dict of name -> Series
        Group labels aligned with ``customers`` (e.g. ``{"acquisition": ..., "channel": ...}``);
        labels may be i18n references ``"@key"``.

    Returns
    -------
    SurvivalResult
        Curves from `kaplan_meier` (the same numbers as lifelines' ``KaplanMeierFitter``).
    """
    if len(customers) < MIN_GROUP:
        raise MissingDataError(f"retention curves need at least {MIN_GROUP} customers, got {len(customers)}")
    life = lifetimes(customers, horizon_days)
    duration, event = life["duration"].to_numpy(), life["event"].to_numpy()
    curves, groups, sentences = [], [], []
    day_mark = 365.0 if float(duration.max()) >= 365 else float(horizon_days)
    for name, labels in by.items():
        labels = pd.Series(labels, index=customers.index).astype(object)
        at_mark = {}
        # Row positions per group (in row order), not index labels: looking a million string ids
        # up again with .loc cost seconds per grouping.
        for g, pos in labels.groupby(labels, sort=True).indices.items():
            if len(pos) < MIN_GROUP:
                continue
            km = kaplan_meier(duration[pos], event[pos])
            curves.append(pd.DataFrame({"by": name, "group": g, "days": km["days"].to_numpy(),
                                        "retention": km["retention"].to_numpy()}))
            mark = survival_at(km, day_mark)
            if not np.isnan(mark):
                at_mark[g] = mark
            groups.append({"by": name, "group": g, "customers": len(pos), "churned": int(event[pos].sum()),
                           "retention_180": survival_at(km, 180), "retention_365": survival_at(km, 365),
                           "median_days": _median(km)})
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


def cox_model(customers: pd.DataFrame, horizon_days: int, profile: pd.DataFrame | None = None,
              sample_size: int | None = COX_SAMPLE, seed: int = COX_SEED
              ) -> tuple[pd.DataFrame, list[Phrase], str]:
    """Cox proportional hazards of the lifetime on spend habits and profile.

    Numeric covariates are standardised (hazard ratio per standard deviation); categories are
    dummies against their most common level. Missing numbers are set to the median.

    The fit is the plain (unpenalised) partial likelihood; when it does not converge, an L2
    penalty of `COX_PENALIZER` is used. ``table.attrs["penalizer"]`` says which.

    With more than ``sample_size`` customers, the model is fitted on a random sample of that many
    (seed ``seed``; the partial likelihood's Newton steps cost O(n) each and the hazard ratios
    are settled long before a million rows); ``table.attrs["sample"]`` then holds the size.

    Returns
    -------
    (DataFrame, list of Phrase, str)
        The hazard-ratio table, one sentence per covariate, and a note when the fit failed.
    """
    CoxPHFitter = import_optional("lifelines", "survival").CoxPHFitter

    sampled = sample_size is not None and len(customers) > sample_size
    if sampled:
        pos = np.sort(np.random.default_rng(seed).choice(len(customers), int(sample_size), replace=False))
        customers = customers.iloc[pos]
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
    cph, errors = None, []
    # The plain partial likelihood first: its hazard ratios and intervals are the textbook ones.
    # Only when it does not converge (e.g. separation) a small ridge penalty is used, and said.
    for penalizer in (0.0, COX_PENALIZER):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cph = CoxPHFitter(penalizer=penalizer).fit(frame, duration_col="duration", event_col="event")
            break
        except Exception as exc:  # noqa: BLE001 - lifelines raises several kinds on degenerate data
            cph = None
            errors.append(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    if cph is None:
        return pd.DataFrame(), [], f"the Cox model did not fit: {errors[-1]}"
    s = cph.summary
    table = pd.DataFrame({"covariate": s.index.astype(str), "hazard_ratio": s["exp(coef)"].to_numpy(),
                          "ci_lower": s["exp(coef) lower 95%"].to_numpy(),
                          "ci_upper": s["exp(coef) upper 95%"].to_numpy(), "p_value": s["p"].to_numpy()})
    table.attrs["penalizer"] = float(cph.penalizer)
    table.attrs["sample"] = int(sample_size) if sampled else None
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
