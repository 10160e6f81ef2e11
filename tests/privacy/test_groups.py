"""Small-group suppression in the report: no statistic of fewer than k customers, with a footnote."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens import Store
from custlens.privacy import suppress_small_groups
from custlens.report.blocks import Figure, Table
from custlens.report.context import ReportContext
from custlens.report.registry import registered_sections, run_section


def test_suppress_small_groups_blanks_every_number_of_small_rows() -> None:
    df = pd.DataFrame({"region": ["A", "B", "C"], "customers": [5, 4, 1], "revenue": [10.0, 20.0, 30.0],
                       "orders": [7, 8, 9]})
    out, n = suppress_small_groups(df, "customers", k=5)
    assert n == 2
    assert out["region"].tolist() == ["A", "B", "C"]
    assert out.loc[0, ["customers", "revenue", "orders"]].tolist() == [5, 10.0, 7]
    assert out.loc[1:, ["customers", "revenue", "orders"]].isna().all().all()
    assert df["revenue"].tolist() == [10.0, 20.0, 30.0]  # the input is not changed
    same, none = suppress_small_groups(df, "customers", k=1)
    assert none == 0 and same.equals(df)
    with pytest.raises(KeyError, match="no column 'size'"):
        suppress_small_groups(df, "size")


@pytest.mark.parametrize("key", ["rfm", "cohorts", "profile", "segments"])
def test_report_sections_hide_small_groups_and_say_so(demo_run, key: str) -> None:
    with Store(demo_run.store_path, read_only=True) as store:
        (spec,) = registered_sections([key])
        open_ = run_section(spec, ReportContext(store, lang="en", min_group=1))
        (spec,) = registered_sections([key])
        ctx = ReportContext(store, lang="zh", min_group=400)
        hidden = run_section(spec, ctx)
    assert "privacy.min_group_note" in ctx.used_keys
    tables = [b for b in hidden.blocks if isinstance(b, Table) and "customers" in b.frame.columns]
    assert tables
    shown_small = 0
    for t in tables:
        small = t.frame["customers"].isna()
        if small.any():
            assert "少于 400 位客户" in t.caption
            numbers = t.frame.select_dtypes("number").drop(columns=["period"], errors="ignore")
            assert numbers[small].isna().all().all()
            shown_small += 1
        assert (t.frame["customers"].dropna() >= 400).all()
    assert shown_small, "min_group=400 should hide some group of the demo shop"
    assert not any(b.caption for b in open_.blocks if isinstance(b, (Table, Figure)) and "400" in b.caption)


def test_rfm_cards_name_no_segment_when_every_segment_is_too_small(demo_run) -> None:
    from custlens.report.blocks import KpiCards

    with Store(demo_run.store_path, read_only=True) as store:
        (spec,) = registered_sections(["rfm"])
        ctx = ReportContext(store, lang="en", min_group=10**6)
        section = run_section(spec, ctx)
        scored = ctx.rfm("rfm11").n_customers
    cards = [c for b in section.blocks if isinstance(b, KpiCards) for c in b.cards]
    assert len(cards) == 1 and cards[0].value == f"{scored:,}" and scored > 1000
    tables = [b for b in section.blocks if isinstance(b, Table) and "customers" in b.frame.columns]
    assert all(t.frame["customers"].isna().all() for t in tables)
