"""Texts of the forecast (report section, CLI headers) in English and Chinese."""

from custlens import i18n

i18n.register({
    "report.forecast.title": {"en": "Forecast", "zh": "预测"},
    "report.forecast.intro": {
        "en": "Daily revenue and orders for the next {days} days, forecast by the model that did best in a "
              "rolling-origin backtest ({windows} windows of {h} days): AutoETS or MSTL (weekly and yearly "
              "seasons, which carry the fixed-date festivals), next to the seasonal-naive baseline (the value "
              "a week earlier). `custlens forecast` also tries AutoARIMA and MSTL_ARIMA with the festivals (618, "
              "Double 11, Black Friday, Christmas, Spring Festival) as known future events.",
        "zh": "未来 {days} 天的每日销售额和订单数，由滚动起点回测（{windows} 个窗口，每个 {h} 天）中表现最好的模型预测："
              "AutoETS 或 MSTL（周季节和年季节，后者包含固定日期的节日），并与季节朴素基准（一周前的数值）对比。"
              "`custlens forecast` 还会尝试把节日（618、双11、黑色星期五、圣诞、春节）作为已知未来事件的 AutoARIMA 和 MSTL_ARIMA。",
    },
    "report.forecast.metric.revenue": {"en": "Revenue", "zh": "销售额"},
    "report.forecast.metric.orders": {"en": "Orders", "zh": "订单数"},
    "report.forecast.metric.active": {"en": "Active customers", "zh": "活跃客户数"},
    "report.forecast.metric.new": {"en": "New customers", "zh": "新客户数"},
    "report.forecast.metric.category": {"en": "Demand by category", "zh": "品类需求"},
    "report.forecast.chart": {"en": "{metric}: history and forecast", "zh": "{metric}：历史与预测"},
    "report.forecast.history": {"en": "Actual", "zh": "实际"},
    "report.forecast.mean": {"en": "Forecast ({model})", "zh": "预测（{model}）"},
    "report.forecast.band": {"en": "{level}% interval", "zh": "{level}% 区间"},
    "report.forecast.baseline": {"en": "Seasonal naive", "zh": "季节朴素"},
    "report.forecast.chosen": {"en": "{metric}: model {model}", "zh": "{metric}：模型 {model}"},
    "report.forecast.chosen_detail": {
        "en": "MASE {mase} vs seasonal naive {base}",
        "zh": "MASE {mase}，季节朴素 {base}",
    },
    "report.forecast.total": {"en": "{metric}, next {days} days", "zh": "{metric}，未来 {days} 天"},
    "report.forecast.total_detail": {"en": "95% interval per day {lo} – {hi}",
                                     "zh": "每日 95% 区间 {lo} – {hi}"},
    "report.forecast.backtest": {"en": "Backtest", "zh": "回测"},
    "report.forecast.backtest_caption": {
        "en": "MASE: mean absolute error over that of the seasonal-naive forecast in sample (below 1 is better); "
              "sMAPE in percent (0-200). Lower is better; the chosen model has the lowest MASE.",
        "zh": "MASE：平均绝对误差除以样本内季节朴素预测的平均绝对误差（小于 1 更好）；sMAPE 为百分比（0-200）。越低越好；选用 MASE 最低的模型。",
    },
    "report.forecast.clv": {"en": "Orders: time series vs CLV model", "zh": "订单：时间序列与 CLV 模型对比"},
    "report.forecast.clv_caption": {
        "en": "The CLV column is the BG/NBD model's expected repeat purchases of the customers known today; "
              "the time series also counts orders of customers who have not bought yet, so it is higher.",
        "zh": "CLV 列为 BG/NBD 模型对现有客户预期复购次数的估计；时间序列还包括尚未购买的新客户的订单，因此更高。",
    },
    "report.forecast.clv_failed": {"en": "The CLV comparison is not available.", "zh": "无法进行 CLV 对比。"},
    "forecast.col.model": {"en": "Model", "zh": "模型"},
    "forecast.col.mase": {"en": "MASE", "zh": "MASE"},
    "forecast.col.smape": {"en": "sMAPE (%)", "zh": "sMAPE（%）"},
    "forecast.col.metric": {"en": "Series", "zh": "序列"},
    "forecast.col.date": {"en": "Date", "zh": "日期"},
    "forecast.col.week": {"en": "Week from", "zh": "起始周"},
    "forecast.col.series": {"en": "Series", "zh": "序列"},
    "forecast.col.mean": {"en": "Forecast", "zh": "预测值"},
    "forecast.col.lo": {"en": "Low", "zh": "下限"},
    "forecast.col.hi": {"en": "High", "zh": "上限"},
    "forecast.col.ts_orders": {"en": "Orders (time series)", "zh": "订单（时间序列）"},
    "forecast.col.clv_orders": {"en": "Repeat purchases (CLV)", "zh": "复购次数（CLV）"},
})
