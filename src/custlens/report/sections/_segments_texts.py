"""Texts of the "Segments" report section (English and Chinese), registered on import."""

from __future__ import annotations

from custlens import i18n


def _t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


TEXTS: dict[str, dict[str, str]] = {
    "report.segments.title": _t("Segments and customer value", "客户分群与客户价值"),
    "report.segments.intro": _t(
        "Clusters of similar customers, LRFMC classes, ABC tiers by revenue, the value × loyalty matrix, "
        "how customers moved between segments, and a playbook for every segment.",
        "相似客户的聚类、LRFMC 分类、按销售额的 ABC 分层、价值 × 忠诚度矩阵、客户在分群间的迁移，以及每个分群的运营策略。"),
    "report.segments.cannot_cluster": _t("The customers could not be clustered.", "无法对客户进行聚类。"),
    "report.segments.k": _t("Clusters (k)", "聚类数（k）"),
    "report.segments.silhouette": _t("Silhouette", "轮廓系数"),
    "report.segments.gini": _t("Gini of spend", "消费基尼系数"),
    "report.segments.top20": _t("Revenue from the top 20%", "前 20% 客户贡献的销售额"),
    "report.segments.k_chart": _t("Choosing k: silhouette and Calinski–Harabasz", "选择 k：轮廓系数与 Calinski–Harabasz 指数"),
    "report.segments.k_caption": _t("The chosen k has the best mean rank of the two scores (higher is better for both).",
                                    "所选 k 在两个指标上的平均排名最好（两个指标都是越高越好）。"),
    "report.segments.sampled": _t(
        "Large shop: k was chosen and the clusters fitted on a random sample of {n} of {total} customers (seed {seed}); "
        "every customer was then assigned to the nearest cluster, and the sizes and revenue below count them all.",
        "大型店铺：在 {total} 位客户中随机抽取 {n} 位（随机种子 {seed}）选择 k 并拟合聚类；随后把每位客户分到最近的类，"
        "下方的人数与销售额按全部客户计算。"),
    "report.segments.value_sampled": _t(
        "Large shop: the MBG/NBD and Gamma-Gamma models were fitted on a random sample of {n} of {total} customers "
        "(seed {seed}); every customer was then scored with the fitted models, and the matrix below counts them all.",
        "大型店铺：在 {total} 位客户中随机抽取 {n} 位（随机种子 {seed}）拟合 MBG/NBD 与 Gamma-Gamma 模型；"
        "随后用拟合的模型为每位客户评分，下方矩阵按全部客户计算。"),
    "report.segments.projection": _t("Customers on the first two principal components", "客户在前两个主成分上的分布"),
    "report.segments.projection_caption": _t("Each dot is a customer (a sample of at most 2,000), coloured by cluster; "
                                             "the axes explain {share} of the scaled variance.",
                                             "每个点代表一位客户（最多抽样 2,000 位），按聚类着色；两个坐标轴解释了标准化后 {share} 的方差。"),
    "report.segments.profile": _t("Cluster profiles (mean, and index against the average = 100)",
                                  "聚类画像（均值，以及相对整体平均的指数 = 100）"),
    "report.segments.profile_means": _t("Class profiles (mean per class)", "分类画像（各类均值）"),
    "report.segments.demographics": _t("Who is in each cluster", "各聚类的人口属性"),
    "report.segments.lrfmc": _t("LRFMC classes", "LRFMC 客户分类"),
    "report.segments.abc": _t("ABC tiers and concentration of revenue", "ABC 分层与销售额集中度"),
    "report.segments.lorenz": _t("Lorenz curve of spend", "消费洛伦兹曲线"),
    "report.segments.lorenz_caption": _t("Gini {gini}: the further the curve from the diagonal, the more revenue "
                                         "depends on few customers.",
                                         "基尼系数 {gini}：曲线离对角线越远，销售额越依赖少数客户。"),
    "report.segments.equality": _t("Equal spend", "完全平均"),
    "report.segments.customers_axis": _t("Share of customers (lowest spend first)", "客户占比（消费从低到高）"),
    "report.segments.revenue_axis": _t("Share of revenue", "销售额占比"),
    "report.segments.volume": _t("Heavy, medium and light buyers (by orders)", "重度、中度、轻度购买者（按订单数）"),
    "report.segments.value": _t("Value × loyalty matrix", "价值 × 忠诚度矩阵"),
    "report.segments.heatmap": _t("Customers per cell", "各单元格客户数"),
    "report.segments.row.current_high": _t("High current value", "当前价值高"),
    "report.segments.row.future_high": _t("Low now, high future value", "当前低、未来价值高"),
    "report.segments.row.both_low": _t("Low current and future value", "当前与未来价值均低"),
    "report.segments.loyal": _t("Loyal", "忠诚"),
    "report.segments.not_loyal": _t("Not loyal", "不忠诚"),
    "report.segments.migration": _t("Segment migration from {start} to {end}", "{start} 至 {end} 的分群迁移"),
    "report.segments.migration_caption": _t("RFM segments (11) at both dates; {stayed} of the customers present at "
                                            "both dates kept their segment.",
                                            "两个日期均按 RFM 11 类分群；两个日期都在的客户中有 {stayed} 保持原分群。"),
    "report.segments.flows": _t("Largest moves", "主要迁移"),
    "report.segments.playbook": _t("Playbook", "运营策略"),
    "report.segments.before": _t("{name} (before)", "{name}（之前）"),
    "report.segments.after": _t("{name} (after)", "{name}（之后）"),
}

COLUMNS: dict[str, dict[str, str]] = {
    "channel": _t("Channel", "渠道"),
    "offer": _t("Offer", "优惠/权益"),
    "mean_current_value": _t("Mean spend so far", "平均历史消费"),
    "mean_future_value": _t("Mean future value", "平均未来价值"),
    "mean_loyalty": _t("Mean loyalty", "平均忠诚度"),
    "from_segment": _t("From", "原分群"),
    "to_segment": _t("To", "新分群"),
    "share_of_from": _t("Share of the segment", "占原分群比例"),
    "k": _t("k", "k"),
    "silhouette": _t("Silhouette", "轮廓系数"),
    "calinski_harabasz": _t("Calinski–Harabasz", "Calinski–Harabasz 指数"),
    "attribute": _t("Attribute", "属性"),
    "gender": _t("Gender", "性别"),
    "region": _t("Region", "地区"),
    "city": _t("City", "城市"),
    "city_tier": _t("City tier", "城市等级"),
    "occupation": _t("Occupation", "职业"),
    "acquisition_channel": _t("Acquisition channel", "获客渠道"),
    "all_customers": _t("All customers", "全部客户"),
    "L": _t("L: days since first order", "L：距首次下单天数"),
    "R": _t("R: days since last order", "R：距上次下单天数"),
    "F": _t("F: orders", "F：订单数"),
    "M": _t("M: spend", "M：消费金额"),
    "C": _t("C: mean discount rate", "C：平均折扣率"),
}

i18n.register(TEXTS)
# Own keys rather than ``report.col.*`` so that another section naming a column differently
# cannot clash; the section passes them as explicit table headers.
i18n.register({f"report.segments.col.{k}": v for k, v in COLUMNS.items()})
