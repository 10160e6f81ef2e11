"""Chart and number details: whole-number count axes, legends clear of titles and axes, the
cohort colour scale, basket rules once per pair, p-values never shown as 0.00."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from custlens.behaviour.basket import BasketResult
from custlens.report import charts
from custlens.report import formatting as fmt
from custlens.report.blocks import Table
from custlens.report.render import table_view
from custlens.report.sections.cohorts import _zmax


@pytest.mark.parametrize(("p", "shown"), [(0.0, "< 0.001"), (2.4e-7, "< 0.001"), (0.000999, "< 0.001"),
                                          (0.001, "0.001"), (0.0424, "0.042"), (0.5, "0.500"),
                                          (float("nan"), fmt.MISSING)])
def test_p_values_are_never_zero(p: float, shown: str) -> None:
    assert fmt.fmt_p(p) == shown


def test_tables_format_p_value_columns_with_the_helper_whatever_the_section_asked() -> None:
    frame = pd.DataFrame({"p_value": [1e-9, 0.2], "hazard_ratio": [1.5, 0.9]})
    view = table_view(Table(frame, headers={"p_value": "p", "hazard_ratio": "HR"}, formats={"p_value": "float2"}),
                      "en")  # a section asking for 0.00
    assert [r[0][0] for r in view.rows] == ["< 0.001", "0.200"]


def test_count_axis_shows_whole_numbers() -> None:
    fig = charts.count_axis(go.Figure(go.Bar(x=[1, 2], y=[1, 3])), top=3)
    assert fig.layout.yaxis.tickformat == ",d" and fig.layout.yaxis.dtick == 1
    big = charts.count_axis(go.Figure(go.Bar(x=[1], y=[500])), top=500)
    assert big.layout.yaxis.tickformat == ",d" and big.layout.yaxis.dtick is None  # plotly picks whole steps


def test_legend_sits_right_of_the_plot_clear_of_title_and_axes() -> None:
    fig = charts.style(go.Figure([go.Scatter(x=[0, 1], y=[1, 0.5], name=f"s{i}") for i in range(11)]), "KM")
    charts.legend_right(fig)
    leg = fig.layout.legend
    assert leg.orientation == "v" and leg.x >= 1 and leg.xanchor == "left"  # outside the plot area
    assert leg.y <= 1 and leg.yanchor == "top"  # below the title row


def test_cohort_colour_scale_ignores_period_zero() -> None:
    z = np.array([[1.0, 0.2, 0.1], [1.0, 0.3, np.nan]])
    assert _zmax(z) == 0.3
    assert _zmax(np.array([[1.0]])) == 1.0


def test_basket_rules_once_per_pair_and_only_above_chance() -> None:
    rules = pd.DataFrame({
        "antecedent": ["a", "b", "c", "d", "e"], "consequent": ["b", "a", "d", "c", "f"],
        "orders": [10, 10, 5, 5, 3], "support": [0.1, 0.1, 0.05, 0.05, 0.03],
        "confidence": [0.5, 0.8, 0.3, 0.2, 0.1], "lift": [3.0, 3.0, 1.5, 1.5, 0.9],
    })
    res = BasketResult(pairs=pd.DataFrame(), rules=rules, n_baskets=100, min_count=2, level="product",
                       as_of=pd.Timestamp("2024-01-01"))
    top = res.top_rules()
    # b -> a (confidence 0.8) stands for {a, b}; c -> d for {c, d}; e -> f (lift 0.9) is dropped
    assert list(zip(top["antecedent"], top["consequent"])) == [("b", "a"), ("c", "d")]
    assert (top["lift"] > 1).all()
    assert len(res.top_rules(1)) == 1
