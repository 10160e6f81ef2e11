"""Texts of the voice-of-the-customer analyses in English and Chinese (importing registers them).

Keys: ``voc.grade.*``, ``voc.dimension.*``, ``voc.attribute.*``, ``voc.weights.*``,
``voc.ipa.*`` (quadrant names and actions), ``voc.nps.group.*``, ``voc.sentiment.*``,
``voc.category.*`` and ``voc.category_action.*``, ``voc.demand.*``, ``voc.service.finding.*``
and ``voc.service.action.*``, ``voc.col.*`` (table headers), ``voc.cli.*``, ``voc.summary.*``
(``report.{satisfaction,feedback,service}.*`` live in `custlens.report.texts_analyses`).
"""

from __future__ import annotations

from typing import Any

from custlens import i18n


def _t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


TEXTS: dict[str, dict[str, str]] = {
    # grades of the evaluation standard
    "voc.grade.very_satisfied": _t("very satisfied", "很满意"),
    "voc.grade.satisfied": _t("satisfied", "满意"),
    "voc.grade.neutral": _t("neutral", "一般"),
    "voc.grade.dissatisfied": _t("dissatisfied", "不满意"),
    "voc.grade.very_dissatisfied": _t("very dissatisfied", "很不满意"),
    # dimensions and attributes
    "voc.dimension.product": _t("Product", "商品"),
    "voc.dimension.price": _t("Price", "价格"),
    "voc.dimension.logistics": _t("Logistics", "物流"),
    "voc.dimension.service": _t("Service", "服务"),
    "voc.attribute.delivery": _t("Delivery", "物流配送"),
    "voc.attribute.quality": _t("Product quality", "商品质量"),
    "voc.attribute.price": _t("Price", "价格"),
    "voc.attribute.attitude": _t("Service attitude", "服务态度"),
    "voc.attribute.efficiency": _t("Service efficiency", "服务效率"),
    "voc.attribute.result": _t("Service result", "服务结果"),
    "voc.attribute.service": _t("Service", "服务"),
    "voc.attribute.product": _t("Product", "商品"),
    "voc.attribute.value": _t("Value for money", "性价比"),
    "voc.attribute.logistics": _t("Logistics", "物流"),
    "voc.attribute.packaging": _t("Packaging", "包装"),
    "voc.attribute.ticket_rating": _t("Ticket rating", "工单评分"),
    "voc.attribute.csat": _t("Overall satisfaction", "总体满意度"),
    "voc.attribute.nps": _t("Likelihood to recommend (0-10)", "推荐意愿（0-10）"),
    "voc.weights.derived": _t("derived importance (Shapley shares of R² of overall satisfaction)",
                              "推导重要性（总体满意度 R² 的 Shapley 分解）"),
    "voc.weights.equal": _t("equal weights", "等权重"),
    "voc.weights.expert": _t("expert weights", "专家打分权重"),
    "voc.weights.ahp": _t("AHP weights (principal eigenvector)", "层次分析法权重（主特征向量）"),
    # importance-performance quadrants
    "voc.ipa.concentrate_here": _t("Concentrate here", "重点改进区"),
    "voc.ipa.keep_up": _t("Keep up the good work", "优势保持区"),
    "voc.ipa.low_priority": _t("Low priority", "次要改进区"),
    "voc.ipa.possible_overkill": _t("Possible overkill", "过度投入区"),
    "voc.ipa.action.concentrate_here": _t("Important and below average: fix this first.",
                                          "重要但表现低于平均：优先改进。"),
    "voc.ipa.action.keep_up": _t("Important and strong: keep the standard and say so in marketing.",
                                 "重要且表现好：保持水准，并在营销中突出。"),
    "voc.ipa.action.low_priority": _t("Weak but matters little: improve when cheap, not first.",
                                      "表现弱但影响小：成本低时再改进，不必优先。"),
    "voc.ipa.action.possible_overkill": _t("Strong but matters little: do not invest more; consider moving resources.",
                                           "表现好但影响小：不再追加投入，可考虑调配资源。"),
    # NPS and sentiment
    "voc.nps.group.promoter": _t("Promoters (9-10)", "推荐者（9-10）"),
    "voc.nps.group.passive": _t("Passives (7-8)", "被动者（7-8）"),
    "voc.nps.group.detractor": _t("Detractors (0-6)", "贬损者（0-6）"),
    "voc.sentiment.positive": _t("positive", "正面"),
    "voc.sentiment.neutral": _t("neutral", "中性"),
    "voc.sentiment.negative": _t("negative", "负面"),
    "voc.lang.zh": _t("Chinese (SnowNLP)", "中文（SnowNLP）"),
    "voc.lang.en": _t("English (VADER)", "英文（VADER）"),
    # complaint categories
    "voc.category.refund": _t("Refunds and returns", "退款退货"),
    "voc.category.logistics": _t("Logistics", "物流配送"),
    "voc.category.quality": _t("Product quality", "商品质量"),
    "voc.category.service": _t("Customer service", "客服服务"),
    "voc.category.price": _t("Price", "价格"),
    "voc.category.missing_item": _t("Missing items", "少发漏发"),
    "voc.category.other": _t("Other", "其他"),
    "voc.category_action.refund": _t("Speed up refunds: publish the refund time and alert on refunds older than 3 days.",
                                     "加快退款：公布退款时效，超过 3 天未到账自动预警。"),
    "voc.category_action.logistics": _t("Review carriers and dispatch times; notify customers of delays before they ask.",
                                        "复盘快递商与发货时效；延误时主动通知客户。"),
    "voc.category_action.quality": _t("Send the complaints to quality control and the supplier; check product photos match.",
                                      "将投诉转给品控和供应商；核对商品图片与实物一致。"),
    "voc.category_action.service": _t("Coach agents, set reply-time targets and review unanswered chats daily.",
                                      "培训客服，设定回复时效目标，每日复查未回复会话。"),
    "voc.category_action.price": _t("Explain value, check price against competitors, offer price protection.",
                                    "说明商品价值，对比竞品价格，提供价格保护。"),
    "voc.category_action.missing_item": _t("Check packing at the warehouse and ship missing items at once.",
                                           "核查仓库打包流程，缺件立即补发。"),
    "voc.category_action.other": _t("Read these complaints and add a keyword rule when a theme repeats.",
                                    "逐条阅读这些投诉，主题重复出现时补充关键词规则。"),
    # service
    "voc.demand.pre_sale": _t("Pre-sale inquiry", "售前咨询"),
    "voc.demand.after_sale": _t("After-sale", "售后服务"),
    "voc.demand.complaint": _t("Complaint", "投诉"),
    "voc.demand.account": _t("Account and payment", "账户与支付"),
    "voc.demand.other": _t("Other", "其他"),
    "voc.service.finding.sla_channel": _t(
        "Channel {channel}: {breach} of tickets get their first response after {minutes} minutes (median {median} min).",
        "渠道 {channel}：{breach} 的工单首次响应超过 {minutes} 分钟（中位数 {median} 分钟）。"),
    "voc.service.action.sla_channel": _t("Staff the channel or send an automatic acknowledgement with a promised time.",
                                         "为该渠道增加人手，或自动回复确认并承诺处理时间。"),
    "voc.service.finding.slow_resolution": _t("{demand}: {breach} of tickets take longer than {hours} hours to resolve.",
                                              "{demand}：{breach} 的工单解决时间超过 {hours} 小时。"),
    "voc.service.action.slow_resolution": _t("Give agents the authority to settle these cases at first contact.",
                                             "授权客服在首次接触时直接解决此类问题。"),
    "voc.service.finding.repeats": _t("{rate} of tickets are repeat contacts: the first answer did not settle the issue.",
                                      "{rate} 的工单为重复联系：首次处理未能解决问题。"),
    "voc.service.action.repeats": _t("Track first-contact resolution and review the repeated cases weekly.",
                                     "跟踪首次解决率，每周复盘重复联系的案例。"),
    "voc.service.finding.weakest_service": _t("The weakest part of service is {attribute} (index {index}).",
                                              "服务中最弱的一项是{attribute}（指数 {index}）。"),
    "voc.service.action.weakest_service": _t("Target training and scripts at this part of the service.",
                                             "针对这一环节开展培训、优化话术。"),
    "voc.measure.first_response_minutes": _t("First response (minutes)", "首次响应（分钟）"),
    "voc.measure.resolution_hours": _t("Resolution (hours)", "解决时长（小时）"),
    # column headers
    **{f"voc.col.{k}": _t(en, zh) for k, (en, zh) in {
        "attribute": ("Attribute", "指标"), "dimension": ("Dimension", "维度"), "mean": ("Mean", "均值"),
        "index": ("Index (0-100)", "指数（0-100）"), "weight": ("Weight", "权重"), "answers": ("Answers", "回答数"),
        "ci_low": ("95% CI low", "95% 置信下限"), "ci_high": ("95% CI high", "95% 置信上限"), "grade": ("Grade", "等级"),
        "segment": ("Segment", "客户分群"), "channel": ("Channel", "渠道"), "period": ("Period", "时期"),
        "change": ("Change", "变化"), "p_value": ("p-value", "p 值"), "significant": ("Significant", "显著"),
        "item": ("Item", "题项"), "sd": ("Std. dev.", "标准差"), "median": ("Median", "中位数"), "min": ("Min", "最小值"),
        "max": ("Max", "最大值"), "top2_share": ("Top-2 share", "前两档占比"), "correlation": ("Correlation", "相关系数"),
        "coefficient": ("Coefficient", "回归系数"), "shapley_r2": ("Shapley R²", "Shapley R²"),
        "importance": ("Importance", "重要性"), "performance": ("Performance (0-100)", "表现（0-100）"),
        "quadrant": ("Quadrant", "象限"), "action": ("Action", "建议行动"), "nps": ("NPS", "NPS"),
        "responses": ("Responses", "回答数"), "promoters": ("Promoters", "推荐者"), "passives": ("Passives", "被动者"),
        "detractors": ("Detractors", "贬损者"), "group": ("Group", "群组"), "customers": ("Customers", "客户数"),
        "orders_after": ("Orders after", "此后订单数"), "spend_after": ("Spend after", "此后消费额"),
        "lapsed_share": ("Share with no order", "未再购买占比"), "lang": ("Language", "语言"), "items": ("Items", "条数"),
        "mean_sentiment": ("Mean sentiment (0-1)", "平均情感（0-1）"), "positive_share": ("Positive", "正面占比"),
        "negative_share": ("Negative", "负面占比"), "term": ("Keyword", "关键词"), "score": ("TF-IDF", "TF-IDF"),
        "topic": ("Topic", "主题"), "words": ("Top words", "主要词语"), "share": ("Share", "占比"),
        "examples": ("Examples", "示例"), "category": ("Category", "类别"), "complaints": ("Complaints", "投诉数"),
        "complaint_share": ("Complaint share", "投诉占比"), "demand_type": ("Demand type", "需求类型"),
        "tickets": ("Tickets", "工单数"), "first_response_median_min": ("First response, median (min)", "首次响应中位数（分钟）"),
        "resolution_median_h": ("Resolution, median (h)", "解决时长中位数（小时）"),
        "first_response_breach": ("First-response SLA breached", "首响超时率"),
        "resolution_breach": ("Resolution SLA breached", "解决超时率"), "open": ("Open", "未结"),
        "satisfaction": ("Ticket rating", "工单评分"), "measure": ("Measure", "指标"), "n": ("N", "样本数"),
        "p10": ("P10", "P10"), "p25": ("P25", "P25"), "p75": ("P75", "P75"), "p90": ("P90", "P90"),
        "customer_id": ("Customer", "客户"), "repeats": ("Repeat contacts", "重复联系"),
        "last_opened_at": ("Last ticket", "最近工单"), "finding": ("Finding", "发现"), "cluster": ("Cluster", "类别"),
        "respondents": ("Respondents", "受访者"), "factor": ("Factor", "因子"), "ss_loadings": ("SS loadings", "载荷平方和"),
        "proportion": ("Variance explained", "方差解释比例"), "cumulative": ("Cumulative", "累计"),
        "from": ("From (index)", "起始指数"), "se": ("Std. error", "标准误"),
    }.items()},
    # CLI
    "voc.cli.index": _t("Satisfaction index {index} (95% CI {low}-{high}, {n} answers): {grade}. Weights: {method}.",
                        "满意度指数 {index}（95% 置信区间 {low}-{high}，{n} 份回答）：{grade}。权重：{method}。"),
    "voc.cli.alpha": _t("Cronbach's alpha {alpha} over {k} items.", "Cronbach's α = {alpha}（{k} 个题项）。"),
    "voc.cli.factors": _t("Factor analysis: KMO {kmo}, Bartlett p = {p}, {n} factors (varimax).",
                          "因子分析：KMO {kmo}，Bartlett 检验 p = {p}，{n} 个因子（方差最大旋转）。"),
    "voc.cli.nps": _t("NPS {nps} (95% CI {low} to {high}; {n} answers: {pro} promoters, {pas} passives, {det} detractors).",
                      "NPS {nps}（95% 置信区间 {low} 至 {high}；{n} 份回答：推荐者 {pro}，被动者 {pas}，贬损者 {det}）。"),
    "voc.cli.behaviour": _t("In the {days} days after answering, {det} of detractors and {pro} of promoters bought nothing (p = {p}).",
                            "回答后 {days} 天内，贬损者中 {det}、推荐者中 {pro} 没有再购买（p = {p}）。"),
    "voc.cli.ahp": _t("AHP: lambda_max {lam}, CI {ci}, CR {cr} (consistent: CR <= 0.1).",
                      "层次分析法：λmax {lam}，CI {ci}，CR {cr}（一致：CR ≤ 0.1）。"),
    "voc.cli.feedback": _t("{n} feedback texts; {c} complaints.", "共 {n} 条反馈，其中投诉 {c} 条。"),
    "voc.cli.service": _t("{n} tickets; SLA: first response {fr} min, resolution {res} h; repeat contacts within {days} days: {rate}.",
                          "共 {n} 张工单；服务标准：首次响应 {fr} 分钟，解决 {res} 小时；{days} 天内重复联系：{rate}。"),
    "voc.cli.watch": _t("{n} customers with open tickets, repeat contacts or several complaints.",
                        "{n} 位客户有未结工单、重复联系或多次投诉。"),
    # summary line
    "voc.summary.both": _t("Voice of the customer: NPS {nps} (95% CI {low} to {high}); satisfaction index {csi}/100 ({grade}).",
                           "客户之声：NPS {nps}（95% 置信区间 {low} 至 {high}）；满意度指数 {csi}/100（{grade}）。"),
    "voc.summary.nps": _t("Voice of the customer: NPS {nps} (95% CI {low} to {high}, {n} answers).",
                          "客户之声：NPS {nps}（95% 置信区间 {low} 至 {high}，{n} 份回答）。"),
    "voc.summary.complaints": _t("Top complaint: {category} ({share} of complaints).",
                                 "最主要的投诉：{category}（占投诉的 {share}）。"),
    "voc.note.no_kind": _t("The feedback has no kind column: complaints are the texts with a negative sentiment.",
                           "反馈数据没有类型列：投诉按负面情感的文本计。"),
}
i18n.register(TEXTS)


def label(prefix: str, key: Any, lang: str) -> str:
    """``voc.<prefix>.<key>`` in ``lang``, or the key itself when there is no such text."""
    k = f"voc.{prefix}.{key}"
    return i18n.t(k, lang) if i18n.has(k) else str(key)


def header(column: str, lang: str) -> str:
    """Table header of a VoC column (an attribute name when the column is one, e.g. cluster profiles)."""
    if i18n.has(f"voc.col.{column}"):
        return i18n.t(f"voc.col.{column}", lang)
    return label("attribute", column, lang)


def finding_text(key: str, params: dict[str, Any], lang: str) -> str:
    """A service finding and its action in ``lang``."""
    p = dict(params)
    for k in ("breach", "rate"):
        if k in p:
            p[k] = f"{p[k]:.0%}"
    if "median" in p:
        p["median"] = f"{p['median']:.0f}"
    if "index" in p:
        p["index"] = f"{p['index']:.0f}"
    if "minutes" in p:
        p["minutes"] = f"{p['minutes']:g}"
    if "hours" in p:
        p["hours"] = f"{p['hours']:g}"
    if "demand" in p:
        p["demand"] = label("demand", p["demand"], lang)
    if "attribute" in p:
        p["attribute"] = label("attribute", p["attribute"], lang)
    return f"{i18n.t(f'voc.service.finding.{key}', lang, **p)} {i18n.t(f'voc.service.action.{key}', lang)}"
