"""Texts of the CLV pipeline, CLI and report section, in English and Chinese.

Keys:

- ``clv.model.<name>``: model names;
- ``clv.note.<code>``: the notes a :class:`~custlens.clv.pipeline.ClvResult` carries
  (``result.notes`` holds ``(key, fields)`` pairs, translated by the reader);
- ``clv.cli.*``: CLI headings;

The report's ``report.clv.*`` and the CLV columns' ``report.col.*`` live in
`custlens.report.texts_analyses`. `custlens.i18n` imports this module on the first lookup.
"""

from __future__ import annotations

from custlens import i18n

_T = dict[str, str]


def _t(en: str, zh: str) -> _T:
    return {"en": en, "zh": zh}


MODELS: dict[str, _T] = {
    "clv.model.bgnbd": _t("BG/NBD", "BG/NBD"),
    "clv.model.mbgnbd": _t("MBG/NBD", "MBG/NBD"),
    "clv.model.pnbd": _t("Pareto/NBD", "Pareto/NBD"),
    "clv.model.pnbd_limit": _t("Pareto/NBD at its limit (one death rate, s → ∞)",
                               "Pareto/NBD 极限形式（统一流失率，s → ∞）"),
    "clv.model.bgbb": _t("BG/BB (monthly periods)", "BG/BB（按月离散）"),
    "clv.model.gamma_gamma": _t("Gamma-Gamma", "Gamma-Gamma"),
    "clv.model.mean_aov": _t("mean order value", "平均客单价"),
    "clv.model.auto": _t("automatic choice", "自动选择"),
    "clv.sound.yes": _t("yes", "是"),
    "clv.sound.no": _t("no", "否"),
}

DIAGNOSTICS: dict[str, _T] = {
    "clv.diag.nonfinite": _t("{model}: the parameters or the log-likelihood are not finite ({params}).",
                             "{model}：参数或对数似然不是有限值（{params}）。"),
    "clv.diag.bound": _t(
        "{model}: parameter {parameter} = {value} ran to the optimiser's bound; the model degenerates "
        "on this data.",
        "{model}：参数 {parameter} = {value} 落在优化边界上，该模型在此数据上退化。"),
    "clv.diag.hessian": _t(
        "{model}: the Hessian is singular, so the parameters have no standard errors; the data do not "
        "identify the fit.",
        "{model}：Hessian 矩阵奇异，参数没有标准误；数据无法识别该拟合。"),
    "clv.diag.unidentified": _t(
        "{model}: parameter {parameter} = {value} has a standard error of {se}, more than ten times "
        "the estimate; the data cannot pin it down.",
        "{model}：参数 {parameter} = {value} 的标准误为 {se}，超过估计值的十倍，数据无法确定该参数。"),
    "clv.diag.not_converged": _t("{model}: the optimiser stopped before converging.",
                                 "{model}：优化器未收敛即停止。"),
    "clv.diag.iteration_cap": _t(
        "{model}: the optimiser stopped after {cap} iterations without converging (the likelihood "
        "runs along a ridge the data do not pin down); its parameters are not used.",
        "{model}：优化器迭代 {cap} 次后仍未收敛（似然沿一条数据无法确定的脊线延伸），不采用其参数。"),
    "clv.diag.holdout": _t("{model}: misses the holdout purchases by {error:+.1f}% (limit ±{limit:.0f}%).",
                           "{model}：留出期购买次数偏差 {error:+.1f}%（上限 ±{limit:.0f}%）。"),
    "clv.diag.failed": _t("{model}: could not be fitted (the likelihood is not finite at any start).",
                          "{model}：无法拟合（所有起点的似然均非有限值）。"),
    "clv.diag.predictions": _t(
        "{model}: gives non-finite predictions ({params}); its parameters ran to values the data "
        "cannot pin down.",
        "{model}：预测值非有限（{params}），参数取到了数据无法确定的极端值。"),
    "clv.diag.refit": _t("{model} was refitted on all orders and failed the checks:",
                         "{model} 用全部订单重新拟合后未通过检查："),
}

NOTES: dict[str, _T] = {
    "clv.note.fit_sample": _t(
        "Models fitted on a random sample of {n} of {customers} customers (seed {seed}); every "
        "customer scored.",
        "模型在 {customers} 位客户中随机抽取的 {n} 位上拟合（随机种子 {seed}）；所有客户均已评分。"),
    "clv.note.holdout": _t(
        "Validation: the models were fitted on orders before {split} and checked on the "
        "{days} days from {split} to {end} (the last {share} of the observation window); "
        "the chosen model was then refitted on all orders before {end}.",
        "验证：模型先用 {split} 之前的订单拟合，再用 {split} 至 {end} 的 {days} 天（观察期最后 "
        "{share}）检验；选定的模型随后用 {end} 之前的全部订单重新拟合。",
    ),
    "clv.note.no_holdout_short": _t(
        "No holdout validation: {days} days of orders are too few to set aside at least "
        "{min_days} days and keep twice as much for fitting; models are compared by BIC on all orders.",
        "未做留出验证：订单只有 {days} 天，不足以留出至少 {min_days} 天并保留两倍时长用于拟合；"
        "模型按全部订单的 BIC 比较。",
    ),
    "clv.note.no_holdout_repeat": _t(
        "No holdout validation: before {split} only {repeat} customers had repeat purchases "
        "(at least {needed} are needed); models are compared by BIC on all orders.",
        "未做留出验证：{split} 之前只有 {repeat} 位客户有复购（至少需要 {needed} 位）；"
        "模型按全部订单的 BIC 比较。",
    ),
    "clv.note.no_holdout_asked": _t(
        "No holdout validation (holdout_days=0); models are compared by BIC on all orders.",
        "未做留出验证（holdout_days=0）；模型按全部订单的 BIC 比较。",
    ),
    "clv.note.rule.holdout_mae_bic": _t(
        "Model chosen automatically: {model}. Rule: among the fits that pass the soundness checks "
        "(no parameter on a bound, finite standard errors, holdout error within ±50%), the models whose "
        "holdout MAE is within {tolerance} of the lowest are equally accurate, and the lowest BIC among "
        "them wins.",
        "自动选择的模型：{model}。规则：在通过可靠性检查（参数不在边界上、标准误有限、留出期误差在 ±50% "
        "以内）的拟合中，留出期 MAE 与最低值相差不超过 {tolerance} 的模型视为同样准确，其中 BIC 最低者胜出。",
    ),
    "clv.note.rule.bic": _t(
        "Model chosen automatically: {model}, the lowest BIC among the fits that pass the soundness "
        "checks (no holdout to compare on).",
        "自动选择的模型：{model}，即通过可靠性检查的拟合中 BIC 最低者（没有留出期可供比较）。",
    ),
    "clv.note.pnbd_limit": _t(
        "Pareto/NBD at its limit: one death rate for all customers (s → ∞). Death rate {mu:.4g} per "
        "week (mean lifetime {life:,.0f} weeks); the data show no significant variation of death rates "
        "between customers (score test z = {z:.2f}, p = {p:.2f}), so the four-parameter fit would only "
        "run up the ridge s, β → ∞ and is not used.",
        "Pareto/NBD 取其极限形式：所有客户的流失率相同（s → ∞）。流失率为每周 {mu:.4g}（平均生命周期 "
        "{life:,.0f} 周）；数据未显示客户之间流失率有显著差异（得分检验 z = {z:.2f}，p = {p:.2f}），"
        "四参数拟合只会沿 s、β → ∞ 的脊线无限延伸，故不采用。",
    ),
    "clv.note.fallback": _t(
        "{first} ranked first, but refitted on all orders it failed the checks; {model}, the next by "
        "the rule, is used.",
        "{first} 排名第一，但用全部订单重新拟合后未通过检查；改用按规则排名其次的 {model}。",
    ),
    "clv.note.p_purchase": _t(
        "\"Still active\" is the probability of at least one order in the next {horizon} days under "
        "{model}. Unlike BG/NBD's P(alive), which is 1 for every customer who bought only once, it falls "
        "as a one-time buyer stays away.",
        "“仍活跃”指在 {model} 下未来 {horizon} 天内至少下单一次的概率。BG/NBD 的存活概率对只购买过一次"
        "的客户恒为 1，而该概率会随一次性买家久未回购而下降。",
    ),
    "clv.note.unsound_auto": _t(
        "No CLV scores: none of the models gives a sound fit on this data (see the checks). Confident-"
        "looking numbers from a broken fit would mislead; load a longer order history or more repeat "
        "customers. No scores were saved.",
        "无 CLV 评分：所有模型在此数据上都未得到可靠的拟合（见检查结果）。不可靠拟合给出的数字看似可信却会"
        "误导；请导入更长的订单历史或更多复购客户。未保存任何评分。",
    ),
    "clv.note.unsound_model": _t(
        "No CLV scores: the {model} fit is not sound on this data (see the checks); try --model auto. "
        "No scores were saved.",
        "无 CLV 评分：{model} 在此数据上的拟合不可靠（见检查结果）；请尝试 --model auto。未保存任何评分。",
    ),
    "clv.note.chosen": _t(
        "Model chosen automatically: {model} (lowest {criterion}).",
        "自动选择的模型：{model}（{criterion} 最低）。",
    ),
    "clv.note.bgbb_periods": _t(
        "BG/BB works in discrete periods: time is cut into months of {days:.1f} days counted "
        "from each customer's first purchase; a month with at least one purchase counts as one "
        "transaction, and the last, incomplete month of each customer is not counted.",
        "BG/BB 模型按离散期计算：从每位客户首次购买起按 {days:.1f} 天切分为月；一个月内有购买即记"
        "为一次交易；每位客户最后一个不完整的月不计入。",
    ),
    "clv.note.spend_gamma_gamma": _t(
        "Spend per purchase from the Gamma-Gamma model fitted on {repeat} repeat customers "
        "(frequency-spend correlation {corr:.2f}).",
        "每次购买金额来自 Gamma-Gamma 模型，基于 {repeat} 位复购客户拟合（购买频次与金额的相关系数 "
        "{corr:.2f}）。",
    ),
    "clv.note.spend_correlated": _t(
        "Frequency and spend are correlated (r = {corr:.2f}); the Gamma-Gamma independence "
        "assumption is broken and the spend estimates may be biased.",
        "购买频次与金额存在相关（r = {corr:.2f}），Gamma-Gamma 的独立性假设不成立，金额估计可能有偏。",
    ),
    "clv.note.spend_fallback": _t(
        "The Gamma-Gamma spend model could not be used ({reason}); every customer's spend per "
        "purchase is the shop's mean order value, {aov:,.2f}.",
        "无法使用 Gamma-Gamma 金额模型（{reason}）；每位客户的单次购买金额取店铺平均客单价 {aov:,.2f}。",
    ),
    "clv.note.zero_spend": _t(
        "{n} repeat customers with a zero mean repeat spend were left out of the spend fit "
        "and scored at the population mean.",
        "{n} 位复购平均金额为 0 的复购客户未参与金额模型拟合，按总体均值计算。",
    ),
    "clv.note.discount": _t(
        "CLV = expected spend per purchase x expected purchases over the next {horizon} days, "
        "discounted at {rate:.2%} a month.",
        "CLV = 预计单次购买金额 × 未来 {horizon} 天的预计购买次数，按每月 {rate:.2%} 折现。",
    ),
}

CLI: dict[str, _T] = {
    "clv.cli.headline": _t(
        "{model}: {customers:,} customers as of {as_of}, total CLV {total:,.2f} over {horizon} "
        "days (mean {mean:,.2f}), expected share still active {alive:.1%} (at least one order in the "
        "next {horizon} days)",
        "{model}：截至 {as_of} 共 {customers:,} 位客户，未来 {horizon} 天 CLV 合计 {total:,.2f}"
        "（人均 {mean:,.2f}），预计仍活跃比例 {alive:.1%}（未来 {horizon} 天内至少下单一次）",
    ),
    "clv.cli.params": _t("Parameters (95% intervals)", "参数（95% 置信区间）"),
    "clv.cli.comparison": _t("Model comparison", "模型比较"),
    "clv.cli.holdout": _t("Holdout: purchases per customer by calibration frequency",
                          "留出期：按拟合期复购次数分组的人均购买次数"),
    "clv.cli.holdout_errors": _t(
        "holdout: predicted {predicted:,.0f} vs actual {actual:,.0f} repeat purchases "
        "({error:+.1f}%), per-customer MAE {mae:.3f}",
        "留出期：预测 {predicted:,.0f} 次，实际 {actual:,.0f} 次复购（误差 {error:+.1f}%），"
        "人均绝对误差 {mae:.3f}",
    ),
    "clv.cli.top": _t("Most valuable customers", "最有价值的客户"),
    "clv.cli.checks": _t("Checks of the fits", "拟合检查"),
    "clv.cli.churn_saved": _t("churn scores saved in the store ({horizon} days, as of {as_of}); the customer 360 "
                              "and the exports now read them",
                              "流失评分已保存到数据库（{horizon} 天，截至 {as_of}）；客户 360 与导出将读取它们"),
    "clv.cli.churn_not_saved": _t("churn scores not saved (pass --save to make them the ones the customer 360 "
                                  "and the exports show)",
                                  "流失评分未保存（加 --save 才会成为客户 360 与导出所用的评分）"),
    "clv.cli.unsound": _t("No sound CLV fit on this data ({customers:,} customers as of {as_of}).",
                          "此数据上没有可靠的 CLV 拟合（截至 {as_of} 共 {customers:,} 位客户）。"),
    "clv.cli.saved": _t("scores saved in the store ({model}, {horizon} days, as of {as_of}); the customer "
                        "360, lifecycle and exports now read them",
                        "评分已保存到数据库（{model}，{horizon} 天，截至 {as_of}）；客户 360、生命周期与导出将读取它们"),
    "clv.cli.not_saved": _t("scores not saved (pass --save to make them the ones the customer 360 and "
                            "the exports show)",
                            "评分未保存（加 --save 才会成为客户 360 与导出所用的评分）"),
    "clv.cli.exported": _t("{n:,} customer scores written to {path}", "已将 {n:,} 位客户的评分写入 {path}"),
}

SCORES: dict[str, _T] = {
    "scores.missing.clv_scores": _t("no saved CLV scores; run `custlens clv --save`",
                                    "没有已保存的 CLV 评分；请运行 `custlens clv --save`"),
    "scores.missing.churn_scores": _t("no saved churn scores; run `custlens churn --save`",
                                      "没有已保存的流失评分；请运行 `custlens churn --save`"),
    "scores.stale.clv_scores": _t(
        "saved CLV scores are as of {as_of}, not {wanted}; not shown (run `custlens clv --save --as-of {wanted}`)",
        "已保存的 CLV 评分截至 {as_of}，而非 {wanted}，故不显示（请运行 `custlens clv --save --as-of {wanted}`）"),
    "scores.stale.churn_scores": _t(
        "saved churn scores are as of {as_of}, not {wanted}; not shown (run `custlens churn --save --as-of {wanted}`)",
        "已保存的流失评分截至 {as_of}，而非 {wanted}，故不显示（请运行 `custlens churn --save --as-of {wanted}`）"),
    "scores.context.clv_scores": _t("{model}, next {horizon} days, as of {as_of}",
                                    "{model}，未来 {horizon} 天，截至 {as_of}"),
    "scores.context.churn_scores": _t("no order within {horizon} days, as of {as_of}",
                                      "{horizon} 天内无订单，截至 {as_of}"),
}


i18n.register({**MODELS, **DIAGNOSTICS, **NOTES, **CLI, **SCORES})
