"""A/B analysis of an experiment with one row per member: tests, SRM, CUPED, ROI, corrections.

`analyze_experiment` works on any frame (a campaign from the store through
`custlens.campaigns.outcomes.campaign_outcomes`, or an A/B export read by the caller);
`analyze_campaign` chains the two for a campaign in the store.

Assumptions: members were assigned to the groups at random and independently, one
member's outcome does not depend on another's assignment, and every member is counted
whether or not they reacted (intention to treat).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from custlens.campaigns.cuped import cuped_test
from custlens.campaigns.outcomes import OUTCOME_COLUMNS, campaign_outcomes
from custlens.campaigns.stats import (SrmTest, adjust_pvalues, bootstrap_diff_ci, mann_whitney, srm_test,
                                      two_proportion_ztest, welch_ttest)
from custlens.errors import InputError
from custlens.results import Result, jsonable
from custlens.store import Store

__all__ = ["ExperimentResult", "Roi", "analyze_campaign", "analyze_experiment", "resolve_groups"]

_TREATMENT_NAMES = ("treatment", "treated", "test", "variant", "b", "1", "true", "yes", "实验组", "实验", "处理组")
_CONTROL_NAMES = ("control", "holdout", "ctrl", "a", "0", "false", "no", "对照组", "对照", "控制组")

_METRIC_COLUMNS = ("name", "kind", "n_control", "n_treatment", "control", "treatment", "lift", "relative_lift",
                   "ci_low", "ci_high", "p_value", "test", "boot_ci_low", "boot_ci_high", "mw_p_value",
                   "cuped_lift", "cuped_ci_low", "cuped_ci_high", "cuped_p_value", "variance_reduction",
                   "p_holm", "p_bh")

#: Threshold of the sample-ratio-mismatch alarm (the usual choice, Fabijan et al. 2019).
SRM_ALARM = 0.001


@dataclass(frozen=True)
class Roi:
    """Incremental revenue of the treatment group and the return on the campaign's cost.

    ``incremental_revenue = lift per member x treated members`` (interval from the lift's);
    ``roi = (incremental_revenue - cost) / cost`` on revenue, not margin. ``p_value`` is the
    revenue lift's; when it is not below ``alpha`` the interval of the incremental revenue
    holds zero and the ROI point value is not a finding: every headline must say so and show
    the interval (`significant`).
    """

    metric: str
    incremental_revenue: float
    incremental_revenue_low: float
    incremental_revenue_high: float
    cost: float
    roi: float
    roi_low: float
    roi_high: float
    p_value: float = float("nan")
    alpha: float = 0.05

    @property
    def significant(self) -> bool:
        """True when the revenue lift is significant at ``alpha`` (its interval excludes 0)."""
        return bool(self.p_value < self.alpha)


@dataclass
class ExperimentResult(Result):
    """Outcome of `analyze_experiment`.

    Attributes
    ----------
    groups : DataFrame
        ``group, members, share, expected_share, cost`` for control and treatment.
    metrics : DataFrame
        One row per outcome: ``name, kind (proportion|mean), control, treatment, lift
        (treatment - control), relative_lift, ci_low, ci_high, p_value, test, p_holm, p_bh,
        boot_ci_low, boot_ci_high, mw_p_value, cuped_lift, cuped_ci_low, cuped_ci_high,
        cuped_p_value, variance_reduction``.
    srm : SrmTest
        Sample-ratio check, counts ordered (treatment, control).
    roi : Roi or None
        When costs are known.
    notes : list of str
        i18n keys of warnings (``campaign.note.*``).
    info : dict
        Campaign id, window and exposure dates (store analyses) or the source file.
    frame : DataFrame or None
        The per-member outcomes of a store analysis (`campaign_outcomes`); not in `to_dict`.
    """

    groups: pd.DataFrame
    metrics: pd.DataFrame
    srm: SrmTest
    split: tuple[float, float]
    alpha: float
    roi: Roi | None = None
    notes: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    frame: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def srm_p_value(self) -> float:
        return self.srm.p_value

    @property
    def srm_alarm(self) -> bool:
        """True when the group sizes do not match the intended split (p < 0.001)."""
        return self.srm.p_value < SRM_ALARM

    def metric(self, name: str) -> pd.Series:
        """The row of metric ``name``."""
        rows = self.metrics[self.metrics["name"] == name]
        if rows.empty:
            raise KeyError(f"no metric {name!r}; metrics: {', '.join(self.metrics['name'])}")
        return rows.iloc[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``groups``, ``metrics`` (list of dicts), ``srm_p_value``, ``roi``, ..."""
        return jsonable({
            **self.info,
            "alpha": self.alpha,
            "split": {"treatment": self.split[0], "control": self.split[1]},
            "groups": self.groups,
            "metrics": self.metrics,
            "srm_p_value": self.srm.p_value,
            "srm_chi2": self.srm.chi2,
            "srm_alarm": self.srm_alarm,
            "roi": None if self.roi is None else {**vars(self.roi), "significant": self.roi.significant},
            "notes": list(self.notes),
        })


def resolve_groups(values: pd.Series, treatment: str | None = None, control: str | None = None) -> pd.Series:
    """Map a group column to ``'treatment'``/``'control'``.

    Known labels (treatment/control, test/holdout, B/A, 1/0, 实验组/对照组...) are recognised;
    otherwise pass ``treatment`` and/or ``control`` explicitly.
    """
    raw = values.astype("string").str.strip()
    labels = sorted(raw.dropna().unique().tolist())
    low = {v: v.lower() for v in labels}
    if treatment is None and control is None:
        t = [v for v in labels if low[v] in _TREATMENT_NAMES]
        c = [v for v in labels if low[v] in _CONTROL_NAMES]
        if len(labels) != 2 or len(t) != 1 or len(c) != 1:
            raise InputError(f"group values {labels[:10]} are not a treatment/control pair I recognise; "
                             "pass --treatment VALUE (and --control VALUE)")
        treatment, control = t[0], c[0]
    elif treatment is None or control is None:
        given = treatment if treatment is not None else control
        rest = [v for v in labels if v != str(given)]
        if str(given) not in labels or len(rest) != 1:
            raise InputError(f"group value {given!r} is not one of two groups {labels[:10]}; pass both "
                             "--treatment and --control")
        treatment, control = (str(given), rest[0]) if treatment is not None else (rest[0], str(given))
    out = pd.Series(pd.NA, index=values.index, dtype="object")
    out[raw == str(treatment)] = "treatment"
    out[raw == str(control)] = "control"
    for name, label in (("--treatment", treatment), ("--control", control)):
        if label not in labels:
            raise InputError(f"{name} {label!r} is not a value of the group column {labels[:10]}")
    return out


def _is_binary(x: pd.Series) -> bool:
    vals = pd.unique(x.dropna())
    return len(vals) > 0 and set(np.asarray(vals, dtype=float).tolist()) <= {0.0, 1.0}


def _numeric(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        raise InputError(f"column {col!r} is not in the data; columns are {', '.join(map(repr, frame.columns))}")
    s = frame[col]
    if s.dtype == bool or str(s.dtype) == "boolean":
        return s.astype("float64")
    num = pd.to_numeric(s, errors="coerce")
    bad = num.isna() & s.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"column {col!r}: {int(bad.sum()):,} of {len(s):,} values are not numbers "
                         f"(row {i + 1}: {s.iloc[i]!r})")
    return num.astype("float64")


def analyze_experiment(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    group: str = "group",
    pre: str | None = None,
    cost: str | None = None,
    revenue: str | None = None,
    treatment: str | None = None,
    control: str | None = None,
    split: Sequence[float] = (0.5, 0.5),
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 0,
) -> ExperimentResult:
    """Compare treatment and control on each outcome.

    Binary outcomes (only 0/1) get a two-proportion z-test; other outcomes a Welch t-test, a
    seeded bootstrap interval and a Mann-Whitney U p-value. With ``pre``, each outcome is
    also CUPED-adjusted. p-values are corrected across the outcomes (Holm and
    Benjamini-Hochberg).

    Parameters
    ----------
    frame : DataFrame
        One row per member.
    outcomes : sequence of str
        Outcome columns.
    group : str
        Group column; labels resolved by `resolve_groups`.
    pre : str, optional
        Pre-period covariate column for CUPED (e.g. spend before exposure).
    cost : str, optional
        Cost per member; enables incremental revenue and ROI.
    revenue : str, optional
        The revenue outcome for ROI. Default: ``'revenue'`` when analysed, else the first
        non-binary outcome.
    treatment, control : str, optional
        Group labels when they cannot be recognised.
    split : (float, float)
        Intended shares of (treatment, control) for the sample-ratio check.
    alpha : float
        1 - confidence level.
    n_boot, seed : int
        Bootstrap resamples and random seed.
    """
    if not outcomes:
        raise InputError("no outcome to analyse; pass --outcome COLUMN")
    if group not in frame.columns:
        raise InputError(f"group column {group!r} is not in the data; columns are {', '.join(map(repr, frame.columns))}")
    g = resolve_groups(frame[group], treatment, control)
    keep = g.notna()
    notes: list[str] = []
    if not keep.all():
        notes.append("campaign.note.unassigned")
    df = frame.loc[keep].copy()
    df["_g"] = g[keep]
    is_t = (df["_g"] == "treatment").to_numpy()
    n_t, n_c = int(is_t.sum()), int((~is_t).sum())
    split = tuple(float(s) for s in split)
    srm = srm_test((n_t, n_c), split)
    if srm.p_value < SRM_ALARM:
        notes.append("campaign.note.srm")
    x = _numeric(df, pre) if pre else None
    rows = []
    for name in outcomes:
        rows.append(_metric_row(name, _numeric(df, name), is_t, x, alpha, n_boot, seed))
    metrics = pd.DataFrame(rows)[list(_METRIC_COLUMNS[:-2])]
    metrics["p_holm"] = adjust_pvalues(metrics["p_value"], "holm")
    metrics["p_bh"] = adjust_pvalues(metrics["p_value"], "bh")
    costs = _numeric(df, cost).fillna(0.0) if cost else None
    shares = np.array(split) / sum(split)
    groups = pd.DataFrame({
        "group": ["control", "treatment"],
        "members": [n_c, n_t],
        "share": [n_c / max(n_t + n_c, 1), n_t / max(n_t + n_c, 1)],
        "expected_share": [shares[1], shares[0]],
        "cost": [float(costs[~is_t].sum()), float(costs[is_t].sum())] if costs is not None else [np.nan, np.nan],
    })
    roi = None
    if costs is not None:
        cont = [n for n, k in zip(metrics["name"], metrics["kind"]) if k == "mean"]
        rev = revenue or ("revenue" if "revenue" in cont else (cont[0] if cont else None))
        if rev is not None:
            roi = _roi(metrics.set_index("name").loc[rev], rev, n_t, float(costs.sum()), alpha)
    return ExperimentResult(groups, metrics, srm, split, alpha, roi, notes)  # type: ignore[arg-type]


def _metric_row(name: str, y: pd.Series, is_t: np.ndarray, x: pd.Series | None, alpha: float,
                n_boot: int, seed: int) -> dict[str, Any]:
    ok = y.notna().to_numpy()
    yt, yc = y.to_numpy()[ok & is_t], y.to_numpy()[ok & ~is_t]
    row: dict[str, Any] = {"name": name, "n_control": len(yc), "n_treatment": len(yt)}
    nan = float("nan")
    if _is_binary(y):
        r = two_proportion_ztest(int(yc.sum()), len(yc), int(yt.sum()), len(yt), alpha)
        row.update(kind="proportion", control=r.p_a, treatment=r.p_b, lift=r.diff, ci_low=r.ci_low,
                   ci_high=r.ci_high, p_value=r.p_value, test="two_proportion_z",
                   boot_ci_low=nan, boot_ci_high=nan, mw_p_value=nan)
    else:
        w = welch_ttest(yc, yt, alpha)
        lo, hi = bootstrap_diff_ci(yc, yt, alpha, n_boot, seed)
        row.update(kind="mean", control=w.mean_a, treatment=w.mean_b, lift=w.diff, ci_low=w.ci_low,
                   ci_high=w.ci_high, p_value=w.p_value, test="welch_t", boot_ci_low=lo, boot_ci_high=hi,
                   mw_p_value=mann_whitney(yc, yt))
    row["relative_lift"] = row["lift"] / row["control"] if row["control"] else nan
    row.update(cuped_lift=nan, cuped_ci_low=nan, cuped_ci_high=nan, cuped_p_value=nan, variance_reduction=nan)
    if x is not None:
        xv = x.to_numpy()
        both = ok & np.isfinite(xv)
        c = cuped_test(y.to_numpy()[both & ~is_t], y.to_numpy()[both & is_t], xv[both & ~is_t],
                       xv[both & is_t], alpha)
        row.update(cuped_lift=c.test.diff, cuped_ci_low=c.test.ci_low, cuped_ci_high=c.test.ci_high,
                   cuped_p_value=c.test.p_value, variance_reduction=c.variance_reduction)
    return row


def _roi(m: pd.Series, name: str, n_t: int, cost: float, alpha: float = 0.05) -> Roi:
    inc, lo, hi = (float(m[k]) * n_t for k in ("lift", "ci_low", "ci_high"))
    if cost > 0:
        r, rlo, rhi = ((v - cost) / cost for v in (inc, lo, hi))
    else:
        r = rlo = rhi = float("nan")
    return Roi(name, inc, lo, hi, cost, r, rlo, rhi, float(m["p_value"]), alpha)


def analyze_campaign(
    store: Store,
    *,
    campaign_id: str | None = None,
    window_days: int = 30,
    pre_days: int = 90,
    split: Sequence[float] = (0.5, 0.5),
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 0,
    as_of: pd.Timestamp | None = None,
) -> ExperimentResult:
    """A/B analysis of a campaign in the store (conversion, revenue and orders per member).

    Outcomes come from `campaign_outcomes`; pre-period spend is the CUPED covariate and the
    members' ``cost`` gives incremental revenue and ROI. ``result.info`` holds the campaign
    id, window, exposure dates and the number of members; ``result.frame`` the per-member rows.
    """
    df = campaign_outcomes(store, campaign_id, window_days, pre_days, as_of)
    has_cost = df["cost"].notna().any()
    res = analyze_experiment(df, list(OUTCOME_COLUMNS), group="group", pre="pre_spend",
                             cost="cost" if has_cost else None, revenue="revenue", split=split, alpha=alpha,
                             n_boot=n_boot, seed=seed)
    if not df.attrs.get("window_complete", True):
        res.notes.append("campaign.note.window_incomplete")
    exp = pd.to_datetime(df["exposed_at"])
    res.info = {"campaign_id": str(df["campaign_id"].iloc[0]), "window_days": int(window_days),
                "pre_days": int(pre_days), "first_exposed": exp.min().isoformat(),
                "last_exposed": exp.max().isoformat(), "members": int(len(df))}
    res.frame = df
    return res
