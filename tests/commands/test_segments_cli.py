"""``custlens segments``: the JSON contract, --export contents and clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from custlens.cli import app
from custlens.segments import AUDIENCE_COLUMNS
from custlens.store import Store

runner = CliRunner()


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 customers: 20 frequent big spenders, 20 recent one-order buyers, 20 long gone; demographics."""
    path = tmp_path_factory.mktemp("segments_cli") / "shop.duckdb"
    rows, people = [], []
    for i in range(60):
        group, cid = i // 20, f"c{i:02d}"
        if group == 0:
            rows += [(f"{cid}-{j}", cid, pd.Timestamp("2024-01-05") + pd.Timedelta(days=15 * j + i % 5), 200.0 + i)
                     for j in range(10)]
        elif group == 1:
            rows.append((f"{cid}-0", cid, pd.Timestamp("2024-05-20") + pd.Timedelta(days=i % 7), 30.0 + i))
        else:
            rows += [(f"{cid}-0", cid, pd.Timestamp("2023-06-01") + pd.Timedelta(days=i), 60.0),
                     (f"{cid}-1", cid, pd.Timestamp("2023-07-01") + pd.Timedelta(days=i), 40.0)]
        people.append((cid, "女" if i % 2 else "男", 20 + i % 30))
    with Store(path) as st:
        orders_df = pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "amount"])
        persons = pd.DataFrame(people, columns=["customer_id", "gender", "age"])
        st._con.register("orders_df", orders_df)
        st._con.register("persons", persons)
        st._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) SELECT * FROM orders_df")
        st._con.execute("INSERT INTO customers (customer_id, gender, age) SELECT * FROM persons")
    return path


def test_json_contract_for_an_rfm_scheme(shop: Path) -> None:
    res = _run("segments", "--scheme", "rfm11", "--store", shop, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["scheme"] == "rfm11" and data["customers"] == 60
    assert [s["segment"] for s in data["segments"]][:2] == ["champions", "loyal"]
    assert sum(s["customers"] for s in data["segments"]) == 60
    assert sum(s["revenue_share"] for s in data["segments"]) == pytest.approx(1.0)
    for s in data["segments"]:
        assert {"name", "customers", "revenue_share", "action", "channel", "offer"} <= set(s)


@pytest.mark.parametrize("scheme", ["kmeans", "lrfmc"])
def test_json_of_clusters_has_k_and_silhouette(shop: Path, scheme: str) -> None:
    data = json.loads(_run("segments", "--scheme", scheme, "--store", shop, "--json", "--lang", "zh").stdout)
    assert data["k"] == len(data["segments"]) and 3 <= data["k"] <= 8
    assert -1 <= data["silhouette"] <= 1
    assert sum(s["customers"] for s in data["segments"]) == 60
    fixed = json.loads(_run("segments", "--scheme", scheme, "--store", shop, "--json", "--k", "3").stdout)
    assert fixed["k"] == 3
    if scheme == "lrfmc":
        assert "L、R、F、M" in data["notes"][0]  # no discount column: the stated fallback


def test_export_writes_the_audience_with_crm_columns(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "risk.csv"
    res = _run("segments", "--scheme", "abc", "--segment", "a", "--export", out, "--store", shop, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    frame = pd.read_csv(out)
    a_row = next(s for s in data["segments"] if s["segment"] == "a")
    assert len(frame) == a_row["customers"] == data["audience"]
    assert list(frame.columns) == [*AUDIENCE_COLUMNS, "gender", "age"]
    assert set(frame["segment"]) == {"a"} and frame["total_spend"].is_monotonic_decreasing
    assert frame["action"].str.len().min() > 0 and frame["channel"].notna().all()
    # the segment can be named in Chinese; every scheme and the whole list export too
    out2 = tmp_path / "all.csv"
    assert _run("segments", "--scheme", "value", "--export", out2, "--store", shop, "--lang", "zh").exit_code == 0
    everyone = pd.read_csv(out2)
    assert len(everyone) == 60 and everyone["customer_id"].is_unique
    name = everyone["name"].iloc[0]
    res = _run("segments", "--scheme", "value", "--segment", name, "--store", shop, "--json")
    assert json.loads(res.stdout)["audience"] == int((everyone["name"] == name).sum())


def test_table_output_lists_segments_and_playbooks(shop: Path) -> None:
    res = _run("segments", "--scheme", "cn8", "--store", shop, "--lang", "zh")
    assert res.exit_code == 0, res.output
    assert "重要价值客户" in res.stdout and "RFM 客户价值分类" in res.stdout


def test_clean_errors(shop: Path, tmp_path: Path) -> None:
    res = _run("segments", "--scheme", "dbscan", "--store", shop)
    assert res.exit_code == 1
    assert res.stderr == "error: --scheme 'dbscan' is unknown; use one of rfm11, rf10, cn8, kmeans, lrfmc, abc, value\n"
    res = _run("segments", "--scheme", "abc", "--segment", "zz", "--store", shop)
    assert res.exit_code == 1
    assert res.stderr.startswith("error: segment 'zz' is not in scheme 'abc'; use one of: a (A: top revenue")
    res = _run("segments", "--scheme", "kmeans", "--k", "1", "--store", shop)
    assert res.exit_code == 1 and "k must be >= 2" in res.stderr and "Traceback" not in res.output
