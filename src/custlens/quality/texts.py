"""The texts of the quality report, in English and Chinese (registered on import).

Checks, dimensions and severities are reported as keys (``quality.check.unknown_customer``);
the report, the dashboard and the CLI translate them with `custlens.i18n.t`.
"""

from __future__ import annotations

from custlens.i18n import register

DIMENSIONS = ("completeness", "validity", "uniqueness", "consistency", "timeliness")
SEVERITIES = ("high", "medium", "low")

CHECK_TEXTS: dict[str, dict[str, str]] = {
    "missing_values": {"en": "missing values", "zh": "缺失值"},
    "not_positive": {"en": "amount is zero, negative or not a number", "zh": "金额为零、负数或非数值"},
    "negative_value": {"en": "negative value", "zh": "数值为负"},
    "future_date": {"en": "date in the future", "zh": "日期晚于今天"},
    "before_1990": {"en": "date before 1990", "zh": "日期早于 1990 年"},
    "nps_out_of_range": {"en": "NPS outside 0–10", "zh": "NPS 不在 0–10 范围内"},
    "csat_out_of_range": {"en": "CSAT outside 1–5", "zh": "满意度（CSAT）不在 1–5 范围内"},
    "age_out_of_range": {"en": "age outside 0–120", "zh": "年龄不在 0–120 范围内"},
    "birth_date_out_of_range": {"en": "birth date before 1900", "zh": "出生日期早于 1900 年"},
    "invalid_group": {
        "en": "campaign group is neither 'treatment' nor 'control'",
        "zh": "活动分组既不是实验组（treatment）也不是对照组（control）",
    },
    "invalid_kind": {
        "en": "feedback kind is not review, complaint or suggestion",
        "zh": "反馈类型不是评价、投诉或建议",
    },
    "duplicate_key": {"en": "duplicate key", "zh": "主键重复"},
    "unknown_customer": {
        "en": "customer not in the customers table (or, without one, in no order)",
        "zh": "客户不在客户表中（未加载客户表时：没有任何订单）",
    },
    "unknown_order": {"en": "order line of an unknown order", "zh": "订单明细对应的订单不存在"},
    "line_sum_mismatch": {
        "en": "order lines do not add up to the order amount (before or after discount)",
        "zh": "订单明细合计与订单金额（折前或折后）不一致",
    },
    "return_without_order": {"en": "return without a matching order", "zh": "退货找不到对应订单"},
    "return_exceeds_order": {"en": "returns larger than their order", "zh": "退货金额超过原订单金额"},
    "return_before_order": {"en": "return dated before its order", "zh": "退货日期早于下单日期"},
    "resolved_before_opened": {"en": "ticket resolved before it was opened", "zh": "工单解决时间早于创建时间"},
    "response_before_opened": {
        "en": "first response before the ticket was opened",
        "zh": "首次响应时间早于工单创建时间",
    },
    "stale_data": {"en": "latest data is old (every row is affected; the age is in the example)",
                   "zh": "最新数据已过时（影响全部行；数据天数见示例）"},
    "quarantined_rows": {"en": "rows rejected at ingest (quarantined)", "zh": "导入时被拒绝（隔离）的行"},
    "ingest_unbalanced": {
        "en": "ingest log does not add up (read ≠ loaded + quarantined + duplicates)",
        "zh": "导入日志不平衡（读取 ≠ 载入 + 隔离 + 重复）",
    },
}

_TEXTS: dict[str, dict[str, str]] = {
    **{f"quality.check.{k}": v for k, v in CHECK_TEXTS.items()},
    "quality.dimension.completeness": {"en": "Completeness", "zh": "完整性"},
    "quality.dimension.validity": {"en": "Validity", "zh": "有效性"},
    "quality.dimension.uniqueness": {"en": "Uniqueness", "zh": "唯一性"},
    "quality.dimension.consistency": {"en": "Consistency", "zh": "一致性"},
    "quality.dimension.timeliness": {"en": "Timeliness", "zh": "及时性"},
    "quality.severity.high": {"en": "high", "zh": "高"},
    "quality.severity.medium": {"en": "medium", "zh": "中"},
    "quality.severity.low": {"en": "low", "zh": "低"},
    "quality.summary": {
        "en": "Data quality {score:.0f}/100, grade {grade}",
        "zh": "数据质量 {score:.0f}/100，等级 {grade}",
    },
    "quality.grade_rule": {
        "en": (
            "Each check scores 100 × (1 − failing share); a dimension of a table is the mean of "
            "its checks. Completeness is the mean non-missing share of the required columns and "
            "of the optional columns the data provides. Timeliness is 100 when the latest order is "
            "at most 7 days old, 0 from 365 days, linear in between. A table's score and the overall score weight "
            "completeness 25%, validity 25%, uniqueness 15%, consistency 25%, timeliness 10% "
            "(over the dimensions that apply); the overall dimension scores are the means over "
            "tables. Grade: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, else F."
        ),
        "zh": (
            "每项检查得分 = 100 × (1 − 不合格比例)；某表某维度的得分为其各项检查的平均值。"
            "完整性为必填列及数据中提供的可选列的非缺失比例的平均值。及时性：最新订单不超过 7 天为 100，"
            "达到 365 天为 0，中间线性递减。表得分与总分按完整性 25%、有效性 25%、唯一性 15%、"
            "一致性 25%、及时性 10% 加权（仅计适用的维度）；总体各维度得分为各表的平均值。"
            "等级：A ≥ 90，B ≥ 80，C ≥ 70，D ≥ 60，否则为 F。"
        ),
    },
}

register(_TEXTS)
