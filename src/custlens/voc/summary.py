"""One line of voice-of-the-customer figures for the report's executive summary."""

from __future__ import annotations

from typing import Any

import ibis

from custlens import i18n
from custlens.errors import CustlensError
from custlens.features.customer_table import AsOf
from custlens.store import Store

__all__ = ["summary_finding"]


def _fmt(x: float) -> str:
    return f"{x:+.0f}"


def summary_finding(store: Store, as_of: AsOf = None, lang: str = "en") -> dict[str, Any] | None:
    """NPS with its 95% interval and the satisfaction index, as a sentence key and its numbers.

    Parameters
    ----------
    store : Store
    as_of : date-like, optional
    lang : {"en", "zh"}

    Returns
    -------
    dict or None
        ``{"value": nps, "key": i18n key, "params": {...}, "text": sentence in lang,
        "complaints": {"key", "params", "text"} or None}``; None when the store has no survey
        with an NPS score.
    """
    from custlens.voc.nps import nps_ci
    from custlens.voc import _data

    if not store.has("surveys"):
        return None
    answers, cut = _data.load(store, "surveys", as_of, "the VoC summary")
    if "nps" not in answers or answers["nps"].notna().sum() == 0:
        return None
    n = nps_ci(answers["nps"])
    params: dict[str, Any] = {"nps": _fmt(n["nps"]), "low": _fmt(n["ci_low"]), "high": _fmt(n["ci_high"]),
                              "n": f"{n['responses']:,}"}
    key = "voc.summary.nps"
    if _data.score_columns(answers):
        from custlens.voc.satisfaction import satisfaction_index

        try:
            csi = satisfaction_index(store, as_of=cut)
            params.update(csi=f"{csi.index:.0f}", grade=i18n.t(f"voc.grade.{csi.grade}", lang))
            key = "voc.summary.both"
        except CustlensError:
            pass
    out: dict[str, Any] = {"value": n["nps"], "key": key, "params": params, "text": i18n.t(key, lang, **params),
                           "complaints": None}
    if store.has("feedback") and "kind" in store.columns("feedback"):
        f = store.table("feedback")
        f = f.filter((f.created_at < ibis.literal(cut.to_pydatetime())) & (f.kind.lower() == "complaint"))
        top = int(store.execute(f.count()))
        if top:
            from custlens.voc.text import categorise

            texts_ = list(store.execute(f.select("text"))["text"])
            cats = [categorise(t) for t in texts_]
            best = max(set(cats), key=lambda c: (cats.count(c), c))
            p = {"category": i18n.t(f"voc.category.{best}", lang), "share": f"{cats.count(best) / len(cats):.0%}"}
            out["complaints"] = {"key": "voc.summary.complaints", "params": p,
                                 "text": i18n.t("voc.summary.complaints", lang, **p)}
    return out
