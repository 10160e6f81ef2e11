"""Texts of the analyses' report chapters and columns (``report.*`` keys) in English and Chinese.

They used to be registered by the analysis packages' ``texts`` modules; every ``report.*`` key
now lives under ``custlens/report/``. `custlens.i18n` imports this module on the first lookup.
"""

from __future__ import annotations

from custlens import i18n

#: The report chapters and columns of ``custlens.behaviour``.
BEHAVIOUR: dict[str, dict[str, str]] = {
    "report.profile.title": {
        "en": "Customer profile",
        "zh": "客户画像"},
    "report.profile.intro": {
        "en": "Who the customers are (age, gender, region, city tier, occupation, income, acquisition channel) "
              "and which of these attributes go with higher value.",
        "zh": "客户是谁（年龄、性别、地区、城市等级、职业、收入、获客渠道），以及哪些属性与更高的客户价值相关。"},
    "report.profile.findings": {
        "en": "Which differences matter",
        "zh": "哪些差异值得关注"},
    "report.profile.tests": {
        "en": "Tests of association",
        "zh": "关联检验"},
    "report.profile.missing": {
        "en": "Missing attributes",
        "zh": "属性缺失情况"},
    "report.profile.distribution": {
        "en": "{dimension}: customers and value",
        "zh": "{dimension}：客户与价值"},
    "report.profile.chart_title": {
        "en": "Revenue per customer by {dimension}",
        "zh": "按{dimension}的人均销售额"},
    "report.profile.customers": {
        "en": "Customers",
        "zh": "客户数"},
    "report.profile.known": {
        "en": "With demographics",
        "zh": "有画像数据的客户"},
    "report.behaviour.title": {
        "en": "Purchase behaviour",
        "zh": "购买行为"},
    "report.behaviour.intro": {
        "en": "How often customers buy, how long they wait between purchases, and what they prefer: categories, "
              "brands, channels, payment methods and price bands, overall and by RFM segment.",
        "zh": "客户多久购买一次、两次购买间隔多久，以及偏好什么：品类、品牌、渠道、支付方式与价格带，整体及按 RFM 分群。"},
    "report.basket.title": {
        "en": "Market basket",
        "zh": "购物篮分析"},
    "report.basket.none": {
        "en": "No pair of products is bought together often enough to form a rule.",
        "zh": "没有足够常被一起购买的商品组合来形成规则。"},
    "report.timing.title": {
        "en": "Purchase timing and festivals",
        "zh": "购买时间与节日效应"},
    "report.timing.intro": {
        "en": "When customers shop: hour and weekday, month and season, and the lift of shopping festivals and "
              "public holidays over comparable ordinary days.",
        "zh": "客户何时购物：时段与星期、月份与季节，以及购物节和法定假日相对可比普通日的提升。"},
    "report.behaviour.frequency": {
        "en": "Purchase frequency",
        "zh": "购买频次"},
    "report.behaviour.frequency_chart": {
        "en": "Customers and revenue by orders per customer",
        "zh": "按人均订单数的客户与销售额分布"},
    "report.behaviour.gaps": {
        "en": "Days between purchases",
        "zh": "购买间隔"},
    "report.behaviour.preferences": {
        "en": "Preferences",
        "zh": "偏好"},
    "report.behaviour.pref_chart": {
        "en": "Share of revenue: {dimension}",
        "zh": "销售额占比：{dimension}"},
    "report.behaviour.by_segment": {
        "en": "Category mix by RFM segment",
        "zh": "各 RFM 分群的品类构成"},
    "report.behaviour.price_bands": {
        "en": "Price bands (unit-price quartiles)",
        "zh": "价格带（单价四分位）"},
    "report.behaviour.basket": {
        "en": "Bought together",
        "zh": "购物篮关联"},
    "report.behaviour.basket_intro": {
        "en": "Rules 'if a basket holds A it also holds B' from {n} orders with lines, pairs seen in at least {k} "
              "orders. Support: share of orders with both; confidence: share of A-orders that hold B; lift: how "
              "many times more often than by chance.",
        "zh": "基于 {n} 个含明细的订单得出的“购买 A 的订单也包含 B”规则，只保留至少出现在 {k} 个订单中的组合。支持度：同时包含两者的订单占比；置信度：含 A 的订单中含 B "
              "的比例；提升度：比随机情况高出的倍数。"},
    "report.behaviour.basket_heatmap": {
        "en": "Lift between the most connected products",
        "zh": "关联最强商品间的提升度"},
    "report.behaviour.timing": {
        "en": "When customers buy",
        "zh": "购买时间"},
    "report.behaviour.heatmap": {
        "en": "Orders by weekday and hour",
        "zh": "按星期与小时的订单数"},
    "report.behaviour.monthly": {
        "en": "Orders and revenue per month",
        "zh": "每月订单数与销售额"},
    "report.behaviour.seasonal": {
        "en": "Seasonal index (orders per day, 1 = average)",
        "zh": "季节指数（日均订单，1 = 平均）"},
    "report.behaviour.festivals": {
        "en": "Festival lift",
        "zh": "节日提升效应"},
    "report.behaviour.festivals_intro": {
        "en": "Orders in each festival window against the same weekdays up to {weeks} weeks before and after "
              "(days near any festival or public holiday excluded). Calendar: {country}.",
        "zh": "节日窗口内的订单与前后 {weeks} 周内相同星期的普通日对比（排除任何节日或法定假日附近的日子）。日历：{country}。"},
    "report.behaviour.festival_chart": {
        "en": "Order lift by festival (1 = ordinary day)",
        "zh": "各节日订单提升（1 = 普通日）"},
    "report.cohorts.title": {
        "en": "Cohorts",
        "zh": "同期群分析"},
    "report.cohorts.intro": {
        "en": "Customers grouped by the month of their first order: the share who buy again in each later month, "
              "split into first-time returners (their first repeat purchase) and recurring buyers, and the "
              "revenue each cohort keeps bringing.",
        "zh": "按首单月份对客户分组：之后每个月再次购买的客户比例，分为首次回购与持续回购，以及每个同期群持续带来的销售额。"},
    "report.cohorts.heatmap": {
        "en": "Retention by acquisition month",
        "zh": "按获客月份的留存率"},
    "report.cohorts.revenue_heatmap": {
        "en": "Revenue per acquired customer by month",
        "zh": "按月的每获客人均销售额"},
    "report.cohorts.curve": {
        "en": "Average retention curve",
        "zh": "平均留存曲线"},
    "report.cohorts.months_after": {
        "en": "Months after the first order",
        "zh": "首单后月数"},
    "report.cohorts.month1": {
        "en": "Retention after 1 month",
        "zh": "次月留存"},
    "report.cohorts.month3": {
        "en": "Retention in month 3",
        "zh": "第 3 个月留存"},
    "report.cohorts.month12": {
        "en": "Retention in month 12",
        "zh": "第 12 个月留存"},
    "report.lifecycle.title": {
        "en": "Customer lifecycle",
        "zh": "客户生命周期"},
    "report.lifecycle.intro": {
        "en": "Each month's customers as new, returning (also active the month before), resurrecting (back after "
              "a pause) and dormant; each customer's stage today, the value held in each stage, and how customers "
              "moved between stages over the last year.",
        "zh": "每月客户分为新客、连续活跃（上月也活跃）、回流（停顿后回来）与沉睡；每位客户当前所处的阶段、各阶段的价值，以及过去一年客户在各阶段之间的流转。"},
    "report.lifecycle.states_chart": {
        "en": "Customers per month by state",
        "zh": "每月各状态客户数"},
    "report.lifecycle.stages": {
        "en": "Stages today and their value",
        "zh": "当前阶段与价值"},
    "report.lifecycle.stage_chart": {
        "en": "Customers and revenue by stage",
        "zh": "各阶段客户数与销售额"},
    "report.lifecycle.transitions": {
        "en": "Stage transitions from {start} to {end}",
        "zh": "{start} 至 {end} 的阶段流转"},
    "report.lifecycle.transitions_caption": {
        "en": "Share of each row's customers",
        "zh": "占每行客户的比例"},
    "report.loyalty.title": {
        "en": "Loyalty",
        "zh": "客户忠诚度"},
    "report.loyalty.intro": {
        "en": "Repeat-purchase rate, retention rate (customers of the previous {days} days who bought again in "
              "the last {days} days), NPS where surveys exist, and a loyalty index combining them with stated "
              "weights.",
        "zh": "复购率、留存率（前一个 {days} 天内购买的客户在最近 {days} 天再次购买的比例）、问卷中的 NPS，以及按既定权重组合而成的忠诚度指数。"},
    "report.loyalty.index_rule": {
        "en": "Loyalty index = 100 x weighted mean of the repeat-purchase rate, the retention rate and (NPS + "
              "100) / 200; weights are renormalised over the parts that exist.",
        "zh": "忠诚度指数 = 100 × 复购率、留存率与 (NPS + 100) / 200 的加权平均；缺少的部分不计入，权重重新归一。"},
    "report.loyalty.nps_detail": {
        "en": "{promoters} promoters, {detractors} detractors of {responses}",
        "zh": "共 {responses} 份，推荐者 {promoters}，贬损者 {detractors}"},
    "report.loyalty.retention_detail": {
        "en": "{retained} of {base}",
        "zh": "{base} 人中 {retained} 人"},
}

#: The report chapters and columns of ``custlens.clv``.
CLV: dict[str, dict[str, str]] = {
    "report.clv.title": {
        "en": "Customer lifetime value",
        "zh": "客户终身价值"},
    "report.clv.intro": {
        "en": "What each customer is likely to buy over the next {horizon} days and what it is worth today, from "
              "a buy-till-you-die model of repeat purchasing ({model}) and a model of spend per purchase "
              "({spend}).",
        "zh": "基于复购行为的“购买直至流失”模型（{model}）和单次购买金额模型（{spend}），估计每位客户未来 {horizon} 天的购买及其当前价值。"},
    "report.clv.total": {
        "en": "Total CLV",
        "zh": "CLV 合计"},
    "report.clv.mean": {
        "en": "Mean CLV per customer",
        "zh": "人均 CLV"},
    "report.clv.alive": {
        "en": "Expected share still active",
        "zh": "预计仍活跃比例"},
    "report.clv.alive_detail": {
        "en": "mean P(at least one order in the next {horizon} days) of {n} customers, {model}",
        "zh": "{n} 位客户未来 {horizon} 天内至少下单一次的平均概率，{model}"},
    "report.clv.unsound": {
        "en": "No sound fit: the scores are not shown",
        "zh": "没有可靠的拟合：不显示评分"},
    "report.clv.checks": {
        "en": "Checks of the fits",
        "zh": "拟合检查"},
    "report.clv.horizon_detail": {
        "en": "next {horizon} days, discounted",
        "zh": "未来 {horizon} 天，已折现"},
    "report.clv.params": {
        "en": "Model parameters",
        "zh": "模型参数"},
    "report.clv.params_caption": {
        "en": "Maximum-likelihood estimates with standard errors and 95% intervals from the Hessian, by model: "
              "{model} (purchases, refitted on all orders) and {spend} (spend per purchase).",
        "zh": "最大似然估计值，标准误与 95% 置信区间由 Hessian 矩阵得出，按模型分组：{model}（购买次数，用全部订单重新拟合）与 {spend}（单次购买金额）。"},
    "report.clv.comparison": {
        "en": "Model comparison",
        "zh": "模型比较"},
    "report.clv.comparison_caption": {
        "en": "Fitted on the calibration period; lower AIC, BIC and holdout error are better; a fit that fails "
              "the soundness checks is never used. {rule}",
        "zh": "基于拟合期数据；AIC、BIC 与留出期误差越低越好；未通过可靠性检查的拟合不会被使用。{rule}"},
    "report.clv.holdout": {
        "en": "Holdout check",
        "zh": "留出期检验"},
    "report.clv.holdout_chart": {
        "en": "Holdout purchases per customer by calibration frequency",
        "zh": "按拟合期复购次数分组的留出期人均购买次数"},
    "report.clv.frequency_axis": {
        "en": "Repeat purchases in calibration",
        "zh": "拟合期复购次数"},
    "report.clv.purchases_axis": {
        "en": "Purchases per customer",
        "zh": "人均购买次数"},
    "report.clv.cumulative_chart": {
        "en": "Cumulative repeat purchases: actual vs model",
        "zh": "累计复购次数：实际与模型"},
    "report.clv.weekly_chart": {
        "en": "Repeat purchases per period: actual vs model",
        "zh": "每期复购次数：实际与模型"},
    "report.clv.holdout_start": {
        "en": "holdout starts",
        "zh": "留出期开始"},
    "report.clv.no_holdout": {
        "en": "The fit could not be checked on a holdout period; the charts below show the model on the whole "
              "period.",
        "zh": "未能用留出期检验拟合效果；下方图表展示模型在整个观察期上的表现。"},
    "report.clv.reading": {
        "en": "Over the {days} holdout days the model predicted {predicted:,.0f} repeat purchases against "
              "{actual:,.0f} actual ({error:+.1f}%); the mean absolute error per customer is {mae:.2f} purchases. "
              "{verdict}",
        "zh": "在 {days} 天的留出期内，模型预测复购 {predicted:,.0f} 次，实际 {actual:,.0f} 次（误差 {error:+.1f}%）；每位客户的平均绝对误差为 "
              "{mae:.2f} 次。{verdict}"},
    "report.clv.verdict_good": {
        "en": "The model tracks the shop's repeat buying well.",
        "zh": "模型较好地刻画了店铺的复购行为。"},
    "report.clv.verdict_fair": {
        "en": "The fit is usable; treat individual scores as rough.",
        "zh": "拟合尚可，单个客户的评分宜作粗略参考。"},
    "report.clv.verdict_poor": {
        "en": "The model misses the holdout by a wide margin (seasonality or a change in the shop?); use the "
              "scores with care.",
        "zh": "模型与留出期偏差较大（季节性或店铺经营变化？），请谨慎使用评分。"},
    "report.clv.heatmaps": {
        "en": "P(alive) and expected purchases by history",
        "zh": "按购买历史的存活概率与预计购买次数"},
    "report.clv.heatmap_caption": {
        "en": "For a customer whose first purchase was {T:.0f} {unit} ago; the white area is impossible (no "
              "repeat purchase means recency 0).",
        "zh": "针对首次购买在 {T:.0f} {unit}前的客户；空白区域不可能出现（无复购时最近购买间隔为 0）。"},
    "report.clv.heatmap_alive": {
        "en": "P(at least one order in the next {horizon} days)",
        "zh": "未来 {horizon} 天内至少下单一次的概率"},
    "report.clv.heatmap_purchases": {
        "en": "Expected purchases, next {horizon} days",
        "zh": "未来 {horizon} 天预计购买次数"},
    "report.clv.recency_axis": {
        "en": "Recency ({unit} from first to last purchase)",
        "zh": "最近购买（首末次购买间隔，{unit}）"},
    "report.clv.unit.W": {
        "en": "weeks",
        "zh": "周"},
    "report.clv.unit.M": {
        "en": "months",
        "zh": "月"},
    "report.clv.top": {
        "en": "Most valuable customers",
        "zh": "最有价值的客户"},
    "report.clv.actual": {
        "en": "actual",
        "zh": "实际"},
    "report.clv.model_line": {
        "en": "model",
        "zh": "模型"},
    "report.col.model": {
        "en": "Model",
        "zh": "模型"},
    "report.col.parameter": {
        "en": "Parameter",
        "zh": "参数"},
    "report.col.estimate": {
        "en": "Estimate",
        "zh": "估计值"},
    "report.col.std_error": {
        "en": "Std. error",
        "zh": "标准误"},
    "report.col.lower_95": {
        "en": "95% lower",
        "zh": "95% 下限"},
    "report.col.upper_95": {
        "en": "95% upper",
        "zh": "95% 上限"},
    "report.col.log_likelihood": {
        "en": "Log-likelihood",
        "zh": "对数似然"},
    "report.col.n_params": {
        "en": "Parameters",
        "zh": "参数个数"},
    "report.col.aic": {
        "en": "AIC",
        "zh": "AIC"},
    "report.col.bic": {
        "en": "BIC",
        "zh": "BIC"},
    "report.col.holdout_mae": {
        "en": "Holdout MAE",
        "zh": "留出期 MAE"},
    "report.col.holdout_rmse": {
        "en": "Holdout RMSE",
        "zh": "留出期 RMSE"},
    "report.col.holdout_pct_error": {
        "en": "Holdout error %",
        "zh": "留出期误差 %"},
    "report.col.actual": {
        "en": "Actual",
        "zh": "实际"},
    "report.col.predicted": {
        "en": "Predicted",
        "zh": "预测"},
    "report.col.p_alive": {
        "en": "P(alive)",
        "zh": "存活概率"},
    "report.col.p_purchase": {
        "en": "P(order within horizon)",
        "zh": "期内下单概率"},
    "report.col.sound": {
        "en": "Sound fit",
        "zh": "拟合可靠"},
    "report.col.horizon_days": {
        "en": "Horizon (days)",
        "zh": "预测期（天）"},
    "report.col.clv_horizon_days": {
        "en": "CLV horizon (days)",
        "zh": "CLV 预测期（天）"},
    "report.col.expected_purchases": {
        "en": "Expected purchases",
        "zh": "预计购买次数"},
    "report.col.expected_spend": {
        "en": "Spend per purchase",
        "zh": "预计单次金额"},
    "report.col.clv": {
        "en": "CLV",
        "zh": "CLV"},
    "report.col.expected_days_to_next": {
        "en": "Days to next purchase",
        "zh": "距下次购买天数"},
    "report.col.overdue": {
        "en": "Overdue",
        "zh": "已逾期"},
    "report.col.clv_model": {
        "en": "CLV model",
        "zh": "CLV 模型"},
    "report.col.clv_as_of": {
        "en": "CLV as of",
        "zh": "CLV 计算日期"},
}

#: The report chapters and columns of ``custlens.churn``.
CHURN: dict[str, dict[str, str]] = {
    "report.col.churn_probability": {
        "en": "churn probability",
        "zh": "流失概率"},
    "report.col.risk_band": {
        "en": "risk",
        "zh": "风险等级"},
    "report.col.customer_value": {
        "en": "customer value",
        "zh": "客户价值"},
    "report.col.expected_loss": {
        "en": "value at risk",
        "zh": "风险价值"},
    "report.col.reasons": {
        "en": "top reasons",
        "zh": "主要原因"},
    "report.col.churn_model": {
        "en": "model or rule",
        "zh": "模型或规则"},
    "report.col.roc_auc": {
        "en": "ROC-AUC",
        "zh": "ROC-AUC"},
    "report.col.pr_auc": {
        "en": "PR-AUC",
        "zh": "PR-AUC"},
    "report.col.brier": {
        "en": "Brier score",
        "zh": "Brier 分数"},
    "report.col.lift_top10": {
        "en": "lift, top 10%",
        "zh": "前 10% 提升度"},
    "report.col.gain_top10": {
        "en": "gain, top 10%",
        "zh": "前 10% 捕获率"},
    "report.col.feature_name": {
        "en": "feature",
        "zh": "特征"},
    "report.col.importance": {
        "en": "log-loss rise when shuffled",
        "zh": "打乱后对数损失上升"},
    "report.col.importance_share": {
        "en": "share of importance",
        "zh": "重要性占比"},
    "report.col.importance_std": {
        "en": "std. dev.",
        "zh": "标准差"},
    "report.col.hazard_ratio": {
        "en": "hazard ratio",
        "zh": "风险比"},
    "report.col.ci_lower": {
        "en": "95% CI low",
        "zh": "95% 置信下限"},
    "report.col.ci_upper": {
        "en": "95% CI high",
        "zh": "95% 置信上限"},
    "report.col.p_value": {
        "en": "p-value",
        "zh": "p 值"},
    "report.col.covariate_name": {
        "en": "covariate",
        "zh": "协变量"},
    "report.col.churn_reading": {
        "en": "reading",
        "zh": "解读"},
    "report.col.km_group": {
        "en": "group",
        "zh": "分组"},
    "report.col.churned_customers": {
        "en": "lapsed",
        "zh": "已流失"},
    "report.col.retention_180": {
        "en": "active after 180 days",
        "zh": "180 天留存"},
    "report.col.retention_365": {
        "en": "active after 365 days",
        "zh": "365 天留存"},
    "report.col.median_days": {
        "en": "median lifetime (days)",
        "zh": "中位生命周期（天）"},
    "report.col.predicted_churn": {
        "en": "predicted churn rate",
        "zh": "预测流失率"},
    "report.col.observed_churn": {
        "en": "observed churn rate",
        "zh": "实际流失率"},
    "report.col.churn_action": {
        "en": "suggested action",
        "zh": "建议行动"},
    "report.col.churn_list": {
        "en": "list",
        "zh": "名单"},
}

#: The report chapters and columns of ``custlens.forecast``.
FORECAST: dict[str, dict[str, str]] = {
    "report.forecast.title": {
        "en": "Forecast",
        "zh": "预测"},
    "report.forecast.intro": {
        "en": "Daily revenue and orders for the next {days} days, forecast by the model that did best in a "
              "rolling-origin backtest ({windows} windows of {h} days): AutoETS or MSTL (weekly season), next to "
              "the seasonal-naive baseline (the value a week earlier). The models are fitted and backtested on "
              "the last {train} days of the series (a year and the backtest windows), which keeps the model "
              "search at a few seconds; a yearly season needs two years of days and is not modelled here. "
              "`custlens forecast` fits the whole history, with MSTL's yearly season, and also tries AutoARIMA "
              "and MSTL_ARIMA with the festivals (618, Double 11, Black Friday, Christmas, Spring Festival) as "
              "known future events.",
        "zh": "未来 {days} 天的每日销售额和订单数，由滚动起点回测（{windows} 个窗口，每个 {h} 天）中表现最好的模型预测：AutoETS 或 "
              "MSTL（周季节），并与季节朴素基准（一周前的数值）对比。模型只用序列最近 {train} 天（一年加回测窗口）拟合和回测，"
              "使模型搜索保持在几秒内；年季节需要两年的日数据，此处不建模。`custlens forecast` 使用全部历史（含 MSTL 的年季节），"
              "并会尝试把节日（618、双11、黑色星期五、圣诞、春节）作为已知未来事件的 AutoARIMA 和 MSTL_ARIMA。"},
    "report.forecast.fit_once": {
        "en": "In the backtest each model is fitted once, at the first window's origin, and carried forward over "
              "the later window (its states follow the data, its parameters stay); the forecast itself is fitted "
              "on all {train} days.",
        "zh": "回测中每个模型只在第一个窗口的起点拟合一次，之后的窗口沿用该拟合（状态随数据更新，参数不变）；最终预测本身用全部 {train} 天拟合。"},
    "report.forecast.metric.revenue": {
        "en": "Revenue",
        "zh": "销售额"},
    "report.forecast.metric.orders": {
        "en": "Orders",
        "zh": "订单数"},
    "report.forecast.metric.active": {
        "en": "Active customers",
        "zh": "活跃客户数"},
    "report.forecast.metric.new": {
        "en": "New customers",
        "zh": "新客户数"},
    "report.forecast.metric.category": {
        "en": "Demand by category",
        "zh": "品类需求"},
    "report.forecast.chart": {
        "en": "{metric}: history and forecast",
        "zh": "{metric}：历史与预测"},
    "report.forecast.history": {
        "en": "Actual",
        "zh": "实际"},
    "report.forecast.mean": {
        "en": "Forecast ({model})",
        "zh": "预测（{model}）"},
    "report.forecast.band": {
        "en": "{level}% interval",
        "zh": "{level}% 区间"},
    "report.forecast.baseline": {
        "en": "Seasonal naive",
        "zh": "季节朴素"},
    "report.forecast.chosen": {
        "en": "{metric}: model {model}",
        "zh": "{metric}：模型 {model}"},
    "report.forecast.chosen_detail": {
        "en": "MASE {mase} vs seasonal naive {base}",
        "zh": "MASE {mase}，季节朴素 {base}"},
    "report.forecast.total": {
        "en": "{metric}, next {days} days",
        "zh": "{metric}，未来 {days} 天"},
    "report.forecast.total_detail": {
        "en": "95% interval per day {lo} – {hi}",
        "zh": "每日 95% 区间 {lo} – {hi}"},
    "report.forecast.backtest": {
        "en": "Backtest",
        "zh": "回测"},
    "report.forecast.backtest_caption": {
        "en": "MASE: mean absolute error over that of the seasonal-naive forecast in sample (below 1 is better); "
              "sMAPE in percent (0-200). Lower is better; the chosen model has the lowest MASE.",
        "zh": "MASE：平均绝对误差除以样本内季节朴素预测的平均绝对误差（小于 1 更好）；sMAPE 为百分比（0-200）。越低越好；选用 MASE 最低的模型。"},
    "report.forecast.clv": {
        "en": "Orders: time series vs CLV model",
        "zh": "订单：时间序列与 CLV 模型对比"},
    "report.forecast.clv_caption": {
        "en": "The CLV column is the BG/NBD model's expected repeat purchases of the customers known today; the "
              "time series also counts orders of customers who have not bought yet, so it is higher.",
        "zh": "CLV 列为 BG/NBD 模型对现有客户预期复购次数的估计；时间序列还包括尚未购买的新客户的订单，因此更高。"},
    "report.forecast.clv_sample": {
        "en": "The BG/NBD model is fitted on a uniform random sample of {n} of the {customers} customers (seed "
              "{seed}); the expected purchases are summed over every customer.",
        "zh": "BG/NBD 模型在 {customers} 位客户中均匀随机抽取的 {n} 位上拟合（随机种子 {seed}）；预期购买次数对全部客户求和。"},
    "report.forecast.clv_failed": {
        "en": "The CLV comparison is not available.",
        "zh": "无法进行 CLV 对比。"},
}

#: The report chapters and columns of ``custlens.voc``.
VOC: dict[str, dict[str, str]] = {
    "report.satisfaction.title": {
        "en": "Satisfaction and NPS",
        "zh": "满意度与 NPS"},
    "report.satisfaction.intro": {
        "en": "The satisfaction index maps each attribute score to 0-100 and weights it ({method}); grades follow "
              "the evaluation standard below. Intervals are 95% t-intervals; period changes are tested with "
              "Welch's t-test.",
        "zh": "满意度指数将各项评分换算为 0-100 并加权（{method}）；等级按下方评价标准划分。区间为 95% t 区间；各期变化用 Welch t 检验。"},
    "report.satisfaction.index": {
        "en": "Satisfaction index",
        "zh": "满意度指数"},
    "report.satisfaction.nps": {
        "en": "NPS",
        "zh": "净推荐值 NPS"},
    "report.satisfaction.alpha": {
        "en": "Cronbach's alpha",
        "zh": "Cronbach's α"},
    "report.satisfaction.kmo": {
        "en": "KMO",
        "zh": "KMO"},
    "report.satisfaction.dimensions": {
        "en": "Index by dimension and attribute",
        "zh": "各维度与指标的指数"},
    "report.satisfaction.periods": {
        "en": "Index by period",
        "zh": "各期满意度指数"},
    "report.satisfaction.segments": {
        "en": "Index and NPS by segment",
        "zh": "各客户分群的满意度与 NPS"},
    "report.satisfaction.drivers": {
        "en": "What drives overall satisfaction and NPS (Shapley decomposition of R²)",
        "zh": "总体满意度与 NPS 的驱动因素（R² 的 Shapley 分解）"},
    "report.satisfaction.ipa": {
        "en": "Importance-performance analysis",
        "zh": "重要性-表现分析（IPA）"},
    "report.satisfaction.loadings": {
        "en": "Factor loadings (varimax)",
        "zh": "因子载荷（方差最大旋转）"},
    "report.satisfaction.clusters": {
        "en": "Respondent clusters (k-means on standardised answers, silhouette {silhouette}): mean scores",
        "zh": "受访者聚类（标准化回答的 k 均值，轮廓系数 {silhouette}）：各项平均分"},
    "report.satisfaction.behaviour": {
        "en": "Do detractors buy less afterwards?",
        "zh": "贬损者此后是否买得更少？"},
    "report.satisfaction.grades": {
        "en": "Evaluation standard",
        "zh": "评价标准"},
    "report.feedback.title": {
        "en": "Feedback and complaints",
        "zh": "评价与投诉"},
    "report.feedback.intro": {
        "en": "Sentiment from SnowNLP (Chinese) and VADER (English), models shipped inside the packages; "
              "complaint categories from keyword rules; topics from NMF on TF-IDF of the jieba/English tokens.",
        "zh": "情感分析使用随包发布的 SnowNLP（中文）和 VADER（英文）模型；投诉类别由关键词规则判定；主题由基于 jieba/英文分词 TF-IDF 的 NMF 得出。"},
    "report.feedback.categories": {
        "en": "Complaint categories and actions",
        "zh": "投诉类别与建议行动"},
    "report.feedback.topics": {
        "en": "Topics of the complaints",
        "zh": "投诉主题"},
    "report.feedback.keywords": {
        "en": "Keywords",
        "zh": "关键词"},
    "report.feedback.trend": {
        "en": "Feedback over time",
        "zh": "反馈趋势"},
    "report.service.title": {
        "en": "Customer service",
        "zh": "客户服务"},
    "report.service.intro": {
        "en": "Tickets by demand type and channel; SLA: first response within {fr} minutes, resolution within "
              "{res} hours.",
        "zh": "按需求类型和渠道统计工单；服务标准：{fr} 分钟内首次响应，{res} 小时内解决。"},
    "report.service.findings": {
        "en": "Findings and actions",
        "zh": "发现与建议行动"},
    "report.service.watch": {
        "en": "Customers with open or repeated issues",
        "zh": "有未结或重复问题的客户"},
    "report.service.periods": {
        "en": "Tickets and first-response SLA breaches by period",
        "zh": "各期工单量与首响超时率"},
    "report.service.times": {
        "en": "Response and resolution times",
        "zh": "响应与解决时长"},
}

#: The report chapters and columns of ``custlens.campaigns``.
CAMPAIGNS: dict[str, dict[str, str]] = {
    "report.campaigns.title": {
        "en": "Campaigns",
        "zh": "营销活动"},
    "report.campaigns.intro": {
        "en": "Did the campaign work? Treatment and control members compared on orders in the window after "
              "exposure, with confidence intervals, a sample-ratio check, CUPED and the return on cost.",
        "zh": "活动有效吗？比较实验组与对照组在触达后窗口内的下单情况，给出置信区间、样本比例检验、CUPED 方差缩减与投入回报。"},
    "report.campaigns.intro_did": {
        "en": "The most recent campaign has no control group, so its members are compared before and after "
              "exposure with customers outside the campaign who bought in the same weeks "
              "(difference-in-differences).",
        "zh": "最近一次活动没有对照组，因此将成员在触达前后的变化与同期有购买的非成员进行比较（双重差分）。"},
    "report.campaigns.campaign_did": {
        "en": "Campaign {id}: {treated} members against {comparison} comparable customers, exposure {date}",
        "zh": "活动 {id}：{treated} 名成员对比 {comparison} 名可比客户，{date} 触达"},
    "report.campaigns.did_effect": {
        "en": "Effect on weekly spend per member",
        "zh": "对每人每周消费的影响"},
    "report.campaigns.pretrend": {
        "en": "Pre-trend test (p)",
        "zh": "活动前趋势检验（p）"},
    "report.campaigns.campaign": {
        "en": "Campaign {id}: {members} members, exposed {date}, {window}-day window",
        "zh": "活动 {id}：{members} 名成员，{date} 触达，观察窗口 {window} 天"},
    "report.campaigns.pp": {
        "en": "{v} pp",
        "zh": "{v} 个百分点"},
    "report.campaigns.members": {
        "en": "Members (treatment / control)",
        "zh": "成员（实验组 / 对照组）"},
    "report.campaigns.conversion_lift": {
        "en": "Conversion lift",
        "zh": "转化率提升"},
    "report.campaigns.ci": {
        "en": "95% CI {low} to {high}",
        "zh": "95% 置信区间 {low} 至 {high}"},
    "report.campaigns.incremental_revenue": {
        "en": "Incremental revenue",
        "zh": "增量收入"},
    "report.campaigns.roi": {
        "en": "ROI on cost {cost}",
        "zh": "投入回报率（成本 {cost}）"},
    "report.campaigns.not_significant": {
        "en": "not significant (p = {p})",
        "zh": "不显著（p = {p}）"},
    "report.campaigns.significant": {
        "en": "significant (p = {p})",
        "zh": "显著（p = {p}）"},
    "report.campaigns.roi_detail": {
        "en": "{verdict}; 95% CI {low} to {high}",
        "zh": "{verdict}；95% 置信区间 {low} 至 {high}"},
    "report.campaigns.roi_warning": {
        "en": "The revenue lift is not significant (p = {p}): incremental revenue could be anywhere from {low} to "
              "{high}, so the ROI of {roi} is not a finding (its 95% interval runs from {roi_low} to {roi_high}). "
              "Do not budget on it; run the campaign longer or on more customers.",
        "zh": "收入提升不显著（p = {p}）：增量收入可能在 {low} 至 {high} 之间，因此 {roi} 的投入回报率不能作为结论（其 95% 区间为 {roi_low} 至 "
              "{roi_high}）。请勿据此做预算；应延长活动时间或扩大覆盖客户。"},
    "report.campaigns.srm": {
        "en": "Sample-ratio check",
        "zh": "样本比例检验"},
    "report.campaigns.srm_ok": {
        "en": "p = {p}: split as intended",
        "zh": "p = {p}：分组符合计划"},
    "report.campaigns.srm_bad": {
        "en": "p = {p}: mismatch",
        "zh": "p = {p}：比例失衡"},
    "report.campaigns.metrics": {
        "en": "Results per metric",
        "zh": "各指标结果"},
    "report.campaigns.metrics_note": {
        "en": "Lift = treatment - control. Conversion: two-proportion z-test; revenue and orders: Welch t-test, "
              "bootstrap interval and Mann-Whitney U. CUPED adjusts each outcome with the member's spend in the "
              "{pre} days before exposure. Holm and Benjamini-Hochberg correct the p-values across metrics.",
        "zh": "提升 = 实验组 − 对照组。转化率用双比例 z 检验；收入和订单用 Welch t 检验、自助法区间和 Mann-Whitney U 检验。CUPED 用成员触达前 {pre} "
              "天的消费调整各指标。Holm 与 Benjamini-Hochberg 方法对多个指标的 p 值做多重检验校正。"},
    "report.campaigns.chart_title": {
        "en": "Lift per metric with 95% interval (relative to control)",
        "zh": "各指标提升及 95% 区间（相对对照组）"},
    "report.campaigns.segments": {
        "en": "Uplift by RFM segment at exposure",
        "zh": "按触达时 RFM 分群的提升"},
    "report.campaigns.segments_note": {
        "en": "Each segment is a small experiment of its own; trust a segment only when its corrected p-value "
              "(Holm or BH, across all segments and metrics) is small.",
        "zh": "每个分群都是一个小实验；只有校正后的 p 值（对所有分群和指标做 Holm 或 BH 校正）足够小时才可信。"},
    "report.campaigns.trend_title": {
        "en": "Weekly spend per member around exposure",
        "zh": "触达前后每周人均消费"},
    "report.campaigns.trend_caption": {
        "en": "Weeks relative to exposure (0 = first week after). Before exposure the lines should move together; "
              "the difference-in-differences estimate is {effect} per member per week (95% CI {low} to {high}).",
        "zh": "相对触达的周数（0 = 触达后第一周）。触达前两条线应同步变化；双重差分估计为每人每周 {effect}（95% 置信区间 {low} 至 {high}）。"},
    "report.campaigns.did_assumptions": {
        "en": "Assumptions of the before/after comparison",
        "zh": "前后对比的假设"},
}

i18n.register({**BEHAVIOUR, **CLV, **CHURN, **FORECAST, **VOC, **CAMPAIGNS})
