"""Header aliases: the common English and Chinese column names of shop exports.

Headers are compared after `normalize_header` (lower case, no spaces, underscores,
hyphens, dots or brackets), so ``Customer ID``, ``customer_id`` and ``CustomerID`` are one
alias. The first alias list that matches a header wins; explicit ``--map`` overrides all.
"""

from __future__ import annotations

import re

_STRIP = re.compile(r"[\s_\-\.\(\)（）\[\]【】/:：#]+")


def normalize_header(name: str) -> str:
    """The comparable form of a header: ``'Customer ID'`` -> ``'customerid'``."""
    return _STRIP.sub("", str(name).strip().lstrip("\ufeff")).lower()


_ALIASES: dict[str, list[str]] = {
    # orders / order_items / returns
    "order_id": ["order_id", "orderid", "order no", "order number", "invoice", "invoiceno",
                 "invoice no", "invoice number", "invoice_id", "transaction id", "transactionid",
                 "订单号", "订单编号", "订单id", "订单ID", "单号", "交易号", "主订单号", "子订单号"],
    "customer_id": ["customer_id", "customerid", "customer", "customer no", "customer number",
                    "client id", "user id", "userid", "member id", "memberid", "buyer id",
                    "account id", "客户编号", "客户id", "客户ID", "客户号", "会员ID", "会员id",
                    "会员编号", "会员号", "用户ID", "用户id", "买家ID", "买家id", "顾客编号"],
    "ordered_at": ["ordered_at", "order date", "orderdate", "invoicedate", "invoice date",
                   "date", "order time", "purchase date", "transaction date", "created at",
                   "order datetime", "下单时间", "下单日期", "订单时间", "订单日期", "购买时间",
                   "购买日期", "交易时间", "交易日期", "日期", "付款时间", "支付时间"],
    "amount": ["amount", "sales", "sale amount", "total", "order amount", "order total",
               "revenue", "paid", "paid amount", "net amount", "payment amount", "dollar_value",
               "dollarvalue", "value", "line amount", "line total", "实付金额", "订单金额",
               "支付金额", "实收金额", "付款金额", "金额", "销售额", "成交金额", "消费金额"],
    "quantity": ["quantity", "qty", "units", "number_of_cds", "count", "数量", "购买数量", "件数"],
    "unit_price": ["unit_price", "unitprice", "price", "unit cost", "单价", "商品单价", "价格"],
    "product_id": ["product_id", "productid", "stockcode", "stock code", "sku", "item id", "itemid",
                   "product code", "商品编号", "商品id", "商品ID", "商品编码", "货号", "SKU编码"],
    "product_name": ["product_name", "product", "description", "item name", "product title",
                     "商品名称", "商品名", "品名", "商品"],
    "category": ["category", "product category", "department", "品类", "类目", "商品类目",
                 "分类", "商品分类", "类别"],
    "brand": ["brand", "品牌"],
    "discount": ["discount", "discount amount", "coupon", "优惠金额", "折扣金额", "优惠", "折扣",
                 "优惠券金额", "discount rate", "discount %", "discount pct", "折扣率", "折扣比例"],
    "channel": ["channel", "sales channel", "platform", "source channel", "渠道", "销售渠道",
                "平台", "下单渠道"],
    "payment_method": ["payment_method", "payment method", "payment", "pay type", "支付方式",
                       "付款方式"],
    "currency": ["currency", "币种", "货币"],
    "status": ["status", "order status", "订单状态", "状态"],
    "region": ["region", "country", "province", "state", "area", "store", "地区", "区域",
               "省份", "国家", "门店"],
    "reason": ["reason", "return reason", "refund reason", "退货原因", "退款原因", "原因"],
    "returned_at": ["returned_at", "return date", "refund date", "refunded at", "退货时间",
                    "退款时间", "退货日期"],
    # customers
    "signup_at": ["signup_at", "signup date", "signup", "registered at", "registration date",
                  "join date", "created", "注册时间", "注册日期", "入会时间", "开卡时间"],
    "gender": ["gender", "sex", "性别"],
    "birth_date": ["birth_date", "birthdate", "birthday", "date of birth", "dob", "出生日期", "生日"],
    "age": ["age", "年龄"],
    "city": ["city", "城市", "所在城市"],
    "city_tier": ["city_tier", "city tier", "tier", "城市等级", "城市级别", "城市线级"],
    "occupation": ["occupation", "job", "profession", "职业"],
    "income": ["income", "monthly income", "annual income", "salary", "月收入", "收入", "年收入"],
    "acquisition_channel": ["acquisition_channel", "acquisition channel", "signup channel",
                            "source", "注册渠道", "来源渠道", "获客渠道", "来源"],
    # surveys
    "response_id": ["response_id", "response id", "survey id", "answer id", "问卷编号", "答卷编号"],
    "answered_at": ["answered_at", "answered at", "response date", "survey date", "submitted at",
                    "填写时间", "提交时间", "调研时间"],
    "nps": ["nps", "nps score", "likelihood to recommend", "recommend", "推荐意愿", "净推荐值", "推荐得分"],
    "csat": ["csat", "satisfaction score", "overall satisfaction", "满意度", "总体满意度"],
    "comment": ["comment", "comments", "remark", "备注", "意见", "评语"],
    # feedback
    "feedback_id": ["feedback_id", "feedback id", "review id", "reviewid", "评价编号", "评论编号", "反馈编号"],
    "created_at": ["created_at", "review date", "feedback date", "评价时间", "评论时间", "反馈时间"],
    "text": ["text", "review", "review text", "content", "feedback", "评价内容", "评论内容", "反馈内容", "内容"],
    "kind": ["kind", "type", "feedback type", "类型", "反馈类型"],
    "rating": ["rating", "stars", "score", "评分", "星级"],
    # tickets
    "ticket_id": ["ticket_id", "ticket id", "case id", "工单号", "工单编号"],
    "opened_at": ["opened_at", "opened at", "created time", "open date", "创建时间", "开单时间", "受理时间"],
    "first_response_at": ["first_response_at", "first response at", "首次响应时间", "首响时间"],
    "resolved_at": ["resolved_at", "resolved at", "closed at", "解决时间", "关闭时间", "结单时间"],
    "satisfaction": ["satisfaction", "ticket satisfaction", "服务满意度", "满意度评分"],
    # campaign members
    "campaign_id": ["campaign_id", "campaign", "campaign id", "活动编号", "活动id", "活动ID", "活动"],
    "group": ["group", "arm", "variant", "test group", "分组", "组别"],
    "exposed_at": ["exposed_at", "exposed at", "exposure date", "sent at", "send date", "触达时间", "发送时间"],
    "cost": ["cost", "cost per member", "成本", "费用"],
}

#: normalized alias -> canonical column
ALIASES: dict[str, list[str]] = {
    canon: list(dict.fromkeys(normalize_header(a) for a in names)) for canon, names in _ALIASES.items()
}


def match_headers(headers: list[str], wanted: list[str]) -> dict[str, str]:
    """Map file headers to canonical columns: ``{header: canonical}``.

    A canonical column takes the first header that equals one of its aliases, in alias
    order (so ``InvoiceNo`` beats ``Invoice`` style fallbacks); each header is used once.
    """
    norm = {h: normalize_header(h) for h in headers}
    out: dict[str, str] = {}
    taken: set[str] = set()
    for canon in wanted:
        for alias in ALIASES.get(canon, [normalize_header(canon)]):
            hit = next((h for h in headers if norm[h] == alias and h not in taken), None)
            if hit is not None:
                out[hit] = canon
                taken.add(hit)
                break
    return out
