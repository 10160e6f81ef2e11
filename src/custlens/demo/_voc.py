"""Voice of the customer: surveys, reviews/complaints/suggestions and service tickets.

All three depend on the member's latent ``satisfaction`` (built from ``-z_p``: customers who
are about to drop out are less satisfied), so churn drivers can later be checked against it.

Planted structure (recorded in the truth, recovered by ``tests/voc``):

- six attribute scores from three latent factors: product (quality, price), delivery, and
  service (attitude, efficiency, result);
- overall satisfaction (csat) and NPS are known linear functions of the attribute scores:
  quality and delivery drive them, price and attitude barely do;
- complaints come from four categories (logistics, quality, refund, service) in stated shares;
- email tickets get their first response after hours (the other channels within minutes), so
  email is the channel that breaches a one-hour first-response SLA.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from custlens.demo import _texts
from custlens.demo._catalog import KIND_EN

ATTRIBUTES = ("delivery", "quality", "price", "attitude", "efficiency", "result")
FACTOR_OF = {"delivery": "delivery", "quality": "product", "price": "product",
             "attitude": "service", "efficiency": "service", "result": "service"}
NPS_WEIGHTS = {"delivery": 0.7, "quality": 1.2, "price": 0.1, "attitude": 0.1, "efficiency": 0.2, "result": 0.4}
CSAT_WEIGHTS = {"delivery": 0.30, "quality": 0.45, "price": 0.03, "attitude": 0.02, "efficiency": 0.05, "result": 0.15}
COMPLAINT_TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "logistics": {"zh": ("买的{p}到现在还没发货，请尽快处理！", "快递太慢了，{p}等了一个星期还没到。"),
                  "en": ("My {p} still has not shipped, please fix this.", "The delivery of my {p} is two weeks late.")},
    "quality": {"zh": ("收到的{p}是坏的，质量太差。", "{p}和图片不一样，做工很差。"),
                "en": ("The {p} arrived broken, poor quality.", "The {p} looks nothing like the photos, cheap quality.")},
    "refund": {"zh": ("退货已经寄回一周了，退款还没到账。", "申请退款五天了还没处理。"),
               "en": ("I returned the {p} a week ago and have no refund yet.", "Still waiting for my refund.")},
    "service": {"zh": ("联系客服没人理，态度很差。", "客服一直不回消息。"),
                "en": ("Customer service never answered my messages.", "The support agent was rude.")},
}  # fmt: skip
COMPLAINT_SHARE = {"logistics": 0.4, "quality": 0.3, "refund": 0.2, "service": 0.1}
#: First-response SLA (minutes) under which only email breaches (see `tickets`).
SLA_FIRST_RESPONSE_MIN = 60
TICKET_CATEGORIES = ("物流", "商品质量", "支付问题", "账户", "咨询")
TICKET_CATEGORY_SHARE = (0.35, 0.2, 0.1, 0.1, 0.25)
TICKET_CHANNELS = ("在线客服", "电话", "邮件", "APP")
FIRST_RESPONSE_MEDIAN_MIN = (3.0, 1.0, 240.0, 30.0)


def _fmt(ts: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    return pd.DatetimeIndex(ts).strftime("%Y-%m-%d %H:%M:%S").to_numpy()


def _pick_text(groups: np.ndarray, bank: dict[str, dict[str, tuple[str, ...]]], kinds: np.ndarray,
               rng: np.random.Generator) -> np.ndarray:  # fmt: skip
    """One template per row from ``bank[group][lang]`` with the product kind filled in."""
    n = len(groups)
    lang = np.where(rng.random(n) < 0.7, "zh", "en")
    out = np.empty(n, dtype=object)
    u = rng.random(n)
    for g, by_lang in bank.items():
        for lg, texts in by_lang.items():
            m = (groups == g) & (lang == lg)
            if m.any():
                picked = np.asarray(texts, dtype=object)[(u[m] * len(texts)).astype(int)]
                names = kinds[m] if lg == "zh" else [KIND_EN.get(k, k) for k in kinds[m]]
                out[m] = [t.format(p=k) for t, k in zip(picked, names)]
    return out


def surveys(orders: pd.DataFrame, members: pd.DataFrame, end_ts: pd.Timestamp,
            rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, Any]]:  # fmt: skip
    """Survey responses a few days after about 12% of orders."""
    o = orders[rng.random(len(orders)) < 0.12]
    at = o["ordered_at"] + pd.to_timedelta(rng.integers(86400, 10 * 86400, len(o)), unit="s")
    o, at = o[at < end_ts], at[at < end_ts]
    n = len(o)
    sat = members["satisfaction"].to_numpy()[o["member"].to_numpy()]
    factor = {f: 0.6 * sat + 0.8 * rng.standard_normal(n) for f in ("product", "delivery", "service")}
    scores = {
        k: np.clip(np.round(3.7 + 0.9 * (0.85 * factor[FACTOR_OF[k]] + 0.5 * rng.standard_normal(n))), 1, 5).astype(int)
        for k in ATTRIBUTES
    }
    nps_raw = 6.2 + sum(w * (scores[k] - 3.7) for k, w in NPS_WEIGHTS.items()) + 1.2 * rng.standard_normal(n)
    nps = np.clip(np.round(nps_raw), 0, 10).astype(int)
    csat_raw = sum(w * scores[k] for k, w in CSAT_WEIGHTS.items()) + 0.35 * rng.standard_normal(n)
    csat = np.clip(np.round(csat_raw), 1, 5)
    group = np.where(nps >= 9, "promoter", np.where(nps >= 7, "passive", "detractor"))
    comment = _pick_text(group, _texts.SURVEY_COMMENTS, np.full(n, ""), rng)
    comment = np.where(rng.random(n) < 0.35, comment, "")
    frame = pd.DataFrame(
        {
            "response_id": np.char.add("R", np.char.zfill((np.arange(n) + 1).astype(str), 7)),
            "customer_id": o["customer_id"].to_numpy(),
            "answered_at": _fmt(at),
            "nps": nps,
            "csat": csat.astype(int),
            **{f"score_{k}": v for k, v in scores.items()},
            "comment": comment,
        }
    ).sort_values("answered_at", kind="stable")
    truth = {
        "rows": len(frame),
        "nps_model": "nps = clip(round(6.2 + sum_k w_k (score_k - 3.7) + N(0, 1.2^2)), 0, 10)",
        "nps_driver_weights": NPS_WEIGHTS,
        "csat_model": "csat = clip(round(sum_k w_k score_k + N(0, 0.35^2)), 1, 5)",
        "csat_driver_weights": CSAT_WEIGHTS,
        "top_csat_drivers": ["quality", "delivery"],
        "attribute_factors": FACTOR_OF,
        "scores_depend_on": "member satisfaction = -0.5 z_p + sqrt(0.75) e (lower for likely churners)",
    }
    return frame, truth


def feedback(lines: pd.DataFrame, orders: pd.DataFrame, refunded: np.ndarray, members: pd.DataFrame,
             kinds: pd.Series, end_ts: pd.Timestamp, rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, Any]]:  # fmt: skip
    """Reviews (about 10% of orders), complaints (more after refunds) and suggestions."""
    first = lines.drop_duplicates("order_idx")
    oi = first["order_idx"].to_numpy()
    n = len(oi)
    sat = members["satisfaction"].to_numpy()[orders["member"].to_numpy()[oi]]
    u = rng.random(n)
    p_complaint = np.where(refunded[oi], 0.25, 0.015 * np.exp(-0.5 * sat))
    kind = np.where(u < 0.10, "review", np.where(u < 0.10 + p_complaint, "complaint",
                    np.where(u < 0.11 + p_complaint, "suggestion", "")))  # fmt: skip
    keep = kind != ""
    oi, kind, sat = oi[keep], kind[keep], sat[keep]
    pid = first["product_id"].to_numpy()[keep]
    pkind = kinds.reindex(pid).to_numpy()
    at = orders["ordered_at"].to_numpy()[oi] + pd.to_timedelta(rng.integers(3600, 20 * 86400, len(oi)), unit="s").to_numpy()
    ok = at < end_ts.to_datetime64()
    oi, kind, sat, pid, pkind, at = oi[ok], kind[ok], sat[ok], pid[ok], pkind[ok], at[ok]
    m = len(oi)
    rating = np.clip(np.round(4.2 + 0.8 * sat + 0.7 * rng.standard_normal(m)), 1, 5)
    rating = np.where(kind == "complaint", rng.integers(1, 3, m), rating)
    grade = np.where(rating >= 4, "good", np.where(rating == 3, "neutral", "bad"))
    text = np.empty(m, dtype=object)
    r = kind == "review"
    text[r] = _pick_text(grade[r], _texts.REVIEWS, pkind[r], rng)
    mk = kind == "suggestion"
    text[mk] = _pick_text(np.full(mk.sum(), "suggestion"), {"suggestion": _texts.SUGGESTIONS}, pkind[mk], rng)
    mk = kind == "complaint"
    topics = np.asarray(list(COMPLAINT_SHARE))[rng.choice(len(COMPLAINT_SHARE), mk.sum(), p=list(COMPLAINT_SHARE.values()))]
    text[mk] = _pick_text(topics, COMPLAINT_TOPICS, pkind[mk], rng)
    frame = pd.DataFrame(
        {
            "feedback_id": "",
            "customer_id": orders["customer_id"].to_numpy()[oi],
            "created_at": _fmt(at),
            "kind": kind,
            "rating": np.where(kind == "suggestion", "", rating.astype(int).astype(str)),
            "product_id": np.where(kind == "suggestion", "", pid),
            "text": text,
        }
    ).sort_values("created_at", kind="stable")
    frame["feedback_id"] = np.char.add("F", np.char.zfill((np.arange(m) + 1).astype(str), 7))
    counts = frame["kind"].value_counts()
    truth = {"rows": m, **{f"{k}s": int(counts.get(k, 0)) for k in ("review", "complaint", "suggestion")},
             "languages": "about 70% Chinese, 30% English",
             "complaint_topic_shares": COMPLAINT_SHARE,
             "complaint_topics": {str(k): int(n) for k, n in zip(*np.unique(topics, return_counts=True))}}  # fmt: skip
    return frame, truth


def tickets(orders: pd.DataFrame, refunded: np.ndarray, members: pd.DataFrame, end_ts: pd.Timestamp,
            rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, Any]]:  # fmt: skip
    """Service tickets: about 4% of orders (more for likely churners) and half of refunded orders."""
    z_p = members["z_p"].to_numpy()[orders["member"].to_numpy()]
    p = np.where(refunded, 0.5, 0.04 * np.exp(0.3 * z_p))
    o = np.flatnonzero(rng.random(len(orders)) < p)
    n = len(o)
    cat = np.where(refunded[o], "退换货", np.asarray(TICKET_CATEGORIES)[rng.choice(5, n, p=TICKET_CATEGORY_SHARE)])
    ch = rng.choice(4, n, p=[0.6, 0.2, 0.05, 0.15])
    opened = orders["ordered_at"].to_numpy()[o] + pd.to_timedelta(rng.integers(600, 12 * 86400, n), unit="s").to_numpy()
    first_min = np.asarray(FIRST_RESPONSE_MEDIAN_MIN)[ch] * rng.lognormal(0, 0.8, n)
    resolve_h = 18.0 * rng.lognormal(0, 1.0, n)
    first = opened + pd.to_timedelta(np.round(first_min * 60), unit="s").to_numpy()
    resolved = opened + pd.to_timedelta(np.round(resolve_h * 3600) + first_min * 60, unit="s").to_numpy()
    unresolved = (rng.random(n) < 0.06) | (resolved >= end_ts.to_datetime64())
    sat = np.clip(np.round(4.6 - 0.5 * np.log1p(resolve_h / 24) + 0.7 * rng.standard_normal(n)), 1, 5)
    rated = ~unresolved & (rng.random(n) < 0.7)
    keep = opened < end_ts.to_datetime64()
    first_s = np.where(first < end_ts.to_datetime64(), _fmt(first), "")
    frame = pd.DataFrame(
        {
            "ticket_id": "",
            "customer_id": orders["customer_id"].to_numpy()[o],
            "opened_at": _fmt(opened),
            "category": cat,
            "channel": np.asarray(TICKET_CHANNELS)[ch],
            "first_response_at": first_s,
            "resolved_at": np.where(unresolved, "", _fmt(resolved)),
            "satisfaction": np.where(rated, sat.astype(int).astype(str), ""),
        }
    )[keep].sort_values("opened_at", kind="stable")
    frame["ticket_id"] = np.char.add("T", np.char.zfill((np.arange(len(frame)) + 1).astype(str), 6))
    truth = {
        "rows": len(frame),
        "unresolved": int((frame["resolved_at"] == "").sum()),
        "satisfaction_model": "clip(round(4.6 - 0.5 log1p(resolve_hours / 24) + N(0, 0.7^2)), 1, 5)",
        "ticket_rate": "0.04 exp(0.3 z_p) per order, 0.5 for refunded orders",
        "first_response_median_minutes": dict(zip(TICKET_CHANNELS, FIRST_RESPONSE_MEDIAN_MIN)),
        "sla_first_response_minutes": SLA_FIRST_RESPONSE_MIN,
        "sla_breaching_channel": "邮件",
    }
    return frame, truth
