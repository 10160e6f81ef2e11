"""Random shops with the edge cases of period and cohort queries (tests/features/test_periods_reference.py,
tests/test_cohorts_reference.py): several orders of one customer at the same second and on the same day
(ties), one-time buyers, months without any order (2021-02..2021-06), zero-amount orders, a customer
whose first order falls in the partial last period (as of 2025-05-17) and orders after it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlens.store import Store


def random_orders(start: str, end: str, seed: int) -> pd.DataFrame:
    """Customers with random orders between ``start`` and ``end``, and the edge cases above."""
    rng = np.random.default_rng(seed)
    lo, hi = pd.Timestamp(start).value // 10**9, pd.Timestamp(end).value // 10**9
    rows = []
    for i in range(80):
        n = 1 if i % 4 == 0 else int(rng.integers(1, 12))  # a quarter are one-time buyers
        secs = rng.integers(lo, hi, size=n)
        for k, s in enumerate(secs):
            rows.append((f"c{i}", pd.Timestamp(int(s), unit="s"), float(rng.integers(0, 5000)) / 100))
            if k == 0 and i % 5 == 1:  # ties: the same second, and later the same day
                rows.append((f"c{i}", pd.Timestamp(int(s), unit="s"), 12.5))
                rows.append((f"c{i}", pd.Timestamp(int(s), unit="s").normalize() + pd.Timedelta(hours=23), 1.0))
    df = pd.DataFrame(rows, columns=["customer_id", "ordered_at", "amount"])
    gap = (df["ordered_at"] >= "2021-02-01") & (df["ordered_at"] < "2021-07-01")
    df = df[~gap]
    extra = pd.DataFrame({
        "customer_id": ["late", "late", "zero", "zero", "future"],
        "ordered_at": pd.to_datetime(["2025-05-16 23:59:59", "2025-05-10 08:00:00", "2023-09-01 00:00:00", "2024-02-29 12:00:00",
                                      "2025-09-01 00:00:00"]),
        "amount": [10.0, 5.0, 0.0, 0.0, 99.0],
    })
    df = pd.concat([df, extra], ignore_index=True)
    df["ordered_at"] = df["ordered_at"].astype("datetime64[us]")
    df.insert(0, "order_id", [f"o{i}" for i in range(len(df))])
    return df


def fill(store: Store, orders: pd.DataFrame) -> Store:
    store._con.register("_orders_df", orders)
    store._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) "
                       "SELECT order_id, customer_id, ordered_at, amount FROM _orders_df")
    store._con.unregister("_orders_df")
    return store


SHOPS = {"long": ("2019-03-15", "2025-06-10", 1), "two_years": ("2023-06-10", "2025-06-10", 2)}
