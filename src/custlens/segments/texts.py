"""Names, descriptions and playbooks (action, channel, offer) of the non-RFM schemes.

Importing this module registers, in English and Chinese, under ``segment.<scheme>.<seg>.<part>``:

- ``kmeans`` and ``lrfmc`` clusters (named from their centres, see
  `custlens.segments.naming`): keep / develop / retain / general / low value, for LRFMC the
  classic 重要保持 / 重要发展 / 重要挽留 / 一般 / 低价值;
- ``abc`` tiers A / B / C and the ``volume`` tiers heavy / medium / light;
- ``value`` cells of the value × loyalty matrix;
- ``migration`` states ``none_before`` (not yet a customer) and ``none_after`` (no longer listed);
- the ``channel`` and ``offer`` of every ``rfm11``, ``rf10`` and ``cn8`` segment (their name,
  description and action live in `custlens.segments.catalog`).

Parts of a segment: ``name``, ``description``, ``action``, ``channel``, ``offer``; schemes have a
``title`` and a ``rule``.
"""

from __future__ import annotations

from custlens import i18n

__all__ = ["CLUSTER_NAMES", "PLAYBOOK_PARTS", "SCHEME_SEGMENTS", "VALUE_CELLS"]

_T = dict[str, str]


def _t(en: str, zh: str) -> _T:
    return {"en": en, "zh": zh}


#: The parts of a playbook entry.
PLAYBOOK_PARTS: tuple[str, ...] = ("action", "channel", "offer")

#: Cluster name keys, best first.
CLUSTER_NAMES: tuple[str, ...] = ("keep", "develop", "retain", "general", "low_value")

#: Value × loyalty cells, best first.
VALUE_CELLS: tuple[str, ...] = ("keep", "develop", "win_back", "reactivate", "nurture", "low_priority")

# cluster key -> (lrfmc name, kmeans name, description, action, channel, offer)
_CLUSTERS: dict[str, tuple[_T, ...]] = {
    "keep": (
        _t("Important to keep", "重要保持客户"),
        _t("High value, active", "高价值活跃客户"),
        _t("Frequent, high-spending customers who bought recently.", "购买频繁、消费高且近期有购买。"),
        _t("Look after them first: VIP service, early access, personal thanks.",
           "优先维护：VIP 服务、新品抢先、专属感谢。"),
        _t("Personal: account manager, app push, member e-mail", "一对一：专属客服、APP 推送、会员邮件"),
        _t("Members-only perks, no blanket discounts", "会员专属权益，不做普遍打折"),
    ),
    "develop": (
        _t("Important to develop", "重要发展客户"),
        _t("Growing", "成长型客户"),
        _t("Recent customers with room to buy more often or spend more.", "近期购买、仍有提升频次或客单价空间的客户。"),
        _t("Grow them: cross-sell related categories and invite them into the membership.",
           "重点培养：交叉推荐相关品类，邀请加入会员。"),
        _t("App push, mini-program, e-mail recommendations", "APP 推送、小程序、邮件推荐"),
        _t("Bundle or next-order coupon above their usual basket", "高于日常客单价的组合优惠或下单返券"),
    ),
    "retain": (
        _t("Important to win back", "重要挽留客户"),
        _t("Slipping high value", "流失中的高价值客户"),
        _t("Valuable customers whose last order was long ago.", "曾经价值高，但很久没有下单。"),
        _t("Win them back before they are lost: ask why they left and make a personal offer.",
           "在流失前挽回：了解离开原因，给出个性化方案。"),
        _t("Phone call, SMS, personal e-mail", "电话回访、短信、个性化邮件"),
        _t("Personal win-back coupon with a deadline", "限时个性化召回券"),
    ),
    "general": (
        _t("General", "一般客户"),
        _t("Average", "普通客户"),
        _t("Customers close to the average on every measure.", "各项指标接近平均水平的客户。"),
        _t("Keep them engaged with regular, low-cost campaigns.", "用常规、低成本的活动保持互动。"),
        _t("Newsletter, social media, in-app banners", "电子报、社交媒体、站内广告位"),
        _t("Seasonal promotions and free-shipping thresholds", "节日促销与满额包邮"),
    ),
    "low_value": (
        _t("Low value", "低价值客户"),
        _t("Low value", "低价值客户"),
        _t("Few orders, low spend and no recent purchase.", "订单少、消费低且近期没有购买。"),
        _t("Spend little on them: automated reactivation only.", "控制投入：只做自动化唤醒。"),
        _t("Automated e-mail or SMS", "自动化邮件或短信"),
        _t("Small reactivation coupon, sent once", "一次性小额唤醒券"),
    ),
}

_ABC: dict[str, tuple[_T, ...]] = {
    "a": (
        _t("A: top revenue customers", "A 类：核心贡献客户"),
        _t("The fewest customers who together make the first share of revenue (80% by default).",
           "贡献前一部分销售额（默认 80%）的最少客户。"),
        _t("Protect them: dedicated service, loyalty rewards, early access.", "重点保护：专属服务、忠诚奖励、新品抢先。"),
        _t("Account manager, app push, member e-mail", "专属客服、APP 推送、会员邮件"),
        _t("Tiered member benefits, gifts with purchase", "会员等级权益、满赠礼品"),
    ),
    "b": (
        _t("B: middle revenue customers", "B 类：中等贡献客户"),
        _t("The customers making the next share of revenue (15% by default).", "贡献接下来一部分销售额（默认 15%）的客户。"),
        _t("Lift them toward A: recommendations and volume incentives.", "推动升级为 A 类：个性化推荐与阶梯激励。"),
        _t("E-mail, app push, mini-program", "邮件、APP 推送、小程序"),
        _t("Spend-more-save-more vouchers", "满减阶梯券"),
    ),
    "c": (
        _t("C: long tail", "C 类：长尾客户"),
        _t("The many customers who make the rest of the revenue.", "贡献其余销售额的大量客户。"),
        _t("Serve them at low cost and watch for risers.", "低成本服务，关注有潜力的客户。"),
        _t("Newsletter, social media", "电子报、社交媒体"),
        _t("General promotions only", "仅参与普通促销"),
    ),
}

_VOLUME: dict[str, tuple[_T, _T]] = {
    "heavy": (_t("Heavy buyers", "重度购买者"),
              _t("The fewest customers who place the first 80% of the orders.", "下了前 80% 订单的最少客户。")),
    "medium": (_t("Medium buyers", "中度购买者"),
               _t("The customers who place the next 15% of the orders.", "下了接下来 15% 订单的客户。")),
    "light": (_t("Light buyers", "轻度购买者"),
              _t("The customers who place the remaining orders.", "下了其余订单的客户。")),
}

_VALUE: dict[str, tuple[_T, ...]] = {
    "keep": (
        _t("Keep: high value, loyal", "保持：高价值且忠诚"),
        _t("High spend so far and likely still active.", "历史消费高，且很可能仍然活跃。"),
        _t("Keep them delighted: VIP care and rewards, not discounts.", "让他们满意：VIP 关怀与奖励，而不是打折。"),
        _t("Account manager, app push", "专属客服、APP 推送"),
        _t("Exclusive benefits, early access", "专属权益、新品抢先"),
    ),
    "develop": (
        _t("Develop: high future value", "发展：未来价值高"),
        _t("Low spend so far, but loyal and with a high predicted value.", "历史消费不高，但忠诚且预测价值高。"),
        _t("Invest in them: cross-sell, membership, bigger baskets.", "重点投入：交叉销售、会员、提高客单价。"),
        _t("App push, e-mail recommendations", "APP 推送、邮件推荐"),
        _t("Bundles and membership trial", "组合优惠与会员试用"),
    ),
    "win_back": (
        _t("Win back: high value, slipping", "挽回：高价值但在流失"),
        _t("High spend so far, but probably no longer active.", "历史消费高，但很可能已不再活跃。"),
        _t("Reach out personally before they are gone for good.", "在彻底流失前主动一对一联系。"),
        _t("Phone call, SMS, personal e-mail", "电话回访、短信、个性化邮件"),
        _t("Personal win-back offer with a deadline", "限时个性化召回优惠"),
    ),
    "reactivate": (
        _t("Reactivate: promising but quiet", "唤醒：有潜力但沉寂"),
        _t("Predicted value is high, but they have gone quiet.", "预测价值较高，但最近沉寂。"),
        _t("Remind them with what they liked and a reason to return.", "用他们喜欢的商品提醒，并给出回来的理由。"),
        _t("SMS, retargeting ads", "短信、再营销广告"),
        _t("Time-limited coupon on their favourite category", "偏好品类限时券"),
    ),
    "nurture": (
        _t("Nurture: loyal, low value", "培育：忠诚但价值低"),
        _t("Still active, but spend and predicted value are low.", "仍然活跃，但历史消费和预测价值都较低。"),
        _t("Raise their basket with low-cost nudges.", "用低成本方式提升客单价。"),
        _t("In-app banners, newsletter", "站内广告位、电子报"),
        _t("Free-shipping threshold, add-on deals", "满额包邮、加价购"),
    ),
    "low_priority": (
        _t("Low priority", "低优先级"),
        _t("Low spend, low predicted value, probably inactive.", "消费低、预测价值低，很可能已不活跃。"),
        _t("Do not spend on them beyond automated messages.", "除自动化消息外不再投入。"),
        _t("Automated e-mail", "自动化邮件"),
        _t("None, or a one-off small coupon", "无，或一次性小额券"),
    ),
}

_MIGRATION: dict[str, tuple[_T, _T]] = {
    "none_before": (_t("Not yet a customer", "尚未成为客户"),
            _t("No order before the first date.", "第一个日期之前没有订单。")),
    "none_after": (_t("No longer listed", "不再列出"),
             _t("Not in the customer table at the second date.", "第二个日期的客户表中没有此客户。")),
}

# Channel and offer of the RFM segments (rfm11 and rf10 share their keys).
_RFM_PLAYBOOK: dict[str, tuple[_T, _T]] = {
    "champions": (_t("App push, member e-mail, community", "APP 推送、会员邮件、社群"),
                  _t("Early access and referral rewards, no discounts", "新品抢先与推荐奖励，不打折")),
    "loyal": (_t("Member e-mail, app push", "会员邮件、APP 推送"),
              _t("Loyalty points multiplier, upgrade offers", "积分加倍、升级推荐")),
    "potential_loyalist": (_t("E-mail, app push", "邮件、APP 推送"),
                           _t("Membership invitation with a welcome gift", "会员邀请与入会礼")),
    "new": (_t("Welcome e-mail series, app onboarding", "欢迎邮件系列、APP 新手引导"),
            _t("Second-order coupon", "第二单优惠券")),
    "promising": (_t("E-mail, social media", "邮件、社交媒体"),
                  _t("Free trial or small return coupon", "免费试用或小额回购券")),
    "need_attention": (_t("E-mail, in-app recommendations", "邮件、站内推荐"),
                       _t("Limited-time offer on viewed categories", "浏览品类限时优惠")),
    "about_to_sleep": (_t("SMS, app push", "短信、APP 推送"),
                       _t("Discount on bestsellers", "爆款折扣")),
    "at_risk": (_t("Personal e-mail, SMS", "个性化邮件、短信"),
                _t("Personal win-back coupon", "个性化召回券")),
    "cant_lose": (_t("Phone call, personal e-mail", "电话回访、个性化邮件"),
                  _t("Generous personal win-back offer", "力度较大的专属召回优惠")),
    "hibernating": (_t("Automated e-mail, retargeting ads", "自动化邮件、再营销广告"),
                    _t("Small reactivation coupon", "小额唤醒券")),
    "lost": (_t("Automated e-mail only", "仅自动化邮件"),
             _t("None, or one last small coupon", "无，或最后一次小额券")),
}

_CN8_PLAYBOOK: dict[str, tuple[_T, _T]] = {
    "cn_important_value": (_t("Account manager, app push", "专属客服、APP 推送"),
                           _t("VIP benefits, early access", "VIP 权益、新品抢先")),
    "cn_important_develop": (_t("App push, e-mail", "APP 推送、邮件"),
                             _t("Membership or subscription offer", "会员或订阅优惠")),
    "cn_important_keep": (_t("Phone call, SMS", "电话回访、短信"),
                          _t("Personal come-back offer", "专属回归优惠")),
    "cn_important_retain": (_t("Phone call, personal e-mail", "电话回访、个性化邮件"),
                            _t("Targeted win-back coupon", "针对性挽留券")),
    "cn_general_value": (_t("In-app recommendations, e-mail", "站内推荐、邮件"),
                         _t("Bundles and free-shipping thresholds", "组合优惠与满额包邮")),
    "cn_general_develop": (_t("Welcome e-mail, app push", "欢迎邮件、APP 推送"),
                           _t("Second-order coupon", "第二单优惠券")),
    "cn_general_keep": (_t("Newsletter, SMS", "电子报、短信"),
                        _t("Low-cost reminders and seasonal promotions", "低成本提醒与节日促销")),
    "cn_general_retain": (_t("Automated e-mail", "自动化邮件"),
                          _t("None, or a small reactivation coupon", "无，或小额唤醒券")),
}

_SCHEMES: dict[str, tuple[_T, _T]] = {
    "kmeans": (_t("Customer clusters (k-means)", "客户聚类（k-means）"),
               _t("Clusters of customers with similar recency, frequency and spend, named from their "
                  "centres.", "按最近购买、购买频次和消费金额相近程度聚类，并根据聚类中心命名。")),
    "lrfmc": (_t("LRFMC clusters", "LRFMC 客户聚类"),
              _t("Clusters on L (days since first order or signup), R (days since last order), F (orders), "
                 "M (spend) and C (average discount rate), named from their centres.",
                 "基于 L（距首次下单或注册天数）、R（距上次下单天数）、F（订单数）、M（消费金额）和 C（平均折扣率）"
                 "聚类，并根据聚类中心命名。")),
    "abc": (_t("ABC / Pareto tiers", "ABC / 帕累托分层"),
            _t("Customers ranked by spend: A make the first 80% of revenue, B the next 15%, C the rest.",
               "按消费金额排序：A 类贡献前 80% 的销售额，B 类贡献接下来的 15%，C 类贡献其余部分。")),
    "value": (_t("Value × loyalty matrix", "价值 × 忠诚度矩阵"),
              _t("Current value (spend so far), future value (predicted CLV) and loyalty (MBG/NBD "
                 "probability of being alive) combined into named cells.",
                 "结合当前价值（历史消费）、未来价值（预测 CLV）和忠诚度（MBG/NBD 存活概率）划分为命名的单元格。")),
    "volume": (_t("Heavy / medium / light buyers", "重度 / 中度 / 轻度购买者"),
               _t("Customers ranked by orders: heavy place the first 80% of orders, medium the next 15%.",
                  "按订单数排序：重度购买者下了前 80% 的订单，中度购买者下了接下来的 15%。")),
    "migration": (_t("Segment migration", "客户分群迁移"),
                  _t("Where the customers of each segment at the first date are at the second date.",
                     "第一个日期各分群的客户在第二个日期所处的分群。")),
}

_NOTES: dict[str, _T] = {
    "segment.lrfmc.note.c": _t(
        "C is each customer's average discount rate, discount / (amount + discount) over their orders.",
        "C 为每位客户订单的平均折扣率，即 折扣 /（实付金额 + 折扣）的平均值。"),
    "segment.lrfmc.note.fallback": _t(
        "The orders carry no discount, so C cannot be measured: the clusters use L, R, F and M only.",
        "订单中没有折扣数据，无法计算 C：聚类只使用 L、R、F、M。"),
    "segment.value.note.clv": _t(
        "Future value is the 12-month CLV from MBG/NBD and Gamma-Gamma models fitted to the customers; "
        "loyalty is the MBG/NBD probability that the customer is still alive (loyal from 50%). Not "
        "BG/NBD's P(alive), which is 1 for every one-time buyer however long ago they bought.",
        "未来价值为基于 MBG/NBD 与 Gamma-Gamma 模型预测的 12 个月 CLV；忠诚度为 MBG/NBD 给出的客户仍存活的概率"
        "（50% 及以上为忠诚）。未采用 BG/NBD 的存活概率：它对所有只购买一次的客户恒为 1，无论其多久未购买。"),
    "segment.value.note.repeat": _t(
        "The CLV models could not be fitted, so loyalty is repeat behaviour (a repeat buyer whose last "
        "order is within twice their usual gap) and future value is their spend rate so far.",
        "无法拟合 CLV 模型，因此忠诚度改用复购行为（复购客户且距上次下单不超过其平均购买间隔的两倍），"
        "未来价值按其以往的消费速度估算。"),
}

#: Segment keys of every scheme this module names, in display order.
SCHEME_SEGMENTS: dict[str, tuple[str, ...]] = {
    "kmeans": CLUSTER_NAMES,
    "lrfmc": CLUSTER_NAMES,
    "abc": tuple(_ABC),
    "value": VALUE_CELLS,
    "volume": tuple(_VOLUME),
    "migration": tuple(_MIGRATION),
}


def _entries() -> dict[str, _T]:
    out: dict[str, _T] = dict(_NOTES)
    for scheme, (title, rule) in _SCHEMES.items():
        out[f"segment.{scheme}.title"] = title
        out[f"segment.{scheme}.rule"] = rule
    parts = ("name", "description", "action", "channel", "offer")
    for key, (lrfmc_name, kmeans_name, *rest) in _CLUSTERS.items():
        for scheme, name in (("lrfmc", lrfmc_name), ("kmeans", kmeans_name)):
            for part, text in zip(parts, (name, *rest)):
                out[f"segment.{scheme}.{key}.{part}"] = text
    for scheme, table in (("abc", _ABC), ("value", _VALUE)):
        for key, texts in table.items():
            for part, text in zip(parts, texts):
                out[f"segment.{scheme}.{key}.{part}"] = text
    for scheme, table2 in (("volume", _VOLUME), ("migration", _MIGRATION)):
        for key, (name, desc) in table2.items():
            out[f"segment.{scheme}.{key}.name"] = name
            out[f"segment.{scheme}.{key}.description"] = desc
    from custlens.segments.rfm_maps import SCHEMES

    for scheme, table3 in (("rfm11", _RFM_PLAYBOOK), ("rf10", _RFM_PLAYBOOK), ("cn8", _CN8_PLAYBOOK)):
        for key in SCHEMES[scheme].segments:
            channel, offer = table3[key]
            out[f"segment.{scheme}.{key}.channel"] = channel
            out[f"segment.{scheme}.{key}.offer"] = offer
    return out


i18n.register(_entries())
