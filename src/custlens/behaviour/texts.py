"""Texts of the profile, behaviour, cohort, lifecycle, loyalty and customer-360 outputs (en/zh).

Keys:

- ``behaviour.*``, ``profile.*``, ``cohorts.*``, ``lifecycle.*``, ``loyalty.*``,
  ``customer360.*``: names of buckets, bands, festivals, stages, states, components and the
  sentences the report and the CLI build;
- ``behaviour.col.<column>``: table headers of these analyses (own namespace, so they never
  clash with ``report.col.*``).

The report sections' ``report.<section>.*`` live in `custlens.report.texts_analyses`.
`custlens.i18n` imports this module on the first lookup.
"""

from __future__ import annotations

from custlens import i18n

_T = dict[str, str]


def _t(en: str, zh: str) -> _T:
    return {"en": en, "zh": zh}


COLUMNS: dict[str, _T] = {
    "value": _t("Value", "取值"),
    "customers": _t("Customers", "客户数"),
    "share": _t("Share", "占比"),
    "buyers": _t("Buyers", "购买客户数"),
    "orders": _t("Orders", "订单数"),
    "revenue": _t("Revenue", "销售额"),
    "revenue_per_customer": _t("Revenue per customer", "人均销售额"),
    "aov": _t("Average order value", "客单价"),
    "revenue_share": _t("Share of revenue", "销售额占比"),
    "dimension": _t("Attribute", "属性"),
    "target": _t("Compared with", "对比对象"),
    "chi2": _t("Chi-square", "卡方值"),
    "dof": _t("Degrees of freedom", "自由度"),
    "p_value": _t("p-value", "p 值"),
    "cramers_v": _t("Cramér's V (bias-corrected)", "Cramér's V（偏差校正）"),
    "strength": _t("Strength", "关联强度"),
    "sparse_share": _t("Sparse cells", "稀疏单元格占比"),
    "matters": _t("Matters", "是否显著"),
    "n": _t("Customers tested", "检验客户数"),
    "missing": _t("Missing", "缺失数"),
    "bucket": _t("Orders per customer", "人均订单数"),
    "gap_band": _t("Days between purchases", "购买间隔（天）"),
    "gaps": _t("Gaps", "间隔次数"),
    "band": _t("Price band", "价格带"),
    "price_from": _t("From", "最低价"),
    "price_to": _t("To", "最高价"),
    "lines": _t("Order lines", "订单行数"),
    "antecedent": _t("If bought", "购买了"),
    "consequent": _t("Then also", "同时购买"),
    "antecedent_name": _t("If bought", "购买了"),
    "consequent_name": _t("Then also", "同时购买"),
    "support": _t("Support", "支持度"),
    "confidence": _t("Confidence", "置信度"),
    "lift": _t("Lift", "提升度"),
    "festival": _t("Festival", "节日"),
    "kind": _t("Kind", "类型"),
    "years": _t("Years", "年数"),
    "baseline_orders": _t("Baseline orders", "基准订单数"),
    "lift_orders": _t("Order lift", "订单提升"),
    "baseline_revenue": _t("Baseline revenue", "基准销售额"),
    "lift_revenue": _t("Revenue lift", "销售额提升"),
    "cohort": _t("Cohort", "同期群"),
    "period": _t("Period", "期"),
    "retention": _t("Retention", "留存率"),
    "retention_first": _t("First-time retention", "首次回购留存率"),
    "retention_recurring": _t("Recurring retention", "持续回购留存率"),
    "revenue_retention": _t("Revenue retention", "销售额留存率"),
    "cohorts": _t("Cohorts", "同期群数"),
    "stage": _t("Stage", "阶段"),
    "rule": _t("Rule", "规则"),
    "mean_orders": _t("Orders per customer", "人均订单数"),
    "clv": _t("CLV", "CLV"),
    "clv_share": _t("Share of CLV", "CLV 占比"),
    "component": _t("Component", "组成项"),
    "scaled": _t("Scaled (0-1)", "标准化值（0-1）"),
    "weight": _t("Weight", "权重"),
    "contribution": _t("Points", "得分"),
    "month": _t("Month", "月份"),
    "month_of_year": _t("Calendar month", "自然月"),
    "weekday": _t("Weekday", "星期"),
    "days": _t("Days", "天数"),
    "index": _t("Index (1 = average)", "指数（1 = 平均）"),
    "new": _t("New", "新客"),
    "returning": _t("Returning", "连续活跃"),
    "resurrecting": _t("Resurrecting", "回流"),
    "dormant": _t("Dormant", "沉睡"),
    "lapsed": _t("Lapsed this month", "本月流失"),
    "active": _t("Active", "活跃"),
    "name": _t("Segment", "分群"),
    "segment": _t("Segment", "分群"),
    "metric": _t("Measure", "指标"),
    "gender": _t("Gender", "性别"),
    "region": _t("Region", "地区"),
    "city": _t("City", "城市"),
    "city_tier": _t("City tier", "城市等级"),
    "occupation": _t("Occupation", "职业"),
    "acquisition_channel": _t("Acquisition channel", "获客渠道"),
    "figure": _t("Figure", "数值"),
}

NAMES: dict[str, _T] = {
    "profile.missing": _t("(missing)", "（缺失）"),
    "profile.dim.age_band": _t("Age band", "年龄段"),
    "profile.dim.gender": _t("Gender", "性别"),
    "profile.dim.region": _t("Region", "地区"),
    "profile.dim.city_tier": _t("City tier", "城市等级"),
    "profile.dim.occupation": _t("Occupation", "职业"),
    "profile.dim.income_band": _t("Income band", "收入段"),
    "profile.dim.acquisition_channel": _t("Acquisition channel", "获客渠道"),
    "profile.target.value_band": _t("value band", "价值档"),
    "profile.target.segment": _t("RFM segment mix", "RFM 分群构成"),
    "profile.strength.negligible": _t("negligible", "可忽略"),
    "profile.strength.weak": _t("weak", "弱"),
    "profile.strength.moderate": _t("moderate", "中等"),
    "profile.strength.strong": _t("strong", "强"),
    "profile.yes": _t("yes", "是"),
    "profile.no": _t("no", "否"),
    "profile.finding": _t(
        "{dimension} and {target} differ in a way that matters: Cramér's V = {v} ({strength}), {p}.",
        "{dimension}与{target}之间存在值得关注的差异：Cramér's V = {v}（{strength}），{p}。",
    ),
    "profile.no_findings": _t(
        "No demographic attribute differs meaningfully in value or segment mix "
        "(no test with p < 0.05 and Cramér's V >= 0.1).",
        "没有任何人口属性在价值或分群构成上存在有意义的差异（没有检验满足 p < 0.05 且 Cramér's V >= 0.1）。",
    ),
    "profile.rule": _t(
        "Each attribute is tested against the value band (no purchase, or revenue quartile among buyers) "
        "and the RFM segment with a chi-square test; a difference matters when p < 0.05, Cramér's V >= 0.1 "
        "and at most 20% of cells expect fewer than 5 customers. Missing values are their own category.",
        "每个属性都用卡方检验与价值档（未购买，或购买客户销售额四分位）及 RFM 分群进行对比；"
        "当 p < 0.05、Cramér's V >= 0.1 且期望频数小于 5 的单元格不超过 20% 时视为有意义的差异。缺失值单独作为一类。",
    ),
    "behaviour.bucket.one_time": _t("One-time (1)", "一次性（1 单）"),
    "behaviour.bucket.2_3": _t("2-3 orders", "2-3 单"),
    "behaviour.bucket.4_9": _t("4-9 orders", "4-9 单"),
    "behaviour.bucket.10_plus": _t("10+ orders", "10 单以上"),
    "behaviour.band.low": _t("Low", "低价"),
    "behaviour.band.mid": _t("Mid", "中价"),
    "behaviour.band.high": _t("High", "高价"),
    "behaviour.band.premium": _t("Premium", "高端"),
    "behaviour.dim.category": _t("Category", "品类"),
    "behaviour.dim.brand": _t("Brand", "品牌"),
    "behaviour.dim.channel": _t("Channel", "渠道"),
    "behaviour.dim.payment_method": _t("Payment method", "支付方式"),
    "behaviour.festival.618": _t("618", "618"),
    "behaviour.festival.double_11": _t("Singles' Day (11.11)", "双11"),
    "behaviour.festival.black_friday": _t("Black Friday", "黑色星期五"),
    "behaviour.festival.christmas": _t("Christmas", "圣诞节"),
    "behaviour.festival.spring_festival": _t("Spring Festival", "春节"),
    "behaviour.kind.shopping": _t("shopping festival", "购物节"),
    "behaviour.country.given": _t("{code} (as given)", "{code}（用户指定）"),
    "behaviour.country.orders_region": _t("{code}, read from the orders' country/region column ({value}: {share} of orders)",
                                          "{code}，依据订单的国家/地区列（{value}：占订单 {share}）"),
    "behaviour.country.customers_region": _t("{code}, read from the customers' region column ({value}: {share} of customers)",
                                             "{code}，依据客户的地区列（{value}：占客户 {share}）"),
    "behaviour.country.currency": _t("{code}, read from the orders' currency ({value}: {share} of orders)",
                                     "{code}，依据订单币种（{value}：占订单 {share}）"),
    "behaviour.country.chinese_text": _t("{code}, assumed from region names in Chinese ({share} of them, e.g. {value})",
                                         "{code}，依据中文地区名称推断（占 {share}，如 {value}）"),
    "behaviour.country.unknown": _t(
        "unknown (no country, region or currency in the data): public holidays not measured, 618 and Singles' Day "
        "left out; pass --country, e.g. --country GB",
        "未知（数据中没有国家、地区或币种）：不计算法定假日，也不计算 618 和双11；请用 --country 指定，如 --country CN"),
    "behaviour.country.none": _t("none (public holidays not measured)", "无（不计算法定假日）"),
    "behaviour.festival.too_few": _t(
        "Not a finding: {names} rest on fewer than {n} orders in their festival windows; their lift is left out "
        "of the chart and shown in the table only.",
        "不构成结论：{names} 的节日窗口内订单少于 {n} 单，其提升不画入图中，仅列于表中。"),
    "behaviour.kind.holiday": _t("public holiday", "法定节假日"),
    "behaviour.weekday.0": _t("Mon", "周一"),
    "behaviour.weekday.1": _t("Tue", "周二"),
    "behaviour.weekday.2": _t("Wed", "周三"),
    "behaviour.weekday.3": _t("Thu", "周四"),
    "behaviour.weekday.4": _t("Fri", "周五"),
    "behaviour.weekday.5": _t("Sat", "周六"),
    "behaviour.weekday.6": _t("Sun", "周日"),
    "behaviour.hour": _t("Hour of day", "小时"),
    "behaviour.repeat_rate": _t("Repeat-purchase rate", "复购率"),
    "behaviour.median_gap": _t("Median days between purchases", "购买间隔中位数（天）"),
    "behaviour.median_second": _t("Median days to 2nd purchase", "首购到二购天数中位数"),
    "behaviour.peak_time": _t("Busiest hour", "最繁忙时段"),
    "behaviour.peak_time_value": _t("{weekday} {hour}:00", "{weekday} {hour}:00"),
    "behaviour.untimed": _t(
        "{n} orders carry a date without a time of day and are left out of the heat map.",
        "{n} 个订单只有日期没有时间，未计入热力图。",
    ),
    "lifecycle.stage.prospect": _t("Prospect", "潜在客户"),
    "lifecycle.stage.new": _t("New", "新客"),
    "lifecycle.stage.active": _t("Active", "活跃"),
    "lifecycle.stage.mature": _t("Mature", "成熟"),
    "lifecycle.stage.reactivated": _t("Reactivated", "已召回"),
    "lifecycle.stage.at_risk": _t("At risk", "流失风险"),
    "lifecycle.stage.churned": _t("Churned", "已流失"),
    "lifecycle.stage.not_acquired": _t("Not yet acquired", "尚未获客"),
    "lifecycle.rule.prospect": _t("registered, no order yet", "已注册，尚未下单"),
    "lifecycle.rule.new": _t("first purchase within {new_days} days", "首次购买在 {new_days} 天内"),
    "lifecycle.rule.active": _t("last purchase within {active_days} days", "最近一次购买在 {active_days} 天内"),
    "lifecycle.rule.mature": _t("active with {mature_orders}+ orders", "活跃且订单数 ≥ {mature_orders}"),
    "lifecycle.rule.reactivated": _t(
        "active after a gap of {reactivation_gap_days}+ days", "间隔 {reactivation_gap_days} 天以上后再次购买且仍活跃"),
    "lifecycle.rule.at_risk": _t(
        "last purchase {active_days}-{churn_days} days ago", "最近一次购买在 {active_days}-{churn_days} 天前"),
    "lifecycle.rule.churned": _t("no purchase for over {churn_days} days", "超过 {churn_days} 天未购买"),
    "lifecycle.state.new": _t("New", "新客"),
    "lifecycle.state.returning": _t("Returning", "连续活跃"),
    "lifecycle.state.resurrecting": _t("Resurrecting", "回流"),
    "lifecycle.state.dormant": _t("Dormant", "沉睡"),
    "loyalty.component.repeat_rate": _t("Repeat-purchase rate", "复购率"),
    "loyalty.component.retention_rate": _t("Retention rate", "留存率"),
    "loyalty.component.nps": _t("NPS", "NPS"),
    "loyalty.index": _t("Loyalty index", "忠诚度指数"),
    "loyalty.nps_none": _t("no survey scores", "无问卷评分"),
    "customer360.title": _t("Customer {id}", "客户 {id}"),
    "customer360.orders": _t("Orders", "订单数"),
    "customer360.revenue": _t("Revenue", "消费金额"),
    "customer360.first_order": _t("First order", "首次下单"),
    "customer360.last_order": _t("Last order", "最近下单"),
    "customer360.segment": _t("RFM segment", "RFM 分群"),
    "customer360.stage": _t("Lifecycle stage", "生命周期阶段"),
    "customer360.clv": _t("CLV", "CLV"),
    "customer360.churn": _t("Churn risk", "流失风险"),
    "customer360.recent_orders": _t("Recent orders", "最近订单"),
    "customer360.feedback": _t("Recent feedback", "最近评价"),
    "customer360.tickets": _t("Recent tickets", "最近工单"),
    "customer360.none": _t("none", "无"),
}

i18n.register({**NAMES})
i18n.register({f"behaviour.col.{k}": v for k, v in COLUMNS.items()})


def header(column: str, lang: str) -> str:
    """Display header of a column of these analyses (``behaviour.col.*``, else ``report.col.*``)."""
    for key in (f"behaviour.col.{column}", f"report.col.{column}"):
        if i18n.has(key):
            return i18n.t(key, lang)
    return column
