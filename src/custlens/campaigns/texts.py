"""English and Chinese texts of the campaign analyses, the report section and the CLI."""

from __future__ import annotations

from custlens import i18n

TEXTS: dict[str, dict[str, str]] = {
    # metrics and groups
    "campaign.metric.converted": {"en": "Conversion", "zh": "转化率"},
    "campaign.metric.revenue": {"en": "Revenue/member", "zh": "人均收入"},
    "campaign.metric.orders": {"en": "Orders/member", "zh": "人均订单"},
    "campaign.group.treatment": {"en": "Treatment", "zh": "实验组"},
    "campaign.group.control": {"en": "Control", "zh": "对照组"},
    "campaign.group.treated": {"en": "Treated", "zh": "受影响组"},
    "campaign.group.comparison": {"en": "Comparison", "zh": "对比组"},
    "campaign.segment.no_history": {"en": "No purchase before exposure", "zh": "触达前无购买"},
    # notes
    "campaign.note.srm": {
        "en": "Sample ratio mismatch: the group sizes do not match the intended split (p < 0.001). "
              "Assignment or tracking is broken; do not trust the comparison until it is explained.",
        "zh": "样本比例失衡：两组人数与计划的分配比例不符（p < 0.001）。分组或埋点可能有问题，查明原因前不要相信对比结果。"},
    "campaign.note.window_incomplete": {
        "en": "Some members' outcome windows end after the last data; outcomes are incomplete.",
        "zh": "部分成员的观察窗口晚于最新数据，结果不完整。"},
    "campaign.note.unassigned": {
        "en": "Rows whose group is neither treatment nor control were left out.",
        "zh": "分组既不是实验组也不是对照组的行已被排除。"},
    # difference-in-differences assumptions
    "campaign.did.assume.parallel": {
        "en": "Parallel trends: without the campaign, the treated group's spend would have moved like the "
              "comparison group's (check the chart before the event).",
        "zh": "平行趋势：若无活动，受影响组的消费会与对比组同步变化（请查看活动前的走势）。"},
    "campaign.did.assume.anticipation": {
        "en": "No anticipation: nothing changed for the treated group before the event.",
        "zh": "无预期效应：活动开始前受影响组的行为没有变化。"},
    "campaign.did.assume.spillover": {
        "en": "No spill-over: the campaign did not change the comparison group's behaviour.",
        "zh": "无溢出效应：活动没有改变对比组的行为。"},
    "campaign.did.assume.composition": {
        "en": "Stable groups: the same customers are followed before and after the event.",
        "zh": "组成稳定：活动前后跟踪的是同一批客户。"},
    # column headers (campaign-specific keys: the section passes them as ``headers``)
    "campaign.col.name": {"en": "Metric", "zh": "指标"},
    "campaign.col.segment": {"en": "Segment", "zh": "分群"},
    "campaign.col.share": {"en": "Share", "zh": "占比"},
    "campaign.col.boot_ci_low": {"en": "Bootstrap low", "zh": "自助法下限"},
    "campaign.col.boot_ci_high": {"en": "Bootstrap high", "zh": "自助法上限"},
    "campaign.col.cuped_ci_low": {"en": "CUPED CI low", "zh": "CUPED 区间下限"},
    "campaign.col.cuped_ci_high": {"en": "CUPED CI high", "zh": "CUPED 区间上限"},
    "campaign.col.cuped_p_value": {"en": "p (CUPED)", "zh": "p（CUPED）"},
    "campaign.col.metric": {"en": "Metric", "zh": "指标"},
    "campaign.col.ci": {"en": "95% CI", "zh": "95% 置信区间"},
    "campaign.col.lift": {"en": "Lift", "zh": "提升"},
    "campaign.col.relative_lift": {"en": "Relative lift", "zh": "相对提升"},
    "campaign.col.ci_low": {"en": "CI low", "zh": "区间下限"},
    "campaign.col.ci_high": {"en": "CI high", "zh": "区间上限"},
    "campaign.col.p_value": {"en": "p-value", "zh": "p 值"},
    "campaign.col.p_holm": {"en": "p (Holm)", "zh": "p（Holm）"},
    "campaign.col.p_bh": {"en": "p (BH)", "zh": "p（BH）"},
    "campaign.col.control": {"en": "Control", "zh": "对照组"},
    "campaign.col.treatment": {"en": "Treatment", "zh": "实验组"},
    "campaign.col.n_control": {"en": "Control n", "zh": "对照组人数"},
    "campaign.col.n_treatment": {"en": "Treatment n", "zh": "实验组人数"},
    "campaign.col.cuped_lift": {"en": "CUPED lift", "zh": "CUPED 提升"},
    "campaign.col.variance_reduction": {"en": "CUPED var. cut", "zh": "CUPED 方差缩减"},
    "campaign.col.mw_p_value": {"en": "p (Mann-Whitney)", "zh": "p（Mann-Whitney）"},
    "campaign.col.period": {"en": "Week", "zh": "周"},
    "campaign.col.group": {"en": "Group", "zh": "组别"},
    "campaign.col.members": {"en": "Members", "zh": "成员数"},
    "campaign.col.expected_share": {"en": "Intended share", "zh": "计划占比"},
    "campaign.col.cost": {"en": "Cost", "zh": "成本"},
    # CLI
    "cli.campaign.headline": {"en": "campaign {id}: {members} members, {window}-day window after exposure",
                              "zh": "活动 {id}：{members} 名成员，触达后观察 {window} 天"},
    "cli.campaign.cuped": {"en": "CUPED variance reduction (pre-period spend): {parts}",
                           "zh": "CUPED 方差缩减（触达前消费）：{parts}"},
    "cli.campaign.srm": {"en": "sample-ratio check: p = {p} ({verdict})", "zh": "样本比例检验：p = {p}（{verdict}）"},
    "cli.campaign.srm_ok": {"en": "split as intended", "zh": "分组符合计划"},
    "cli.campaign.srm_bad": {"en": "MISMATCH", "zh": "比例失衡"},
    "cli.campaign.roi": {"en": "incremental revenue {inc} (95% CI {low} to {high}), cost {cost}, ROI {roi} "
                                "(95% CI {roi_low} to {roi_high}): {verdict}",
                         "zh": "增量收入 {inc}（95% 置信区间 {low} 至 {high}），成本 {cost}，投入回报率 {roi}"
                               "（95% 置信区间 {roi_low} 至 {roi_high}）：{verdict}"},
    "cli.campaign.roi_ns": {"en": "NOT significant (p = {p}); the ROI is not a finding",
                            "zh": "不显著（p = {p}），该投入回报率不能作为结论"},
    "cli.campaign.roi_sig": {"en": "significant (p = {p})", "zh": "显著（p = {p}）"},
    "cli.campaign.pp": {"en": "{v} pp", "zh": "{v} 个百分点"},
    "cli.campaign.plan": {
        "en": "{n} members per group ({total} in all) detect {baseline} -> {target} with power {power} at alpha {alpha}",
        "zh": "每组 {n} 人（共 {total} 人）可在显著性水平 {alpha}、检验功效 {power} 下检出 {baseline} -> {target}"},
    "cli.campaign.did": {"en": "difference-in-differences ({comparison} group): {effect} per member per {days} days "
                                "(95% CI {low} to {high}, p = {p}); pre-trend p = {pre}",
                         "zh": "双重差分（对比组：{comparison}）：每人每 {days} 天 {effect}（95% 置信区间 {low} 至 {high}，p = {p}）；"
                               "活动前趋势检验 p = {pre}"},
}

i18n.register(TEXTS)


def column_headers(columns: list[str], lang: str = "en") -> dict[str, str]:
    """Translated headers of campaign table columns (``campaign.col.<column>``, else the name)."""
    return {c: i18n.t(f"campaign.col.{c}", lang) if i18n.has(f"campaign.col.{c}") else c for c in columns}


def metric_label(name: str, lang: str = "en") -> str:
    """The translated name of a campaign metric; an export's own column names stay as they are."""
    key = f"campaign.metric.{name}"
    return i18n.t(key, lang) if i18n.has(key) else name
