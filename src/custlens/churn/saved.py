"""The saved churn scores (``churn_scores``): written by an explicit save, reasons kept as keys.

`save_churn_scores` (= `custlens.analyses.save_churn`, ``custlens churn --save``) writes the
table declared as `custlens.schema.CHURN_SCORES`: probability, risk band, the reasons as
JSON (``[{"key": i18n key, "args": {...}}, ...]``, nested phrases as ``{"phrase": {...}}``)
and the context ``model, horizon_days, as_of, options``. A saved table holds no
translated text; `read_churn_scores` and `reasons_text` translate when shown.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pandas as pd

from custlens import i18n, schema
from custlens.churn.reasons import Reason
from custlens.churn.texts import Phrase, render_arg
from custlens.results import jsonable
from custlens.store import Store

__all__ = ["decode_reasons", "encode_reasons", "read_churn_scores", "reasons_text", "save_churn_scores"]

#: The model the saved probabilities come from (`custlens.churn.churn_analysis`).
MODEL = "gradient_boosting"


def _arg(value: Any) -> Any:
    if isinstance(value, Phrase):
        return {"phrase": {"key": value.key, "args": {k: _arg(v) for k, v in value.args.items()}}}
    return jsonable(value)


def _unarg(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"phrase"}:
        p = value["phrase"]
        return Phrase(p["key"], {k: _unarg(v) for k, v in p["args"].items()})
    return value


def encode_reasons(reasons: list[Reason]) -> str:
    """One customer's reasons as JSON text: keys and arguments, no translated text."""
    return json.dumps([{"key": r.key, "args": {k: _arg(v) for k, v in r.args.items()}} for r in reasons],
                      ensure_ascii=False, sort_keys=True)


def decode_reasons(text: str | list | None) -> list[tuple[str, dict[str, Any]]]:
    """``(key, args)`` pairs of a saved ``reasons`` cell, JSON text or already decoded (empty when missing)."""
    if text is None or (isinstance(text, float) and text != text):
        return []
    try:
        items = text if isinstance(text, list) else json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"churn_scores.reasons holds {str(text)[:60]!r}, not the JSON list of keys a save "
                         "writes; save the scores again with `custlens churn --save`") from exc
    return [(d["key"], {k: _unarg(v) for k, v in d.get("args", {}).items()}) for d in items]


def reasons_text(text: str | list | None, lang: str) -> str:
    """A saved ``reasons`` cell in ``lang``, joined as the live lists join them."""
    sep = "；" if lang == "zh" else "; "
    return sep.join(i18n.t(key, lang, **{k: render_arg(v, lang) for k, v in args.items()})
                    for key, args in decode_reasons(text))


def save_churn_scores(store: Store, result: Any) -> int:
    """The explicit save step of churn: replace ``churn_scores`` with the scores of ``result``.

    Parameters
    ----------
    store : Store
        Opened for writing.
    result : ChurnResult
        From `custlens.analyses.churn` (`churn_analysis`).

    Returns
    -------
    int
        Rows written.
    """
    scores = result.scores
    options = json.dumps(jsonable({"train_snapshots": result.train_snapshots, "cutoffs": result.cutoffs,
                                   "capacity": getattr(result.capacity, "requested", None)}), sort_keys=True)
    frame = pd.DataFrame({
        schema.CUSTOMER_ID: scores[schema.CUSTOMER_ID].astype(str),
        "churn_probability": scores["churn_probability"].astype(float),
        "risk_band": scores["risk_band"].astype(str),
        "reasons": [encode_reasons(r) for r in scores["reasons"]],
        "model": MODEL,
        "horizon_days": float(result.horizon.days) if result.horizon else float("nan"),
        "as_of": result.as_of,
        "options": options,
    })[schema.CHURN_SCORES.names]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        store.write(schema.CHURN_SCORES.name, frame)
    return len(frame)


def read_churn_scores(store: Store) -> pd.DataFrame:
    """The saved ``churn_scores`` with the reasons translated (``reasons_en``, ``reasons_zh``)."""
    saved = store.read(schema.CHURN_SCORES.name)
    saved[schema.CUSTOMER_ID] = saved[schema.CUSTOMER_ID].astype(str)
    if "reasons" in saved:
        for lang in i18n.LANGS:
            saved[f"reasons_{lang}"] = [reasons_text(v, lang) for v in saved["reasons"]]
        saved = saved.drop(columns=["reasons"])
    return saved
