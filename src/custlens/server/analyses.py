"""The one adapter between the server and the library: calls the analyses, returns JSON-safe dicts.

Everything the API and the dashboard show comes through `Analyses`, built on the analysis
contract (`custlens.analyses`: ``analysis(store, *, as_of=None, **options) -> XResult``,
converted with ``to_dict()`` / `custlens.results.jsonable`). The customer 360 comes from the
bulk `Customer360Index`, which answers what `custlens.analyses.customer` answers. Results are
cached per store state (`StoreState`).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd

from custlens import i18n
from custlens.errors import InputError
from custlens.results import jsonable
from custlens.results import records as _records
from custlens.server.index import Customer360Index, NotFound
from custlens.server.scoring import Fitted, fit_in_process, fit_models, score_history
from custlens.server.state import NotReady, StoreState

__all__ = ["Analyses", "jsonable", "neutralise"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading ``'`` (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class Analyses:
    """Every answer of the server, computed once per store state.

    Parameters
    ----------
    state : StoreState
    """

    def __init__(self, state: StoreState, background: bool = False):
        self.state, self.background = state, background
        #: Fit in a child process (default) or in the background thread itself (tests that patch `fit_models`).
        self.fit_in_process = True

    # -- shared, cached -----------------------------------------------------------------
    def index(self) -> Customer360Index:
        """The customer-360 index (customer table, segments, stages, per-customer lists).

        Built on the first call (which waits), or, with ``background=True`` (`custlens serve`),
        in a thread while requests get `NotReady` (503) instead of queueing for minutes.
        """
        if self.background:
            return self.state.background("index", Customer360Index, retry_after=10)
        return self.state.cached("index", Customer360Index)

    def fitted(self) -> Fitted:
        """CLV and churn models fitted on the store, in a background thread (once per store state).

        Raises
        ------
        NotReady
            The fits are running (started by this call if they were not); nothing waits for them.
        """
        fit = (lambda store: fit_in_process(self.state.path)) if self.fit_in_process else fit_models
        return self.state.background("fitted", fit, retry_after=30)

    def warm(self) -> None:
        """Build the index, then fit the models (the start-up thread of `custlens serve`)."""
        for name, step in (("index", self.index), ("fitted", self.fitted)):
            try:
                step()
            except NotReady:
                self.state.wait(name)
            except Exception:  # noqa: BLE001 - a store without enough data answers 409 per request
                pass

    def status(self) -> dict[str, Any]:
        """What is ready: the index, the models, the saved scores and where each list comes from."""
        models = self.state.status("fitted")
        out: dict[str, Any] = {"index": self.state.status("index"), "models": models}
        saved = dict(self.state.cached("saved_scores", _saved_status))
        out["as_of"] = saved.pop("as_of")
        out["saved_scores"] = saved
        for name in ("churn", "clv"):
            fresh = saved.get(name, {}).get("state") == "ok"
            out[f"{name}_lists"] = "saved" if fresh else ("computed" if models == "ready" else models)
        out["score"] = models
        seconds = dict(self.state.seconds)  # wall time of the background runs (index, fits)
        if models == "ready":
            seconds.update({f"fit_{k}": v for k, v in self.fitted().seconds.items()})
        out["seconds"] = seconds
        return out

    def _segmentation(self, scheme: str) -> Any:
        from custlens import analyses
        from custlens.segments import ALL_SCHEMES

        if scheme not in ALL_SCHEMES:
            raise InputError(f"scheme must be one of {', '.join(ALL_SCHEMES)}")

        def compute(store: Any) -> Any:
            demo = store.read("customers") if store.has("customers") else None
            return analyses.segments(store, as_of=self.index().as_of, scheme=scheme), demo

        return self.state.cached(f"segments:{scheme}", compute)

    # -- API answers --------------------------------------------------------------------
    def kpis(self, lang: str) -> dict[str, Any]:
        """Headline figures of the shop (`custlens.features.periods.headline_kpis`)."""
        from custlens.features.periods import headline_kpis

        k = self.state.cached("kpis", lambda st: headline_kpis(st))
        out = jsonable(dict(k))
        out["labels"] = {key: i18n.t(f"server.kpi.{key}", lang) for key in KPI_KEYS}
        return out

    def segments(self, scheme: str, lang: str) -> dict[str, Any]:
        """Segments of ``scheme`` with their size, revenue and playbook in ``lang``."""
        from custlens.segments import segment_text

        seg, _ = self._segmentation(scheme)
        rows = []
        for r in _records(seg.segments):
            for part in ("name", "action", "channel", "offer"):
                r[part] = segment_text(scheme, r["segment"], part, lang)
            rows.append(r)
        return {"scheme": scheme, "title": i18n.t(f"segment.{scheme}.title", lang),
                "as_of": str(self.index().as_of.date()), "segments": rows}

    def _audience(self, scheme: str, segment: str | None, lang: str) -> pd.DataFrame:
        from custlens.segments import audience, resolve_segment

        seg, demo = self._segmentation(scheme)
        if segment is not None:
            try:
                segment = resolve_segment(seg, segment)
            except InputError:
                raise NotFound("unknown segment") from None
        return audience(seg, self.index().table.reset_index(drop=True), segment, lang, demo)

    def members(self, scheme: str, segment: str, lang: str, offset: int, limit: int) -> dict[str, Any]:
        """One page of a segment's customers (largest spenders first)."""
        aud = self._audience(scheme, segment, lang)
        return {"scheme": scheme, "segment": segment, "total": len(aud), "offset": offset, "limit": limit,
                "customers": _records(aud.iloc[offset:offset + limit])}

    def audience_csv(self, scheme: str, segment: str | None, lang: str) -> bytes:
        """The audience as CSV for a CRM import: UTF-8 with BOM, formula-like cells neutralised."""

        aud = self._audience(scheme, segment, lang)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow([neutralise(str(c)) for c in aud.columns])
        for row in aud.itertuples(index=False, name=None):
            w.writerow([neutralise(_csv_cell(v)) for v in row])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")

    def customer(self, customer_id: str) -> dict[str, Any]:
        """The 360 view: the content of ``custlens customer ID --json``."""
        return jsonable(self.index().get(customer_id))

    def search(self, prefix: str, offset: int, limit: int) -> dict[str, Any]:
        """Customer ids starting with ``prefix``, with orders and revenue, one page."""
        ix = self.index()
        total, ids = ix.search(prefix, offset, limit)
        rows = []
        for cid in ids:
            has = cid in ix.table.index
            rows.append({"customer_id": cid, "orders": int(ix.table.at[cid, "orders"]) if has else 0,
                         "revenue": float(ix.table.at[cid, "total_spend"]) if has else 0.0})
        return {"prefix": prefix, "total": total, "offset": offset, "limit": limit, "customers": rows}

    def churn_lists(self) -> dict[str, Any]:
        """Early-warning and win-back lists: from saved ``churn_scores`` when they are as of the store's date,
        else from the server's own churn fit (`NotReady` while it runs).

        ``saved`` tells the state of the saved table (``ok``, ``stale``, ``missing``) and its context.
        """
        saved = self.index().score_state["churn"]
        if saved["state"] == "ok":
            return self.state.cached("churn_lists:saved", self._saved_churn_lists)
        res = self.fitted().churn
        return self.state.cached("churn_lists:computed", lambda store: self._lists(
            res.scores.drop(columns=["reasons"]), res.horizon.days, "computed"))

    def _saved_churn_lists(self, store: Any) -> dict[str, Any]:
        from custlens.churn import read_churn_scores

        ix = self.index()
        saved = read_churn_scores(store)  # reasons saved as keys, translated on reading
        t = ix.table[["days_since_last", "total_spend"]]
        scores = saved.join(t, on="customer_id", how="inner").rename(columns={"total_spend": "customer_value"})
        h = ix.score_state["churn"]["horizon_days"]
        if h is None or h != h:  # a save without a horizon: the default one, as `churn_analysis` picks it
            from custlens.churn.labels import default_horizon

            h = default_horizon(store, ix.as_of).days
        return self._lists(scores, float(h), "saved")

    def _lists(self, scores: pd.DataFrame, h: float, source: str) -> dict[str, Any]:
        from custlens.churn import early_warning, win_back

        return {"source": source, "horizon_days": int(h), "saved": self.index().score_state["churn"],
                "early_warning": early_warning(scores, h), "win_back": win_back(scores, h)}

    def churn_list(self, kind: str, lang: str, offset: int, limit: int) -> dict[str, Any]:
        """One page of the early-warning (``watch``) or ``winback`` list in ``lang``."""
        from custlens.churn import localise

        lists = self.churn_lists()
        frame = lists["early_warning" if kind == "watch" else "win_back"]
        page = localise(frame.iloc[offset:offset + limit], lang)
        return {"list": kind, "source": lists["source"], "saved": lists["saved"], "horizon_days": lists["horizon_days"],
                "total": len(frame), "offset": offset, "limit": limit, "customers": _records(page)}

    def clv_top(self, limit: int) -> dict[str, Any]:
        """Customers by CLV: the saved ``clv_scores`` when as of the store's date, else the server's own fit."""
        saved = self.index().score_state["clv"]
        if saved["state"] == "ok":
            source, scores = "saved", self.state.cached("clv_scores", lambda store: store.read("clv_scores"))
        else:
            source, scores = "computed", self.fitted().clv.scores
        top = scores.sort_values(["clv", "customer_id"], ascending=[False, True], kind="stable").head(limit)
        return {"source": source, "saved": saved, "total": len(scores), "customers": _records(top)}

    def score(self, orders: pd.DataFrame, profile: dict[str, Any] | None, returns: pd.DataFrame | None
              ) -> dict[str, Any]:
        """Scores of a posted history (see `custlens.server.scoring`)."""
        fitted = self.fitted()
        with self.state.lock:  # sklearn/DuckDB objects shared by the fitted models
            return jsonable(score_history(fitted, orders, profile, returns))

    def voc(self, customer_id: str) -> dict[str, Any]:
        """Surveys, feedback and tickets of one customer: counts, latest NPS, complaints."""
        ix = self.index()
        if customer_id not in ix:
            raise NotFound("unknown customer")
        tables, per = self.state.cached("voc", _voc_table)
        row = per.get(customer_id, {})
        return {"customer_id": customer_id, "as_of": str(ix.as_of.date()), "available": tables,
                **{k: row.get(k, 0 if k.endswith(("_count", "complaints", "open_tickets")) else None) for k in VOC_KEYS}}


KPI_KEYS = ("revenue", "orders", "customers", "aov", "revenue_per_customer", "repeat_purchase_rate",
            "returns_value")
VOC_KEYS = ("surveys_count", "latest_nps", "latest_nps_at", "mean_csat", "feedback_count", "complaints",
            "tickets_count", "open_tickets", "mean_ticket_satisfaction")


def _saved_status(store: Any) -> dict[str, Any]:
    """The store's as-of and the state of its saved scores (cheap: no index needed)."""
    from custlens.clv.scores import score_status

    as_of = store.default_as_of()
    return {"as_of": str(as_of.date()),
            **{n: score_status(store, f"{n}_scores", as_of).to_dict() for n in ("clv", "churn")}}


def _csv_cell(v: Any) -> Any:
    v = jsonable(v)
    return "" if v is None else v


def _voc_table(store: Any) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Loaded VoC tables and per-customer figures before ``as_of`` (as the 360 view), one query per table."""
    out: dict[str, dict[str, Any]] = {}
    tables: list[str] = []
    cut = store.default_as_of().to_pydatetime()

    def merge(df: pd.DataFrame) -> None:
        for r in _records(df):
            out.setdefault(str(r.pop("customer_id")), {}).update(r)

    def before(table: str, column: str) -> Any:
        t = store.table(table)
        return t.filter(t[column] < cut)

    if store.has("surveys"):
        tables.append("surveys")
        sv = before("surveys", "answered_at")
        has_nps = sv.nps.notnull()
        merge(store.execute(sv.group_by("customer_id").aggregate(
            surveys_count=sv.count(), mean_csat=sv.csat.mean(),
            latest_nps=sv.nps.argmax(sv.answered_at, where=has_nps), latest_nps_at=sv.answered_at.max(where=has_nps))))
    if store.has("feedback"):
        tables.append("feedback")
        fb = before("feedback", "created_at")
        merge(store.execute(fb.group_by("customer_id").aggregate(
            feedback_count=fb.count(), complaints=fb.count(where=fb.kind.lower() == "complaint"))))
    if store.has("tickets"):
        tables.append("tickets")
        tk = before("tickets", "opened_at")
        merge(store.execute(tk.group_by("customer_id").aggregate(
            tickets_count=tk.count(), open_tickets=tk.count(where=tk.resolved_at.isnull()),
            mean_ticket_satisfaction=tk.satisfaction.mean())))
    return tables, out
