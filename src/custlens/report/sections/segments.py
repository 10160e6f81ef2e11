"""Segments and customer value: clusters, LRFMC, ABC tiers, value × loyalty, migration, playbooks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from custlens import analyses
from custlens.errors import CustlensError
from custlens.report import charts
from custlens.report.blocks import Block, Figure, Heading, Kpi, KpiCards, Note, Paragraph, Section, Table
from custlens.report.context import ReportContext
from custlens.report.registry import register_section
from custlens.segments import segment_text
from custlens.segments.migration import migration
from custlens.segments.value_matrix import spend_fit_of

#: Days between the two dates of the migration chart.
MIGRATION_DAYS = 90


def _headers(ctx: ReportContext, frame: pd.DataFrame) -> dict[str, str]:
    out = {}
    for c in frame.columns:
        key = f"report.segments.col.{c}"
        if c.startswith(("mean_", "index_")) and c.split("_", 1)[1] in ("L", "R", "F", "M", "C"):
            feat = ctx.t(f"report.segments.col.{c.split('_', 1)[1]}")
            out[c] = feat if c.startswith("mean_") else f"{feat} (index)" if ctx.lang == "en" else f"{feat}（指数）"
        elif c.startswith("index_"):
            out[c] = (f"{ctx.t('report.col.' + c[6:])} (index)" if ctx.lang == "en"
                      else f"{ctx.t('report.col.' + c[6:])}（指数）")
        elif c.startswith("mean_") and not _has(key):
            out[c] = ctx.t(f"report.col.{c[5:]}")
        elif _has(key):
            out[c] = ctx.t(key)
    return out


def _has(key: str) -> bool:
    from custlens import i18n

    return i18n.has(key)


def _named(ctx: ReportContext, scheme: str, frame: pd.DataFrame, parts: tuple[str, ...] = ("name",)) -> pd.DataFrame:
    out = frame.copy()
    for i, part in enumerate(parts):
        out.insert(1 + i, part, [segment_text(scheme, s, part, ctx.lang) for s in out["segment"]])
    return out


def _segments(ctx: ReportContext, scheme: str, demo: pd.DataFrame | None = None):  # type: ignore[no-untyped-def]
    """The segmentation ``scheme`` of the report's customer table (`custlens.analyses.segments`)."""
    extra = {}
    if scheme == "value":
        # The CLV fit, when the report has it already (the CLI fits it first): the value matrix
        # takes its Gamma-Gamma model if it is the same fit. Not computed here when absent.
        extra["spend_fit"] = spend_fit_of(ctx.cache.get("clv"))
    return analyses.segments(ctx.store, as_of=ctx.as_of, scheme=scheme, customers=ctx.customers(), demographics=demo,
                             **extra)


@register_section("segments", order=45)
def segments_section(ctx: ReportContext) -> Section:
    """Every segmentation of `custlens.segments` with its charts and playbooks."""
    ctx.store.require("orders", "customer segments")
    demo = ctx.store.read("customers") if ctx.store.has("customers") else None
    section = Section(ctx.t("report.segments.title"), intro=ctx.t("report.segments.intro"))
    kmeans = _try(lambda: ctx.cached("segments:kmeans", lambda: _segments(ctx, "kmeans", demo)))
    abc = ctx.cached("segments:abc", lambda: _segments(ctx, "abc"))
    cards = [Kpi(ctx.t("report.segments.gini"), f"{abc.detail.gini:.2f}"),
             Kpi(ctx.t("report.segments.top20"), ctx.pct(abc.detail.top20_share))]
    if isinstance(kmeans, CustlensError):
        section.add(KpiCards(cards), _failed(ctx, kmeans))
    else:
        section.add(KpiCards([Kpi(ctx.t("report.segments.k"), str(kmeans.info["k"])),
                              Kpi(ctx.t("report.segments.silhouette"), f"{kmeans.info['silhouette']:.2f}"), *cards]))
        section.add(*_cluster_blocks(ctx, kmeans, "kmeans"))
    lrfmc = _try(lambda: _segments(ctx, "lrfmc", demo))
    section.add(Heading(ctx.t("report.segments.lrfmc")))
    if isinstance(lrfmc, CustlensError):
        section.add(_failed(ctx, lrfmc))
    else:
        section.add(Paragraph(ctx.t("segment.lrfmc.rule")), *[Note(ctx.t(n)) for n in lrfmc.notes])
        if getattr(lrfmc.detail, "sample_size", None):
            section.add(Note(ctx.t("report.segments.sampled", n=ctx.num(lrfmc.detail.sample_size),
                                   seed=lrfmc.detail.seed, total=ctx.num(len(lrfmc.detail.customers)))))
        section.add(*_profile_tables(ctx, lrfmc, "lrfmc", with_demographics=False))
    section.add(*_abc_blocks(ctx, abc))
    section.add(*_value_blocks(ctx, _segments(ctx, "value")))
    section.add(*_migration_blocks(ctx))
    return section


def _failed(ctx: ReportContext, exc: CustlensError) -> Note:
    return Note(ctx.t("report.segments.cannot_cluster"), level="warning", detail=str(exc))


def _try(fn):  # type: ignore[no-untyped-def]
    try:
        return fn()
    except CustlensError as exc:
        return exc


def _cluster_blocks(ctx: ReportContext, seg, scheme: str) -> list[Block]:  # type: ignore[no-untyped-def]
    res = seg.detail
    blocks: list[Block] = [Heading(ctx.t(f"segment.{scheme}.title")), Paragraph(ctx.t(f"segment.{scheme}.rule"))]
    if getattr(res, "sample_size", None):
        blocks.append(Note(ctx.t("report.segments.sampled", n=ctx.num(res.sample_size), seed=res.seed,
                                 total=ctx.num(len(res.customers)))))
    sel = res.selection
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=sel["k"], y=sel["silhouette"], mode="lines+markers",
                             name=ctx.t("report.segments.col.silhouette")), secondary_y=False)
    fig.add_trace(go.Scatter(x=sel["k"], y=sel["calinski_harabasz"], mode="lines+markers",
                             name=ctx.t("report.segments.col.calinski_harabasz")), secondary_y=True)
    fig.add_vline(x=res.k, line_dash="dot", line_color="#64748b")
    charts.style(fig, ctx.t("report.segments.k_chart"), height=340)
    _legend_below(fig)
    fig.update_xaxes(dtick=1, title_text="k")
    blocks.append(Figure(fig, caption=ctx.t("report.segments.k_caption"), height=340))
    proj = res.projection
    if len(proj) > 2000:
        proj = proj.sample(2000, random_state=0)
    fig = go.Figure()
    for i, (cl, g) in enumerate(proj.groupby("cluster")):
        fig.add_trace(go.Scattergl(x=g["pc1"], y=g["pc2"], mode="markers", marker=dict(size=5, opacity=0.6,
                      color=charts.PALETTE[i % len(charts.PALETTE)]),
                      name=segment_text(scheme, g["segment"].iloc[0], "name", ctx.lang)))
    charts.style(fig, ctx.t("report.segments.projection"), height=420)
    _legend_below(fig)
    fig.update_xaxes(title_text="PC1")
    fig.update_yaxes(title_text="PC2")
    share = ctx.pct(sum(res.explained_variance))
    blocks.append(Figure(fig, caption=ctx.t("report.segments.projection_caption", share=share), height=420))
    blocks.extend(_profile_tables(ctx, seg, scheme, with_demographics=True))
    return blocks


def _profile_tables(ctx: ReportContext, seg, scheme: str, with_demographics: bool) -> list[Block]:  # type: ignore[no-untyped-def]
    res = seg.detail
    prof = res.profile.drop(columns=["cluster"])
    for f in res.features:
        prof[f"index_{f}"] = np.round(prof[f"index_{f}"] * 100)
    prof = _named(ctx, scheme, prof)
    # the cluster table shows means and indices; LRFMC (five features) its means only, to stay readable
    kinds = ("mean_", "index_") if with_demographics else ("mean_",)
    cols = ["name", "customers", "share", "revenue_share"] + [f"{k}{f}" for f in res.features for k in kinds]
    frame, small = ctx.small_groups(prof[cols])
    title = "report.segments.profile" if with_demographics else "report.segments.profile_means"
    blocks: list[Block] = [Heading(ctx.t(title)),
                           Table(frame, headers=_headers(ctx, frame), caption=small,
                                 formats={c: "float" for c in cols if c.startswith(("mean_", "index_"))})]
    if with_demographics and len(res.demographics):
        demo = res.demographics.copy()
        demo["text"] = [f"{v} ({ctx.pct(s)})" if v is not None and not pd.isna(s) else f"{m:,.1f}"
                        for v, s, m in zip(demo["value"], demo["share"], demo["mean"])]
        wide = demo.pivot_table(index="column", columns="cluster", values="text", aggfunc="first")
        names = {-1: ctx.t("report.segments.col.all_customers")}
        names.update({int(c): segment_text(scheme, s, "name", ctx.lang)
                      for c, s in zip(res.profile["cluster"], res.profile["segment"])})
        wide = wide.reindex(columns=sorted(wide.columns))
        wide.columns = [names[int(c)] for c in wide.columns]
        wide.index = [ctx.t(f"report.segments.col.{c}") if _has(f"report.segments.col.{c}") else ctx.t(f"report.col.{c}")
                      for c in wide.index]
        wide = wide.rename_axis("attribute").reset_index()
        blocks += [Heading(ctx.t("report.segments.demographics")),
                   Table(wide, headers={"attribute": ctx.t("report.segments.col.attribute"),
                                        **{c: c for c in wide.columns[1:]}})]
    blocks += [Heading(ctx.t("report.segments.playbook")), _playbook(ctx, scheme, list(res.profile["segment"]))]
    return blocks


def _playbook(ctx: ReportContext, scheme: str, keys: list[str]) -> Table:
    frame = pd.DataFrame({"segment": keys})
    frame = _named(ctx, scheme, frame, ("name", "action", "channel", "offer")).drop(columns=["segment"])
    return Table(frame, headers=_headers(ctx, frame))


def _abc_blocks(ctx: ReportContext, seg) -> list[Block]:  # type: ignore[no-untyped-def]
    res = seg.detail
    lor = res.lorenz
    if len(lor) > 1001:
        idx = np.unique(np.linspace(0, len(lor) - 1, 1001).round().astype(int))
        lor = lor.iloc[idx]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=ctx.t("report.segments.equality"),
                             line=dict(dash="dot", color="#94a3b8")))
    fig.add_trace(go.Scatter(x=lor["customer_share"], y=lor["revenue_share"], mode="lines", fill="tonexty",
                             name=ctx.t("report.segments.lorenz")))
    charts.style(fig, ctx.t("report.segments.lorenz"), height=380)
    charts.legend_right(fig)
    fig.update_xaxes(tickformat=".0%", title_text=ctx.t("report.segments.customers_axis"))
    fig.update_yaxes(tickformat=".0%", title_text=ctx.t("report.segments.revenue_axis"))
    tiers = _named(ctx, "abc", res.segments, ("name", "action", "channel", "offer"))
    volume = _named(ctx, "volume", res.volume, ("name", "description"))
    t1, small1 = ctx.small_groups(tiers[["name", "customers", "share", "revenue", "revenue_share", "action", "channel", "offer"]])
    t2, small2 = ctx.small_groups(volume[["name", "description", "customers", "share", "revenue", "revenue_share"]])
    return [Heading(ctx.t("report.segments.abc")), Paragraph(ctx.t("segment.abc.rule")),
            Figure(fig, caption=ctx.t("report.segments.lorenz_caption", gini=f"{res.gini:.2f}"), height=380),
            Table(t1, headers=_headers(ctx, t1), formats={"revenue": "money"}, caption=small1),
            Heading(ctx.t("report.segments.volume")),
            Table(t2, formats={"revenue": "money"}, caption=small2)]


def _value_blocks(ctx: ReportContext, seg) -> list[Block]:  # type: ignore[no-untyped-def]
    res = seg.detail
    grid = res.grid
    rows = [ctx.t(f"report.segments.row.{r}") for r in grid.index]
    cols = [ctx.t(f"report.segments.{c}") for c in grid.columns]
    cell = {("current_high", "loyal"): "keep", ("current_high", "not_loyal"): "win_back",
            ("future_high", "loyal"): "develop", ("future_high", "not_loyal"): "reactivate",
            ("both_low", "loyal"): "nurture", ("both_low", "not_loyal"): "low_priority"}
    text = [[f"{segment_text('value', cell[(r, c)], 'name', ctx.lang)}<br>{int(grid.loc[r, c]):,}"
             for c in grid.columns] for r in grid.index]
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=cols, y=rows, text=text, texttemplate="%{text}",
                               colorscale="Blues", showscale=False, hoverinfo="text"))
    charts.style(fig, ctx.t("report.segments.heatmap"), height=380)
    fig.update_yaxes(autorange="reversed")
    segs = _named(ctx, "value", res.segments)
    frame, small = ctx.small_groups(segs[["name", "customers", "share", "revenue_share", "mean_current_value",
                                          "mean_future_value", "mean_loyalty"]])
    blocks: list[Block] = [Heading(ctx.t("report.segments.value")), Paragraph(ctx.t("segment.value.rule")),
                           *[Note(ctx.t(n)) for n in seg.notes]]
    if res.sample_size:
        blocks.append(Note(ctx.t("report.segments.value_sampled", n=ctx.num(res.sample_size), seed=res.seed,
                                 total=ctx.num(len(res.customers)))))
    if res.reason:
        blocks.append(Note(ctx.t("segment.value.note.repeat"), level="warning", detail=res.reason))
        blocks = [b for b in blocks if not (isinstance(b, Note) and b.level == "info")]
    return blocks + [Figure(fig, height=380),
                     Table(frame, headers=_headers(ctx, frame), caption=small,
                           formats={"mean_current_value": "money", "mean_future_value": "money",
                                    "mean_loyalty": "float2"}),
                     Heading(ctx.t("report.segments.playbook")), _playbook(ctx, "value", list(res.segments["segment"]))]


def _migration_blocks(ctx: ReportContext) -> list[Block]:
    end = pd.Timestamp(ctx.as_of)
    start = end - pd.Timedelta(days=MIGRATION_DAYS)
    # the end date's segments are the rfm section's (ctx.rfm): not computed twice; the start
    # date's RFM comes from the report's purchase days (no second pass over the orders)
    build = ctx.customer_build()
    res = ctx.cached("segments:migration", lambda: migration(
        ctx.store, start, end, scheme="rfm11", customers=build.frame, after=ctx.rfm("rfm11"), days=build.days))
    states = list(res.matrix.index)
    targets = list(res.matrix.columns)
    name = {s: segment_text("migration" if s.startswith("none_") else "rfm11", s, "name", ctx.lang)
            for s in set(states) | set(targets)}
    labels = ([ctx.t("report.segments.before", name=name[s]) for s in states]
              + [ctx.t("report.segments.after", name=name[s]) for s in targets])
    flows = res.flows[res.flows["customers"] >= ctx.min_group]  # no flow of fewer than k customers
    src = [states.index(s) for s in flows["from_segment"]]
    dst = [len(states) + targets.index(s) for s in flows["to_segment"]]
    colors = {s: charts.PALETTE[i % len(charts.PALETTE)] for i, s in enumerate(dict.fromkeys(states + targets))}
    node_colors = [colors[s] for s in states] + [colors[s] for s in targets]
    link_colors = [_rgba(colors[s], 0.35) for s in flows["from_segment"]]
    fig = go.Figure(go.Sankey(node=dict(label=labels, color=node_colors, pad=12, thickness=14),
                              link=dict(source=src, target=dst, value=flows["customers"].tolist(),
                                        color=link_colors)))
    charts.style(fig, "", height=560)
    top = flows[flows["from_segment"] != flows["to_segment"]].sort_values("customers", ascending=False).head(12)
    top = top.assign(from_segment=[name[s] for s in top["from_segment"]],
                     to_segment=[name[s] for s in top["to_segment"]])
    # as-of dates are the first days not observed: show the last days that are
    day = pd.Timedelta(days=1)
    title = ctx.t("report.segments.migration", start=ctx.date(start - day), end=ctx.date(end - day))
    stayed = ctx.pct(res.stayed) if not np.isnan(res.stayed) else "–"
    return [Heading(title), Figure(fig, caption=ctx.t("report.segments.migration_caption", stayed=stayed), height=560),
            Heading(ctx.t("report.segments.flows")),
            Table(top, headers=_headers(ctx, top), formats={"share_of_from": "pct"},
                  caption=ctx.small_groups(res.flows)[1])]


def _legend_below(fig: go.Figure) -> None:
    """Legend under the plot, so it does not run into the title above it."""
    fig.update_layout(legend=dict(orientation="h", y=-0.22, yanchor="top", x=0, xanchor="left"),
                      margin=dict(b=90))


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)}, {int(h[2:4], 16)}, {int(h[4:6], 16)}, {alpha})"
