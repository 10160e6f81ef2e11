"""Texts of the profile, behaviour, cohort, lifecycle, loyalty and customer-360 outputs (en/zh).

Keys:

- ``behaviour.*``, ``profile.*``, ``cohorts.*``, ``lifecycle.*``, ``loyalty.*``,
  ``customer360.*``: names of buckets, bands, festivals, stages, states, components and the
  sentences the report and the CLI build;
- ``behaviour.col.<column>``: table headers of these analyses (own namespace, so they never
  clash with ``report.col.*`` registered elsewhere);
- ``report.<section>.*`` for the sections profile, behaviour, cohorts, lifecycle, loyalty.

Importing the module registers the texts.
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

REPORT: dict[str, _T] = {
    "report.profile.title": _t("Customer profile", "客户画像"),
    "report.profile.intro": _t(
        "Who the customers are (age, gender, region, city tier, occupation, income, acquisition channel) "
        "and which of these attributes go with higher value.",
        "客户是谁（年龄、性别、地区、城市等级、职业、收入、获客渠道），以及哪些属性与更高的客户价值相关。",
    ),
    "report.profile.findings": _t("Which differences matter", "哪些差异值得关注"),
    "report.profile.tests": _t("Tests of association", "关联检验"),
    "report.profile.missing": _t("Missing attributes", "属性缺失情况"),
    "report.profile.distribution": _t("{dimension}: customers and value", "{dimension}：客户与价值"),
    "report.profile.chart_title": _t("Revenue per customer by {dimension}", "按{dimension}的人均销售额"),
    "report.profile.customers": _t("Customers", "客户数"),
    "report.profile.known": _t("With demographics", "有画像数据的客户"),
    "report.behaviour.title": _t("Purchase behaviour", "购买行为"),
    "report.behaviour.intro": _t(
        "How often customers buy, how long they wait between purchases, and what they prefer: "
        "categories, brands, channels, payment methods and price bands, overall and by RFM segment.",
        "客户多久购买一次、两次购买间隔多久，以及偏好什么：品类、品牌、渠道、支付方式与价格带，整体及按 RFM 分群。",
    ),
    "report.basket.title": _t("Market basket", "购物篮分析"),
    "report.basket.none": _t("No pair of products is bought together often enough to form a rule.",
                             "没有足够常被一起购买的商品组合来形成规则。"),
    "report.timing.title": _t("Purchase timing and festivals", "购买时间与节日效应"),
    "report.timing.intro": _t(
        "When customers shop: hour and weekday, month and season, and the lift of shopping festivals "
        "and public holidays over comparable ordinary days.",
        "客户何时购物：时段与星期、月份与季节，以及购物节和法定假日相对可比普通日的提升。",
    ),
    "report.behaviour.frequency": _t("Purchase frequency", "购买频次"),
    "report.behaviour.frequency_chart": _t("Customers and revenue by orders per customer",
                                           "按人均订单数的客户与销售额分布"),
    "report.behaviour.gaps": _t("Days between purchases", "购买间隔"),
    "report.behaviour.preferences": _t("Preferences", "偏好"),
    "report.behaviour.pref_chart": _t("Share of revenue: {dimension}", "销售额占比：{dimension}"),
    "report.behaviour.by_segment": _t("Category mix by RFM segment", "各 RFM 分群的品类构成"),
    "report.behaviour.price_bands": _t("Price bands (unit-price quartiles)", "价格带（单价四分位）"),
    "report.behaviour.basket": _t("Bought together", "购物篮关联"),
    "report.behaviour.basket_intro": _t(
        "Rules 'if a basket holds A it also holds B' from {n} orders with lines, pairs seen in at least {k} "
        "orders. Support: share of orders with both; confidence: share of A-orders that hold B; lift: how many "
        "times more often than by chance.",
        "基于 {n} 个含明细的订单得出的“购买 A 的订单也包含 B”规则，只保留至少出现在 {k} 个订单中的组合。"
        "支持度：同时包含两者的订单占比；置信度：含 A 的订单中含 B 的比例；提升度：比随机情况高出的倍数。",
    ),
    "report.behaviour.basket_heatmap": _t("Lift between the most connected products", "关联最强商品间的提升度"),
    "report.behaviour.timing": _t("When customers buy", "购买时间"),
    "report.behaviour.heatmap": _t("Orders by weekday and hour", "按星期与小时的订单数"),
    "report.behaviour.monthly": _t("Orders and revenue per month", "每月订单数与销售额"),
    "report.behaviour.seasonal": _t("Seasonal index (orders per day, 1 = average)", "季节指数（日均订单，1 = 平均）"),
    "report.behaviour.festivals": _t("Festival lift", "节日提升效应"),
    "report.behaviour.festivals_intro": _t(
        "Orders in each festival window against the same weekdays up to {weeks} weeks before and after "
        "(days near any festival or public holiday excluded). Calendar: {country}.",
        "节日窗口内的订单与前后 {weeks} 周内相同星期的普通日对比（排除任何节日或法定假日附近的日子）。日历：{country}。",
    ),
    "report.behaviour.festival_chart": _t("Order lift by festival (1 = ordinary day)", "各节日订单提升（1 = 普通日）"),
    "report.cohorts.title": _t("Cohorts", "同期群分析"),
    "report.cohorts.intro": _t(
        "Customers grouped by the month of their first order: the share who buy again in each later "
        "month, split into first-time returners (their first repeat purchase) and recurring buyers, and "
        "the revenue each cohort keeps bringing.",
        "按首单月份对客户分组：之后每个月再次购买的客户比例，分为首次回购与持续回购，以及每个同期群持续带来的销售额。",
    ),
    "report.cohorts.heatmap": _t("Retention by acquisition month", "按获客月份的留存率"),
    "report.cohorts.revenue_heatmap": _t("Revenue per acquired customer by month", "按月的每获客人均销售额"),
    "report.cohorts.curve": _t("Average retention curve", "平均留存曲线"),
    "report.cohorts.months_after": _t("Months after the first order", "首单后月数"),
    "report.cohorts.month1": _t("Retention after 1 month", "次月留存"),
    "report.cohorts.month3": _t("Retention in month 3", "第 3 个月留存"),
    "report.cohorts.month12": _t("Retention in month 12", "第 12 个月留存"),
    "report.lifecycle.title": _t("Customer lifecycle", "客户生命周期"),
    "report.lifecycle.intro": _t(
        "Each month's customers as new, returning (also active the month before), resurrecting (back after "
        "a pause) and dormant; each customer's stage today, the value held in each stage, and how customers "
        "moved between stages over the last year.",
        "每月客户分为新客、连续活跃（上月也活跃）、回流（停顿后回来）与沉睡；每位客户当前所处的阶段、各阶段的价值，以及过去一年客户在各阶段之间的流转。",
    ),
    "report.lifecycle.states_chart": _t("Customers per month by state", "每月各状态客户数"),
    "report.lifecycle.stages": _t("Stages today and their value", "当前阶段与价值"),
    "report.lifecycle.stage_chart": _t("Customers and revenue by stage", "各阶段客户数与销售额"),
    "report.lifecycle.transitions": _t("Stage transitions from {start} to {end}", "{start} 至 {end} 的阶段流转"),
    "report.lifecycle.transitions_caption": _t("Share of each row's customers", "占每行客户的比例"),
    "report.loyalty.title": _t("Loyalty", "客户忠诚度"),
    "report.loyalty.intro": _t(
        "Repeat-purchase rate, retention rate (customers of the previous {days} days who bought again in the "
        "last {days} days), NPS where surveys exist, and a loyalty index combining them with stated weights.",
        "复购率、留存率（前一个 {days} 天内购买的客户在最近 {days} 天再次购买的比例）、问卷中的 NPS，以及按既定权重组合而成的忠诚度指数。",
    ),
    "report.loyalty.index_rule": _t(
        "Loyalty index = 100 x weighted mean of the repeat-purchase rate, the retention rate and (NPS + 100) / 200; "
        "weights are renormalised over the parts that exist.",
        "忠诚度指数 = 100 × 复购率、留存率与 (NPS + 100) / 200 的加权平均；缺少的部分不计入，权重重新归一。",
    ),
    "report.loyalty.nps_detail": _t("{promoters} promoters, {detractors} detractors of {responses}",
                                    "共 {responses} 份，推荐者 {promoters}，贬损者 {detractors}"),
    "report.loyalty.retention_detail": _t("{retained} of {base}", "{base} 人中 {retained} 人"),
}

i18n.register({**NAMES, **REPORT})
i18n.register({f"behaviour.col.{k}": v for k, v in COLUMNS.items()})


def header(column: str, lang: str) -> str:
    """Display header of a column of these analyses (``behaviour.col.*``, else ``report.col.*``)."""
    for key in (f"behaviour.col.{column}", f"report.col.{column}"):
        if i18n.has(key):
            return i18n.t(key, lang)
    return column
