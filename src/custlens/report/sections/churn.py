"""Churn: who is about to stop buying, why, how well the model does, and the action lists."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from custlens import i18n
from custlens.churn.texts import render_arg
from custlens.report import charts
from custlens.report.blocks import Figure, Heading, Kpi, KpiCards, Note, Paragraph, Section, Table
from custlens.report.context import ReportContext
from custlens.report.registry import register_section

i18n.register({
    "report.churn.title": {"en": "Churn", "zh": "客户流失"},
    "report.churn.intro": {
        "en": "Which customers are likely to stop buying, why, and who to contact first. The model learns from "
              "past snapshots and is checked on the most recent period it did not see.",
        "zh": "哪些客户可能停止购买、原因是什么、应先联系谁。模型从过去的快照中学习，并在未参与训练的最近时期上检验。"},
    "report.churn.scored": {"en": "customers scored", "zh": "已评分客户"},
    "report.churn.high": {"en": "high risk (active)", "zh": "高风险（活跃客户）"},
    "report.churn.auc": {"en": "held-out ROC-AUC", "zh": "留出期 ROC-AUC"},
    "report.churn.auc_detail": {"en": "recency rule {recency}", "zh": "最近购买规则 {recency}"},
    "report.churn.at_risk_value": {"en": "value at risk (early warning)", "zh": "风险价值（预警名单）"},
    "report.churn.check": {"en": "How good is the model?", "zh": "模型效果如何？"},
    "report.churn.check_text": {
        "en": "Trained on {n_train} customer-snapshots ({train}); checked on {n_holdout} customers at {holdout}, "
              "whose next {days} days were not used in training. A ROC-AUC of 0.5 is guessing, 1.0 perfect.",
        "zh": "用 {n_train} 个客户快照训练（{train}）；在 {holdout} 的 {n_holdout} 位客户上检验，其后 {days} "
              "天的数据未参与训练。ROC-AUC 为 0.5 相当于随机，1.0 为完美。"},
    "report.churn.calibration": {"en": "Calibration: predicted against observed churn rate (held-out customers)",
                                 "zh": "校准：预测与实际流失率（留出客户）"},
    "report.churn.drivers": {"en": "What drives churn", "zh": "流失的驱动因素"},
    "report.churn.drivers_text": {
        "en": "Permutation importance (scikit-learn) of the calibrated model on the held-out customers: how much "
              "worse its probabilities get (rise of the log loss) when one feature is shuffled, and that rise as a "
              "share of all rises. Related features share their importance.",
        "zh": "校准后模型在留出客户上的置换重要性（scikit-learn）：打乱某个特征后概率变差多少（对数损失上升），以及该上升在全部上升中的占比。"
              "相关的特征会分摊重要性。"},
    "report.churn.pd_title": {"en": "Partial dependence of the top drivers", "zh": "主要驱动因素的部分依赖"},
    "report.churn.early": {"en": "Early-warning list (still active, highest value at risk first)",
                           "zh": "预警名单（仍活跃，风险价值高者优先）"},
    "report.churn.winback": {"en": "Win-back list (already lapsed, highest value at risk first)",
                             "zh": "挽回名单（已流失，风险价值高者优先）"},
    "report.churn.survival": {"en": "Retention over the customer lifetime (Kaplan-Meier)",
                              "zh": "客户生命周期留存（Kaplan-Meier）"},
    "report.churn.km_title": {"en": "Share of customers still active, by {by}", "zh": "仍活跃客户占比（按{by}）"},
    "report.churn.days_axis": {"en": "days since the first order", "zh": "首次下单后天数"},
    "report.churn.cox": {"en": "Cox model: what shortens customer lifetimes", "zh": "Cox 模型：什么缩短客户生命周期"},
    "report.churn.cox_sampled": {
        "en": "Large shop: the Cox model was fitted on a random sample of {n} of {total} customers (seed {seed}); the "
              "retention curves above use every customer.",
        "zh": "大型店铺：Cox 模型在 {total} 位客户中随机抽取的 {n} 位上拟合（随机种子 {seed}）；上方的留存曲线使用全部客户。"},
    "report.churn.top_n": {
        "en": "The {n} customers with the highest expected loss of {total}; the full list is in the Excel workbook "
              "(written by `custlens report`) and in `custlens churn --export at_risk.parquet`.",
        "zh": "共 {total} 位客户，此处列出预期损失最高的 {n} 位；完整名单见 Excel 工作簿（由 `custlens report` 生成）及 "
              "`custlens churn --export at_risk.parquet`。"},
})


#: Rows of each action list shown in the HTML (the full lists go to the workbook and exports).
TOP_N = 15


@register_section("churn", order=60)
def churn_section(ctx: ReportContext) -> Section:
    """Definition, headline figures, model check, drivers, lists and retention curves."""
    from custlens import analyses
    from custlens.churn import localise
    from custlens.churn.retention import GROUPINGS

    res = ctx.cached("churn", lambda: analyses.churn(ctx.store, as_of=ctx.as_of, table=ctx.customers(),
                                                     days=ctx.customer_build().days))
    lang = ctx.lang
    section = Section(ctx.t("report.churn.title"), intro=ctx.t("report.churn.intro"))
    section.add(Paragraph(res.definition.text(lang)))
    loss = float(res.early_warning["expected_loss"].sum()) if len(res.early_warning) else 0.0
    section.add(KpiCards([
        Kpi(ctx.t("report.churn.scored"), ctx.num(len(res.scores))),
        Kpi(ctx.t("report.churn.high"), ctx.num(res.high_risk), ctx.pct(res.high_risk / max(_active(res), 1))),
        Kpi(ctx.t("report.churn.auc"), f"{res.auc:.3f}",
            ctx.t("report.churn.auc_detail", recency=f"{res.baselines.get('recency', float('nan')):.3f}")),
        Kpi(ctx.t("report.churn.at_risk_value"), ctx.money(loss, compact=True)),
    ]))
    section.add(Paragraph(_bands_text(ctx, res)))
    m = res.metrics.reset_index(names="churn_model")
    m["churn_model"] = [ctx.t(f"churn.model.{k}") for k in m["churn_model"]]
    section.add(
        Heading(ctx.t("report.churn.check")),
        Paragraph(ctx.t("report.churn.check_text", n_train=ctx.num(res.n_train), n_holdout=ctx.num(res.n_holdout),
                        train=", ".join(ctx.date(s) for s in res.train_snapshots),
                        holdout=ctx.date(res.holdout_snapshot), days=res.horizon.days if res.horizon else "-")),
        Table(m[["churn_model", "roc_auc", "pr_auc", "brier", "lift_top10", "gain_top10"]],
              formats={"roc_auc": "float2", "pr_auc": "float2", "brier": "float2", "lift_top10": "float2",
                       "gain_top10": "pct"}),
        Figure(_calibration_figure(ctx, res.calibration), height=360),
    )
    for note in res.notes:
        section.add(Note(note.text(lang)))
    imp = res.importance.copy()
    imp["importance_share"] = imp["importance"].clip(lower=0) / max(float(imp["importance"].clip(lower=0).sum()), 1e-12)
    imp = imp.head(10)
    imp["feature_name"] = [ctx.t_or(f"churn.feature.{f}", f) for f in imp["feature"]]
    for col in ("importance", "importance_std"):  # log-loss units are small: 4 decimals, not 0.00
        imp[col] = [f"{v:.4f}" for v in imp[col]]
    section.add(Heading(ctx.t("report.churn.drivers")), Paragraph(ctx.t("report.churn.drivers_text")),
                Table(imp[["feature_name", "importance_share", "importance", "importance_std"]],
                      formats={"importance_share": "pct", "importance": "text", "importance_std": "text"}))
    if len(res.partial_dependence):
        section.add(Figure(_pd_figure(ctx, res.partial_dependence), height=360))
    cols = ["customer_id", "churn_probability", "risk_band", "customer_value", "reasons", "action"]
    for title, frame in (("report.churn.early", res.early_warning), ("report.churn.winback", res.win_back)):
        shown = localise(frame.head(TOP_N), lang)
        section.add(Heading(ctx.t(title)),
                    Paragraph(ctx.t("report.churn.top_n", n=ctx.num(min(TOP_N, len(frame))), total=ctx.num(len(frame)))),
                    Table(shown[[c for c in cols if c in shown]], formats={"churn_probability": "pct",
                                                                            "customer_value": "money"}))
    surv = ctx.cached("churn:retention", lambda: analyses.retention(
        ctx.store, as_of=ctx.as_of, horizon_days=res.horizon.days if res.horizon else None, customers=ctx.customers(),
        days=ctx.customer_build().days))
    section.add(Heading(ctx.t("report.churn.survival")), Paragraph(ctx.t("churn.km.origin")))
    for by in GROUPINGS:
        if (surv.curves["by"] == by).any():
            section.add(Figure(_km_figure(ctx, surv.curves[surv.curves["by"] == by], by), height=400))
    for s in surv.sentences:
        section.add(Paragraph(s.text(lang)))
    if len(surv.cox):
        cox = surv.cox.copy()
        cox["churn_reading"] = [s.text(lang) for s in surv.cox_sentences]
        fit = (ctx.t("churn.cox.fit.plain") if surv.cox_penalizer == 0 else
               ctx.t("churn.cox.fit.penalised", penalizer=f"{surv.cox_penalizer:g}"))
        if surv.cox_sample:
            from custlens.churn.survival import COX_SEED

            section.add(Note(ctx.t("report.churn.cox_sampled", n=ctx.num(surv.cox_sample), seed=COX_SEED,
                                   total=ctx.num(len(ctx.customers())))))
        section.add(Heading(ctx.t("report.churn.cox")), Paragraph(fit),
                    Table(cox[["hazard_ratio", "ci_lower", "ci_upper", "p_value", "churn_reading"]],
                          formats={"hazard_ratio": "float2", "ci_lower": "float2", "ci_upper": "float2",
                                   "p_value": "float2"}))
    elif surv.cox_note:
        section.add(Note(surv.cox_note, level="warning"))
    return section


def _active(res: object) -> int:
    scores = res.scores  # type: ignore[attr-defined]
    return int((scores["risk_band"] != "lapsed").sum())


def _bands_text(ctx: ReportContext, res: object) -> str:
    """The capacity rule with its cut-offs, or the fixed cut-offs (labelled tables)."""
    cap = getattr(res, "capacity", None)
    if cap is None:
        return ctx.t("churn.bands.rule", medium=ctx.pct(res.cutoffs[0], 0), high=ctx.pct(res.cutoffs[1], 0))  # type: ignore[attr-defined]
    return cap.text(ctx.lang, res.horizon.days if res.horizon else "-")  # type: ignore[attr-defined]


def _calibration_figure(ctx: ReportContext, cal: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dot", color="#94a3b8"),
                             showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=cal["predicted"], y=cal["observed"], mode="lines+markers",
                             name=ctx.t("report.col.observed_churn"), marker_color=charts.PALETTE[0]))
    charts.style(fig, ctx.t("report.churn.calibration"), height=360)
    fig.update_xaxes(title_text=ctx.t("report.col.predicted_churn"), tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title_text=ctx.t("report.col.observed_churn"), tickformat=".0%", range=[0, 1])
    return fig


def _pd_figure(ctx: ReportContext, pdp: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for i, (f, part) in enumerate(pdp.groupby("feature", sort=False)):
        lo, hi = part["feature_value"].min(), part["feature_value"].max()
        x = (part["feature_value"] - lo) / (hi - lo) if hi > lo else part["feature_value"] * 0
        fig.add_trace(go.Scatter(x=x, y=part["churn_probability"], mode="lines+markers",
                                 name=ctx.t_or(f"churn.feature.{f}", str(f)),
                                 customdata=part["feature_value"], marker_color=charts.PALETTE[i % len(charts.PALETTE)],
                                 hovertemplate="%{customdata:,.2f}: %{y:.1%}<extra></extra>"))
    charts.style(fig, ctx.t("report.churn.pd_title"), height=360)
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(title_text=ctx.t("report.col.churn_probability"), tickformat=".0%")
    return fig


def daily_steps(curve: pd.DataFrame) -> pd.DataFrame:
    """A Kaplan-Meier step function read at the end of each whole day.

    Lifetimes measured to the second give one step per customer (a million points per curve);
    the chart needs at most one per day. Each day keeps its last step, so the drawn curve equals
    the exact one at every whole day; curves already on whole days are returned unchanged.
    """
    days = curve["days"].to_numpy(dtype=float)
    if len(days) == 0 or (days == np.floor(days)).all():
        return curve
    day = np.ceil(days)  # a step inside day d is in force at the end of day d
    last = np.r_[day[1:] != day[:-1], True]
    return curve.loc[last].assign(days=day[last])


def _km_figure(ctx: ReportContext, curves: pd.DataFrame, by: str) -> go.Figure:
    fig = go.Figure()
    for i, (g, part) in enumerate(curves.groupby("group", sort=False)):
        part = daily_steps(part)
        fig.add_trace(go.Scatter(x=part["days"], y=part["retention"], mode="lines", line_shape="hv",
                                 name=str(render_arg(g, ctx.lang)),
                                 line_color=charts.PALETTE[i % len(charts.PALETTE)]))
    charts.style(fig, ctx.t("report.churn.km_title", by=ctx.t(f"churn.km.by.{by}")), height=400)
    charts.legend_right(fig)
    fig.update_xaxes(title_text=ctx.t("report.churn.days_axis"))
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    return fig
