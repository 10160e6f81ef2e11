"""The Store methods that keep SQL inside store.py: append, clear, prepare, _meta, map_column."""

from __future__ import annotations

import pandas as pd
import pytest

from custlens.store import Store


@pytest.fixture
def mem() -> Store:
    st = Store(":memory:")
    yield st
    st.close()


def test_append_matches_columns_by_name_and_leaves_the_rest_null(mem: Store) -> None:
    frame = pd.DataFrame({"amount": [5.0, 7.5], "customer_id": ["a", "b"], "order_id": ["1", "2"],
                          "ordered_at": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    assert mem.append("orders", frame) == 2
    got = mem.read("orders").sort_values("order_id")
    assert got["amount"].tolist() == [5.0, 7.5] and got["customer_id"].tolist() == ["a", "b"]
    assert got["channel"].isna().all()


def test_clear_empties_a_table(mem: Store) -> None:
    mem.append("orders", pd.DataFrame({"order_id": ["1"], "customer_id": ["a"],
                                       "ordered_at": pd.to_datetime(["2024-01-01"]), "amount": [1.0]}))
    mem.clear("orders")
    assert mem.count("orders") == 0 and "amount" in mem.columns("orders")


def test_prepare_compiles_once_and_sees_new_rows(mem: Store) -> None:
    o = mem.table("orders")
    run = mem.prepare(o.aggregate(n=o.count(), revenue=o.amount.sum()))
    assert int(run()["n"].iloc[0]) == 0
    mem.append("orders", pd.DataFrame({"order_id": ["1", "2"], "customer_id": ["a", "a"],
                                       "ordered_at": pd.to_datetime(["2024-01-01", "2024-01-05"]),
                                       "amount": [2.0, 3.0]}))
    again = run()
    assert int(again["n"].iloc[0]) == 2 and float(again["revenue"].iloc[0]) == 5.0


def test_meta_round_trip(mem: Store) -> None:
    assert mem.meta("nothing") is None
    mem.set_meta({"k1": "v1", "k2": "v2"})
    assert (mem.meta("k1"), mem.meta("k2")) == ("v1", "v2")
    assert mem.schema_version >= 1


def test_map_column_rewrites_by_cleaned_key(mem: Store) -> None:
    mem._con.execute("CREATE TEMP TABLE staging AS SELECT * FROM (VALUES ('12.0'), (' 12 '), ('7'), (NULL)) v(id)")
    n = mem.map_column("staging", "id", "CAST(TRY_CAST(trim(id) AS DOUBLE) AS BIGINT)::VARCHAR",
                       lambda v: f"p_{v}")
    assert n == 2  # '12' and '7'
    values = sorted(mem.execute(mem.table("staging"))["id"].dropna())
    assert values == ["p_12", "p_12", "p_7"]
