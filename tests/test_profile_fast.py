"""The profile on integer codes (issue 13) gives the same tables as the straightforward code.

The old implementation is kept verbatim in ``tests/reference_impl/customer_profile.py``. Its rows
came in the store's join order, which fixes how equal revenues and incomes are split between
bands (quantiles of ranks); the new one sorts them by customer id, so the old one is run here
with its rows in id order. Compared on the demo shop and on stores with edge cases: buyers
without a customer record, customers who never ordered or signed up after ``as_of``, ties across
the bands, numeric and missing attribute values, a raw "(missing)" value, no customers table.
"""

from __future__ import annotations

import pandas as pd
import pytest
import toyshop
from reference_impl import customer_profile as old

from custlens.features import customer_table
from custlens.profile import profile
from custlens.segments import rfm
from custlens.store import Store


@pytest.fixture
def old_in_id_order(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    people = old._people
    monkeypatch.setattr(old, "_people", lambda st, as_of: people(st, as_of).sort_values(
        "customer_id", kind="mergesort").reset_index(drop=True))
    return old.profile


def _same(new, ref) -> None:  # type: ignore[no-untyped-def]
    for name in ("distributions", "tests", "segment_mix", "missing"):
        pd.testing.assert_frame_equal(getattr(new, name), getattr(ref, name), check_exact=True, obj=name)
    assert (new.dimensions, new.n_customers, new.as_of) == (ref.dimensions, ref.n_customers, ref.as_of)


def test_profile_equals_the_old_one_on_the_demo_shop(demo: Store, old_in_id_order) -> None:
    table = customer_table(demo)
    seg = rfm(table).customers[["customer_id", "segment"]]
    ref = old_in_id_order(demo, segments=seg)
    assert len(ref.dimensions) >= 5 and len(ref.tests) == 2 * len(ref.dimensions)  # a real comparison
    _same(profile(demo, segments=seg, customers=table), ref)  # the report's path
    _same(profile(demo), ref)  # the library's: orders and segments computed


def test_profile_equals_the_old_one_on_edge_cases(store: Store, old_in_id_order) -> None:
    rows = [(f"o{i}", f"c{i % 13:02d}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=i), 10.0 * (1 + i % 3))
            for i in range(40)]  # many equal revenues: ties across the value bands
    rows.append(("ox", "zz-no-record", pd.Timestamp("2024-02-01"), 30.0))  # a buyer without a customer record
    store._con.executemany("INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES (?, ?, ?, ?)", rows)
    people = [(f"c{i:02d}", ["F", "M", None, "(missing)"][i % 4], [18000.0, 18000.0, None, 52000.0][i % 4],
               [25.0, None, 61.0, 17.0][i % 4], "2023-01-01") for i in range(13)]
    people += [("p-never", "F", 9000.0, 40.0, "2023-05-01"),  # never ordered
               ("p-later", "M", 1000.0, 33.0, "2024-12-01")]  # signed up after as_of: left out
    store._con.executemany("INSERT INTO customers (customer_id, gender, income, age, signup_at) VALUES (?, ?, ?, ?, ?)",
                          people)
    as_of = pd.Timestamp("2024-03-01")
    table = customer_table(store, as_of)
    seg = rfm(table).customers[["customer_id", "segment"]]
    ref = old_in_id_order(store, as_of=as_of, segments=seg)
    assert "p-later" not in set(ref.segment_mix["value"]) and ref.n_customers == 15
    _same(profile(store, as_of=as_of, segments=seg, customers=table), ref)
    # segments for some customers only, in another order; and none at all
    part = seg.iloc[::-2]
    _same(profile(store, as_of=as_of, segments=part, customers=table), old_in_id_order(store, as_of=as_of, segments=part))
    none = seg.iloc[:0]
    _same(profile(store, as_of=as_of, segments=none), old_in_id_order(store, as_of=as_of, segments=none))


def test_profile_equals_the_old_one_without_demographics(toy: Store, store: Store, old_in_id_order) -> None:
    _same(profile(toy, as_of=toyshop.AS_OF), old_in_id_order(toy, as_of=toyshop.AS_OF))
    store._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES "
                       "('o1', 'b', '2024-01-01', 5), ('o2', 'a', '2024-01-02', 5)")
    _same(profile(store), old_in_id_order(store))


def test_duplicate_segment_ids_are_refused(toy: Store) -> None:
    from custlens.errors import InputError

    seg = pd.DataFrame({"customer_id": ["a", "a"], "segment": ["s1", "s2"]})
    with pytest.raises(InputError, match="duplicate customer ids"):
        profile(toy, as_of=toyshop.AS_OF, segments=seg)
