"""The engine seam: engine selection, the Spark store's life cycle and its clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custlens import Store, engines
from custlens.cli import app
from custlens.errors import EngineNotSupported, StoreError
from engines.test_parity import assert_same

pytestmark = pytest.mark.spark


def test_unknown_engine_is_refused(shop_path: Path) -> None:
    with pytest.raises(StoreError, match=r"engine='polars' is unknown; use one of: duckdb, spark"):
        Store(shop_path, engine="polars")


def test_memory_store_is_refused_on_spark(spark_session: object) -> None:
    with pytest.raises(StoreError, match="reads an existing store file, not ':memory:'"):
        Store(":memory:", engine="spark")


def test_one_spark_store_at_a_time(shop_path: Path, spark_session: object, tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    Store(other).close()
    with Store(shop_path, engine="spark"):
        with pytest.raises(StoreError, match="a Spark store is already open"):
            Store(other, engine="spark")
    with Store(other, engine="spark") as st:  # closing released the first one
        assert st.count("orders") == 0
        assert int(st.execute(st.table("orders").count())) == 0  # an empty table is a Spark view too


def test_close_removes_the_snapshot(shop_path: Path, spark_session: object) -> None:
    st = Store(shop_path, engine="spark")
    folder = Path(engines._active["dir"])
    assert any(folder.iterdir())
    st.close()
    assert not folder.exists() and not engines._active
    assert "orders" not in [t.name for t in spark_session.catalog.listTables()]


def test_sql_text_on_a_spark_store_names_its_caller(shop_path: Path, spark_session: object) -> None:
    """Code outside the store reaching a Spark store's DuckDB file is refused, by name; the
    analyses themselves run on Spark (their queries are Ibis expressions)."""
    from custlens.cohorts import cohorts

    with Store(shop_path, engine="spark") as st:
        assert len(cohorts(st).table) > 0
        with pytest.raises(EngineNotSupported, match=r"test_engines\.test_sql_text_on_a_spark_store_names_its_caller"):
            st._con.execute("SELECT 1")
        with pytest.raises(EngineNotSupported, match="data quality is not yet available on Spark"):
            engines.duckdb_only(st, "data quality")
        assert st.count("orders") > 0 and st.has("returns")  # the store's own metadata still reads


def test_duckdb_store_is_unguarded(shop_path: Path) -> None:
    with Store(shop_path, read_only=True) as st:
        engines.duckdb_only(st, "anything")
        assert st._con.execute("SELECT 1").fetchall() == [(1,)]


def test_cli_engine_spark_matches_duckdb(shop_path: Path, spark_session: object) -> None:
    runner = CliRunner()
    args = ["customers", "--store", str(shop_path), "--as-of", "2025-07-01", "--json"]
    duck = runner.invoke(app, args)
    spark = runner.invoke(app, ["--engine", "spark", *args])
    assert duck.exit_code == 0, duck.output
    assert spark.exit_code == 0, spark.output
    assert spark.output == duck.output
    assert engines.default_engine() == "duckdb"  # reset after the command


@pytest.mark.parametrize("args", [
    ["profile"], ["behaviour", "--country", "CN"], ["lifecycle"], ["loyalty"], ["customer", "tie_a"],
], ids=lambda a: a[0])
def test_cli_commands_on_spark(shop_path: Path, spark_session: object, args: list[str]) -> None:
    """Every command listed in `SPARK_COMMANDS` prints the same JSON on both engines (`assert_same`)."""
    assert args[0] in engines.SPARK_COMMANDS
    runner = CliRunner()
    full = [*args, "--store", str(shop_path), "--as-of", "2025-07-01", "--json"]
    duck = runner.invoke(app, full)
    spark = runner.invoke(app, ["--engine", "spark", *full])
    assert duck.exit_code == 0, duck.output
    assert spark.exit_code == 0, spark.output
    # Same keys, strings and counts; floats to 1e-9 relative (sums of doubles in another order).
    assert_same(json.loads(duck.output), json.loads(spark.output), " ".join(args))


def test_cli_engine_env_var(shop_path: Path, spark_session: object) -> None:
    res = CliRunner().invoke(app, ["rfm", "--store", str(shop_path), "--json"], env={"CUSTLENS_ENGINE": "spark"})
    ref = CliRunner().invoke(app, ["rfm", "--store", str(shop_path), "--json"])
    assert res.exit_code == 0, res.output
    assert res.output == ref.output


def test_cli_refuses_unsupported_command(shop_path: Path) -> None:
    res = CliRunner().invoke(app, ["--engine", "spark", "churn", "--store", str(shop_path)])
    assert res.exit_code == 1
    assert "error: `custlens churn` does not run on Spark yet (commands that do: customers, rfm, cohorts, quality, " \
           "profile, behaviour, lifecycle, loyalty, customer); drop --engine spark" in " ".join(res.output.split())
    assert engines.default_engine() == "duckdb"


def test_cli_unknown_engine(shop_path: Path) -> None:
    res = CliRunner().invoke(app, ["--engine", "polars", "customers", "--store", str(shop_path)])
    assert res.exit_code == 1
    assert "engine='polars' is unknown" in res.output
