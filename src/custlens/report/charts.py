"""A small, consistent look for the report's plotly figures.

Sections build figures with plotly directly and pass them through `style`, which applies
the report theme (fonts that cover Chinese, a quiet grid, the colour palette) and a fixed
height. Dates on period axes use numeric formats (``2024-03``) so no English month names
appear in the Chinese report.
"""

from __future__ import annotations

import plotly.graph_objects as go

__all__ = ["PALETTE", "PERIOD_TICKFORMAT", "count_axis", "legend_right", "style"]

#: Colours in the order traces take them (matches the report CSS accent colours).
PALETTE = (
    "#2563eb",  # blue
    "#f59e0b",  # amber
    "#10b981",  # green
    "#ef4444",  # red
    "#8b5cf6",  # violet
    "#06b6d4",  # cyan
    "#ec4899",  # pink
    "#84cc16",  # lime
    "#64748b",  # slate
    "#f97316",  # orange
    "#14b8a6",  # teal
)

#: Tick and hover formats of period axes by `custlens.features.periods` frequency.
PERIOD_TICKFORMAT = {"D": "%Y-%m-%d", "W": "%Y-%m-%d", "M": "%Y-%m", "Q": "%Y-%m", "Y": "%Y"}

FONT = (
    '"custlens CJK", system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif'
)

_TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=13, color="#1f2937"),
        colorway=list(PALETTE),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        margin=dict(l=56, r=24, t=48, b=48),
        hoverlabel=dict(font=dict(family=FONT)),
        xaxis=dict(showgrid=False, linecolor="#cbd5e1", ticks="outside", tickcolor="#cbd5e1",
                   automargin=True),
        yaxis=dict(gridcolor="#e5e7eb", zeroline=False, automargin=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        title=dict(x=0, xanchor="left", font=dict(size=15)),
        bargap=0.25,
    )
)


def style(fig: go.Figure, title: str = "", height: int = 380) -> go.Figure:
    """Apply the report theme, a title and a height to ``fig`` (in place) and return it."""
    fig.update_layout(template=_TEMPLATE, height=height)
    if title:
        # The title sits at the very top, the legend in its own row just above the plot.
        fig.update_layout(title=dict(text=title, y=0.98, yref="container", yanchor="top"),
                          margin=dict(t=84))
    return fig


def legend_right(fig: go.Figure) -> go.Figure:
    """Put the legend in a column right of the plot area.

    Many traces (one Kaplan-Meier curve per segment) wrap a horizontal legend into rows
    that run into the title; under the plot it collides with the axis title. To the right
    it touches neither.
    """
    fig.update_layout(legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top",
                                  xref="paper", yref="paper"),
                      margin=dict(r=24))
    return fig


def count_axis(fig: go.Figure, top: float | None = None, axis: str = "y", **selector: object) -> go.Figure:
    """Make a count axis show whole numbers only (no ``0.5`` orders).

    Parameters
    ----------
    fig : plotly Figure
    top : float, optional
        Largest value on the axis; below 10 the ticks step by one so none repeat.
    axis : {"x", "y"}
    **selector
        Passed to ``update_xaxes``/``update_yaxes`` (e.g. ``secondary_y=True``).
    """
    opts: dict[str, object] = dict(tickformat=",d", rangemode="tozero")
    if top is not None and top < 10:
        opts.update(tickmode="linear", tick0=0, dtick=1)
    (fig.update_yaxes if axis == "y" else fig.update_xaxes)(**opts, **selector)
    return fig
