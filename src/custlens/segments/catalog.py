"""Names, descriptions and recommended actions of every RFM segment, in English and Chinese.

Importing this module registers the texts into `custlens.i18n` under

- ``segment.<scheme>.title`` and ``segment.<scheme>.rule`` (what the grid is built from),
- ``segment.<scheme>.<segment>.name`` / ``.description`` / ``.action``.

Analyses return segment keys (``"champions"``, ``"cn_important_value"``); the report,
the CLI and the dashboard translate them with `text_key` and `custlens.i18n.t`.
The actions paraphrase the usual RFM playbooks (Putler's segment table; the common
"重要价值 ... 一般挽留" strategies of Chinese CRM practice).
"""

from __future__ import annotations

from typing import Literal

from custlens import i18n

__all__ = ["PARTS", "SCHEME_TEXTS", "SEGMENT_TEXTS", "text_key"]

#: The three texts every segment has.
PARTS: tuple[str, ...] = ("name", "description", "action")

Part = Literal["name", "description", "action", "title", "rule"]

_T = dict[str, str]

# Shared by rfm11 and rf10: (name, action) per segment key.
_NAMES: dict[str, _T] = {
    "champions": {"en": "Champions", "zh": "冠军客户"},
    "loyal": {"en": "Loyal", "zh": "忠诚客户"},
    "potential_loyalist": {"en": "Potential Loyalists", "zh": "潜力客户"},
    "new": {"en": "New Customers", "zh": "新客户"},
    "promising": {"en": "Promising", "zh": "有望客户"},
    "need_attention": {"en": "Need Attention", "zh": "需要关注"},
    "about_to_sleep": {"en": "About to Sleep", "zh": "即将沉睡"},
    "at_risk": {"en": "At Risk", "zh": "有流失风险"},
    "cant_lose": {"en": "Can't Lose Them", "zh": "不能失去的客户"},
    "hibernating": {"en": "Hibernating", "zh": "休眠客户"},
    "lost": {"en": "Lost", "zh": "已流失客户"},
}

_ACTIONS: dict[str, _T] = {
    "champions": {
        "en": "Reward them: early access to new products, exclusive offers; ask for reviews and referrals.",
        "zh": "给予回馈：新品抢先体验、专属优惠；邀请他们评价和推荐。",
    },
    "loyal": {
        "en": "Upsell higher-value products, enrol them in the loyalty programme, ask for reviews.",
        "zh": "推荐更高价值的商品，邀请加入会员计划，请他们写评价。",
    },
    "potential_loyalist": {
        "en": "Offer membership or a loyalty programme and recommend related products.",
        "zh": "推荐会员或积分计划，推荐相关商品。",
    },
    "new": {
        "en": "Onboard them well: a welcome series, product guidance and a reason for the second order.",
        "zh": "做好新客引导：欢迎流程、使用指引，并给出第二单的理由。",
    },
    "promising": {
        "en": "Build brand awareness; offer a trial or a small incentive to come back.",
        "zh": "提升品牌认知，提供试用或小额优惠吸引复购。",
    },
    "need_attention": {
        "en": "Send limited-time offers and recommendations based on their purchase history.",
        "zh": "推送限时优惠，并根据购买历史推荐商品。",
    },
    "about_to_sleep": {
        "en": "Remind them with popular products and a discount before they drift away.",
        "zh": "在他们流失前，用热门商品和折扣提醒他们回来。",
    },
    "at_risk": {
        "en": "Send personalised win-back messages, renewal reminders and useful content.",
        "zh": "发送个性化召回信息、续购提醒和有用的内容。",
    },
    "cant_lose": {
        "en": "Win them back personally (a call, a survey, new products); do not lose them to a competitor.",
        "zh": "一对一召回（电话回访、调研、新品介绍），不要让他们流向竞争对手。",
    },
    "hibernating": {
        "en": "Offer other relevant products and special discounts to rebuild interest.",
        "zh": "推荐其他相关商品和专属折扣，重新激发兴趣。",
    },
    "lost": {
        "en": "Try one low-cost reactivation campaign; otherwise leave them out of paid campaigns.",
        "zh": "尝试一次低成本的唤醒活动；否则不要在付费营销上投入。",
    },
}

_RFM11_DESCRIPTIONS: dict[str, _T] = {
    "champions": {
        "en": "Bought recently, buy often and spend the most.",
        "zh": "最近购买过，购买频繁且消费最多。",
    },
    "loyal": {
        "en": "Buy often and spend well, but their last order was a while ago.",
        "zh": "购买频繁、消费较高，但最近一次购买已有一段时间。",
    },
    "potential_loyalist": {
        "en": "Recent customers with average frequency and spend.",
        "zh": "最近购买过，购买频次和金额中等。",
    },
    "new": {
        "en": "Bought most recently, but have bought little so far.",
        "zh": "最近刚购买，但目前购买次数和金额都很少。",
    },
    "promising": {
        "en": "Fairly recent shoppers who have not bought much yet.",
        "zh": "近期购物过，但还没有买多少。",
    },
    "need_attention": {
        "en": "Middle recency, frequency and spend; no very recent order.",
        "zh": "最近购买时间、频次和金额都居中，近期没有购买。",
    },
    "about_to_sleep": {
        "en": "Middle recency with low frequency and spend; they will be lost unless reactivated.",
        "zh": "最近购买时间居中，频次和金额较低；不激活就会流失。",
    },
    "at_risk": {
        "en": "Spent well and bought often, but a long time ago.",
        "zh": "曾经消费较多、购买频繁，但已很久没有购买。",
    },
    "cant_lose": {
        "en": "Made the biggest and most frequent purchases, but have not come back for a long time.",
        "zh": "曾经购买最多、最频繁，但很久没有再来。",
    },
    "hibernating": {
        "en": "Last order long ago, few orders and low spend.",
        "zh": "最近一次购买在很久以前，订单少、消费低。",
    },
    "lost": {
        "en": "The lowest recency, frequency and spend.",
        "zh": "最近购买时间、频次和金额都处于最低水平。",
    },
}

_RF10_DESCRIPTIONS: dict[str, _T] = {
    "champions": {
        "en": "Bought most recently and buy most often.",
        "zh": "最近刚购买，且购买最频繁。",
    },
    "loyal": {
        "en": "Buy often and bought fairly recently.",
        "zh": "购买频繁，近期也有购买。",
    },
    "potential_loyalist": {
        "en": "Recent customers with average frequency.",
        "zh": "近期购买过，购买频次中等。",
    },
    "new": {
        "en": "Bought most recently, but rarely (often their first order).",
        "zh": "最近刚购买，但很少购买（多为首次购买）。",
    },
    "promising": {
        "en": "Bought fairly recently, but rarely.",
        "zh": "近期购买过，但购买很少。",
    },
    "need_attention": {
        "en": "Middle recency and middle frequency.",
        "zh": "最近购买时间和购买频次都居中。",
    },
    "about_to_sleep": {
        "en": "Middle recency and low frequency.",
        "zh": "最近购买时间居中，购买频次低。",
    },
    "at_risk": {
        "en": "Bought often, but a long time ago.",
        "zh": "曾经购买频繁，但已很久没有购买。",
    },
    "cant_lose": {
        "en": "Bought most often, but have not come back for a long time.",
        "zh": "曾经购买最频繁，但很久没有再来。",
    },
    "hibernating": {
        "en": "Last order long ago and few orders.",
        "zh": "最近一次购买在很久以前，订单也少。",
    },
}

_CN8: dict[str, tuple[_T, _T, _T]] = {
    "cn_important_value": (
        {"en": "Important value", "zh": "重要价值客户"},
        {"en": "Recent, frequent and high-spending: the best customers.",
         "zh": "最近购买、购买频繁且消费高：最好的客户。"},
        {"en": "Keep them with VIP service and exclusive benefits.",
         "zh": "提供 VIP 服务和专属权益，重点维护。"},
    ),
    "cn_important_develop": (
        {"en": "Important to develop", "zh": "重要发展客户"},
        {"en": "Recent and high-spending, but buy rarely.",
         "zh": "最近购买且消费高，但购买频次低。"},
        {"en": "Raise their purchase frequency: membership, subscriptions, cross-selling.",
         "zh": "提升购买频次：会员、订阅、交叉销售。"},
    ),
    "cn_important_keep": (
        {"en": "Important to keep", "zh": "重要保持客户"},
        {"en": "Frequent and high-spending, but no recent order.",
         "zh": "购买频繁且消费高，但近期没有购买。"},
        {"en": "Reach out actively and bring them back before they leave.",
         "zh": "主动联系，在他们流失前把他们拉回来。"},
    ),
    "cn_important_retain": (
        {"en": "Important to win back", "zh": "重要挽留客户"},
        {"en": "High-spending, but rare buyers with no recent order.",
         "zh": "消费高，但购买少且近期没有购买。"},
        {"en": "Find out why they stopped buying and make a targeted win-back offer.",
         "zh": "了解他们停止购买的原因，制定针对性的挽留方案。"},
    ),
    "cn_general_value": (
        {"en": "General value", "zh": "一般价值客户"},
        {"en": "Recent and frequent, but spend little.",
         "zh": "最近购买且购买频繁，但消费较低。"},
        {"en": "Raise spend per order: bundles, upselling, free-shipping thresholds.",
         "zh": "提升客单价：组合销售、向上销售、满额包邮。"},
    ),
    "cn_general_develop": (
        {"en": "General to develop", "zh": "一般发展客户"},
        {"en": "Recent, but buy rarely and spend little (often new customers).",
         "zh": "最近购买，但购买少、消费低（多为新客户）。"},
        {"en": "Nurture them with onboarding and a second-order incentive.",
         "zh": "通过新客引导和二次购买优惠进行培育。"},
    ),
    "cn_general_keep": (
        {"en": "General to keep", "zh": "一般保持客户"},
        {"en": "Buy often but spend little, and no recent order.",
         "zh": "购买频繁但消费低，近期没有购买。"},
        {"en": "Keep them buying with low-cost reminders and promotions.",
         "zh": "用低成本的提醒和促销保持他们的购买。"},
    ),
    "cn_general_retain": (
        {"en": "General to win back", "zh": "一般挽留客户"},
        {"en": "No recent order, rare buyers, low spend.",
         "zh": "近期没有购买，购买少、消费低。"},
        {"en": "Low-cost reactivation only; otherwise give them low priority.",
         "zh": "只做低成本唤醒，否则降低优先级。"},
    ),
}

#: ``{scheme: {"title": texts, "rule": texts}}``.
SCHEME_TEXTS: dict[str, dict[str, _T]] = {
    "rfm11": {
        "title": {"en": "RFM segments (R × FM, 11 segments)", "zh": "RFM 客户分群（R × FM，11 类）"},
        "rule": {
            "en": "Segments from the recency score (R) and the rounded mean of the frequency "
            "and monetary scores (FM); scores run from 1 to 5, higher is better.",
            "zh": "根据最近购买得分（R）以及购买频次与消费金额得分的四舍五入平均值（FM）分群；"
            "得分为 1–5，越高越好。",
        },
    },
    "rf10": {
        "title": {"en": "RFM segments (R × F, 10 segments)", "zh": "RFM 客户分群（R × F，10 类）"},
        "rule": {
            "en": "Segments from the recency score (R) and the frequency score (F); "
            "scores run from 1 to 5, higher is better.",
            "zh": "根据最近购买得分（R）和购买频次得分（F）分群；得分为 1–5，越高越好。",
        },
    },
    "cn8": {
        "title": {"en": "RFM customer value (8 classes)", "zh": "RFM 客户价值分类（8 类）"},
        "rule": {
            "en": "R, F and M are each high when the score is above the middle of the scale "
            "(4 or 5 on a 1–5 scale) and low otherwise.",
            "zh": "R、F、M 得分高于量表中点（1–5 分制中的 4 分或 5 分）为高，否则为低。",
        },
    },
}


def _segment_texts() -> dict[str, dict[str, dict[str, _T]]]:
    out: dict[str, dict[str, dict[str, _T]]] = {}
    for scheme, descriptions in (("rfm11", _RFM11_DESCRIPTIONS), ("rf10", _RF10_DESCRIPTIONS)):
        out[scheme] = {
            seg: {"name": _NAMES[seg], "description": desc, "action": _ACTIONS[seg]}
            for seg, desc in descriptions.items()
        }
    out["cn8"] = {
        seg: dict(zip(PARTS, texts)) for seg, texts in _CN8.items()
    }
    return out


#: ``{scheme: {segment: {part: {"en": ..., "zh": ...}}}}`` for every segment of every scheme.
SEGMENT_TEXTS: dict[str, dict[str, dict[str, _T]]] = _segment_texts()


def text_key(scheme: str, segment: str | None, part: Part) -> str:
    """The i18n key of one text.

    Parameters
    ----------
    scheme : str
        ``"rfm11"``, ``"rf10"`` or ``"cn8"``.
    segment : str or None
        Segment key; None for the scheme's own ``title`` and ``rule``.
    part : {"name", "description", "action", "title", "rule"}

    Examples
    --------
    >>> text_key("rfm11", "champions", "name")
    'segment.rfm11.champions.name'
    >>> text_key("cn8", None, "title")
    'segment.cn8.title'
    """
    return f"segment.{scheme}.{part}" if segment is None else f"segment.{scheme}.{segment}.{part}"


def _register() -> None:
    entries: dict[str, _T] = {}
    for scheme, texts in SCHEME_TEXTS.items():
        for part, text in texts.items():
            entries[text_key(scheme, None, part)] = text  # type: ignore[arg-type]
    for scheme, segments in SEGMENT_TEXTS.items():
        for seg, parts in segments.items():
            for part, text in parts.items():
                entries[text_key(scheme, seg, part)] = text  # type: ignore[arg-type]
    i18n.register(entries)


_register()
