"""`custlens.segments.migration` as of commit 5c1950d (before the issue-13 speed-ups): only the changed code.

`migration_from_labels` (outer merge and crosstab on string ids) and `migration` (which calls it)
were rewritten; they are kept here verbatim as the oracle of tests/segments/test_fast_paths.py.
`MigrationResult`, `NEW` and `NONE` did not change since 5c1950d and are imported from src.
"""

from __future__ import annotations

import pandas as pd

from custlens.errors import InputError
from custlens.features.columns import CUSTOMER_ID
from custlens.segments.migration import NEW, NONE, MigrationResult
from custlens.store import Store


def migration_from_labels(before: pd.DataFrame, after: pd.DataFrame, order: list[str] | tuple[str, ...] = (),
                          scheme: str = "", start: pd.Timestamp | None = None,
                          end: pd.Timestamp | None = None) -> MigrationResult:
    """The old `custlens.segments.migration_from_labels` (same parameters and result)."""
    for name, frame in (("before", before), ("after", after)):
        if frame[CUSTOMER_ID].duplicated().any():
            raise InputError(f"{name}: duplicate customer ids (e.g. "
                             f"{frame.loc[frame[CUSTOMER_ID].duplicated(), CUSTOMER_ID].iloc[0]!r})")
    merged = before[[CUSTOMER_ID, "segment"]].rename(columns={"segment": "from_segment"}).merge(
        after[[CUSTOMER_ID, "segment"]].rename(columns={"segment": "to_segment"}), on=CUSTOMER_ID, how="outer")
    merged["from_segment"] = merged["from_segment"].astype(object).where(merged["from_segment"].notna(), NEW)
    merged["to_segment"] = merged["to_segment"].astype(object).where(merged["to_segment"].notna(), NONE)
    seen = list(order) + [s for s in pd.unique(pd.concat([merged["from_segment"], merged["to_segment"]]))
                          if s not in set(order) and s not in (NEW, NONE)]
    rows, cols = [*seen, NEW], [*seen, NONE]
    matrix = pd.crosstab(merged["from_segment"], merged["to_segment"]).reindex(
        index=rows, columns=cols, fill_value=0).astype("int64")
    matrix.index.name, matrix.columns.name = "from_segment", "to_segment"
    flows = matrix.stack().rename("customers").reset_index()
    flows = flows[flows["customers"] > 0].reset_index(drop=True)
    totals = matrix.sum(axis=1)
    flows["share_of_from"] = flows["customers"] / flows["from_segment"].map(totals).to_numpy(dtype=float)
    merged = merged.sort_values(CUSTOMER_ID, kind="mergesort").reset_index(drop=True)
    return MigrationResult(scheme, start, end, merged, matrix, flows)


def migration(store: Store, start: str | pd.Timestamp, end: str | pd.Timestamp | None = None,
              scheme: str = "rfm11", *, customers: pd.DataFrame | None = None,
              **kwargs: object) -> MigrationResult:
    """The old `custlens.segments.migration` (same parameters and result)."""
    from custlens.features import customer_table, rfm_inputs
    from custlens.segments.rfm_maps import SCHEMES
    from custlens.segments.schemes import segment_customers

    store.require("orders", "segment migration")
    t1 = pd.Timestamp(end) if end is not None else store.default_as_of()
    t0 = pd.Timestamp(start)
    if not t0 < t1:
        raise InputError(f"the first date {t0.date()} must be before the second {t1.date()}")
    table = rfm_inputs if scheme in SCHEMES else customer_table
    after_tab = customers if customers is not None else table(store, t1)
    after = segment_customers(after_tab, scheme, store=store, as_of=t1, **kwargs)  # type: ignore[arg-type]
    before_tab = table(store, t0)
    if len(before_tab) == 0:
        before = pd.DataFrame({CUSTOMER_ID: pd.Series([], dtype=object), "segment": pd.Series([], dtype=object)})
    else:
        before = segment_customers(before_tab, scheme, store=store, as_of=t0, **kwargs).customers  # type: ignore[arg-type]
    order = list(after.segments["segment"])
    return migration_from_labels(before, after.customers, order, scheme, t0, t1)

