"""Festival lift: exact on a constructed series, and against the demo's planted festival multipliers."""

from __future__ import annotations

import pandas as pd
import pytest

from custlens.behaviour import DEFAULT_FESTIVALS, ShoppingFestival, festival_calendar, festival_lift
from custlens.errors import InputError


def _daily_store(store, per_day: dict[str, int], default: int = 2, start="2024-01-01", end="2024-12-31"):
    rows = []
    for day in pd.date_range(start, end):
        n = per_day.get(str(day.date()), default)
        rows += [(f"{day.date()}-{k}", f"c{k}", day + pd.Timedelta(hours=12), 10.0) for k in range(n)]
    df = pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "amount"])
    store._con.register("_d", df)
    store._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) SELECT * FROM _d")
    store._con.unregister("_d")
    return store


def test_lift_is_exact_on_a_flat_series(store) -> None:
    """2 orders every day, 6 on 11 Nov, 1 a day in the Spring Festival window: lifts 3 and 0.5."""
    sf = {str(d.date()): 1 for d in pd.date_range("2024-02-09", "2024-02-16")}  # New Year's Day 10 Feb 2024
    _daily_store(store, {"2024-11-11": 6, **sf})
    res = festival_lift(store, include_holidays=False, country="CN")
    assert res.lift("double_11") == pytest.approx(3.0)
    ev = res.events.set_index("festival")
    assert ev.loc["double_11", "baseline_orders"] == pytest.approx(2.0)
    assert ev.loc["double_11", "lift_revenue"] == pytest.approx(3.0)
    assert res.lift("spring_festival") == pytest.approx(0.5)
    assert ev.loc["spring_festival", "days"] == 8
    assert str(ev.loc["spring_festival", "start"])[:10] == "2024-02-09"
    for key in ("618", "black_friday", "christmas"):
        assert res.lift(key) == pytest.approx(1.0)
    assert ev.loc["black_friday", "start"] == pd.Timestamp("2024-11-29")  # the day after Thanksgiving (28 Nov)
    # 6 orders on 11.11 and 2 on a single festival day: too few to be findings
    flags = res.summary.set_index("festival")["enough_orders"]
    assert not flags["double_11"] and not flags["christmas"] and res.findings()["festival"].tolist() == []


def test_configurable_festivals_and_no_country(store) -> None:
    _daily_store(store, {"2024-05-20": 8, "2024-05-21": 4})
    anniversary = ShoppingFestival("anniversary", dates={2024: "2024-05-20"}, after=1)
    res = festival_lift(store, festivals=[anniversary], country=None)
    assert res.summary["festival"].tolist() == ["anniversary"]
    assert res.lift("anniversary") == pytest.approx(12 / 4)
    with pytest.raises(KeyError, match="double_11"):
        res.lift("double_11")


def test_calendar_from_the_holidays_package() -> None:
    cal = festival_calendar([2025], country="CN")
    sf = cal[cal["festival"] == "spring_festival"]["day"]
    assert sf.min() == pd.Timestamp("2025-01-28") and len(sf) == 8  # Chinese New Year 29 Jan 2025
    assert "National Day" in set(cal["festival"])
    us = festival_calendar([2025], festivals=[], country="US")
    assert "spring_festival" not in set(us["festival"]) and len(us)
    with pytest.raises(InputError, match="country='XX'"):
        festival_calendar([2025], country="XX")


def test_demo_festival_lifts_follow_the_planted_multipliers(demo, demo_run) -> None:
    """Observed lifts against the generator's peak multipliers.

    The generator multiplies day intensity by the peak (6.0 on 11.11, 3.5 on 618, 1.8 on Black
    Friday, 0.35 in the Spring Festival) but then moves repeat purchases within a week toward
    busy days, which spreads part of a peak over its neighbours; the lift of the peak day is
    therefore somewhat below the multiplier. The ordering must hold.
    """
    cal = demo_run.truth["calendar"]
    peaks = {f["name"]: f["peak_multiplier"] for f in cal["festivals"]}
    # The demo's festival days are the real ones, so the default calendar finds them.
    (bf,) = [f for f in cal["festivals"] if f["name"] == "black_friday"]
    assert pd.Timestamp("2024-11-29") in {pd.Timestamp(d) for d in bf["dates"]}
    res = festival_lift(demo, festivals=DEFAULT_FESTIVALS)
    for key in ("double_11", "618"):
        assert res.lift(key) == pytest.approx(peaks[key], rel=0.35), key
    # Black Friday's window runs into the weekend, whose own boost adds to the planted 1.8.
    assert 1.3 < res.lift("black_friday") < peaks["black_friday"] * 2
    assert res.lift("spring_festival") == pytest.approx(cal["spring_festival"]["dip_multiplier"], abs=0.15)
    assert res.lift("double_11") > res.lift("618") > res.lift("black_friday") > 1.2
    assert res.summary.set_index("festival").loc["double_11", "lift_revenue"] > 3


def test_no_country_in_the_data_is_said_and_drops_the_chinese_festivals(store) -> None:
    """A shop without region, currency or Chinese names: no holidays, no 618 / 11.11, and the result says so."""
    _daily_store(store, {"2024-11-11": 60})
    res = festival_lift(store)
    assert res.country is None and res.country_choice.basis == "unknown"
    assert {"618", "double_11", "spring_festival"}.isdisjoint(res.summary["festival"])
    assert set(res.summary["festival"]) == {"black_friday", "christmas"}
    assert "--country" in res.country_choice.text("en") and "--country" in res.country_choice.text("zh")
    # told CN, the 11.11 peak (60 orders: enough) becomes a finding
    cn = festival_lift(store, country="CN", include_holidays=False)
    assert cn.findings()["festival"].tolist() == ["double_11"] and cn.lift("double_11") == pytest.approx(30.0)
    with pytest.raises(InputError, match="country='Atlantis'"):
        festival_lift(store, country="Atlantis")


def test_country_names_and_codes() -> None:
    from custlens.behaviour.country import country_code

    assert [country_code(x) for x in ("United Kingdom", "GB", "GBR", "EIRE", "USA", "中国", "germany")] == [
        "GB", "GB", "GB", "IE", "US", "CN", "DE"]
    assert country_code("Unspecified") is None and country_code(None) is None


def test_uci_online_retail_is_a_uk_shop(store, shared_data) -> None:
    """Issue 11: the UK gift shop got Tomb-Sweeping and Dragon Boat lifts from the Chinese calendar.

    Ingest keeps UCI's Country column as the orders' region; the UK holds most orders, so the UK
    calendar applies: no Chinese holidays or e-commerce festivals, UK bank holidays instead.
    """
    from custlens.ingest import ingest

    ingest(shared_data / "online_retail" / "online_retail_sample_small.csv", store,
           today=pd.Timestamp("2030-01-01").date())
    res = festival_lift(store)
    assert res.country == "GB" and res.country_choice.basis == "orders_region"
    assert res.country_choice.value == "United Kingdom" and res.country_choice.share > 0.8
    names = set(res.summary["festival"])
    assert not names & {"618", "double_11", "spring_festival", "Tomb-Sweeping Day", "Dragon Boat Festival"}
    assert {"black_friday", "christmas"} & names or "Good Friday" in names
    assert any("Bank Holiday" in n or n in ("Good Friday", "Easter Monday", "Christmas Day") for n in names)
    # ~5 orders a day: single-day holidays rest on far fewer than 30 orders and are flagged
    assert (~res.summary["enough_orders"]).sum() >= 3
    assert (res.summary["enough_orders"] == (res.summary["orders"] >= 30)).all()


def test_demo_is_a_chinese_shop(demo) -> None:
    res = festival_lift(demo)
    assert res.country == "CN" and res.country_choice.basis == "chinese_text"
    assert {"618", "double_11", "spring_festival"} <= set(res.findings()["festival"])


@pytest.mark.parametrize("lang, country, said", [("en", "auto", "CN, assumed from region names in Chinese"),
                                                 ("zh", "GB", "GB（用户指定）")])
def test_report_timing_section_states_the_calendar(demo, lang: str, country: str, said: str) -> None:
    """The report's festival paragraph says which calendar it used; a UK calendar drops 618 and 11.11."""
    from custlens.report import ReportContext
    from custlens.report.blocks import Figure, Paragraph
    from custlens.report.registry import registered_sections, run_section

    (spec,) = registered_sections(["timing"])
    section = run_section(spec, ReportContext(demo, lang=lang, country=country))
    assert any(isinstance(b, Paragraph) and said in b.text for b in section.blocks)
    fest = section.blocks[[i for i, b in enumerate(section.blocks) if isinstance(b, Figure)][-1]].figure
    names = set(fest.data[0].x)
    if country == "GB":
        assert not names & {"618", "双11", "春节"}
    else:
        assert {"618", "Singles' Day (11.11)", "Spring Festival"} <= names and "Black Friday" not in names  # 22 orders


def test_report_and_demo_take_a_country() -> None:
    from typer.testing import CliRunner

    from custlens.cli import app

    for cmd in ("report", "demo", "behaviour"):
        res = CliRunner().invoke(app, [cmd, "--help"], env={"COLUMNS": "200"})
        assert res.exit_code == 0 and "--country" in res.stdout, cmd


def test_an_unknown_country_is_refused_before_any_work(tmp_path) -> None:
    from typer.testing import CliRunner

    from custlens.cli import app

    res = CliRunner().invoke(app, ["report", "--store", str(tmp_path / "none.duckdb"), "--country", "Atlantis"])
    assert res.exit_code != 0 and "--country 'Atlantis'" in res.output and "ISO code" in res.output
    assert not (tmp_path / "none.duckdb").exists()
