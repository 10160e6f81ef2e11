"""Stores for the quality tests: a clean shop and one with planted problems."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from custlens import Store

TODAY = "2024-03-01"


def put(store: Store, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    store._con.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [list(r) for r in rows])


O = ("order_id", "customer_id", "ordered_at", "amount", "discount", "channel")
I = ("order_id", "line_no", "product_id", "quantity", "unit_price", "line_amount", "category")
R = ("order_id", "customer_id", "returned_at", "amount")
C = ("customer_id", "signup_at", "age", "birth_date", "income")
S = ("response_id", "customer_id", "answered_at", "nps", "csat")
F = ("feedback_id", "customer_id", "created_at", "text", "kind")
T = ("ticket_id", "customer_id", "opened_at", "first_response_at", "resolved_at")
M = ("campaign_id", "customer_id", "group", "exposed_at", "cost")


def fill_clean(store: Store) -> Store:
    """Every table present, every provided column filled, nothing inconsistent."""
    put(store, "customers", C, [
        ("c1", "2023-01-05 10:00:00", 34.0, "1990-01-01", 5000.0),
        ("c2", "2024-02-28 10:00:00", 51.0, "1973-05-06", 7000.0),
    ])
    put(store, "orders", O, [
        ("o1", "c1", "2024-02-01 10:00:00", 100.0, 10.0, "web"),
        ("o2", "c2", "2024-02-29 09:00:00", 50.0, 0.0, "app"),
    ])
    put(store, "order_items", I, [
        ("o1", 1, "p1", 2.0, 30.0, 60.0, "books"),
        ("o1", 2, "p2", 1.0, 50.0, 50.0, "toys"),  # 110 = 100 paid + 10 discount
        ("o2", 1, "p1", 1.0, 50.0, 50.0, "books"),
    ])
    put(store, "returns", R, [("o1", "c1", "2024-02-05 10:00:00", 30.0)])
    put(store, "surveys", S, [("s1", "c1", "2024-02-10 10:00:00", 9.0, 5.0)])
    put(store, "feedback", F, [("f1", "c2", "2024-02-29 12:00:00", "great", "review")])
    put(store, "tickets", T, [("t1", "c1", "2024-02-10 10:00:00", "2024-02-10 11:00:00", "2024-02-11 10:00:00")])
    put(store, "campaign_members", M, [
        ("k1", "c1", "treatment", "2024-02-20 00:00:00", 1.0),
        ("k1", "c2", "control", "2024-02-20 00:00:00", 0.0),
    ])
    put(store, "_ingest_log",
        ("source", "sha256", "table_name", "rows_read", "rows_loaded", "rows_quarantined",
         "duplicates_skipped", "started_at", "finished_at"),
        [("orders.csv", "abc", "orders", 2, 2, 0, 0, "2024-02-29 10:00:00", "2024-02-29 10:00:01")])
    return store


def fill_messy(store: Store) -> Store:
    """Planted problems; the expected counts are listed in test_assess.EXPECTED."""
    put(store, "customers", C, [
        ("c1", "2024-02-28 10:00:00", 30.0, "1890-05-01", 100.0),  # birth before 1900
        ("c2", "2030-01-01 00:00:00", 130.0, None, None),  # future signup, age > 120
        ("c3", None, -1.0, None, -5.0),  # negative age, negative income
        ("c4", None, None, None, None),
        ("c4", None, None, None, None),  # duplicate key
    ])
    put(store, "orders", O, [
        ("o1", "c1", "2024-02-28 10:00:00", 100.0, 10.0, "web"),
        ("o2", "c2", "2024-02-20 10:00:00", 50.0, None, "web"),
        ("o3", "c9", "2024-02-21 10:00:00", 30.0, None, "web"),  # unknown customer
        ("o4", "c1", "1985-06-01 10:00:00", 20.0, None, "web"),  # before 1990
        ("o5", "c3", "2024-05-01 10:00:00", 40.0, None, "web"),  # future
        ("o6", "c3", "2024-02-22 10:00:00", 0.0, None, "web"),  # not positive
        ("o6", "c3", "2024-02-22 11:00:00", 15.0, None, "web"),  # duplicate order id
        ("o7", "c8", "2024-02-23 10:00:00", 25.0, -3.0, None),  # unknown customer, negative discount, no channel
    ])
    put(store, "order_items", I, [
        ("o1", 1, "p1", 2.0, 30.0, 60.0, "books"),
        ("o1", 2, "p2", 1.0, 50.0, 50.0, "toys"),  # 110 = 100 + 10 discount: fine
        ("o2", 1, "p1", 1.0, 50.0, 50.0, "books"),
        ("o2", 2, "p3", 1.0, -1.0, 0.0, "books"),  # negative unit price
        ("o3", 1, "p1", 1.0, 10.0, 10.0, "books"),  # 10 vs 30: line sum mismatch
        ("o4", 1, "p1", 1.0, 20.0, 20.0, "books"),
        ("o4", 1, "p4", 0.0, 5.0, 0.0, "books"),  # duplicate line, quantity 0
        ("o9", 1, "p1", 1.0, 5.0, 5.0, "books"),  # unknown order
    ])
    put(store, "returns", R, [
        ("o1", "c1", "2024-02-29 10:00:00", 30.0),
        ("o1", "c1", "2024-02-27 10:00:00", 20.0),  # before its order (Feb 28)
        ("o1", "c1", "2024-02-29 11:00:00", -5.0),  # not positive
        ("o2", "c2", "2024-02-25 10:00:00", 60.0),  # more than the order's 50
        ("oX", "c2", "2024-02-25 10:00:00", 10.0),  # no such order
    ])
    put(store, "surveys", S, [
        ("s1", "c1", "2024-02-10 10:00:00", 11.0, 3.0),  # nps > 10
        ("s2", "c2", "2024-02-10 10:00:00", 5.0, 0.0),  # csat < 1
        ("s3", "c7", "2024-02-10 10:00:00", 9.0, 6.0),  # unknown customer, csat > 5
        ("s1", "c1", "2024-02-11 10:00:00", 10.0, 5.0),  # duplicate id
    ])
    put(store, "feedback", F, [
        ("f1", "c1", "2024-02-10 10:00:00", "ok", "review"),
        ("f2", "c2", "2024-02-10 10:00:00", "bad", "rant"),  # invalid kind
    ])
    put(store, "tickets", T, [
        ("t1", "c1", "2024-02-10 10:00:00", "2024-02-11 10:00:00", "2024-02-09 10:00:00"),  # resolved before
        ("t2", "c2", "2024-02-10 10:00:00", "2024-02-09 10:00:00", "2024-02-12 10:00:00"),  # response before
        ("t3", "c6", "2024-02-10 10:00:00", "2024-02-10 11:00:00", "2024-02-10 12:00:00"),  # unknown customer
    ])
    put(store, "campaign_members", M, [
        ("k1", "c1", "treatment", "2024-02-20 00:00:00", 1.0),
        ("k1", "c2", "ctrl", "2024-02-20 00:00:00", -1.0),  # invalid group, negative cost
        ("k1", "c1", "control", "2024-02-20 00:00:00", 1.0),  # duplicate (campaign, customer)
    ])
    put(store, "_quarantine", ("source", "table_name", "row_number", "raw", "reason", "ingested_at"), [
        ("orders.csv", "orders", 4, "o,c,2024-13-45,1", "bad date", "2024-02-29 10:00:00"),
        ("orders.csv", "orders", 7, "o,c,2024-14-45,1", "bad date", "2024-02-29 10:00:00"),
        ("orders.csv", "orders", 9, "o,,2024-01-01,1", "missing customer", "2024-02-29 10:00:00"),
    ])
    put(store, "_ingest_log",
        ("source", "sha256", "table_name", "rows_read", "rows_loaded", "rows_quarantined",
         "duplicates_skipped", "started_at", "finished_at"),
        [("orders.csv", "abc", "orders", 12, 8, 3, 0, "2024-02-29 10:00:00", "2024-02-29 10:00:01")])
    return store


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(":memory:") as s:
        yield s


@pytest.fixture
def clean(store: Store) -> Store:
    return fill_clean(store)


@pytest.fixture
def messy(store: Store) -> Store:
    return fill_messy(store)


@pytest.fixture(scope="module")
def messy_shared() -> Iterator[Store]:
    """The messy store, shared by a module's tests: never write to it."""
    with Store(":memory:") as s:
        yield fill_messy(s)


@pytest.fixture
def put_rows():
    """``put_rows(store, table, columns, rows)``: insert rows straight into a table."""
    return put
