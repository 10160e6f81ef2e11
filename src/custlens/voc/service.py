"""Customer service: tickets by demand type and channel, response and resolution times, SLA, repeats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import ibis
import numpy as np
import pandas as pd

from custlens.errors import InputError
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store
from custlens.voc import _data

__all__ = ["DEFAULT_SLA", "DEMAND_RULES", "ServiceResult", "demand_type", "service_analysis"]

#: Default service levels: first response within 60 minutes, resolution within 72 hours
#: (common e-commerce targets; set your own with ``sla=``).
DEFAULT_SLA: Mapping[str, float] = {"first_response_minutes": 60.0, "resolution_hours": 72.0}
#: Demand type of a ticket category by keywords (first match wins; else ``other``).
DEMAND_RULES: Mapping[str, tuple[str, ...]] = {
    "complaint": ("投诉", "complaint", "质量", "quality", "差评"),
    "after_sale": ("退", "换", "售后", "物流", "快递", "配送", "维修", "return", "refund", "exchange", "delivery",
                   "shipping", "after"),
    "pre_sale": ("咨询", "售前", "询价", "inquiry", "enquiry", "question", "pre"),
    "account": ("账户", "账号", "支付", "付款", "account", "payment", "login", "password"),
}
#: Survey attributes of the service evaluation (seed ch. 11): attitude, efficiency, result.
SERVICE_ATTRIBUTES = ("attitude", "efficiency", "result")


def demand_type(category: object, rules: Mapping[str, tuple[str, ...]] = DEMAND_RULES) -> str:
    """``pre_sale``, ``after_sale``, ``complaint``, ``account`` or ``other`` from a ticket category."""
    if category is None or (isinstance(category, float) and np.isnan(category)):
        return "other"
    low = str(category).lower()
    for key, words in rules.items():
        if any(w in low for w in words):
            return key
    return "other"


@dataclass
class ServiceResult(Result):
    """Customer-service figures (see `service_analysis`).

    Attributes
    ----------
    tickets : int
    by_demand, by_channel : DataFrame
        ``tickets, share, first_response_median_min, resolution_median_h, first_response_breach,
        resolution_breach, open, satisfaction`` per group (breach = share of answered/resolved
        tickets over the SLA; open tickets older than the resolution SLA count as breaches).
    by_period : DataFrame
        The same per period.
    times : DataFrame
        Distribution of first-response minutes and resolution hours (``measure, n, p10, p25,
        median, p75, p90, mean``).
    service_scores : DataFrame
        ``attribute, answers, mean, index`` for the survey items attitude/efficiency/result
        (empty without them), plus the ticket ``satisfaction`` rating.
    repeat_rate : float
        Share of tickets followed by another ticket of the same customer within `repeat_days`.
    watch_list : DataFrame
        Customers with an open ticket or repeated contacts: ``customer_id, tickets, open,
        repeats, complaints, last_opened_at``.
    findings : list of (key, params)
        i18n keys ``voc.service.finding.*`` with their actions ``voc.service.action.*``.
    """

    tickets: int
    by_demand: pd.DataFrame
    by_channel: pd.DataFrame
    by_period: pd.DataFrame
    times: pd.DataFrame
    service_scores: pd.DataFrame
    repeat_rate: float
    repeat_days: int
    watch_list: pd.DataFrame
    sla: dict[str, float]
    findings: list[tuple[str, dict[str, Any]]]
    as_of: pd.Timestamp
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        def rec(df: pd.DataFrame) -> list[dict[str, Any]]:
            return df.replace({np.nan: None}).to_dict("records")

        return {"as_of": str(self.as_of.date()), "tickets": self.tickets, "sla": self.sla,
                "by_demand": rec(self.by_demand), "by_channel": rec(self.by_channel), "by_period": rec(self.by_period),
                "times": rec(self.times), "service_scores": rec(self.service_scores), "repeat_rate": self.repeat_rate,
                "repeat_days": self.repeat_days, "watch_list": rec(self.watch_list.head(100)),
                "findings": [{"finding": k, **p} for k, p in self.findings], "notes": self.notes}


def _summary(df: pd.DataFrame, by: str) -> pd.DataFrame:
    g = df.groupby(by, sort=True, dropna=False)
    out = pd.DataFrame({
        "tickets": g.size(),
        "first_response_median_min": g["first_min"].median(),
        "resolution_median_h": g["resolve_h"].median(),
        "first_response_breach": g["first_breach"].mean(),
        "resolution_breach": g["resolve_breach"].mean(),
        "open": g["open"].sum(),
        "satisfaction": g["satisfaction"].mean() if "satisfaction" in df else np.nan,
    })
    out.insert(1, "share", out["tickets"] / len(df))
    return out.reset_index()


def _quantiles(values: pd.Series, name: str) -> dict[str, Any]:
    v = values.dropna()
    q = v.quantile([0.1, 0.25, 0.5, 0.75, 0.9]).to_numpy() if len(v) else [np.nan] * 5
    return {"measure": name, "n": int(len(v)), "p10": q[0], "p25": q[1], "median": q[2], "p75": q[3], "p90": q[4],
            "mean": float(v.mean()) if len(v) else np.nan}


def service_analysis(store: Store, *, as_of: AsOf = None, sla: Mapping[str, float] | None = None,
                     repeat_days: int = 7, period: str = "quarter") -> ServiceResult:
    """Tickets by demand type, channel and period; response/resolution times, SLA breaches, repeats.

    Parameters
    ----------
    store : Store
        Needs ``tickets``; surveys with ``score_attitude/efficiency/result`` add the service
        evaluation; feedback complaints add to the watch list.
    as_of : date-like, optional
        Only tickets opened before this date; a response or resolution on or after it counts as
        not yet happened.
    sla : mapping, optional
        ``first_response_minutes`` and ``resolution_hours`` (defaults `DEFAULT_SLA`).
    repeat_days : int, default 7
        A ticket is a repeat contact when the same customer opened another within this many days before.
    period : {"quarter", "month", "year"}
    """
    sla = {**DEFAULT_SLA, **(sla or {})}
    if set(sla) - set(DEFAULT_SLA) or any(not v > 0 for v in sla.values()):
        raise InputError(f"sla={dict(sla)}: give positive first_response_minutes and resolution_hours")
    if repeat_days < 1:
        raise InputError(f"repeat_days={repeat_days!r} should be >= 1")
    t, cut = _data.load(store, "tickets", as_of, "the customer-service analysis")
    for col in ("first_response_at", "resolved_at"):
        if col not in t:
            t[col] = pd.NaT
        t[col] = pd.to_datetime(t[col]).where(pd.to_datetime(t[col]) < cut)  # not yet known at as_of
    t["demand_type"] = [demand_type(c) for c in t.get("category", pd.Series([None] * len(t)))]
    t["channel"] = t["channel"].fillna("?") if "channel" in t else "?"
    t["first_min"] = (t["first_response_at"] - t["opened_at"]).dt.total_seconds() / 60
    t["resolve_h"] = (t["resolved_at"] - t["opened_at"]).dt.total_seconds() / 3600
    age_h = (cut - t["opened_at"]).dt.total_seconds() / 3600
    t["open"] = t["resolved_at"].isna()
    # An unanswered or open ticket already older than its SLA is a breach; a younger one is undecided.
    t["first_breach"] = np.where(t["first_min"].notna(), t["first_min"] > sla["first_response_minutes"],
                                 np.where(age_h * 60 > sla["first_response_minutes"], True, np.nan)).astype(float)
    t["resolve_breach"] = np.where(t["resolve_h"].notna(), t["resolve_h"] > sla["resolution_hours"],
                                   np.where(age_h > sla["resolution_hours"], True, np.nan)).astype(float)
    t["period"] = _data.periods(t["opened_at"], period)
    t = t.sort_values(["customer_id", "opened_at"])
    gap = t.groupby("customer_id")["opened_at"].diff()
    t["repeat"] = gap.notna() & (gap <= pd.Timedelta(days=repeat_days))
    by_demand, by_channel = _summary(t, "demand_type"), _summary(t, "channel")
    times = pd.DataFrame([_quantiles(t["first_min"], "first_response_minutes"),
                          _quantiles(t["resolve_h"], "resolution_hours")])
    scores = _service_scores(store, cut, t)
    complaints = _complaints(store, cut)
    w = t.groupby("customer_id").agg(tickets=("ticket_id", "size"), open=("open", "sum"), repeats=("repeat", "sum"),
                                     last_opened_at=("opened_at", "max"))
    w = w.join(complaints, how="left")
    w["complaints"] = pd.to_numeric(w["complaints"], errors="coerce").fillna(0)
    w = w[(w["open"] > 0) | (w["repeats"] > 0) | (w["complaints"] > 1)]
    w = w.astype({"open": int, "repeats": int, "complaints": int}).reset_index().sort_values(
        ["open", "repeats", "complaints", "last_opened_at"], ascending=False, kind="stable").reset_index(drop=True)
    w = w[["customer_id", "tickets", "open", "repeats", "complaints", "last_opened_at"]]
    repeat_rate = float(t["repeat"].mean()) if len(t) else float("nan")
    findings = _findings(by_channel, by_demand, repeat_rate, scores, sla)
    return ServiceResult(len(t), by_demand, by_channel, _summary(t, "period"), times, scores, repeat_rate,
                         repeat_days, w, dict(sla), findings, cut)


def _service_scores(store: Store, cut: pd.Timestamp, tickets: pd.DataFrame) -> pd.DataFrame:
    from custlens.voc.satisfaction import _scale, to_index

    rows = []
    if store.has("surveys"):
        sv = store.table("surveys")
        s = store.execute(sv.filter(sv.answered_at < ibis.literal(cut.to_pydatetime())))
        for a in SERVICE_ATTRIBUTES:
            col = f"{_data.SCORE_PREFIX}{a}"
            if col in s and s[col].notna().any():
                v = pd.to_numeric(s[col], errors="coerce")
                rows.append({"attribute": a, "answers": int(v.notna().sum()), "mean": float(v.mean()),
                             "index": float(to_index(v, _scale(v, col)).mean())})
    if "satisfaction" in tickets and tickets["satisfaction"].notna().any():
        v = pd.to_numeric(tickets["satisfaction"], errors="coerce")
        rows.append({"attribute": "ticket_rating", "answers": int(v.notna().sum()), "mean": float(v.mean()),
                     "index": float(to_index(v, _scale(v, "satisfaction")).mean())})
    return pd.DataFrame(rows, columns=["attribute", "answers", "mean", "index"])


def _complaints(store: Store, cut: pd.Timestamp) -> pd.DataFrame:
    if not store.has("feedback") or "kind" not in store.columns("feedback"):
        return pd.DataFrame({"complaints": pd.Series(dtype="int64")}, index=pd.Index([], name="customer_id"))
    f = store.table("feedback")
    f = f.filter((f.created_at < ibis.literal(cut.to_pydatetime())) & (f.kind.lower() == "complaint"))
    return store.execute(f.group_by("customer_id").aggregate(complaints=f.count())).set_index("customer_id")


def _findings(by_channel: pd.DataFrame, by_demand: pd.DataFrame, repeat_rate: float, scores: pd.DataFrame,
              sla: Mapping[str, float]) -> list[tuple[str, dict[str, Any]]]:
    """Findings worth an action, each an i18n key with its parameters."""
    out: list[tuple[str, dict[str, Any]]] = []
    tickets = by_channel["tickets"].sum()  # 0 when no ticket precedes as_of: no finding, no 0/0
    overall = by_channel["first_response_breach"].mul(by_channel["tickets"]).sum() / tickets if tickets else 0.0
    for r in by_channel.itertuples():
        if r.tickets >= 10 and r.first_response_breach > max(0.2, 2 * overall):
            out.append(("sla_channel", {"channel": r.channel, "breach": r.first_response_breach,
                                        "minutes": sla["first_response_minutes"],
                                        "median": r.first_response_median_min}))
    for r in by_demand.itertuples():
        if r.tickets >= 10 and r.resolution_breach > 0.25:
            out.append(("slow_resolution", {"demand": r.demand_type, "breach": r.resolution_breach,
                                            "hours": sla["resolution_hours"]}))
    if repeat_rate > 0.1:
        out.append(("repeats", {"rate": repeat_rate}))
    svc = scores[scores["attribute"].isin(SERVICE_ATTRIBUTES)]
    if len(svc) >= 2:
        worst = svc.sort_values("index").iloc[0]
        out.append(("weakest_service", {"attribute": worst["attribute"], "index": worst["index"]}))
    return out
