"""Segment migration: every customer counted once, at both dates, on labels and on a store."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlens.errors import InputError
from custlens.segments import migration, migration_from_labels
from custlens.segments.migration import NEW, NONE
from custlens.store import Store

_SEGS = ["x", "y", "z"]


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.integers(0, 40), st.sampled_from(_SEGS), max_size=30),
       st.dictionaries(st.integers(0, 40), st.sampled_from(_SEGS), max_size=30))
def test_every_customer_is_conserved(before: dict[int, str], after: dict[int, str]) -> None:
    def frame(d: dict[int, str]) -> pd.DataFrame:
        return pd.DataFrame({"customer_id": [f"c{k}" for k in d], "segment": list(d.values())})

    res = migration_from_labels(frame(before), frame(after), _SEGS)
    everyone = set(before) | set(after)
    assert int(res.matrix.to_numpy().sum()) == len(everyone) == len(res.customers)
    rows = res.matrix.sum(axis=1)
    cols = res.matrix.sum(axis=0)
    for s in _SEGS:
        assert rows[s] == sum(v == s for v in before.values())
        assert cols[s] == sum(v == s for v in after.values())
    assert rows[NEW] == len(set(after) - set(before))
    assert cols[NONE] == len(set(before) - set(after))
    assert res.flows["customers"].sum() == len(everyone)


def test_hand_made_moves() -> None:
    before = pd.DataFrame({"customer_id": ["a", "b", "c"], "segment": ["x", "x", "y"]})
    after = pd.DataFrame({"customer_id": ["a", "b", "d"], "segment": ["x", "y", "x"]})
    res = migration_from_labels(before, after, ["x", "y"])
    assert res.matrix.loc["x", "x"] == 1 and res.matrix.loc["x", "y"] == 1
    assert res.matrix.loc["y", NONE] == 1 and res.matrix.loc[NEW, "x"] == 1
    assert res.stayed == pytest.approx(0.5)
    flows = res.flows.set_index(["from_segment", "to_segment"])["share_of_from"]
    assert flows[("x", "y")] == pytest.approx(0.5)
    with pytest.raises(InputError, match="duplicate customer ids"):
        migration_from_labels(pd.concat([before, before]), after)


def test_migration_on_a_store_conserves_customers(store: Store) -> None:
    rows = []
    for i in range(40):
        rows.append((f"o{i}a", f"c{i}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=i), 10.0 + i))
        if i % 3 == 0:
            rows.append((f"o{i}b", f"c{i}", pd.Timestamp("2024-03-01") + pd.Timedelta(days=i), 5.0 * i + 1))
    store._con.executemany("INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES (?, ?, ?, ?)",
                          rows)
    res = migration(store, "2024-01-21", "2024-05-01", scheme="rfm11")
    assert int(res.matrix.to_numpy().sum()) == 40
    assert int(res.matrix.loc[NEW].sum()) == 20  # first orders on Jan 21 .. Feb 9
    assert int(res.matrix[NONE].sum()) == 0
    assert list(res.matrix.index[:11]) == list(res.matrix.columns[:11])  # the 11 rfm11 segments
    res = migration(store, "2024-02-01", "2024-05-01", scheme="abc")
    assert int(res.matrix.to_numpy().sum()) == 40
    with pytest.raises(InputError, match="must be before"):
        migration(store, "2024-05-01", "2024-02-01")


def test_rfm_migration_from_rfm_inputs_equals_full_customer_tables(demo_store: Store) -> None:
    """The RFM path (`rfm_inputs`, and the end table handed in) gives the same transitions as
    segmenting two full customer tables."""
    from custlens.features import customer_table
    from custlens.segments.schemes import segment_customers

    t1 = demo_store.default_as_of()
    t0 = t1 - pd.Timedelta(days=180)
    res = migration(demo_store, t0, t1, scheme="rfm11")
    after = segment_customers(customer_table(demo_store, t1), "rfm11")
    before = segment_customers(customer_table(demo_store, t0), "rfm11").customers
    ref = migration_from_labels(before, after.customers, list(after.segments["segment"]), "rfm11", t0, t1)
    pd.testing.assert_frame_equal(res.matrix, ref.matrix)
    pd.testing.assert_frame_equal(res.customers, ref.customers)
    handed = migration(demo_store, t0, t1, scheme="rfm11", customers=customer_table(demo_store, t1))
    pd.testing.assert_frame_equal(handed.matrix, ref.matrix)
    assert res.matrix.loc["none_before"].sum() > 0 and res.stayed < 1  # a real mix of moves
