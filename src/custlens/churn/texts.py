"""English and Chinese texts of the churn analysis: definitions, reasons, bands, actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from custlens import i18n

_FEATURES = {
    "orders": ("orders", "订单数"),
    "frequency": ("repeat purchase days", "复购天数"),
    "days_since_last": ("days since the last order", "距上次下单天数"),
    "gap_ratio": ("current gap / usual gap", "当前间隔/平时间隔"),
    "usual_gap_days": ("usual gap between orders (days)", "平时下单间隔（天）"),
    "T_days": ("days since the first order", "距首次下单天数"),
    "tenure_days": ("tenure (days)", "会员时长（天）"),
    "total_spend": ("total spend", "累计消费"),
    "aov": ("average order value", "客单价"),
    "orders_90d": ("orders in the last 3 months", "近 3 个月订单数"),
    "spend_90d": ("spend in the last 3 months", "近 3 个月消费"),
    "spend_change": ("spend change on the previous quarter", "消费较上季度变化"),
    "return_rate": ("return rate", "退货率"),
    "returns_count": ("returns", "退货次数"),
    "discount_share": ("discount share", "折扣占比"),
    "p_alive": ("MBG/NBD P(alive)", "MBG/NBD 存活概率"),
    "p_no_purchase": ("MBG/NBD P(no order within the horizon)", "MBG/NBD 期内不下单概率"),
    "nps_last": ("last NPS answer", "最近 NPS 评分"),
    "csat_mean": ("mean satisfaction (CSAT)", "平均满意度（CSAT）"),
    "complaints_90d": ("complaints in the last 3 months", "近 3 个月投诉数"),
    "tickets_90d": ("service tickets in the last 3 months", "近 3 个月工单数"),
    "ticket_satisfaction": ("service rating", "客服评分"),
    "feedback_sentiment": ("sentiment of their reviews and complaints", "评价与投诉的情感倾向"),
    "complaint_rate": ("complaints per order", "每单投诉次数"),
    "age": ("age", "年龄"),
    "income": ("income", "收入"),
    "favourite_channel": ("favourite channel", "常用渠道"),
    "favourite_category": ("favourite category", "偏好品类"),
    "city_tier": ("city tier", "城市级别"),
    "gender": ("gender", "性别"),
    "acquisition_channel": ("acquisition channel", "获客渠道"),
}

TEXTS: dict[str, dict[str, str]] = {f"churn.feature.{k}": {"en": en, "zh": zh} for k, (en, zh) in _FEATURES.items()}
TEXTS.update({
    # definitions
    "churn.definition.inactivity": {
        "en": "Churned = no purchase within {days} days after the date ({basis}).",
        "zh": "流失 = 该日期之后 {days} 天内没有购买（{basis}）。"},
    "churn.definition.model": {
        "en": "Model-based churn = 1 - P(alive) of the MBG/NBD purchase model fitted on the customer table (MBG/NBD, because BG/NBD gives P(alive) = 1 to every one-time buyer).",
        "zh": "模型定义的流失 = 1 - MBG/NBD 购买模型估计的存活概率（采用 MBG/NBD，因为 BG/NBD 对所有只购买一次的客户给出存活概率 1）。"},
    "churn.definition.labels": {
        "en": "Churned = the column '{column}' of the labelled table ({positive} counts as churned).",
        "zh": "流失 = 标注表中的 '{column}' 列（取值 {positive} 视为流失）。"},
    "churn.horizon.percentile": {
        "en": "horizon = 90th percentile of {n} gaps between purchase days",
        "zh": "期限 = {n} 个购买间隔的第 90 百分位数"},
    "churn.horizon.given": {"en": "horizon set by the user", "zh": "期限由用户指定"},
    "churn.horizon.fallback": {"en": "too few repeat purchases to derive the horizon; 90 days used",
                               "zh": "复购太少，无法从数据推出期限，使用 90 天"},
    # bands
    "churn.band.low": {"en": "low", "zh": "低"},
    "churn.band.medium": {"en": "medium", "zh": "中"},
    "churn.band.high": {"en": "high", "zh": "高"},
    "churn.band.lapsed": {"en": "lapsed", "zh": "已流失"},
    "churn.bands.capacity": {
        "en": "Risk bands from the calibrated churn probabilities and a capacity of {n} of the {active} still-active "
              "customers ({share}): high = at most the {n} most likely to churn (probability at least {high}; tied "
              "probabilities are never split), medium = at most the next {n} (at least {medium}), low = the rest. Customers silent for {days} days or more have already "
              "lapsed (win-back list). Change the capacity with `--capacity` (e.g. 5% or 200).",
        "zh": "风险等级依据校准后的流失概率与容量确定：在 {active} 位仍活跃客户中容量为 {n} 位（{share}）。高 = 最可能流失的至多 {n} 位"
              "（流失概率不低于 {high}；概率相同者不拆分），中 = 其后的至多 {n} 位（不低于 {medium}），低 = 其余客户。已 {days} 天及以上未下单的客户视为已流失"
              "（进入挽回名单）。可用 `--capacity` 调整容量（如 5% 或 200）。"},
    "churn.bands.rule": {
        "en": "Risk bands: high when the churn probability is at least {high}, medium from {medium}, low below.",
        "zh": "风险等级：流失概率不低于 {high} 为高，不低于 {medium} 为中，其余为低。"},
    # reasons
    "churn.reason.gap": {"en": "no order for {days} days, {ratio}× longer than usual",
                         "zh": "已 {days} 天未下单，是平时间隔的 {ratio} 倍"},
    "churn.reason.no_order": {"en": "no order for {days} days", "zh": "已 {days} 天未下单"},
    "churn.reason.few_orders": {"en": "only {n} order(s) so far", "zh": "至今仅下单 {n} 次"},
    "churn.reason.tenure": {"en": "first order {days} days ago", "zh": "首次下单在 {days} 天前"},
    "churn.reason.spend": {"en": "total spend {value} (low-risk customers: {ref})",
                           "zh": "累计消费 {value}（低风险客户：{ref}）"},
    "churn.reason.spend_down": {"en": "spend down {pct} on the previous quarter",
                                "zh": "消费较上一季度下降 {pct}"},
    "churn.reason.no_recent": {"en": "no order in the last 3 months", "zh": "近 3 个月没有下单"},
    "churn.reason.recent_orders": {"en": "{n} order(s) in the last 3 months", "zh": "近 3 个月下单 {n} 次"},
    "churn.reason.returns": {"en": "returned {pct} of spend ({n} returns)", "zh": "退货金额占消费的 {pct}（{n} 次退货）"},
    "churn.reason.discount": {"en": "{pct} of spend came with discounts", "zh": "{pct} 的消费依赖折扣"},
    "churn.reason.btyd": {"en": "purchase pattern: {pct} chance of no order in the next {days} days",
                          "zh": "购买节奏显示：未来 {days} 天不下单的概率为 {pct}"},
    "churn.reason.nps": {"en": "last NPS answer {value}/10", "zh": "最近一次 NPS 评分 {value}/10"},
    "churn.reason.csat": {"en": "satisfaction {value}/5", "zh": "满意度 {value}/5"},
    "churn.reason.no_survey": {"en": "never answered a survey", "zh": "从未参与调研"},
    "churn.reason.complaints": {"en": "{n} complaint(s) in the last 3 months", "zh": "近 3 个月投诉 {n} 次"},
    "churn.reason.tickets": {"en": "{n} service ticket(s) in the last 3 months", "zh": "近 3 个月服务工单 {n} 个"},
    "churn.reason.not_explained": {
        "en": "not explained: in a large shop only the customers with the highest value at risk of each list are",
        "zh": "未解释：大型店铺仅解释各名单中风险价值最高的客户"},
    "churn.reason.no_signal": {"en": "no single stand-out sign; the risk comes from many small signals",
                               "zh": "无单一突出信号，风险来自多个较小因素"},
    "churn.reason.attribute": {"en": "{feature}: {value} (low-risk customers: {ref})",
                               "zh": "{feature}：{value}（低风险客户：{ref}）"},
    # actions
    "churn.action.early.high_value": {
        "en": "Personal outreach now: call or message, a VIP perk or early access, ask about their experience.",
        "zh": "立即一对一联系：电话或私信，提供 VIP 权益或新品优先购，了解其体验。"},
    "churn.action.early.other": {
        "en": "Automated re-engagement: reminder of favourites and a modest time-limited coupon.",
        "zh": "自动化唤醒：推送常购商品提醒和小额限时优惠券。"},
    "churn.action.winback.high_value": {
        "en": "Win-back: personal letter or call with a strong offer; ask what went wrong and fix it.",
        "zh": "挽回：专人回访并给出有力优惠，询问流失原因并改进。"},
    "churn.action.winback.other": {
        "en": "Low-cost win-back sequence (email/SMS, 2-3 touches); stop when there is no response.",
        "zh": "低成本挽回序列（短信/邮件 2-3 次触达），无回应即停止。"},
    # survival
    "churn.km.by.acquisition": {"en": "acquisition channel", "zh": "获客渠道"},
    "churn.km.by.first_value": {"en": "first-order value", "zh": "首单金额"},
    "churn.km.by.channel": {"en": "favourite channel", "zh": "常用渠道"},
    "churn.km.by.cohort": {"en": "first-order cohort", "zh": "首购批次"},
    "churn.km.sentence": {
        "en": "By {by}: {days} days after the first order, {best} keeps {best_pct} of customers active and {worst} {worst_pct}.",
        "zh": "按{by}：首次下单 {days} 天后，{best} 仍有 {best_pct} 的客户活跃，{worst} 只有 {worst_pct}。"},
    "churn.cox.higher": {
        "en": "{feature}: each {unit} more multiplies the churn hazard by {hr} (95% CI {lo}-{hi}), i.e. {pct} faster churn{sig}.",
        "zh": "{feature}：每增加 {unit}，流失风险乘以 {hr}（95% 置信区间 {lo}-{hi}），即流失快 {pct}{sig}。"},
    "churn.cox.lower": {
        "en": "{feature}: each {unit} more multiplies the churn hazard by {hr} (95% CI {lo}-{hi}), i.e. {pct} slower churn{sig}.",
        "zh": "{feature}：每增加 {unit}，流失风险乘以 {hr}（95% 置信区间 {lo}-{hi}），即流失慢 {pct}{sig}。"},
    "churn.cox.level_higher": {
        "en": "{feature} {level} (vs {base}): churn hazard × {hr} (95% CI {lo}-{hi}), {pct} faster churn{sig}.",
        "zh": "{feature}为{level}（相对{base}）：流失风险 × {hr}（95% 置信区间 {lo}-{hi}），流失快 {pct}{sig}。"},
    "churn.cox.level_lower": {
        "en": "{feature} {level} (vs {base}): churn hazard × {hr} (95% CI {lo}-{hi}), {pct} slower churn{sig}.",
        "zh": "{feature}为{level}（相对{base}）：流失风险 × {hr}（95% 置信区间 {lo}-{hi}），流失慢 {pct}{sig}。"},
    "churn.cox.not_significant": {"en": " (not significant, p = {p})", "zh": "（不显著，p = {p}）"},
    "churn.cox.significant": {"en": " (p = {p})", "zh": "（p = {p}）"},
    "churn.cox.unit.one": {"en": "1", "zh": "1"},
    "churn.cox.fit.plain": {
        "en": "Fitted without penalty (plain partial likelihood); hazard ratios per standard deviation for numbers, "
              "against the most common level for categories.",
        "zh": "无惩罚拟合（普通偏似然）；数值变量的风险比按每个标准差计，类别变量相对最常见的类别。"},
    "churn.cox.fit.penalised": {
        "en": "The plain fit did not converge, so this fit is penalised (L2 penalizer {penalizer}): hazard ratios "
              "are shrunk towards 1.",
        "zh": "普通拟合未收敛，因此采用带惩罚的拟合（L2 惩罚系数 {penalizer}）：风险比向 1 收缩。"},
    "churn.km.origin": {
        "en": "Lifetime: from the first order to the end of the day of the last one (a one-time buyer's ends at "
              "day 1); still-active customers are censored at their last order. Curves are by attributes fixed "
              "near the first order, not by RFM segment (segments are built from recency, the outcome itself).",
        "zh": "生命周期：从首次下单到最后一次下单当天结束（只买过一次的客户在第 1 天结束）；仍活跃的客户在其最后一次下单时删失。"
              "曲线按首单前后即确定的属性分组，而非 RFM 分群（分群本身由最近购买时间构建，即结果本身）。"},
    "churn.cox.unit.sd": {"en": "standard deviation ({sd})", "zh": "一个标准差（{sd}）"},
    # notes
    "churn.note.sampled": {
        "en": "Large shop: the model was trained on a stratified sample of {train} of {train_all} labelled "
              "customer-snapshots; the held-out metrics and calibration use a stratified sample of {eval} of "
              "{hold_all} held-out customers, and the drivers {hold} of them (permutation importance on {imp} rows "
              "per shuffle, partial dependence on {pd} rows); random seed {seed}. Every current customer is scored.",
        "zh": "大型店铺：模型在 {train_all} 个带标签客户快照中按流失与否分层抽取的 {train} 个样本上训练；留出期指标与校准使用 "
              "{hold_all} 位留出客户中分层抽取的 {eval} 位，驱动因素使用其中 {hold} 位（置换重要性每次打乱 {imp} 行，"
              "部分依赖 {pd} 行）；随机种子 {seed}。所有当前客户均已评分。"},
    "churn.note.sampled_all_eval": {
        "en": "Large shop: the model was trained on a stratified sample of {train} of {train_all} labelled "
              "customer-snapshots; the held-out metrics and calibration use all {hold_all} held-out customers, and "
              "the drivers a stratified sample of {hold} of them (permutation importance on {imp} rows per shuffle, "
              "partial dependence on {pd} rows); random seed {seed}. Every current customer is scored.",
        "zh": "大型店铺：模型在 {train_all} 个带标签客户快照中按流失与否分层抽取的 {train} 个样本上训练；留出期指标与校准使用"
              "全部 {hold_all} 位留出客户，驱动因素使用其中分层抽取的 {hold} 位（置换重要性每次打乱 {imp} 行，"
              "部分依赖 {pd} 行）；随机种子 {seed}。所有当前客户均已评分。"},
    "churn.note.btyd_sampled": {
        "en": "The MBG/NBD model behind P(alive) and P(no order) was fitted on a random sample of {n} customers per "
              "snapshot (seed {seed}) and applied to every customer.",
        "zh": "P(存活) 与 P(不再下单) 所用的 MBG/NBD 模型在每个快照随机抽取的 {n} 位客户上拟合（随机种子 {seed}），"
              "再用于所有客户。"},
    "churn.note.no_refit": {
        "en": "Large shop: the customers are scored by the model checked above (trained on {train} sampled "
              "customer-snapshots). It is not refitted with the held-out customers added: past this sample size "
              "more rows leave the held-out ROC-AUC unchanged, and the metrics shown are those of the scoring model.",
        "zh": "大型店铺：客户评分使用上文检验过的模型（在 {train} 个抽样客户快照上训练），不再加入留出客户重新拟合："
              "超过该样本量后增加行数不改变留出期 ROC-AUC，且所示指标即为评分模型的指标。"},
    "churn.note.reasons_limited": {
        "en": "Reasons are given for the {n} customers with the highest value at risk in each list; the others are "
              "scored but not explained.",
        "zh": "仅为每份名单中风险价值最高的 {n} 位客户给出原因；其余客户已评分但未解释。"},
    "churn.note.clv_skipped": {"en": "CLV could not be computed ({reason}); the lists are ranked by total spend.",
                               "zh": "无法计算 CLV（{reason}），名单按累计消费排序。"},
    "churn.note.p_alive_skipped": {"en": "MBG/NBD P(alive) baseline skipped: {reason}",
                                   "zh": "未计算 MBG/NBD 存活概率基准：{reason}"},
})

i18n.register(TEXTS)


@dataclass(frozen=True)
class Phrase:
    """A sentence to translate later: an i18n key and its arguments.

    An argument written ``"@some.key"`` is itself translated (e.g. a segment name), and an
    argument that is a `Phrase` is rendered first.
    """

    key: str
    args: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return i18n.t(self.key, lang, **{k: render_arg(v, lang) for k, v in self.args.items()})


def render_arg(value: Any, lang: str) -> Any:
    """Translate ``"@key"`` references and nested phrases; other values pass through."""
    if isinstance(value, Phrase):
        return value.text(lang)
    if isinstance(value, str) and value.startswith("@") and i18n.has(value[1:]):
        return i18n.t(value[1:], lang)
    return value


i18n.register({
    "churn.cli.summary": {
        "en": "{scored} customers scored: {high} high risk; early-warning list {early}, win-back list {winback}.",
        "zh": "已评分 {scored} 位客户：高风险 {high} 位；预警名单 {early} 位，挽回名单 {winback} 位。"},
    "churn.cli.exported": {"en": "{n} rows written to {path}", "zh": "已写出 {n} 行到 {path}"},
})


i18n.register({f"churn.model.{k}": v for k, v in {
    "gradient_boosting": {"en": "gradient boosting (calibrated)", "zh": "梯度提升树（已校准）"},
    "logistic": {"en": "logistic regression", "zh": "逻辑回归"},
    "recency_rule": {"en": "recency rule (days since last order)", "zh": "最近购买规则（距上次下单天数）"},
    "p_alive": {"en": "MBG/NBD 1 - P(alive)", "zh": "MBG/NBD 1 - 存活概率"},
    "bgnbd_no_purchase": {"en": "MBG/NBD P(no order within the horizon)", "zh": "MBG/NBD 期内不下单概率"},
}.items()})
i18n.register({"churn.list.early_warning": {"en": "early warning", "zh": "预警"},
               "churn.list.win_back": {"en": "win-back", "zh": "挽回"}})
