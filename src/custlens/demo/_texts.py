"""Comment and feedback templates in Chinese and English; ``{p}`` is the product kind."""

from __future__ import annotations

SURVEY_COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "promoter": {
        "zh": ("发货很快，包装也好，会推荐给朋友。", "质量超出预期，客服态度很好。", "一直在这家买，放心。",
               "物流给力，第二天就到了。"),
        "en": ("Fast delivery and great quality, will recommend.", "Customer service was very helpful.",
               "Always a smooth experience, thank you!"),
    },
    "passive": {
        "zh": ("还可以，价格有点贵。", "东西不错，就是物流慢了点。", "整体一般，中规中矩。"),
        "en": ("Good enough, but a bit pricey.", "Fine overall, delivery took a while.", "Okay, nothing special."),
    },
    "detractor": {
        "zh": ("快递太慢了，等了一个星期。", "质量很差，和图片不一样。", "客服不回消息，体验很差。",
               "退款处理太慢，不会再买了。"),
        "en": ("Delivery was very slow.", "Poor quality, not as described.", "Support never answered my messages.",
               "The refund took forever, never again."),
    },
}  # fmt: skip

REVIEWS: dict[str, dict[str, tuple[str, ...]]] = {
    "good": {
        "zh": ("{p}很好用，五星好评！", "{p}质量不错，性价比高。", "第二次买{p}了，一如既往的好。",
               "{p}做工精细，包装完好，满意。"),
        "en": ("Love this {p}, five stars!", "The {p} is great value for money.", "Second time buying the {p}, still great."),
    },
    "neutral": {
        "zh": ("{p}还行，和描述基本一致。", "{p}一般般，凑合用。"),
        "en": ("The {p} is okay, as described.", "Average {p}, does the job."),
    },
    "bad": {
        "zh": ("{p}质量太差，用了两天就坏了。", "{p}和图片差距很大，失望。", "{p}有异味，不推荐。"),
        "en": ("The {p} broke after two days.", "The {p} looks nothing like the photos.", "Would not recommend this {p}."),
    },
}  # fmt: skip

COMPLAINTS: dict[str, tuple[str, ...]] = {
    "zh": ("买的{p}到现在还没发货，请尽快处理！", "收到的{p}是坏的，要求退款。", "{p}少发了一件，联系客服没人理。",
           "退货已经寄回一周了，退款还没到账。", "快递员态度很差，{p}包装破损。"),
    "en": ("My {p} still has not shipped, please fix this.", "The {p} arrived damaged, I want a refund.",
           "I returned the {p} a week ago and have no refund yet.", "One {p} was missing from my parcel."),
}  # fmt: skip

SUGGESTIONS: dict[str, tuple[str, ...]] = {
    "zh": ("希望能增加货到付款。", "建议APP增加订单物流实时跟踪。", "希望{p}多出几个颜色。", "会员积分能不能抵扣运费？"),
    "en": ("Please add more colours for the {p}.", "It would be nice to track parcels in the app.",
           "Please offer cash on delivery.", "Could loyalty points pay for shipping?"),
}  # fmt: skip
