"""Fixtures of the engine-parity suite: one local Spark session per test session, and one small
shop with edge cases stored once and opened on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from custlens import Store

#: The shop's as_of: orders, returns and signups on or after it must be ignored by both engines.
AS_OF = "2025-07-01"


@pytest.fixture(scope="session")
def spark_session() -> Iterator[object]:
    """The local Spark session (``local[2]``, UI off, 4 shuffle partitions), stopped at the end.

    Not skipped when pyspark or Java is missing: the ``test`` extra installs ``custlens[spark]``
    and ``make test`` installs Java (``make java``), so a missing one is a set-up failure.
    """
    from custlens import engines

    session = engines.spark_session()
    yield session
    session.stop()


def _shop(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """About 250 customers: repeat and one-time buyers, same-day orders, ties in spend, recency
    and order counts, refunds, discounts on some orders, null channels and categories, and
    rows on or after ``AS_OF``."""
    orders, items, returns = [], [], []
    start = pd.Timestamp("2023-01-01")
    for k in range(240):
        cid = f"c{k:03d}"
        n = 1 if k % 3 == 0 else int(rng.integers(2, 9))  # a third are one-time buyers
        first = start + pd.Timedelta(seconds=int(rng.integers(0, 800 * 86400)))
        times = sorted([first] + [first + pd.Timedelta(seconds=int(rng.integers(0, 600 * 86400))) for _ in range(n - 1)])
        for j, ts in enumerate(times):
            oid = f"o{k:03d}_{j}"
            amount = float(round(rng.choice([19.9, 25.0, 49.99, 100.0]) if k % 5 == 0 else rng.uniform(1, 500), 2))
            discount = float(round(rng.uniform(0, 20), 2)) if k % 4 == 1 else None
            channel = None if k % 7 == 0 else str(rng.choice(["app", "web", "store"]))
            orders.append((oid, cid, ts.floor("s"), amount, discount, channel))
            for line in range(1, int(rng.integers(1, 4))):
                cat = None if (k + line) % 11 == 0 else str(rng.choice(["books", "toys", "garden"]))
                qty = float(rng.integers(1, 3))
                price = float(round(amount / 2, 2))
                items.append((oid, line, cat, qty, price, None if line == 2 else qty * price))
            if k % 6 == 2 and j == 0:
                returns.append((oid, cid, ts + pd.Timedelta(days=3), float(round(amount / 3, 2))))
    # Hand-made edge cases: exact ties, two orders on one day, a customer only after as_of.
    for cid in ("tie_a", "tie_b"):
        orders.append((f"{cid}_1", cid, pd.Timestamp("2025-03-01 10:00:00"), 50.0, None, "web"))
        orders.append((f"{cid}_2", cid, pd.Timestamp("2025-03-01 18:00:00"), 50.0, None, "app"))
        orders.append((f"{cid}_3", cid, pd.Timestamp("2025-05-10 09:00:00"), 50.0, None, "web"))
        items.append((f"{cid}_1", 1, "books", 1.0, 50.0, 50.0))
        items.append((f"{cid}_1", 2, "toys", 1.0, 50.0, 50.0))  # category tie: books wins (alphabetical)
    orders.append(("late_1", "late", pd.Timestamp("2025-07-01 00:00:00"), 999.0, 9.0, "web"))  # on as_of
    orders.append(("late_2", "tie_a", pd.Timestamp("2025-08-01 12:00:00"), 77.0, None, "web"))  # after as_of
    returns.append(("tie_a_3", "tie_a", pd.Timestamp("2025-07-02 08:00:00"), 50.0))  # refund after as_of
    customers = pd.DataFrame({
        "customer_id": [f"c{k:03d}" for k in range(0, 240, 2)] + ["tie_a", "late", "prospect"],
        "signup_at": [start + pd.Timedelta(days=int(d)) for d in rng.integers(-100, 900, 120)]
        + [pd.Timestamp("2025-09-01"), pd.Timestamp("2025-06-30"), pd.Timestamp("2024-01-01")],
    })
    # Profile attributes with gaps, for the profile analysis and the 360.
    n = len(customers)
    customers["gender"] = [None if i % 9 == 0 else ("F" if i % 2 else "M") for i in range(n)]
    customers["age"] = [None if i % 8 == 0 else float(18 + (i * 7) % 50) for i in range(n)]
    customers["region"] = [None if i % 10 == 0 else ["East", "North", "South"][i % 3] for i in range(n)]
    customers["city_tier"] = [["tier1", "tier2", "tier3"][(i // 2) % 3] for i in range(n)]
    customers["income"] = [None if i % 6 == 0 else float(3000 + (i * 911) % 20000) for i in range(n)]
    return {
        "orders": pd.DataFrame(orders, columns=["order_id", "customer_id", "ordered_at", "amount", "discount", "channel"]),
        "order_items": pd.DataFrame(items, columns=["order_id", "line_no", "category", "quantity", "unit_price",
                                                    "line_amount"]),
        "returns": pd.DataFrame(returns, columns=["order_id", "customer_id", "returned_at", "amount"]),
        "customers": customers,
    }


@pytest.fixture(scope="session")
def shop_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The edge-case shop as a DuckDB store file (written directly: the engines are under test
    here, not ingest)."""
    path = tmp_path_factory.mktemp("engines") / "shop.duckdb"
    with Store(path) as st:
        for name, frame in _shop(np.random.default_rng(14)).items():
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            st._con.register("_frame", frame)
            st._con.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM _frame')
            st._con.unregister("_frame")
    return path


@pytest.fixture(scope="module")
def duck(shop_path: Path) -> Iterator[Store]:
    with Store(shop_path, read_only=True) as st:
        yield st


@pytest.fixture(scope="module")
def spark(shop_path: Path, spark_session: object) -> Iterator[Store]:
    with Store(shop_path, engine="spark") as st:
        yield st
