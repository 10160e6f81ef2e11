"""Segment migration between two as-of dates: who moved from which segment to which.

Every customer known at either date is counted exactly once: a customer with no order before
the first date starts in the state ``none_before`` (not yet a customer), and a customer missing
from the second segmentation ends in ``none_after``. The transition matrix therefore sums to the number of
customers at the second date plus those only in the first, and its row sums are the segment
sizes at the first date (plus ``none_before``), its column sums those at the second date.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from custlens.errors import InputError
from custlens.features.columns import CUSTOMER_ID
from custlens.results import Result
from custlens.store import Store

__all__ = ["MigrationResult", "migration", "migration_from_labels", "NEW", "NONE"]

#: State of a customer with no order before the first date ("not yet a customer"); not ``new``,
#: which is a segment of ``rfm11``.
NEW = "none_before"
#: State of a customer absent from the second segmentation.
NONE = "none_after"


@dataclass(frozen=True)
class MigrationResult(Result):
    """Transitions of customers between the segments of one scheme at two dates.

    Attributes
    ----------
    scheme : str
    start, end : pandas.Timestamp or None
        The two as-of dates.
    customers : pandas.DataFrame
        ``customer_id, from_segment, to_segment``, one row per customer.
    matrix : pandas.DataFrame
        Counts, rows = segment at ``start`` (with ``none_before``), columns = segment at
        ``end`` (with ``none_after``); zero rows and columns kept in display order.
    flows : pandas.DataFrame
        ``from_segment, to_segment, customers, share_of_from`` for every non-zero cell.
    """

    scheme: str
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    customers: pd.DataFrame
    matrix: pd.DataFrame
    flows: pd.DataFrame

    @property
    def stayed(self) -> float:
        """Share of the customers present at both dates who kept their segment."""
        both = self.customers[(self.customers["from_segment"] != NEW) & (self.customers["to_segment"] != NONE)]
        return float((both["from_segment"] == both["to_segment"]).mean()) if len(both) else float("nan")


def migration_from_labels(before: pd.DataFrame, after: pd.DataFrame, order: list[str] | tuple[str, ...] = (),
                          scheme: str = "", start: pd.Timestamp | None = None,
                          end: pd.Timestamp | None = None) -> MigrationResult:
    """Transition matrix between two labellings (``customer_id, segment`` frames).

    Parameters
    ----------
    before, after : pandas.DataFrame
        ``customer_id, segment``, one row per customer.
    order : sequence of str
        Segment display order; segments not listed are appended.

    Returns
    -------
    MigrationResult
    """
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
    """Segment the customers as of ``start`` and as of ``end`` and count the moves.

    The RFM schemes (``rfm11``, ``rf10``, ``cn8``) read only recency, orders and spend, so their
    tables come from `custlens.features.rfm_inputs` (one aggregate over the orders, the same
    values as the customer table's columns) instead of full customer tables.

    Parameters
    ----------
    store : Store
    start : date-like
        The first as-of date (must be before ``end``).
    end : date-like, optional
        The second as-of date; default the store's (day after the last order).
    scheme : str, default "rfm11"
        Any scheme of `custlens.segments.segment_customers`.
    customers : pandas.DataFrame, optional
        The customer table as of ``end`` when the caller has it already (the report's shared
        one); computed when omitted.
    **kwargs
        Passed to `segment_customers` (e.g. ``k``).

    Returns
    -------
    MigrationResult
    """
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
