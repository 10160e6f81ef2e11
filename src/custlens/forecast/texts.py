"""Texts of the forecast (report section, CLI headers) in English and Chinese."""

from custlens import i18n

i18n.register({
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
