"""A hand-built shop whose behaviour figures are computed by hand in the tests.

Orders (customer: day time amount)::

    a: 2024-01-05 10:00 100 | 2024-01-20 12:00 50 | 2024-03-10 21:00 30            (3 orders)
    b: 2024-01-15 (date only) 200                                                   (1 order)
    c: 2024-02-01 09:30 80 | 2024-02-01 18:00 20 | 2024-02-11 20:00 40             (3 orders, 2 days)
    d: 2024-02-20 19:00 60 | 2024-03-01..2024-03-09 20:00 10 each                  (10 orders)
    f: 2024-03-25 20:00 70                                                          (1 order)
    e: customer record only (a prospect)

Order lines (item sets): o_a1 {X, Y}, o_a2 {X, X, Y, Z} (X twice), o_b1 {X}, o_c1 {Y, Z}, o_c2 {X, Y}.
"""

from __future__ import annotations

import pandas as pd

from custlens.store import Store

AS_OF = "2024-04-01"


def _orders() -> pd.DataFrame:
    rows = [
        ("o_a1", "a", "2024-01-05 10:00:00", 100.0, "APP", "alipay"),
        ("o_a2", "a", "2024-01-20 12:00:00", 50.0, "APP", "wechat"),
        ("o_a3", "a", "2024-03-10 21:00:00", 30.0, "PC", "alipay"),
        ("o_b1", "b", "2024-01-15 00:00:00", 200.0, "PC", None),
        ("o_c1", "c", "2024-02-01 09:30:00", 80.0, "APP", "alipay"),
        ("o_c2", "c", "2024-02-01 18:00:00", 20.0, "APP", "alipay"),
        ("o_c3", "c", "2024-02-11 20:00:00", 40.0, None, "alipay"),
        ("o_d0", "d", "2024-02-20 19:00:00", 60.0, "APP", "wechat"),
    ]
    rows += [(f"o_d{k}", "d", f"2024-03-0{k} 20:00:00", 10.0, "APP", "wechat") for k in range(1, 10)]
    rows += [("o_f1", "f", "2024-03-25 20:00:00", 70.0, "APP", "wechat")]
    df = pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "amount", "channel", "payment_method"])
    df["ordered_at"] = pd.to_datetime(df["ordered_at"])
    return df


def _items() -> pd.DataFrame:
    sets = {"o_a1": ["X", "Y"], "o_a2": ["X", "X", "Y", "Z"], "o_b1": ["X"], "o_c1": ["Y", "Z"], "o_c2": ["X", "Y"]}
    rows = []
    for oid, items in sets.items():
        for i, it in enumerate(items, 1):
            rows.append((oid, i, it, 1.0, 10.0 * i, 10.0 * i, f"name {it}", f"cat{it}", "brand"))
    return pd.DataFrame(rows, columns=["order_id", "line_no", "product_id", "quantity", "unit_price", "line_amount",
                                       "product_name", "category", "brand"])


def _customers() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "signup_at": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-01-30", "2024-02-01", "2024-02-01", "2024-03-20"]),
        "gender": ["F", "M", "F", None, "M", "F"],
        "age": [25.0, 40.0, None, 33.0, 19.0, 60.0],
        "city_tier": ["一线", "二线", "一线", "三线", None, "二线"],
        "income": [5000.0, 8000.0, 3000.0, 12000.0, 4000.0, 9000.0],
        "acquisition_channel": ["search", "ads", "search", "social", "ads", "search"],
    })


def _insert(store: Store, table: str, df: pd.DataFrame) -> None:
    store._con.register("_toy", df)
    cols = ", ".join(f'"{c}"' for c in df.columns)
    store._con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _toy')
    store._con.unregister("_toy")


def fill(store: Store, items: bool = True, customers: bool = True, surveys: bool = True) -> Store:
    """Insert the toy shop into an empty store."""
    _insert(store, "orders", _orders())
    if items:
        _insert(store, "order_items", _items())
    if customers:
        _insert(store, "customers", _customers())
    if surveys:
        _insert(store, "surveys", pd.DataFrame({
            "response_id": ["r1", "r2", "r3", "r4", "r5", "r6"],
            "customer_id": ["a", "b", "c", "d", "f", "a"],
            "answered_at": pd.to_datetime(["2024-02-01", "2024-02-02", "2024-02-03", "2024-03-01", "2024-03-02",
                                           "2024-05-01"]),  # the last one is after AS_OF
            "nps": [10.0, 9.0, 8.0, 6.0, 0.0, 0.0],
        }))
        _insert(store, "feedback", pd.DataFrame({
            "feedback_id": ["f1", "f2"], "customer_id": ["a", "a"],
            "created_at": pd.to_datetime(["2024-01-22", "2024-03-12"]), "text": ["good", "late delivery"],
            "kind": ["review", "complaint"], "rating": [5.0, 2.0]}))
        _insert(store, "tickets", pd.DataFrame({
            "ticket_id": ["t1"], "customer_id": ["a"], "opened_at": pd.to_datetime(["2024-03-12"]),
            "category": ["delivery"]}))
    return store
