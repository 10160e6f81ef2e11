"""The executive summary: the findings that matter most, chosen by rules from the analyses.

Each rule is a small function that reads one analysis result and returns a `Finding` or
None when the evidence is weak (a group under `MIN_GROUP` customers, a test that is not
significant, a forecast that does not beat the seasonal-naive baseline, missing data).
The summary reads the results the report's sections already computed (``ctx.cache``), so
it never refits a model and never shows a number the sections below do not.

A finding is one sentence with its numbers (``report.summary.<key>``) followed by a
recommended action (``report.summary.<key>.action``), linking to its section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy import stats

from custlens import i18n
from custlens.report import formatting as fmt
from custlens.report.blocks import Section
from custlens.report.context import ReportContext

__all__ = ["Finding", "MIN_GROUP", "ALPHA", "RULES", "findings", "summary_section"]

#: Smallest group (customers) a finding may rest on.
MIN_GROUP = 30
#: Significance level of the tests behind a finding.
ALPHA = 0.05
#: A segment shift must change the segment by at least this share to be reported.
MIN_SHIFT = 0.2
#: A forecast within this relative change of the recent past reads as steady.
STEADY = 0.1
#: At most this many findings are shown.
MAX_FINDINGS = 8


@dataclass(frozen=True)
class Finding:
    """One finding of the executive summary.

    Attributes
    ----------
    key : str
        Rule name; the texts are ``report.summary.<key>`` and ``report.summary.<key>.action``
        (``action_key`` overrides the latter, e.g. for a rising or falling forecast).
    numbers : dict
        Raw numbers of the finding (kept for tests and exports).
    text : dict
        Formatted values for the sentence templates (already in the report language).
    section : str
        Anchor of the section that shows the evidence.
    strength : float
        How strong the evidence or the effect is, in [0, 1]; findings are sorted by it.
    action_key : str
        i18n key of the recommended action.
    """

    key: str
    numbers: dict[str, float]
    text: dict[str, str]
    section: str
    strength: float
    action_key: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def sentence(self, lang: str) -> str:
        """The finding in ``lang``: what was found, then what to do."""
        return i18n.t(f"report.summary.{self.key}", lang, **self.text)

    def action(self, lang: str) -> str:
        """The recommended action in ``lang``."""
        return i18n.t(self.action_key or f"report.summary.{self.key}.action", lang, **self.text)


i18n.register({
    "report.summary.title": {"en": "Executive summary", "zh": "摘要"},
    "report.summary.intro": {
        "en": "The findings that matter most on this data, strongest first, each with a recommended action. "
              "Findings whose evidence is weak (a group under 30 customers, a result that is not significant, "
              "a forecast no better than last season) are left out.",
        "zh": "本数据最重要的发现（按证据强弱排序），每条附建议行动。证据不足的发现（不足 30 位客户的群体、"
              "不显著的结果、不优于上一季的预测）不列出。"},
    "report.summary.action_label": {"en": "Action:", "zh": "建议："},
    "report.summary.segment_shift": {
        "en": "The segment “{segment}” changed from {before} to {after} customers ({change}) over the last {days} days.",
        "zh": "过去 {days} 天“{segment}”分群的客户数从 {before} 变为 {after}（{change}）。"},
    "report.summary.segment_shift.action": {"en": "{segment_action}", "zh": "{segment_action}"},
    "report.summary.revenue_at_risk": {
        "en": "{customers} still-active customers are likely to churn, with {value} of expected value at risk "
              "(churn model ROC-AUC {auc}).",
        "zh": "{customers} 位仍活跃的客户可能流失，预计风险价值 {value}（流失模型 ROC-AUC {auc}）。"},
    "report.summary.revenue_at_risk.action": {
        "en": "Contact the top {top} of the early-warning list this week, highest value at risk first.",
        "zh": "本周优先联系预警名单中风险价值最高的前 {top} 位客户。"},
    "report.summary.value_concentration": {
        "en": "The top 20% of customers bring {share} of revenue (Gini {gini}).",
        "zh": "前 20% 的客户贡献了 {share} 的销售额（基尼系数 {gini}）。"},
    "report.summary.value_concentration.action": {
        "en": "Protect them: a loyalty tier with early access and personal service, and watch their churn risk.",
        "zh": "重点维护：为其设立会员等级（优先购买、专属服务），并持续关注其流失风险。"},
    "report.summary.cohort_spread": {
        "en": "Retention {period} months after the first order ranges from {worst} (cohort {worst_cohort}) to "
              "{best} (cohort {best_cohort}); the {cohorts} cohorts differ beyond chance (chi-square p {p}).",
        "zh": "首单后第 {period} 个月的留存率从 {worst}（{worst_cohort} 批次）到 {best}（{best_cohort} 批次）"
              "不等，{cohorts} 个批次之间的差异显著（卡方检验 p {p}）。"},
    "report.summary.cohort_spread.action": {
        "en": "Find out what brought the {best_cohort} customers (channel, campaign, offer) and repeat it.",
        "zh": "查明 {best_cohort} 批次客户的来源（渠道、活动、优惠）并加以复制。"},
    "report.summary.forecast": {
        "en": "Revenue over the next {days} days is forecast at {total} ({model}, better than seasonal-naive "
              "in the backtest), {change} against the last {days} days.",
        "zh": "预计未来 {days} 天销售额为 {total}（{model}，回测优于季节性朴素预测），较过去 {days} 天 {change}。"},
    "report.summary.forecast.action_steady": {
        "en": "Demand is steady: keep the current stock and staffing plan.",
        "zh": "需求平稳：维持现有的库存与人手安排。"},
    "report.summary.forecast.action_up": {
        "en": "Plan stock and service capacity for the higher demand.",
        "zh": "按更高的需求准备库存与客服人手。"},
    "report.summary.forecast.action_down": {
        "en": "Schedule a campaign or reactivation mailing to fill the expected dip.",
        "zh": "安排营销活动或唤醒触达，弥补预期的下滑。"},
    "report.summary.campaign": {
        "en": "Campaign {campaign} converted {treatment} of the treated customers against {control} of the "
              "control group ({lift} points, Holm-adjusted p {p}).",
        "zh": "活动 {campaign} 的实验组转化率为 {treatment}，对照组为 {control}（相差 {lift} 个百分点，"
              "Holm 校正 p {p}）。"},
    "report.summary.campaign.action_up": {
        "en": "Roll the campaign out to the similar customers not yet reached.",
        "zh": "将活动推广到尚未触达的同类客户。"},
    "report.summary.campaign.action_down": {
        "en": "Stop the campaign: it lowers conversion.",
        "zh": "停止该活动：它降低了转化率。"},
})


# -- rules ---------------------------------------------------------------------------------

def segment_shift(mig: Any, lang: str) -> Finding | None:
    """The RFM segment whose size changed most over the migration window.

    ``mig`` is a `custlens.segments.MigrationResult`. Fires when the segment held at least
    `MIN_GROUP` customers at one of the two dates and changed by at least `MIN_SHIFT` of its
    larger size.
    """
    from custlens.segments.migration import NEW, NONE
    from custlens.segments.naming import segment_text

    if mig is None or mig.matrix.empty:
        return None
    before = mig.matrix.drop(index=NEW, errors="ignore").sum(axis=1)
    after = mig.matrix.drop(columns=NONE, errors="ignore").sum(axis=0)
    sizes = pd.DataFrame({"before": before, "after": after}).fillna(0)
    sizes["base"] = sizes[["before", "after"]].max(axis=1)
    sizes["change"] = sizes["after"] - sizes["before"]
    sizes = sizes[sizes["base"] >= MIN_GROUP]
    sizes = sizes[sizes["change"].abs() >= MIN_SHIFT * sizes["base"]]
    if sizes.empty:
        return None
    seg = str(sizes["change"].abs().idxmax())
    row = sizes.loc[seg]
    rel = row["change"] / row["before"] if row["before"] else float("inf")
    return Finding(
        "segment_shift",
        {"before": float(row["before"]), "after": float(row["after"]), "change": float(row["change"])},
        {"segment": segment_text("rfm11", seg, "name", lang), "before": fmt.fmt_int(row["before"]),
         "after": fmt.fmt_int(row["after"]), "change": _signed_pct(rel),
         "segment_action": segment_text("rfm11", seg, "action", lang),
         "days": fmt.fmt_int((mig.end - mig.start).days) if mig.start is not None and mig.end is not None else "–"},
        "segments",
        min(1.0, abs(row["change"]) / row["base"]),
    )


def revenue_at_risk(churn: Any, revenue: float, lang: str) -> Finding | None:
    """Value at risk on the churn early-warning list (still-active likely churners).

    Fires when the list holds at least `MIN_GROUP` customers and the churn model ranks
    better than guessing on held-out customers (ROC-AUC of at least 0.6).
    """
    if churn is None or len(churn.early_warning) < MIN_GROUP or not churn.auc >= 0.6:
        return None
    loss = float(churn.early_warning["expected_loss"].sum())
    if not loss > 0:
        return None
    n = len(churn.early_warning)
    share = loss / revenue if revenue > 0 else float("nan")
    return Finding(
        "revenue_at_risk",
        {"value": loss, "customers": float(n), "auc": churn.auc, "revenue_share": share},
        {"value": fmt.fmt_compact(loss, lang), "customers": fmt.fmt_int(n), "auc": f"{churn.auc:.2f}",
         "top": fmt.fmt_int(min(n, 50))},
        "churn",
        min(1.0, share * 5) if share == share else 0.5,
    )


def value_concentration(abc: Any, customers: int, lang: str) -> Finding | None:
    """Share of revenue made by the top 20% of customers, and the Gini coefficient.

    Fires with at least `MIN_GROUP` buying customers.
    """
    if abc is None or customers < MIN_GROUP:
        return None
    top20, g = float(abc.top20_share), float(abc.gini)
    return Finding(
        "value_concentration",
        {"top20_share": top20, "gini": g, "customers": float(customers)},
        {"share": fmt.fmt_pct(top20, 0), "gini": f"{g:.2f}"},
        "segments",
        top20,
    )


def cohort_spread(cohorts: Any, lang: str, period: int = 3) -> Finding | None:
    """Best and worst acquisition cohort by retention ``period`` months after acquisition.

    Only cohorts of at least `MIN_GROUP` customers that observed the period compete. The
    finding fires when the cohorts differ beyond chance: a chi-square test of homogeneity of
    the retained/not-retained counts over *all* competing cohorts, p < `ALPHA` (testing only
    the extremes would be a multiple comparison in disguise).
    """
    if cohorts is None:
        return None
    t = cohorts.table[cohorts.table["period"] == period]
    t = t.merge(cohorts.cohorts[["cohort", "customers"]].rename(columns={"customers": "size"}), on="cohort")
    t = t[t["size"] >= MIN_GROUP]
    if len(t) < 2:
        return None
    counts = np.column_stack([t["active"].to_numpy(float), (t["size"] - t["active"]).to_numpy(float)])
    if (counts.sum(axis=0) == 0).any():
        return None
    p = float(stats.chi2_contingency(counts)[1])
    if not p < ALPHA:
        return None
    best, worst = t.loc[t["retention"].idxmax()], t.loc[t["retention"].idxmin()]
    return Finding(
        "cohort_spread",
        {"best": float(best["retention"]), "worst": float(worst["retention"]), "p_value": p,
         "period": float(period), "cohorts": float(len(t))},
        {"best_cohort": pd.Timestamp(best["cohort"]).strftime("%Y-%m"), "best": fmt.fmt_pct(best["retention"]),
         "worst_cohort": pd.Timestamp(worst["cohort"]).strftime("%Y-%m"), "worst": fmt.fmt_pct(worst["retention"]),
         "period": str(period), "p": fmt.fmt_p(p), "cohorts": str(len(t))},
        "cohorts",
        min(1.0, float(best["retention"] - worst["retention"]) * 2),
    )


def revenue_forecast(res: Any, lang: str, customers: int = MIN_GROUP) -> Finding | None:
    """Revenue expected over the forecast horizon against the same number of days just past.

    Fires when the chosen model beats the seasonal-naive baseline in the backtest (MASE
    lower), the history covers at least three horizons and the shop has at least `MIN_GROUP`
    customers; otherwise the forecast is no better than "same as last season", or rests on
    too little, and is left out.
    """
    if res is None or customers < MIN_GROUP or not res.chosen_mase < res.baseline_mase:
        return None
    days = len(res.forecast)
    if len(res.history) < 3 * days:
        return None
    total = float(res.forecast["mean"].sum())
    past = float(res.history["y"].tail(days).sum())
    if len(res.history) < days or not past > 0:
        return None
    change = total / past - 1
    return Finding(
        "forecast",
        {"total": total, "past": past, "change": change, "days": float(days)},
        {"total": fmt.fmt_compact(total, lang), "days": str(days), "change": _signed_pct(change),
         "model": str(res.model)},
        "forecast",
        min(1.0, abs(change) * 2),
        action_key="report.summary.forecast.action_"
                   + ("down" if change <= -STEADY else "up" if change >= STEADY else "steady"),
    )


def campaign_result(res: Any, lang: str) -> Finding | None:
    """The campaign's conversion lift, when significant after Holm's correction.

    Fires when both groups hold at least `MIN_GROUP` customers and the Holm-adjusted p-value
    of the conversion difference is below `ALPHA`.
    """
    if res is None:
        return None
    m = res.metrics.set_index("name")
    if "converted" not in m.index:
        return None
    c = m.loc["converted"]
    p = float(c.get("p_holm", c["p_value"]))
    if min(c["n_control"], c["n_treatment"]) < MIN_GROUP or not p < ALPHA:
        return None
    up = c["lift"] > 0
    inc = getattr(res, "roi", None)
    return Finding(
        "campaign",
        {"lift": float(c["lift"]), "control": float(c["control"]), "treatment": float(c["treatment"]),
         "p_value": p, "incremental_revenue": float(inc.incremental_revenue) if inc is not None else float("nan")},
        {"campaign": str(res.info.get("campaign_id", "")), "control": fmt.fmt_pct(c["control"]),
         "treatment": fmt.fmt_pct(c["treatment"]), "lift": f"{c['lift'] * 100:+.1f}", "p": fmt.fmt_p(p)},
        "campaigns",
        min(1.0, 1 - p),
        action_key="report.summary.campaign.action_up" if up else "report.summary.campaign.action_down",
    )


def _signed_pct(x: float) -> str:
    return fmt.MISSING if not np.isfinite(x) else f"{100 * x:+.0f}%"


def _revenue(ctx: ReportContext) -> float:
    k = ctx.cache.get("headline_kpis")
    if k is not None:
        return float(k["revenue"])
    customers = ctx.cache.get("customers")
    return float(customers["total_spend"].sum()) if customers is not None and "total_spend" in customers else 0.0


def _abc_detail(ctx: ReportContext) -> Any:
    abc = ctx.cache.get("segments:abc")
    return None if abc is None else abc.detail


def _n_customers(ctx: ReportContext) -> int:
    customers = ctx.cache.get("customers")
    return 0 if customers is None else len(customers)


#: The rules in the order of the summary when strengths tie: (rule, arguments from the context).
RULES: tuple[Callable[[ReportContext], Finding | None], ...] = (
    lambda ctx: revenue_at_risk(ctx.cache.get("churn"), _revenue(ctx), ctx.lang),
    lambda ctx: value_concentration(_abc_detail(ctx), _n_customers(ctx), ctx.lang),
    lambda ctx: segment_shift(ctx.cache.get("segments:migration"), ctx.lang),
    lambda ctx: campaign_result(ctx.cache.get("campaigns:ab"), ctx.lang),
    lambda ctx: revenue_forecast(ctx.cache.get("forecast:revenue:D:28"), ctx.lang, _n_customers(ctx)),
    lambda ctx: cohort_spread(ctx.cache.get("cohorts"), ctx.lang),
)


def findings(ctx: ReportContext) -> list[Finding]:
    """Findings of every rule that fires on the results in ``ctx.cache``, strongest first."""
    out = [f for rule in RULES if (f := rule(ctx)) is not None]
    order = {id(f): i for i, f in enumerate(out)}
    return sorted(out, key=lambda f: (-round(f.strength, 2), order[id(f)]))[:MAX_FINDINGS]


def summary_section(ctx: ReportContext) -> Section | None:
    """The executive summary section, or None when no rule fires.

    Run it after the other sections (`custlens.report.build_report` does): it only reads
    their cached results.
    """
    from custlens.report.blocks import Findings

    found = findings(ctx)
    if not found:
        return None
    titles = {}
    for f in found:
        titles[f.section] = ctx.t(f"report.{f.section}.title")
    items = [(f.sentence(ctx.lang), f.action(ctx.lang), f.section, titles[f.section]) for f in found]
    return Section(ctx.t("report.summary.title"), intro=ctx.t("report.summary.intro"),
                   blocks=[Findings(items, action_label=ctx.t("report.summary.action_label"))], key="summary")
