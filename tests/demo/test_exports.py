"""The demo exports parse, carry the promised headers and encodings, and match the truth."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from demo_dates import DEMO_DATES

from custlens.demo import DemoShop, generate_shop
from custlens.errors import InputError


def test_paths_keyed_by_canonical_table(shop: DemoShop) -> None:
    assert set(shop.paths) == {"orders", "customers", "surveys", "feedback", "tickets", "campaign_members"}
    assert all(p.exists() for p in shop.paths.values())
    assert json.loads(shop.truth_path.read_text(encoding="utf-8")) == shop.truth


def test_orders_file_is_utf8_bom_with_chinese_header(shop: DemoShop) -> None:
    raw = shop.paths["orders"].read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf"
    header = raw[3:].split(b"\n", 1)[0].decode("utf-8")
    assert header == "订单号,会员ID,下单时间,商品编号,商品名称,品类,品牌,数量,单价,实付金额,优惠金额,渠道,支付方式"


def test_customers_file_is_gbk(shop: DemoShop) -> None:
    raw = shop.paths["customers"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    df = pd.read_csv(shop.paths["customers"], encoding="gbk", dtype=str, keep_default_na=False)
    assert list(df.columns) == ["会员ID", "注册时间", "性别", "年龄", "省份", "城市", "城市等级", "职业", "月收入", "注册渠道"]
    assert len(df) == shop.truth["customers"] == df["会员ID"].nunique()
    assert set(df["城市等级"]) == {"一线", "二线", "三线", "四线及以下"}
    assert set(df["注册渠道"]) == {"搜索", "社交", "直播", "自然", "广告"}
    assert set(df["性别"]) == {"男", "女", ""}
    missing = shop.truth["customers_file"]["missing"]
    assert {k: int((df[k] == "").sum()) for k in missing} == missing


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("surveys", "response_id,customer_id,answered_at,nps,csat,score_delivery,score_quality,score_price,score_attitude,score_efficiency,score_result,comment"),
        ("feedback", "feedback_id,customer_id,created_at,kind,rating,product_id,text"),
        ("tickets", "ticket_id,customer_id,opened_at,category,channel,first_response_at,resolved_at,satisfaction"),
        ("campaign_members", "campaign_id,customer_id,group,exposed_at,cost,channel"),
    ],
)
def test_english_header_tables(shop: DemoShop, name: str, header: str) -> None:
    assert shop.paths[name].read_text(encoding="utf-8").split("\n", 1)[0] == header
    df = pd.read_csv(shop.paths[name], encoding="utf-8", dtype=str, keep_default_na=False)
    assert len(df) == shop.truth["tables"][name]["rows"] > 50
    assert df.iloc[:, 0].is_unique or name == "campaign_members"
    end = shop.truth["period_end_exclusive"]
    time_col = df.columns[2] if name != "campaign_members" else "exposed_at"
    assert (df[time_col] < end).all()


def test_row_counts_match_truth(shop: DemoShop, lines: pd.DataFrame) -> None:
    df = lines
    t = shop.truth["orders"]
    assert len(df) == t["rows"] == shop.truth["tables"]["orders"]["rows"]
    assert t["rows"] == t["valid_lines"] + t["refund_rows"] + sum(t["mess"].values())


def test_planted_mess_counts_are_exact(shop: DemoShop, lines: pd.DataFrame, valid: pd.DataFrame) -> None:
    df = lines
    mess = shop.truth["orders"]["mess"]
    end = pd.Timestamp(shop.truth["period_end_exclusive"])
    assert (df["会员ID"] == "").sum() == mess["empty_customer_id"]
    assert df["ts"].isna().sum() == mess["bad_date"]
    assert (df["ts"] >= end).sum() == mess["future_date"]
    assert (df["ts"] > pd.Timestamp("2099-01-01")).sum() == mess["future_date"]
    assert df["paid"].isna().sum() == mess["bad_amount"]
    assert df.drop(columns=["ts", "paid", "unit", "disc", "qty"]).duplicated().sum() == mess["duplicate_lines"]
    assert (df["qty"] < 0).sum() == shop.truth["orders"]["refund_rows"]
    styles = shop.truth["orders"]["amount_styles_by_line"]
    assert valid["实付金额"].str.startswith("¥").sum() == styles["yen"] > 0
    assert valid["实付金额"].str.endswith("元").sum() == styles["yuan"] > 0
    formats = shop.truth["orders"]["date_formats_by_line"]
    assert valid["下单时间"].str.contains("年").sum() == formats["chinese_date"] > 0
    assert valid["下单时间"].str.contains("/").sum() == formats["slash_seconds"]


def test_expected_ingest_totals_are_exact(shop: DemoShop, lines: pd.DataFrame, valid: pd.DataFrame) -> None:
    df, ok = lines, valid
    exp = shop.truth["orders"]["expected_ingest"]
    assert len(ok) == shop.truth["orders"]["valid_lines"]
    assert ok["订单号"].nunique() == exp["orders"]
    assert ok["会员ID"].nunique() == exp["customers"]
    assert round(ok["paid"].sum(), 2) == pytest.approx(exp["revenue"], abs=0.005)
    assert (ok["paid"] > 0).all()
    assert exp["rows_read"] == exp["rows_loaded"] + exp["rows_quarantined"] + exp["duplicates_skipped"]
    refunds = df[df["qty"] < 0]
    assert set(refunds["订单号"]) <= set(ok["订单号"])
    assert -refunds["paid"].sum() == pytest.approx(shop.truth["orders"]["returns_amount"], abs=0.005)


def test_line_amount_identity(lines: pd.DataFrame, valid: pd.DataFrame, money_ok) -> None:
    assert money_ok(lines).all()
    assert (valid["disc"] >= 0).all() and (valid["unit"] > 0).all() and (valid["qty"] >= 1).all()
    assert (valid["disc"] > 0).mean() > 0.1


def test_orders_per_customer_match_customers_truth(shop: DemoShop, valid: pd.DataFrame) -> None:
    ok = valid
    per = shop.customers_truth().set_index("customer_id")
    n = ok.groupby("会员ID")["订单号"].nunique()
    expected = per[["orders_first", "orders_repeat", "orders_campaign"]].sum(axis=1)
    assert n.reindex(per.index, fill_value=0).equals(expected)
    assert (per["x"] == per["orders_repeat"]).all()
    assert ((per["churn_at"].notna()) == (per["buyer"] & ~per["alive_at_end"])).all()


def test_same_seed_same_files_other_seed_differs(small_shop: DemoShop, tmp_path) -> None:
    again = generate_shop(tmp_path / "again", customers=300, seed=7, **DEMO_DATES)
    other = generate_shop(tmp_path / "other", customers=300, seed=8, **DEMO_DATES)
    for name, path in small_shop.paths.items():
        assert path.read_bytes() == again.paths[name].read_bytes(), name
        assert path.read_bytes() != other.paths[name].read_bytes(), name
    assert small_shop.truth_path.read_bytes() == again.truth_path.read_bytes()
    assert small_shop.customers_truth_path.read_bytes() == again.customers_truth_path.read_bytes()


def test_small_shop_still_has_every_kind_of_mess(small_shop: DemoShop, read_lines) -> None:
    mess = small_shop.truth["orders"]["mess"]
    assert all(v >= 2 for v in mess.values())
    df = read_lines(small_shop)
    assert df["ts"].isna().sum() == mess["bad_date"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"customers": 10}, "customers=10 should be an integer >= 100"),
        ({"start": "2026-01-01", "end": "2026-03-01"}, "need at least"),
        ({"start": "not a date"}, "not dates"),
        ({"start": "2015-01-01", "end": "2016-06-30"}, "no Spring Festival date for year 2015"),
    ],
)
def test_bad_arguments_raise_clear_errors(tmp_path, kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        generate_shop(tmp_path, **kwargs)


def test_default_period_ends_with_the_last_complete_month() -> None:
    from custlens.demo.shop import default_end, default_start

    assert default_end("2026-11-30") == pd.Timestamp("2026-10-31")
    assert default_end("2026-12-01") == pd.Timestamp("2026-11-30")
    assert default_end("2027-03-15") == pd.Timestamp("2027-02-28")
    assert default_start("2026-09-30") == pd.Timestamp("2024-01-01")  # the tests' fixed period
    assert default_start("2026-10-31") == pd.Timestamp("2024-02-01")
    today = pd.Timestamp.today().normalize()
    assert default_end() < today.replace(day=1) <= default_end() + pd.Timedelta(days=1)


def test_same_seed_and_end_same_shop_whatever_the_day(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = generate_shop(tmp_path / "a", customers=150, seed=3, end="2026-10-31")
    assert (a.truth["start"], a.truth["end"]) == ("2024-02-01", "2026-10-31")
    b = generate_shop(tmp_path / "b", customers=150, seed=3, end="2026-10-31")
    assert a.paths["orders"].read_bytes() == b.paths["orders"].read_bytes()
    # order numbers carry the order day (DDyymmdd...): the shop trades up to its last month
    ids = pd.read_csv(a.paths["orders"], encoding="utf-8-sig", dtype=str).iloc[:, 0].dropna()
    days = sorted(i[2:8] for i in ids if i.startswith("DD") and i[2:8].isdigit())
    assert any("261001" <= d <= "261031" for d in days) and days[0] >= "240201"
