"""Ingest end to end: formats, encodings, mapping, line items, returns, quarantine, dedupe."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from custlens import Store
from custlens.errors import ParseError, SchemaError
from custlens.ingest import ingest

TODAY = dt.date(2026, 11, 23)


def _accounting(res) -> None:
    assert res.rows_read == res.rows_loaded + res.rows_quarantined + res.duplicates_skipped


def test_gbk_chinese_headers_line_items_and_refunds(tmp_path: Path, store: Store) -> None:
    text = (
        "订单号,会员ID,下单时间,商品编号,品类,数量,单价,实付金额\n"
        "A1,C001,2024年3月5日,P1,服饰,2,￥50.00,\"￥100.00\"\n"
        "A1,C001,2024年3月5日,P2,美妆,1,30,30元\n"
        "A2,C002,2024/03/06 10:00,P1,服饰,1,50,50\n"
        "A2,C002,2024/03/06 10:00,P1,服饰,-1,50,-50\n"  # refund line
        "A3,,2024-03-07,P1,服饰,1,50,50\n"  # missing customer
        "A4,C003,2024-13-45,P1,服饰,1,50,50\n"  # impossible date
        "A5,C003,2099-01-01,P1,服饰,1,50,50\n"  # future
        "A6,C004,2024-03-08,P1,服饰,1,50,N/A\n"  # missing amount (a null marker)
        "A7,C004,2024-03-08,P1,服饰,1,50,about 50\n"  # non-numeric amount
        "A1,C001,2024年3月5日,P1,服饰,2,￥50.00,\"￥100.00\"\n"  # exact duplicate line
    )
    path = tmp_path / "订单.csv"
    path.write_bytes(text.encode("gbk"))
    res = ingest(path, store, today=TODAY)
    _accounting(res)
    assert res.table == "orders"
    assert (res.rows_read, res.rows_loaded, res.rows_quarantined, res.duplicates_skipped) == (10, 4, 5, 1)
    assert res.orders == 2 and res.customers == 2 and res.returns == 1
    assert res.revenue == pytest.approx(180.0)
    assert res.quarantine_reasons == {"missing_customer_id": 1, "unparseable_date": 1,
                                      "date_in_future": 1, "missing_amount": 1, "non_numeric_amount": 1}
    assert any("gb18030" in d or "gbk" in d for d in res.decisions)
    orders = store.read("orders").set_index("order_id")
    assert orders.loc["A1", "amount"] == 130.0 and orders.loc["A2", "amount"] == 50.0
    assert orders.loc["A1", "ordered_at"] == pd.Timestamp("2024-03-05")
    items = store.read("order_items")
    assert sorted(items["category"]) == ["服饰", "服饰", "美妆"]
    assert items.groupby("order_id")["line_amount"].sum().to_dict() == {"A1": 130.0, "A2": 50.0}
    returns = store.read("returns")
    assert returns[["order_id", "customer_id", "amount"]].values.tolist() == [["A2", "C002", 50.0]]
    quarantine = store.read("_quarantine")
    assert len(quarantine) == 5
    raw = json.loads(quarantine.sort_values("row_number").iloc[0]["raw"])
    assert raw["订单号"] == "A3"  # the raw row is kept, headers and all


def test_same_file_twice_loads_nothing_twice(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,order_date,amount\n1,a,2024-01-01,10\n2,b,2024-01-02,20\n")
    first = ingest(path, store, today=TODAY)
    second = ingest(path, store, today=TODAY)
    assert first.rows_loaded == 2
    assert (second.rows_loaded, second.duplicates_skipped) == (0, 2)
    _accounting(second)
    assert store.count("orders") == 2
    # An overlapping export (different file) only adds the new order.
    path2 = tmp_path / "orders2.csv"
    path2.write_text("order_id,customer_id,order_date,amount\n2,b,2024-01-02,20\n3,c,2024-01-03,30\n")
    third = ingest(path2, store, today=TODAY)
    assert (third.rows_loaded, third.duplicates_skipped) == (1, 1)
    assert store.count("orders") == 3
    assert store.count("_ingest_log") == 3


def test_semicolon_decimal_comma_day_first_latin1(tmp_path: Path, store: Store) -> None:
    text = "Bestellnummer;Kunde;Datum;Betrag;Région\nX1;k1;25.12.2023;1.234,50 EUR;Île-de-France\nX2;k2;05.01.2024;9,99;Zürich\n"
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(SchemaError) as exc:
        ingest(path, store, today=TODAY)
    msg = str(exc.value)
    assert "'Kunde'" in msg and "--map" in msg  # the error lists the headers and the fix
    res = ingest(path, store, today=TODAY,
                 mapping=["Bestellnummer=order_id", "Kunde=customer_id", "Datum=ordered_at", "Betrag=amount",
                          "Région=region"])
    _accounting(res)
    assert res.rows_loaded == 2
    assert any("day-first" in d for d in res.decisions) and any("decimal comma" in d for d in res.decisions)
    orders = store.read("orders").set_index("order_id")
    assert orders.loc["X1", "amount"] == 1234.5
    assert orders.loc["X1", "ordered_at"] == pd.Timestamp("2023-12-25")
    assert orders.loc["X1", "region"] == "Île-de-France"


def test_ambiguous_dates_refused_then_settled(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "o.csv"
    path.write_text("order_id\tcustomer_id\tdate\tsales\n1\ta\t01/02/2024\t5\n2\tb\t03/04/2024\t6\n")
    with pytest.raises(ParseError, match="--dayfirst or --monthfirst"):
        ingest(path, store, today=TODAY)
    res = ingest(path, store, today=TODAY, dayfirst=True)
    assert res.rows_loaded == 2
    assert store.read("orders").set_index("order_id").loc["1", "ordered_at"] == pd.Timestamp("2024-02-01")


def test_utf8_bom_pipe_delimiter_and_quoted_fields(tmp_path: Path, store: Store) -> None:
    text = "\ufeff订单编号|客户编号|下单日期|订单金额|渠道\n\"D|1\"|c1|2024-05-01|\"1,000.00\"|小程序\n"
    path = tmp_path / "bom.csv"
    path.write_text(text, encoding="utf-8")
    res = ingest(path, store, today=TODAY)
    assert res.rows_loaded == 1 and res.revenue == 1000.0
    assert store.read("orders")["order_id"].tolist() == ["D|1"]
    assert store.read("orders")["channel"].tolist() == ["小程序"]


def test_excel_and_parquet(tmp_path: Path, store: Store) -> None:
    df = pd.DataFrame({
        "Order ID": ["E1", "E2", "E3"],
        "Customer ID": [101, 102, 101],
        "Order Date": pd.to_datetime(["2024-01-02 10:00", "2024-01-03 00:00", "2024-02-01 00:00"]),
        "Sales": [10.5, 20.0, 30.25],
    })
    xlsx = tmp_path / "orders.xlsx"
    df.to_excel(xlsx, index=False)
    res = ingest(xlsx, store, today=TODAY)
    assert res.rows_loaded == 3 and res.customers == 2 and res.revenue == pytest.approx(60.75)
    assert sorted(store.read("orders")["customer_id"]) == ["101", "101", "102"]  # ids as text, no '.0'
    pq = tmp_path / "more.parquet"
    df.assign(**{"Order ID": ["P1", "P2", "P3"]}).to_parquet(pq)
    res = ingest(pq, store, today=TODAY)
    assert res.rows_loaded == 3
    got = store.read("orders").set_index("order_id")
    assert got.loc["P1", "ordered_at"] == pd.Timestamp("2024-01-02 10:00")


def test_pandas_and_polars_frames(store: Store) -> None:
    pl = pytest.importorskip("polars")
    frame = pd.DataFrame({"order_id": ["F1", "F2"], "customer_id": ["x", "y"],
                          "ordered_at": pd.to_datetime(["2024-01-01", "2024-01-02"]), "amount": [1.0, 2.0]})
    res = ingest(frame, store, today=TODAY)
    assert res.rows_loaded == 2 and res.source == "<dataframe>"
    res = ingest(pl.DataFrame({"order_id": ["G1"], "customer_id": ["z"], "ordered_at": ["2024-01-05"],
                               "amount": [3.0]}), store, today=TODAY, name="polars")
    assert res.rows_loaded == 1 and store.count("orders") == 3


def test_uci_style_cancellations_go_to_returns(tmp_path: Path, store: Store) -> None:
    text = ("InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
            "536365,85123A,6,12/1/2010 8:26,2.55,17850\n"
            "536365,71053,6,12/1/2010 8:26,3.39,17850\n"
            "C536379,D,-1,12/13/2010 9:41,27.5,14527\n"
            "536366,22633,6,12/1/2010 8:28,0,17850\n")
    path = tmp_path / "uci.csv"
    path.write_text(text)
    res = ingest(path, store, today=TODAY)
    _accounting(res)
    assert res.returns == 1 and res.orders == 2
    assert store.read("returns")["amount"].tolist() == [27.5]
    orders = store.read("orders").set_index("order_id")
    assert orders.loc["536365", "amount"] == pytest.approx(6 * 2.55 + 6 * 3.39)
    # A free order (zero price) is still a purchase: loaded with amount 0.
    assert orders.loc["536366", "amount"] == 0.0


def test_conflicting_customer_in_one_order_is_quarantined(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "o.csv"
    path.write_text("order_id,customer_id,order_date,product_id,amount\nZ1,a,2024-01-01,p,5\nZ1,b,2024-01-01,q,6\n")
    res = ingest(path, store, today=TODAY)
    assert res.quarantine_reasons == {"conflicting_customer_in_order": 2}
    assert store.count("orders") == 0


def test_other_tables(tmp_path: Path, store: Store) -> None:
    cust = tmp_path / "customers.csv"
    cust.write_bytes("会员ID,注册时间,性别,年龄,城市等级,月收入\nC1,2023-01-05,女,31,一线,\"12,000\"\nC2,2023-02-01,男,200,二线,8000\nC1,2023-01-05,女,31,一线,\"12,000\"\n".encode("gb18030"))
    res = ingest(cust, store, today=TODAY)
    assert res.table == "customers"
    assert (res.rows_loaded, res.rows_quarantined, res.duplicates_skipped) == (1, 1, 1)
    assert res.quarantine_reasons == {"age_out_of_range": 1}
    assert store.read("customers").loc[0, "income"] == 12000.0
    surveys = tmp_path / "surveys.csv"
    surveys.write_text("response_id,customer_id,answered_at,nps,csat,score_delivery\nr1,C1,2024-01-01,9,5,4\nr2,C1,2024-02-01,11,5,4\n")
    res = ingest(surveys, store, today=TODAY)
    assert res.rows_loaded == 1 and res.quarantine_reasons == {"nps_out_of_range": 1}
    assert "score_delivery" in store.columns("surveys")
    camp = tmp_path / "camp.csv"
    camp.write_text("campaign_id,customer_id,group,exposed_at\nK,C1,对照组,2024-01-01\nK,C2,Treatment,2024-01-01\nK,C3,purple,2024-01-01\n")
    res = ingest(camp, store, today=TODAY, table="campaign_members")
    assert res.quarantine_reasons == {"unknown_group": 1}
    assert sorted(store.read("campaign_members")["group"]) == ["control", "treatment"]


def test_unknown_table_guess_is_explained(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "x.csv"
    path.write_text("foo,bar\n1,2\n")
    with pytest.raises(SchemaError, match="pass --table customers"):
        ingest(path, store)


def test_store_reopens_with_data(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as st:
        ingest(pd.DataFrame({"order_id": ["1"], "customer_id": ["a"], "ordered_at": ["2024-01-01"],
                             "amount": ["5"]}), st, today=TODAY)
    with Store(path) as st:
        assert st.count("orders") == 1 and st.schema_version == 1
