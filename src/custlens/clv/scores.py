"""The per-customer CLV scores saved in the store, and reading them back with their context.

Saved scores carry the model, horizon, as-of date and options they were computed with
(columns ``model``, ``horizon_days``, ``as_of``, ``options``; the table is declared as
`custlens.schema.CLV_SCORES`). They are written only by an explicit save
(`save_clv_scores` = `custlens.analyses.save_clv`, ``custlens clv --save``, the demo and
``custlens report``), never by `run_clv`, so an ad-hoc run never replaces the scores other
views show. Readers call
:func:`score_status` (or :func:`join_scores`) with the as-of they need: scores computed
at another date are *stale* and are not joined.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from custlens import schema
from custlens.errors import InputError
from custlens.store import Store

#: Store table of the per-customer scores.
SCORES_TABLE = "clv_scores"
SCORE_COLUMNS = tuple(schema.CLV_SCORES.names)
#: Columns a saved-scores table must carry to be read back with its context.
CONTEXT = tuple(c.name for c in schema.CONTEXT_COLUMNS)


@dataclass(frozen=True)
class ScoreStatus:
    """What a reader finds in a saved-scores table.

    Attributes
    ----------
    state : str
        ``ok`` (scores as of the date asked), ``stale`` (computed at another date, or
        without a recorded date), ``missing`` (no table).
    table : str
    model : str or None
    horizon_days : float or None
    as_of : Timestamp or None
        The context the scores were saved with.
    wanted : Timestamp or None
        The as-of the reader asked for.
    """

    state: str
    table: str
    model: str | None = None
    horizon_days: float | None = None
    as_of: pd.Timestamp | None = None
    wanted: pd.Timestamp | None = None

    @property
    def ok(self) -> bool:
        """True when the scores match the as-of asked for."""
        return self.state == "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"state": self.state, "table": self.table, "model": self.model,
                "horizon_days": self.horizon_days,
                "as_of": str(self.as_of.date()) if self.as_of is not None else None,
                "wanted": str(self.wanted.date()) if self.wanted is not None else None}

    def text(self, lang: str = "en") -> str:
        """The context (``ok``) or what is wrong (``stale``, ``missing``), in ``lang``."""
        from custlens import i18n

        fields = self.fields()
        if self.model and i18n.has(f"clv.model.{self.model}"):
            fields["model"] = i18n.t(f"clv.model.{self.model}", lang)
        key = "context" if self.ok else self.state
        return i18n.t(f"scores.{key}.{self.table}", lang, **fields)

    def fields(self) -> dict[str, Any]:
        """Fields of the ``scores.*`` texts."""
        return {"table": self.table, "model": self.model or "?",
                "horizon": f"{self.horizon_days:g}" if self.horizon_days is not None else "?",
                "as_of": str(self.as_of.date()) if self.as_of is not None else "?",
                "wanted": str(self.wanted.date()) if self.wanted is not None else "?"}


def score_status(store: Store, table: str, as_of: Any = None) -> ScoreStatus:
    """The context of the saved scores in ``table`` and whether they fit ``as_of``.

    Parameters
    ----------
    store : Store
    table : str
        ``clv_scores`` or ``churn_scores``.
    as_of : date-like, optional
        The as-of the reader needs; None accepts any date.

    Returns
    -------
    ScoreStatus
    """
    wanted = pd.Timestamp(as_of).normalize() if as_of is not None else None
    if not store.exists(table):
        return ScoreStatus("missing", table, wanted=wanted)
    cols = store.columns(table)
    sel = [c for c in ("model", "horizon_days", "as_of") if c in cols]
    if not sel:
        return ScoreStatus("stale", table, wanted=wanted)
    first = store.execute(store.table(table).select(*sel).limit(1))
    if first.empty:
        return ScoreStatus("missing", table, wanted=wanted)
    ctx = {c: (None if pd.isna(v) else v) for c, v in first.iloc[0].items()}
    saved = pd.Timestamp(ctx["as_of"]).normalize() if ctx.get("as_of") is not None else None
    horizon = float(ctx["horizon_days"]) if ctx.get("horizon_days") is not None else None
    state = "ok" if saved is not None and (wanted is None or saved == wanted) else "stale"
    return ScoreStatus(state, table, ctx.get("model"), horizon, saved, wanted)


def save_scores(store: Store, scores: pd.DataFrame, table: str = SCORES_TABLE) -> int:
    """Replace ``table`` with ``scores`` (which carry ``model``, ``horizon_days``, ``as_of``, ``options``).

    The low-level writer of the save step; `save_clv_scores` builds the frame from a result.

    Returns
    -------
    int
        Rows written.
    """
    missing = [c for c in CONTEXT if c not in scores.columns]
    if missing:
        raise InputError(f"scores to save in {table!r} must record their context; missing column(s) "
                         f"{missing}; add them (the model name, the horizon in days, the as-of date, "
                         "the other options as JSON text)")
    # through Arrow: the store reads Arrow strings in bulk, a frame's Python strings one by one
    # (same column types: Arrow keeps the frame's dtypes, e.g. the timestamp unit)
    store.write(table, pa.Table.from_pandas(scores, preserve_index=False))
    return len(scores)


def save_clv_scores(store: Store, result: Any) -> int:
    """The explicit save step of CLV: replace ``clv_scores`` with the scores of ``result``.

    Parameters
    ----------
    store : Store
        Opened for writing.
    result : ClvResult
        From `custlens.analyses.clv` (`run_clv`).

    Returns
    -------
    int
        Rows written; 0 when no fit was sound (then nothing is saved and an older table stays).
    """
    if not result.sound or result.scores is None or result.scores.empty:
        return 0
    options = json.dumps({"discount_rate": result.discount_rate, "holdout_days": result.holdout_days,
                          "spend_model": result.spend_model}, sort_keys=True)
    scores = result.scores
    frame = scores[[c for c in SCORE_COLUMNS if c in scores.columns]].assign(options=options)
    return save_scores(store, frame)


def join_scores(customers: pd.DataFrame, store: Store, as_of: Any = None) -> pd.DataFrame:
    """Add the saved CLV scores to a customer table (unchanged when there are none).

    The columns ``p_alive, p_purchase, expected_purchases, expected_spend, clv,
    expected_days_to_next, overdue`` are added as they are; ``model``, ``horizon_days``
    and ``as_of`` become ``clv_model``, ``clv_horizon_days`` and ``clv_as_of``. Customers
    without a score get missing values.

    Parameters
    ----------
    customers : DataFrame
        With a ``customer_id`` column (e.g. :func:`custlens.features.customer_table`).
    store : Store
    as_of : date-like, optional
        Join only scores computed as of this date (pass the customer table's ``as_of`` so
        a table of the past never carries scores that saw later orders); by default any
        saved scores are joined.

    Returns
    -------
    DataFrame
        ``customers`` in the same row order, with the score columns appended.
    """
    if not score_status(store, SCORES_TABLE, as_of).ok:
        return customers
    scores = store.read(SCORES_TABLE).rename(columns={"model": "clv_model", "as_of": "clv_as_of",
                                                      "horizon_days": "clv_horizon_days"})
    scores = scores.drop(columns=["options"], errors="ignore")  # fit options stay in the saved table
    scores[schema.CUSTOMER_ID] = scores[schema.CUSTOMER_ID].astype(customers[schema.CUSTOMER_ID].dtype)
    keep = [col for col in scores.columns if col not in customers.columns or col == schema.CUSTOMER_ID]
    return customers.merge(scores[keep], on=schema.CUSTOMER_ID, how="left", validate="one_to_one")
