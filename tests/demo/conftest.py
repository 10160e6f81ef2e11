"""Shared demo shops (the default size once per session, plus a small one) and independent
readers of their exports (deliberately not the custlens ingest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from demo_dates import DEMO_DATES

from custlens.demo import DemoShop, generate_shop


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory) -> DemoShop:
    """The default demo shop (5,000 members, seed 42)."""
    return generate_shop(tmp_path_factory.mktemp("demo_default"), **DEMO_DATES)


@pytest.fixture(scope="session")
def small_shop(tmp_path_factory: pytest.TempPathFactory) -> DemoShop:
    return generate_shop(tmp_path_factory.mktemp("demo_small"), customers=300, seed=7, **DEMO_DATES)


FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y年%m月%d日")


def _read_lines(shop: DemoShop) -> pd.DataFrame:
    """orders.csv as strings plus parsed ``ts``, ``paid``, ``unit``, ``disc``, ``qty`` columns."""
    df = pd.read_csv(shop.paths["orders"], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    ts = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    for fmt in FORMATS:
        ts = ts.fillna(pd.to_datetime(df["下单时间"], format=fmt, errors="coerce"))
    df["ts"] = ts
    for src, dst in (("实付金额", "paid"), ("单价", "unit"), ("优惠金额", "disc")):
        clean = df[src].str.replace(r"[¥,元]", "", regex=True)
        df[dst] = pd.to_numeric(clean, errors="coerce")
    df["qty"] = pd.to_numeric(df["数量"], errors="coerce")
    return df


def _valid_lines(shop: DemoShop, df: pd.DataFrame) -> pd.DataFrame:
    """Lines an ingest should load into orders: no mess, no duplicates, no refunds."""
    end = pd.Timestamp(shop.truth["period_end_exclusive"])
    ok = (df["会员ID"] != "") & df["ts"].notna() & (df["ts"] < end) & df["paid"].notna()
    ok &= ~df.drop(columns=["ts", "paid", "unit", "disc", "qty"]).duplicated()
    return df[ok & (df["qty"] > 0)]


def _money_ok(df: pd.DataFrame) -> np.ndarray:
    """实付金额 == 数量 x 单价 - 优惠金额 to the cent, where all are numbers."""
    m = df[["paid", "unit", "disc", "qty"]].notna().all(axis=1)
    d = df[m]
    return np.abs(d["qty"] * d["unit"] - d["disc"] - d["paid"]).to_numpy() < 0.005


@pytest.fixture(scope="session")
def lines(shop: DemoShop) -> pd.DataFrame:
    """Every row of the default shop's orders.csv, parsed."""
    return _read_lines(shop)


@pytest.fixture(scope="session")
def valid(shop: DemoShop, lines: pd.DataFrame) -> pd.DataFrame:
    """The rows an ingest should load into orders."""
    return _valid_lines(shop, lines)


@pytest.fixture(scope="session")
def read_lines():  # noqa: ANN201
    """The orders.csv reader, for other shops than the default one."""
    return _read_lines


@pytest.fixture(scope="session")
def money_ok():  # noqa: ANN201
    return _money_ok
