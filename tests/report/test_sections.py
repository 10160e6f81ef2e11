"""Contents of the built-in sections on the toy shop (numbers in conftest.fill_shop)."""

from __future__ import annotations

import pandas as pd
import pytest

from custlens.report import Figure, KpiCards, ReportContext, Table
from custlens.report import formatting as fmt
from custlens.report.registry import registered_sections, run_section
from custlens.report.render import table_view
from custlens.store import Store


def build(store: Store, key: str, lang: str = "en", as_of: str | None = None, min_group: int = 1):
    # The toy shop has 4 customers: its exact figures are checked with small-group suppression off.
    (spec,) = registered_sections([key])
    return run_section(spec, ReportContext(store, as_of=as_of, lang=lang, min_group=min_group))


def cards(section) -> dict[str, str]:
    return {c.label: c.value for b in section.blocks if isinstance(b, KpiCards) for c in b.cards}


def test_kpi_cards_match_hand_computation(shop: Store) -> None:
    c = cards(build(shop, "kpis"))
    assert c["Revenue"] == "430.00"
    assert c["Orders"] == "8"
    assert c["Customers"] == "4"
    assert c["Average order value"] == "53.75"
    assert c["Repeat purchase rate"] == "75.0%"
    assert c["Returns"] == "65.00"


def test_kpis_use_weeks_for_short_histories_and_months_otherwise(shop: Store, make_shop) -> None:
    section = build(shop, "kpis")  # 87 days of orders: weekly
    (table,) = [b for b in section.blocks if isinstance(b, Table)]
    assert table.frame["period"].iloc[0] == "2024-04-01"  # most recent week (a Monday) first
    figures = [b for b in section.blocks if isinstance(b, Figure)]
    assert len(figures) == 3
    revenue = figures[0].figure.data[0]
    assert sum(revenue.y) == pytest.approx(430.0)
    assert "per week" in section.intro

    with Store(":memory:") as longer:
        make_shop(longer)._con.execute(
            "INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES ('o0', 'a', '2023-06-10', 1)"
        )
        section = build(longer, "kpis", lang="zh")
    (table,) = [b for b in section.blocks if isinstance(b, Table)]
    assert list(table.frame["period"].iloc[:2]) == ["2024-04", "2024-03"]
    assert "每月" in section.intro


def test_rfm_section_lists_every_segment_with_its_action(shop: Store) -> None:
    section = build(shop, "rfm", lang="zh")
    tables = [b for b in section.blocks if isinstance(b, Table)]
    main, playbook, cn8 = tables
    assert len(main.frame) == 11 and len(cn8.frame) == 8
    assert main.frame["customers"].sum() == 4
    assert main.frame["revenue"].sum() == pytest.approx(430.0)
    assert "冠军客户" in set(playbook.frame["name"])
    assert playbook.frame["action"].str.len().min() > 0
    view = table_view(main, "zh")
    assert [h for h, _ in view.headers][:3] == ["分群", "客户数", "客户占比"]


def test_quality_section_translates_checks(shop: Store) -> None:
    section = build(shop, "quality", lang="zh")
    assert not section.missing
    c = cards(section)
    assert c["等级"] in {"A", "B", "C", "D", "F"}
    problems = [b for b in section.blocks if isinstance(b, Table)][-1].frame
    assert not problems["check"].str.startswith("quality.").any()


def test_overview_counts_tables(shop: Store) -> None:
    section = build(shop, "overview")
    tables = [b.frame for b in section.blocks if isinstance(b, Table)]
    counts = dict(zip(tables[0]["table"], tables[0]["rows"]))
    assert counts == {"Orders": 8, "Order lines": 2, "Returns": 2, "Customers": 0, "Surveys": 0,
                      "Feedback": 0, "Service tickets": 0, "Campaign members": 0}
    reasons = tables[2]
    assert list(reasons["reason"]) == ["missing customer id", "date cannot be read"]
    assert list(reasons["rows"]) == [2, 1]


def test_table_view_formats_and_truncates() -> None:
    frame = pd.DataFrame({"customers": [1200, 3], "revenue_share": [0.25, 0.755],
                          "first_order_at": pd.to_datetime(["2024-01-02", None])})
    view = table_view(Table(frame, max_rows=1, caption="Top."), "zh")
    assert view.rows == [[("1,200", True), ("25.0%", True), ("2024-01-02", False)]]
    assert view.caption == "Top. （另有 1 行未显示）"
    assert [h for h, _ in view.headers] == ["客户数", "销售额占比", "首次下单"]


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [(1234567, "en", "1.23M"), (1234567, "zh", "123万"), (45600, "en", "45.6K"), (45600, "zh", "4.56万"),
     (2.5e8, "zh", "2.50亿"), (999.5, "en", "999.50"), (float("nan"), "en", fmt.MISSING)],
)
def test_compact_amounts(value: float, lang: str, expected: str) -> None:
    assert fmt.fmt_compact(value, lang) == expected


@pytest.mark.parametrize(
    ("code", "en", "zh"),
    [
        ("missing_customer_id", "missing customer id", "缺少客户编号"),
        ("missing_answered_at", "missing Answer date", "缺少填写时间"),
        ("age_out_of_range", "Age out of range", "年龄超出合理范围"),
        ("unparseable_opened_at", "Opened at cannot be read", "创建时间无法解析"),
        ("some_new_code", "some_new_code", "some_new_code"),
    ],
)
def test_quarantine_reason_wording(shop: Store, code: str, en: str, zh: str) -> None:
    from custlens.report.sections.overview import reason_text

    assert reason_text(ReportContext(shop, lang="en"), code) == en
    assert reason_text(ReportContext(shop, lang="zh"), code) == zh
