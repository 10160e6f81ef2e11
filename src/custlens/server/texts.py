"""Texts of the web service and dashboard, in English and Chinese."""

from __future__ import annotations

from custlens import i18n

_T = {
    # navigation and pages
    "server.title": ("custlens dashboard", "custlens 客户分析看板"),
    "server.nav.overview": ("Overview", "概览"),
    "server.nav.segments": ("Segments", "客户分群"),
    "server.nav.customers": ("Customer 360", "客户 360"),
    "server.nav.churn": ("Churn watch list", "流失预警"),
    "server.nav.cohorts": ("Cohorts", "同期群"),
    "server.nav.campaigns": ("Campaigns", "营销活动"),
    "server.nav.logout": ("Log out", "退出登录"),
    "server.nav.language": ("中文", "English"),
    "server.as_of": ("Data up to", "数据截至"),
    "server.store": ("Store", "数据仓库"),
    # login
    "server.login.title": ("Log in", "登录"),
    "server.login.intro": ("Enter the access token printed by `custlens serve` (or set in CUSTLENS_TOKEN).",
                           "请输入 `custlens serve` 启动时显示的访问令牌（或 CUSTLENS_TOKEN 中设置的令牌）。"),
    "server.login.token": ("Access token", "访问令牌"),
    "server.login.submit": ("Log in", "登录"),
    "server.login.wrong": ("That token is not valid.", "令牌无效。"),
    # search and 360
    "server.search.placeholder": ("Customer id (or its beginning)", "客户编号（或开头部分）"),
    "server.search.submit": ("Search", "搜索"),
    "server.search.results": ("{n} customers match", "共 {n} 位客户匹配"),
    "server.search.none": ("No customer id starts with that text.", "没有以此开头的客户编号。"),
    "server.360.title": ("Customer {id}", "客户 {id}"),
    "server.360.orders": ("Orders", "订单数"),
    "server.360.revenue": ("Revenue", "消费金额"),
    "server.360.aov": ("Average order value", "客单价"),
    "server.360.first_order": ("First order", "首次下单"),
    "server.360.last_order": ("Last order", "最近下单"),
    "server.360.days_since_last": ("Days since last order", "距上次下单天数"),
    "server.360.segment": ("RFM segment", "RFM 分群"),
    "server.360.stage": ("Lifecycle stage", "生命周期阶段"),
    "server.360.clv": ("CLV (saved)", "客户终身价值（已保存）"),
    "server.360.p_alive": ("P(alive)", "存活概率"),
    "server.360.churn": ("Churn probability (saved)", "流失概率（已保存）"),
    "server.360.reasons": ("Churn reasons", "流失原因"),
    "server.360.profile": ("Profile", "客户画像"),
    "server.360.preferences": ("Preferences", "偏好"),
    "server.360.recent_orders": ("Recent orders", "最近订单"),
    "server.360.voc": ("Voice of the customer", "客户之声"),
    "server.360.none": ("none", "无"),
    "server.360.no_scores": ("No saved scores: run `custlens clv` and `custlens churn` on the store.",
                             "没有已保存的评分：请对数据仓库运行 `custlens clv` 和 `custlens churn`。"),
    "server.voc.surveys_count": ("Survey answers", "问卷回答数"),
    "server.voc.latest_nps": ("Latest NPS score (0-10)", "最近一次 NPS 评分（0-10）"),
    "server.voc.mean_csat": ("Mean CSAT (1-5)", "平均满意度（1-5）"),
    "server.voc.feedback_count": ("Reviews and feedback", "评价与反馈数"),
    "server.voc.complaints": ("Complaints", "投诉数"),
    "server.voc.tickets_count": ("Service tickets", "客服工单数"),
    "server.voc.open_tickets": ("Open tickets", "未解决工单数"),
    "server.col.signup_at": ("Signup date", "注册日期"),
    "server.col.gender": ("Gender", "性别"),
    "server.col.age": ("Age", "年龄"),
    "server.col.birth_date": ("Birth date", "出生日期"),
    "server.col.region": ("Region", "地区"),
    "server.col.city": ("City", "城市"),
    "server.col.city_tier": ("City tier", "城市等级"),
    "server.col.occupation": ("Occupation", "职业"),
    "server.col.income": ("Income", "收入"),
    "server.col.acquisition_channel": ("Acquisition channel", "获客渠道"),
    "server.col.channel": ("Channel", "渠道"),
    # segments and churn pages
    "server.segments.export": ("Export audience (CSV)", "导出客户名单（CSV）"),
    "server.segments.all": ("All customers", "全部客户"),
    "server.churn.watch": ("Early warning: active customers at risk", "预警名单：仍活跃但有流失风险的客户"),
    "server.churn.winback": ("Win-back: customers already silent", "挽回名单：已沉默的客户"),
    "server.churn.source.saved": ("From the scores saved by `custlens churn`; horizon {h} days.",
                                  "来自 `custlens churn` 保存的评分；流失期 {h} 天。"),
    "server.churn.source.computed": ("Computed by the server (no saved scores); horizon {h} days.",
                                     "由服务计算（没有已保存的评分）；流失期 {h} 天。"),
    "server.list.showing": ("Showing {shown} of {total}", "显示 {shown} / {total}"),
    # start-up at scale: what is not ready yet (503 + Retry-After), saved scores' state
    "server.not_ready.index": ("The customer index is being built (a few minutes on a store of a million customers); "
                               "try again shortly. GET /api/status says what is ready.",
                               "正在建立客户索引（百万级客户的数据仓库需要几分钟）；请稍后重试。GET /api/status 可查看哪些内容已就绪。"),
    "server.not_ready.fitted": ("The CLV and churn models are being fitted in the background; scoring is available when "
                                "they are ready. GET /api/status says what is ready.",
                                "正在后台拟合客户终身价值和流失模型；模型就绪后即可评分。GET /api/status 可查看哪些内容已就绪。"),
    "server.not_ready.churn_lists": ("The churn model is being fitted in the background; the lists appear here when it is "
                                     "ready (this page reloads itself). Scores saved with `custlens churn --save` as of the "
                                     "store's date would be shown at once.",
                                     "正在后台拟合流失模型；模型就绪后名单将显示在此（本页会自动刷新）。若已用 "
                                     "`custlens churn --save` 保存了与数据日期一致的评分，将立即显示。"),
    "server.scores.missing.churn": ("No saved churn scores: the lists come from the server's own fit.",
                                    "没有已保存的流失评分：名单来自服务自行拟合的模型。"),
    "server.scores.stale.churn": ("The saved churn scores are as of {as_of}, not the store's date {wanted}: they are not "
                                  "shown; run `custlens churn --save` to refresh them.",
                                  "已保存的流失评分截至 {as_of}，与数据日期 {wanted} 不一致，因此不予显示；请运行 "
                                  "`custlens churn --save` 更新。"),
    "server.scores.stale.clv": ("The saved CLV scores are as of {as_of}, not the store's date {wanted}: they are not "
                                "shown; run `custlens clv --save` to refresh them.",
                                "已保存的客户终身价值评分截至 {as_of}，与数据日期 {wanted} 不一致，因此不予显示；请运行 "
                                "`custlens clv --save` 更新。"),
    # KPI labels (API)
    "server.kpi.revenue": ("Revenue", "销售额"),
    "server.kpi.orders": ("Orders", "订单数"),
    "server.kpi.customers": ("Customers", "客户数"),
    "server.kpi.aov": ("Average order value", "客单价"),
    "server.kpi.revenue_per_customer": ("Revenue per customer", "人均消费"),
    "server.kpi.repeat_purchase_rate": ("Repeat purchase rate", "复购率"),
    "server.kpi.returns_value": ("Returns", "退货金额"),
    # errors (never carry data)
    "server.error.not_found": ("not found", "未找到"),
    "server.error.unauthorized": ("a valid bearer token is required", "需要有效的访问令牌（Bearer token）"),
    "server.error.invalid": ("invalid request", "请求无效"),
    "server.error.too_large": ("request body too large", "请求体过大"),
    "server.error.internal": ("internal error", "服务器内部错误"),
    "server.error.not_enough_data": ("the store does not hold enough data for this answer",
                                     "数据仓库中的数据不足以给出此结果"),
    "server.error.busy": ("the store is being written; try again shortly", "数据仓库正在写入，请稍后重试"),
    # serve command
    "server.cli.token_generated": ("No token given: generated one for this run.", "未提供令牌：已为本次运行生成一个。"),
    "server.cli.token_how": ("Set your own with --token or the CUSTLENS_TOKEN environment variable.",
                             "可用 --token 或环境变量 CUSTLENS_TOKEN 设置自己的令牌。"),
    "server.cli.listening": ("Dashboard: {url}   API: {url}/api (spec: {url}/openapi.json)   token: {token}",
                             "看板：{url}   API：{url}/api（规范：{url}/openapi.json）   令牌：{token}"),
    "server.cli.public_needs_token": (
        "--host {host} is not a loopback address: give a token with --token or CUSTLENS_TOKEN before serving on a network",
        "--host {host} 不是本机回环地址：在网络上提供服务前，请用 --token 或 CUSTLENS_TOKEN 设置令牌"),
    "server.cli.missing_extra": (
        "`custlens serve` needs the optional packages of the 'serve' extra ({missing}); install them with pip install 'custlens[serve]'",
        "`custlens serve` 需要 'serve' 可选依赖（{missing}）；请用 pip install 'custlens[serve]' 安装"),
    "server.cli.short_token": ("the token must be at least 16 characters long", "令牌长度至少为 16 个字符"),
}

i18n.register({k: {"en": en, "zh": zh} for k, (en, zh) in _T.items()})
