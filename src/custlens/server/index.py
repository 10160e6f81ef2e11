"""The customer-360 index: every customer's 360 view answerable without touching the store.

`custlens.customer360.customer_360` rebuilds the customer table, the RFM segments and the
lifecycle stages on each call (0.45 s on 2,000 customers). The server builds those once per
store state, with the per-customer lists (recent orders, feedback, tickets, surveys, top
preferences) read in one query per table and sliced by position, and assembles the same
dictionary in a few milliseconds. ``tests/server/test_index.py`` checks that the result
equals ``customer_360`` (and so ``custlens customer ID --json``) customer by customer.

When the analysis contract lands (issue 14) a bulk ``customer_360`` belongs in the library;
this module is where the server would switch to it.
"""

from __future__ import annotations

import bisect
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custlens.behaviour._common import before, has_column, ts
from custlens.behaviour.preferences import DIMENSIONS, _source, _value
from custlens.customer360 import PROFILE_COLUMNS, SUMMARY_COLUMNS, saved_row
from custlens.results import jsonable as _plain
from custlens.lifecycle import StageRules, customer_stages
from custlens.store import Store

__all__ = ["Customer360Index", "NotFound"]


class NotFound(LookupError):
    """An unknown customer or segment (the server answers a plain 404, without the id)."""

#: Event tables listed in the 360 view: (table, time column, key in the result).
_EVENTS = (("orders", "ordered_at", "recent_orders"), ("feedback", "created_at", "feedback"),
           ("tickets", "opened_at", "tickets"), ("surveys", "answered_at", "surveys"))


class _Positions:
    """Row ranges of each customer in rows grouped by customer id: a sorted key array and `searchsorted`.

    A dict of a million ids costs ~100 MB and seconds to build per table; a NumPy string array
    of the distinct ids costs a few bytes per id and answers in microseconds.
    """

    def __init__(self, ids: pa.ChunkedArray | pa.Array):
        ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
        ids = ids.cast(pa.string())
        n = len(ids)
        change = pc.not_equal(ids.slice(1), ids.slice(0, max(n - 1, 0))).to_numpy(zero_copy_only=False)
        starts = np.flatnonzero(np.r_[True, change]) if n else np.array([], dtype=np.int64)
        ends = np.r_[starts[1:], n] if n else np.array([], dtype=np.int64)
        keys = np.asarray(ids.take(pa.array(starts)).to_numpy(zero_copy_only=False), dtype=str)
        order = np.argsort(keys, kind="stable")  # the engine's collation need not be NumPy's order
        self.keys, self.starts, self.ends = keys[order], starts[order], ends[order]

    def span(self, cid: str) -> tuple[int, int]:
        """``(start, end)`` of the customer's rows; ``(0, 0)`` when there are none."""
        i = int(np.searchsorted(self.keys, cid))
        if i < len(self.keys) and self.keys[i] == cid:
            return int(self.starts[i]), int(self.ends[i])
        return 0, 0


class _Slices:
    """Rows of an Arrow table grouped by customer, turned into records on request.

    Arrow keeps ten million order rows in a few hundred MB (Python objects would take GBs);
    a customer's slice becomes records in microseconds. Cells go through the same `_plain`
    as `customer_360`.
    """

    def __init__(self, table: pa.Table):
        self.pos = _Positions(table.column("customer_id"))
        self.body = table.drop_columns(["customer_id"]).combine_chunks()
        self.columns = self.body.column_names

    def records(self, cid: str) -> list[dict[str, Any]]:
        s, e = self.pos.span(cid)
        if e == s:
            return []
        return [{k: _plain(v) for k, v in row.items()} for row in self.body.slice(s, e - s).to_pylist()]


class _Rows:
    """One row per customer of a pandas frame, read by position column by column (no object copy)."""

    def __init__(self, frame: pd.DataFrame):
        frame = frame.reset_index(drop=True)
        self.pos = _Positions(pa.array(frame["customer_id"].astype(str).to_numpy(), type=pa.string()))
        self.columns = {c: frame[c].array for c in frame.columns if c != "customer_id"}

    def first(self, cid: str) -> dict[str, Any] | None:
        """The customer's first row as raw cells (not `_plain`-ed)."""
        s, e = self.pos.span(cid)
        return {c: a[s] for c, a in self.columns.items()} if e > s else None


class Customer360Index:
    """Precomputed parts of the 360 view of every customer, as of one date.

    Parameters
    ----------
    store : Store
        Open store (read-only is enough); read once here, never by `get`.
    recent : int, default 10
        Recent orders, feedback items, tickets and survey answers per customer (as in `customer_360`).
    scheme : str, default "rfm11"
        RFM segment map.

    Attributes
    ----------
    as_of : Timestamp
    ids : list of str
        Every customer id (orders or customers table), sorted: the search index.
    """

    def __init__(self, store: Store, recent: int = 10, scheme: str = "rfm11"):
        from custlens import analyses
        from custlens.features import customer_table

        store.require("orders", "the customer 360 view")
        self.as_of = store.default_as_of()
        self.scheme, self.recent = scheme, recent
        cut = ts(self.as_of)
        self.table = customer_table(store, self.as_of).set_index("customer_id", drop=False)
        self.rows = _Rows(self.table)
        segs = analyses.rfm(store, as_of=self.as_of, scheme=scheme, customers=self.table.reset_index(drop=True)).customers
        self.segments = _Rows(segs)
        stages = customer_stages(store, self.as_of, StageRules())
        self.stages = _Rows(stages[["customer_id", "stage"]].astype({"stage": str}))
        in_orders = store.execute(store.table("orders").select("customer_id").distinct())["customer_id"]
        self.in_orders = set(map(str, in_orders))
        self.profiles: dict[str, dict[str, Any]] = {}
        if store.has("customers"):
            prof = store.read("customers")
            cols = [c for c in PROFILE_COLUMNS if c in prof.columns]
            for row in prof.drop_duplicates("customer_id").itertuples(index=False):
                d = row._asdict()
                self.profiles[str(d["customer_id"])] = {c: _plain(d[c]) for c in cols}
        self.ids = sorted(self.in_orders | set(self.profiles))
        from custlens.clv.scores import score_status

        # Saved scores count only when computed as of this view's date (as in `customer_360`).
        self.score_state = {name: score_status(store, f"{name}_scores", self.as_of).to_dict()
                            for name in ("clv", "churn")}
        self.scores = {f"{n}_scores": self._scores(store, f"{n}_scores") if st["state"] == "ok" else {}
                       for n, st in self.score_state.items()}
        self.voc = self._voc(store, self.as_of)
        self.events = {key: _Slices(self._events(store, table, col, cut)) for table, col, key in _EVENTS
                       if store.has(table)}
        self.preferences = {dim: _Slices(self._preferences(store, tab, col, cut))
                            for dim, (tab, col) in DIMENSIONS.items() if has_column(store, tab, col)}

    # -- bulk reads ------------------------------------------------------------------
    @staticmethod
    def _scores(store: Store, table: str) -> dict[str, dict[str, Any]]:
        """First row per customer, as `customer_360._scores` reads it (``LIMIT 1``)."""
        if not store.exists(table) or "customer_id" not in store.columns(table):
            return {}
        df = store.read(table)
        df["customer_id"] = df["customer_id"].astype(str)
        df = df.drop_duplicates("customer_id")
        cols = [c for c in df.columns if c != "customer_id"]
        return {cid: saved_row(dict(zip(cols, vals)))
                for cid, *vals in df[["customer_id", *cols]].itertuples(index=False, name=None)}

    @staticmethod
    def _voc(store: Store, as_of: pd.Timestamp) -> dict[str, dict[str, Any]]:
        """The `customer_voc` row of every customer who has one (as `customer_360._voc` reads it)."""
        from custlens.voc.customer import customer_voc

        df = customer_voc(store, as_of)
        # One customer's row has no sentiment column when they wrote no feedback; match that.
        return {str(cid): {k: _plain(v) for k, v in row.items() if not (k == "feedback_sentiment" and pd.isna(v))}
                for cid, row in df.iterrows()}

    def _events(self, store: Store, table: str, col: str, cut: Any) -> pa.Table:
        t = before(store, table, col, cut)
        t = t.mutate(_rk=ibis.row_number().over(group_by="customer_id", order_by=ibis.desc(col)))
        t = t.filter(t._rk < int(self.recent)).order_by(["customer_id", "_rk"])
        return store.ibis.to_pyarrow(t.drop("_rk", *[c for c in ("source",) if c in t.columns]))

    @staticmethod
    def _preferences(store: Store, tab: str, col: str, cut: Any, top: int = 3) -> pa.Table:
        s = _source(store, cut, tab, col)
        g = s.group_by(["customer_id", _value(s).name("value")]).aggregate(
            orders=s.order_id.nunique(), revenue=s.rev.sum())
        g = g.mutate(_rk=ibis.row_number().over(group_by="customer_id", order_by=[ibis.desc("revenue"), "value"]))
        return store.ibis.to_pyarrow(g.filter(g._rk < int(top)).order_by(["customer_id", "_rk"])
                                     .select("customer_id", "value", "orders", "revenue"))

    # -- queries ---------------------------------------------------------------------
    def search(self, prefix: str, offset: int = 0, limit: int = 20) -> tuple[int, list[str]]:
        """Customer ids starting with ``prefix`` (case-sensitive), sorted: (total, one page)."""
        lo = bisect.bisect_left(self.ids, prefix)
        hi = bisect.bisect_left(self.ids, prefix + "\U0010ffff") if prefix else len(self.ids)
        return hi - lo, self.ids[lo + offset:min(hi, lo + offset + limit)]

    def __contains__(self, cid: str) -> bool:
        return cid in self.in_orders or cid in self.profiles

    def get(self, customer_id: str) -> dict[str, Any]:
        """The 360 dictionary of one customer (the keys and values of `customer_360`).

        Raises
        ------
        NotFound
            The customer has neither an order nor a customer record.
        """
        cid = str(customer_id).strip()
        if cid not in self:
            raise NotFound("unknown customer")
        row = self.rows.first(cid)
        has_row = row is not None
        summary = {c: _plain(row[c]) for c in SUMMARY_COLUMNS if c in row} if has_row else {}
        segment, scores = None, None
        if has_row:
            seg = self.segments.first(cid)
            segment = str(seg["segment"])
            scores = {k: _plain(seg[f"{k}_score"]) for k in ("r", "f", "m")}
        events = {key: (self.events[key].records(cid) if key in self.events else [])
                  for _, _, key in _EVENTS}
        return {
            "customer_id": cid,
            "as_of": str(self.as_of.date()),
            "orders": int(summary.get("orders") or 0),
            "revenue": float(summary.get("total_spend") or 0.0),
            "first_order": _plain(row["first_order_at"]) if has_row else None,
            "last_order": _plain(row["last_order_at"]) if has_row else None,
            "aov": summary.get("aov"),
            "days_since_last": summary.get("days_since_last"),
            "segment": segment,
            "segment_scheme": self.scheme,
            "rfm": scores,
            "lifecycle_stage": (self.stages.first(cid) or {"stage": "prospect"})["stage"],
            "profile": self.profiles.get(cid),
            "order_summary": summary,
            "preferences": {dim: s.records(cid) for dim, s in self.preferences.items()}
            if cid in self.in_orders else {},
            "clv": self.scores["clv_scores"].get(cid),
            "churn": self.scores["churn_scores"].get(cid),
            "recent_orders": events["recent_orders"],
            "feedback": events["feedback"],
            "tickets": events["tickets"],
            "surveys": events["surveys"],
            "scores": self.score_state,
            "voc": self.voc.get(cid),
        }
