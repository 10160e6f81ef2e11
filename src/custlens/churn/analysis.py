"""`churn_analysis`: snapshots, labels, the held-out evaluation, scoring and the lists."""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from custlens import schema
from custlens.churn.drivers import MAX_ROWS as IMPORTANCE_ROWS
from custlens.churn.drivers import PD_ROWS, partial_dependence, permutation_importance
from custlens.churn.features import (BTYD_ROWS, CATEGORICAL_FEATURES, NUMERIC_FEATURES, SampledRows,
                                     snapshot_frame)
from custlens.churn.labels import Horizon, default_horizon, snapshot_dates, snapshot_labels
from custlens.churn.model import ChurnModel, calibration_table, evaluate
from custlens.churn.reasons import NOT_EXPLAINED, contributions, join_reasons, reasons_for, reference_values
from custlens.churn.sampling import (EXPLAIN_ROWS, HOLDOUT_SIZE, SAMPLE_SIZE, SampleInfo, chunked,
                                     stratified_positions)
from custlens.churn.texts import Phrase
from custlens.churn.warning import (BAND_NAMES, DEFAULT_CAPACITY, HIGH, LAPSED, Capacity, band_codes,
                                    capacity_cutoffs, early_warning, win_back)
from custlens.errors import InputError, MissingDataError
from custlens.features.customer_table import resolve_as_of
from custlens.features.purchase_days import PurchaseDays
from custlens.results import Result
from custlens.store import Store

__all__ = ["ChurnEligibilityError", "ChurnResult", "churn_analysis", "check_eligible", "customer_value", "drivers_of",
           "score_frame"]

#: Fewest churned and fewest retained customers needed in the training rows / held-out rows.
MIN_CLASS_TRAIN = 20
MIN_CLASS_HOLDOUT = 10
#: Features used at most this often as partial-dependence curves.
PD_TOP = 3


class ChurnEligibilityError(MissingDataError):
    """Too few churned or retained customers to train and check a churn model."""


@dataclass
class ChurnResult(Result):
    """Everything the churn analysis found.

    Attributes
    ----------
    definition : Phrase
        The churn definition, to be rendered in every output.
    horizon : Horizon or None
        ``H`` and how it was chosen (None for a labelled table).
    as_of, holdout_snapshot : Timestamp or None
    train_snapshots : list of Timestamp
    n_train, n_holdout : int
        Labelled rows used for training and for the held-out evaluation.
    metrics : DataFrame
        One row per model or rule (``gradient_boosting``, ``logistic``, ``recency_rule``,
        ``p_alive``, ``bgnbd_no_purchase``): ``roc_auc, pr_auc, brier, lift_top10, gain_top10``.
    baselines : dict
        ``{"recency": auc, "p_alive": auc}`` where available.
    notes : list of Phrase
        E.g. a baseline that was skipped and why.
    calibration : DataFrame
        ``predicted, observed, customers`` per decile of the held-out predictions.
    importance, partial_dependence : DataFrame
        Permutation importance on the held-out rows and partial dependence of the top drivers.
    scores : DataFrame
        Every current customer: ``customer_id, churn_probability, risk_band, customer_value,
        days_since_last, reasons_en, reasons_zh`` (+ ``reasons``: list of `Reason`).
    early_warning, win_back : DataFrame
        The action lists (see `custlens.churn.warning`).
    cutoffs : (float, float)
        The (medium, high) probability cut-offs of the bands.
    capacity : Capacity or None
        The capacity the cut-offs come from (see `custlens.churn.warning`); None when fixed
        cut-offs were given.
    model : ChurnModel
        The model that scored ``scores`` (refitted on every labelled snapshot; the evaluated model
        itself when the training rows were sampled).
    features : DataFrame
        The features of the scored customers (index ``customer_id``).
    """

    definition: Phrase
    horizon: Horizon | None
    as_of: pd.Timestamp | None
    holdout_snapshot: pd.Timestamp | None
    train_snapshots: list[pd.Timestamp]
    n_train: int
    n_holdout: int
    metrics: pd.DataFrame
    baselines: dict[str, float]
    calibration: pd.DataFrame
    importance: pd.DataFrame
    partial_dependence: pd.DataFrame
    scores: pd.DataFrame
    early_warning: pd.DataFrame
    win_back: pd.DataFrame
    cutoffs: tuple[float, float]
    model: ChurnModel = field(repr=False)
    features: pd.DataFrame = field(repr=False)
    notes: list[Phrase] = field(default_factory=list)
    capacity: Capacity | None = None
    #: The stated sample the model learned and was explained on (None for a labelled table).
    sample: SampleInfo | None = None
    #: The MBG/NBD behind the scored customers' ``p_alive`` / ``p_no_purchase`` features
    #: (`custlens.churn.features.btyd_model`), None when its fit failed or for a labelled table.
    btyd: Any = field(default=None, repr=False)

    @property
    def auc(self) -> float:
        """Held-out ROC-AUC of the calibrated gradient-boosting model."""
        return float(self.metrics.loc["gradient_boosting", "roc_auc"])

    @property
    def high_risk(self) -> int:
        """Customers in the high band (active customers only: the lapsed are a band of their own)."""
        return int((self.scores["risk_band"] == "high").sum())

    def to_dict(self, lang: str = "en", top: int = 20) -> dict[str, Any]:
        """Plain-JSON summary (the CLI's ``--json``)."""
        metrics = {k: {m: (None if pd.isna(v) else float(v)) for m, v in row.items()}
                   for k, row in self.metrics.to_dict(orient="index").items()}
        cols = ["customer_id", "churn_probability", "risk_band", "customer_value", f"reasons_{lang}"]
        return {
            "definition": self.definition.text(lang),
            "horizon_days": self.horizon.days if self.horizon else None,
            "horizon": self.horizon.to_dict() if self.horizon else None,
            "as_of": self.as_of.date().isoformat() if self.as_of is not None else None,
            "holdout_snapshot": self.holdout_snapshot.date().isoformat() if self.holdout_snapshot is not None else None,
            "train_snapshots": [s.date().isoformat() for s in self.train_snapshots],
            "n_train": self.n_train, "n_holdout": self.n_holdout,
            "customers_scored": int(len(self.scores)),
            "auc": self.auc,
            "baselines": self.baselines,
            "metrics": metrics,
            "cutoffs": {k: (None if np.isinf(v) else v) for k, v in zip(("medium", "high"), self.cutoffs)},
            "capacity": self.capacity.to_dict() if self.capacity else None,
            "bands": {b: int((self.scores["risk_band"] == b).sum()) for b in ("low", "medium", "high", "lapsed")},
            "high_risk": self.high_risk,
            "early_warning": int(len(self.early_warning)),
            "win_back": int(len(self.win_back)),
            "top_drivers": self.importance.head(5).to_dict(orient="records"),
            "top_risk": self.early_warning.head(top)[[c for c in cols if c in self.early_warning]]
                        .rename(columns={f"reasons_{lang}": "reasons"}).to_dict(orient="records"),
            "notes": [n.text(lang) for n in self.notes],
            "sample": self.sample.to_dict() if self.sample else None,
        }


def check_eligible(y: pd.Series | np.ndarray, minimum: int, what: str) -> None:
    """Raise `ChurnEligibilityError` when ``y`` holds fewer than ``minimum`` of either class."""
    y = np.asarray(y, dtype=int)
    churned, retained = int(y.sum()), int(len(y) - y.sum())
    if churned < minimum or retained < minimum:
        raise ChurnEligibilityError(
            f"not enough data to model churn: {what} hold {churned:,} churned and {retained:,} retained "
            f"customers; at least {minimum} of each are needed. Load a longer order history, or change the "
            "horizon (--horizon) so that both outcomes occur")


def _usable(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    num = [c for c in NUMERIC_FEATURES if c in X and X[c].notna().any()]
    cat = [c for c in CATEGORICAL_FEATURES if c in X and X[c].notna().any()]
    return num, cat


def _rule_metrics(y: np.ndarray, score: np.ndarray) -> dict[str, float]:
    m = evaluate(y, np.clip(score, 0, 1) if np.nanmax(score) <= 1 else score / np.nanmax(score))
    d = m.to_dict()
    d["brier"] = d["mean_probability"] = np.nan  # a ranking rule, not a probability
    return d


def drivers_of(importance: pd.DataFrame) -> set[str]:
    """Features whose held-out permutation importance is positive and above its noise."""
    imp = importance[(importance["importance"] > 0) & (importance["importance"] > importance["importance_std"])]
    return set(imp["feature"])


def score_frame(model: ChurnModel, X: pd.DataFrame, horizon_days: int | None,
                cutoffs: tuple[float, float], value: pd.Series, drivers: set[str] | None = None,
                p: np.ndarray | None = None, explain: int | None = None) -> pd.DataFrame:
    """Probability, band and reasons (English and Chinese) of every row of ``X``.

    Reasons compare each customer with the typical low-risk customer (`reference_values`) and
    come only from the ``drivers`` (see `reasons_for`). With ``horizon_days``, customers silent
    for that long are in the band ``"lapsed"``. ``p`` are the probabilities if already computed.
    With ``explain`` and more rows than that, only the ``explain // 2`` customers with the
    largest expected loss (value x probability) of each action list (high band while active,
    lapsed) get reasons; every other row gets the reason ``not_explained`` (the per-customer
    perturbations and texts are what a million rows cannot afford).
    """
    p = chunked(model.predict_proba, X) if p is None else np.asarray(p, dtype=float)
    worth = value.reindex(X.index).fillna(0.0).to_numpy(dtype=float)
    ref = reference_values(model, X, p)
    code = band_codes(p, cutoffs)
    if horizon_days and "days_since_last" in X:
        code[X["days_since_last"].to_numpy(dtype=float) >= horizon_days] = LAPSED
    # The band names as objects picked from four strings (NumPy's fixed-width strings of a million
    # rows became a million new Python strings in the frame).
    band = BAND_NAMES[code]
    rows = _explained_rows(code, worth * p, explain)
    part = X if rows is None else X.iloc[rows]
    contrib = pd.concat([contributions(model, part.iloc[i:i + CONTRIB_ROWS], ref)
                         for i in range(0, max(len(part), 1), CONTRIB_ROWS)]) if len(part) else None
    found = reasons_for(contrib, part, ref, horizon_days or 0, drivers=drivers) if contrib is not None else []
    if rows is None:
        reasons = np.empty(len(found), dtype=object)  # filled one by one: a list of lists would make 2-D
        for i, r in enumerate(found):
            reasons[i] = r
        texts = {lang: np.asarray(t, dtype=object) for lang, t in _joined(found).items()}
    else:
        placeholder = [NOT_EXPLAINED]  # one shared list: the rows outside the explained lists
        reasons = np.empty(len(X), dtype=object)
        reasons.fill(placeholder)
        for i, r in zip(rows, found):
            reasons[i] = r
        # The same text for every row outside the explained ones: fill an array with it and render
        # only the explained rows (a Python loop over a million rows in two languages cost ~10 s).
        texts = {}
        for lang, joined in _joined(found).items():
            text = np.empty(len(X), dtype=object)
            text.fill(join_reasons(placeholder, lang))  # one string object (np.full made a million copies)
            text[rows] = joined
            texts[lang] = text
    cols: dict[str, Any] = {schema.CUSTOMER_ID: np.asarray(X.index.astype(str), dtype=object),
                            "churn_probability": p, "risk_band": band, "customer_value": worth}
    if "days_since_last" in X:
        cols["days_since_last"] = X["days_since_last"].to_numpy()
    cols.update({"reasons_en": texts["en"], "reasons_zh": texts["zh"], "reasons": reasons})
    # copy=False: the columns are new arrays; pandas keeps them instead of copying them into blocks
    return pd.DataFrame(cols, copy=False)


#: Rows whose reason perturbations are computed at a time.
CONTRIB_ROWS = 50_000


def _joined(reasons: list[list[Any]], langs: tuple[str, ...] = ("en", "zh")) -> dict[str, list[str]]:
    """Each row's reasons as one line per language (`join_reasons`' texts).

    The shared not-explained list is rendered once; each reason's key (its template and arguments)
    is built once for all languages, and a text already rendered with that key is reused.
    """
    memo: dict[int, dict[str, str]] = {}
    texts: dict[str, dict[Any, str]] = {lang: {} for lang in langs}
    out: dict[str, list[str]] = {lang: [] for lang in langs}
    seps = {lang: "；" if lang == "zh" else "; " for lang in langs}
    for r in reasons:
        if len(r) == 1 and r[0] is NOT_EXPLAINED:
            # look up before rendering: setdefault(key, join_reasons(...)) rendered every row
            # (25 s of a 1M-customer run)
            done = memo.get(id(r))
            if done is None:
                done = memo[id(r)] = {lang: join_reasons(r, lang) for lang in langs}
            for lang in langs:
                out[lang].append(done[lang])
            continue
        keys = []
        for reason in r:
            # the type is part of the key: 1 and 1.0 hash alike but format differently
            key = (reason.key, tuple((k, type(v), v) for k, v in reason.args.items()))
            try:
                hash(key)
            except TypeError:  # an unhashable argument: render it every time
                key = None
            keys.append(key)
        for lang in langs:
            memo_lang = texts[lang]
            parts = []
            for reason, key in zip(r, keys):
                text = memo_lang.get(key) if key is not None else None
                if text is None:
                    text = reason.text(lang)
                    if key is not None:
                        memo_lang[key] = text
                parts.append(text)
            out[lang].append(seps[lang].join(parts))
    return out


def _explained_rows(code: np.ndarray, loss: np.ndarray, explain: int | None) -> np.ndarray | None:
    """Positions of the rows to explain, or None for all of them (see `score_frame`); ``code``: the
    bands' codes (`custlens.churn.warning.band_codes`, `LAPSED`)."""
    if explain is None or len(code) <= explain:
        return None
    keep = []
    for mask in (code == HIGH, code == LAPSED):
        where = np.flatnonzero(mask)
        order = np.argsort(-loss[where], kind="stable")[: explain // 2]
        keep.append(where[order])
    return np.sort(np.concatenate(keep))


def customer_value(store: Store, as_of: pd.Timestamp, features: pd.DataFrame, value: str = "spend"
                   ) -> tuple[pd.Series, Phrase | None]:
    """The value that ranks the lists: total spend, or the 12-month CLV (BG/NBD x Gamma-Gamma).

    Returns
    -------
    (Series, Phrase or None)
        Value per customer (index ``customer_id``) and a note when CLV fell back to spend.
    """
    spend = features["total_spend"].astype(float)
    if value == "spend":
        return spend, None
    if value != "clv":
        raise InputError(f"value={value!r} is not supported; use 'spend' or 'clv'")
    from custlens.clv import BetaGeoModel, GammaGammaModel, customer_lifetime_value
    from custlens.clv.diagnostics import check_fit
    from custlens.features.customer_table import customer_table

    table = customer_table(store, as_of).set_index(schema.CUSTOMER_ID).reindex(features.index)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            bg = BetaGeoModel().fit(table)
            check = check_fit(bg, "bgnbd", caught=caught)
            if not check.sound:  # a degenerate fit must not rank the lists
                raise ValueError(" ".join(check.texts()))
            gg = GammaGammaModel().fit(table)
            clv = customer_lifetime_value(bg, table, gg, horizon_months=12)
        return pd.Series(np.asarray(clv, dtype=float), index=features.index), None
    except Exception as exc:  # noqa: BLE001 - any fit failure falls back to spend, with a note
        return spend, Phrase("churn.note.clv_skipped", {"reason": str(exc)[:200]})


def churn_analysis(store: Store, *, as_of: Any = None, horizon_days: int | None = None, n_snapshots: int = 3,
                   step_days: int | None = None, cutoffs: tuple[float, float] | None = None,
                   value: str = "spend", random_state: int = 0,
                   capacity: float | int = DEFAULT_CAPACITY, sample_size: int = SAMPLE_SIZE,
                   holdout_size: int = HOLDOUT_SIZE, table: pd.DataFrame | None = None,
                   days: PurchaseDays | None = None) -> ChurnResult:
    """Train, check and apply the churn model of definition (a): no purchase within ``H`` days.

    Parameters
    ----------
    store : Store
        Needs ``orders``; uses surveys, feedback, tickets and customers when present.
    as_of : date-like, optional
        Score customers as of this day (default: the day after the last order).
    horizon_days : int, optional
        ``H``; default the 90th percentile of the gaps between purchase days (`default_horizon`).
    n_snapshots : int, default 3
        Training snapshots (from ``as_of - 2H`` back in steps of ``step_days``).
    step_days : int, optional
        Default ``min(H, 90)``.
    cutoffs : (float, float), optional
        Fixed (medium, high) probability cut-offs; by default they come from ``capacity``.
    value : {"spend", "clv"}
        What ranks the lists: total spend so far, or the 12-month CLV (`customer_value`).
    random_state : int
    capacity : float or int, default 0.1
        How many active customers the early-warning list may hold: a share of them (0.1 = the
        10% most likely to churn) or a number. The high band is that many customers, medium
        the next as many (`custlens.churn.warning.capacity_cutoffs`).
    sample_size : int, default 50,000
        At most this many labelled rows train the model (each training snapshot gives at most
        ``sample_size // len(train_snapshots)``) and explain it (held-out rows for permutation
        importance and partial dependence), drawn stratified by the label with seed
        ``random_state`` (`custlens.churn.sampling`). The labels of every customer are computed
        first (one query); features are then built for the sampled customers only. Every current
        customer is scored (in chunks); reasons are written for the ``min(sample_size,
        EXPLAIN_ROWS)`` customers with the largest expected loss (half from each action list) when
        there are more customers. Data within the sample are used whole.
    holdout_size : int, default 100,000
        At most this many held-out customers (stratified, seed ``random_state``) give the
        metrics and the calibration table; within it, every held-out customer.
    table : DataFrame, optional
        `custlens.features.customer_table` of the store as of ``as_of`` when the caller already
        has it (the report, the server): reused for the scored customers' features instead of
        computed again (15 s at a million customers); checked to be of the same date.
    days : PurchaseDays, optional
        Every customer's purchase days as of ``as_of`` (the report's
        `custlens.features.purchase_days.build_customer_table`): the horizon, the labels and the
        trend features come from them instead of passes over the orders (`custlens.churn.days`;
        the same numbers, ``tests/churn/test_days.py``). Days of another date are not used.

    Returns
    -------
    ChurnResult

    Raises
    ------
    MissingDataError
        No orders, or a history too short for two horizons.
    ChurnEligibilityError
        Too few churned or retained customers in the training or held-out rows.

    Notes
    -----
    Features of a snapshot come only from data before it; labels from the ``H`` days after it.
    The model is evaluated on the most recent labelled snapshot (``as_of - H``), which is later
    than every training label window, then refitted on all labelled snapshots to score the
    customers as of ``as_of``; when the training rows are a sample (more than ``sample_size``
    labelled rows), the evaluated model itself scores them (no refit).
    """
    as_of = resolve_as_of(store, as_of)
    for name, size in (("sample_size", sample_size), ("holdout_size", holdout_size)):
        if size < 1_000:
            raise InputError(f"{name}={size} is too small to train and check a churn model; use at least 1,000")
    if days is not None and pd.Timestamp(days.as_of) != as_of:
        days = None  # another date's days would give other gaps and labels
    horizon = default_horizon(store, as_of, horizon_days, days=days)
    h = horizon.days
    holdout, train_snaps = snapshot_dates(store, as_of, h, n_snapshots, step_days)
    labels = snapshot_labels(store, [*train_snaps, holdout], h, days=days)  # cheap: one flag per customer and snapshot
    population = sum(len(labels[s]) for s in train_snaps)
    churned = sum(int(labels[s].sum()) for s in train_snaps)
    check_eligible(np.r_[np.ones(churned, dtype=int), np.zeros(population - churned, dtype=int)], MIN_CLASS_TRAIN,
                   f"the training snapshots ({', '.join(str(s.date()) for s in train_snaps)})")
    y_hold_all = labels[holdout]
    check_eligible(y_hold_all, MIN_CLASS_HOLDOUT, f"the held-out snapshot ({holdout.date()})")
    cap = max(2, sample_size // max(len(train_snaps), 1))
    plan = [(snap, cap, random_state + i) for i, snap in enumerate(train_snaps)]
    plan.append((holdout, holdout_size, random_state + len(train_snaps)))
    drawn = [(snap, y, stratified_positions(y.to_numpy(), size, seed))
             for snap, size, seed in plan for y in [labels.pop(snap)]]
    parts = _sampled_snapshots(store, drawn, h, random_state, days)  # features of the sampled customers only
    X_hold, y_hold = parts.pop()
    X_train = pd.concat([p[0] for p in parts])
    y_train = pd.concat([p[1] for p in parts])
    del parts, drawn
    n_hold = len(y_hold_all)
    num, cat = _usable(pd.concat([X_train, X_hold]))
    model = ChurnModel(num, cat, random_state).fit(X_train, y_train.to_numpy())
    yh = y_hold.to_numpy()
    p_hold = chunked(model.predict_proba, X_hold)
    rows = {"gradient_boosting": evaluate(yh, p_hold).to_dict(),
            "logistic": evaluate(yh, chunked(model.baseline_proba, X_hold)).to_dict(),
            "recency_rule": _rule_metrics(yh, X_hold["days_since_last"].to_numpy(dtype=float))}
    baselines = {"recency": float(rows["recency_rule"]["roc_auc"])}
    notes: list[Phrase] = []
    for name, col, key in (("p_alive", "p_alive", "p_alive"), ("bgnbd_no_purchase", "p_no_purchase", None)):
        score = X_hold.get(col)
        if score is None or score.isna().any():
            if key:
                notes.append(Phrase("churn.note.p_alive_skipped", {"reason": "the MBG/NBD fit failed or is unsound"}))
            continue
        s = 1.0 - score.to_numpy() if col == "p_alive" else score.to_numpy()
        rows[name] = evaluate(yh, s).to_dict()
        if key:
            baselines[key] = float(rows[name]["roc_auc"])
    metrics = pd.DataFrame(rows).T[["roc_auc", "pr_auc", "brier", "lift_top10", "gain_top10", "base_rate",
                                    "mean_probability", "n"]]
    calibration = calibration_table(yh, p_hold)
    n_eval = len(X_hold)
    X_hold, y_hold = _take(X_hold, y_hold, sample_size, random_state + len(train_snaps))
    yh = y_hold.to_numpy()
    importance = permutation_importance(model, X_hold, yh, random_state=random_state)
    top = [f for f in importance["feature"] if f in num][:PD_TOP]
    pdp = partial_dependence(model, X_hold, top, random_state=random_state)
    explain = min(sample_size, EXPLAIN_ROWS)
    sample = SampleInfo(sample_size, random_state, len(X_train), population, len(X_hold), n_hold,
                        eval_rows=n_eval, importance_rows=min(len(X_hold), IMPORTANCE_ROWS),
                        pd_rows=min(len(X_hold), PD_ROWS), btyd_rows=BTYD_ROWS, explained=explain // 2)
    notes.extend(_sample_notes(sample))

    if len(X_train) < population:
        # Sampled training rows (a large shop): the evaluated model scores, so the held-out metrics
        # are those of the scores shown. A refit on the sample plus held-out rows (its own 3
        # calibration folds: half the fits' time) adds rows past the size where the held-out AUC
        # stops moving (`custlens.churn.sampling.SAMPLE_SIZE`); docs/churn.md "Model".
        final = model
        notes.append(Phrase("churn.note.no_refit", {"train": f"{len(X_train):,}"}))
    else:
        final = ChurnModel(num, cat, random_state, baseline=False).fit(pd.concat([X_train, X_hold]),
                                                       np.concatenate([y_train.to_numpy(), yh]))
    n_train = len(X_train)
    del X_train, y_train, X_hold, y_hold
    X_now, btyd = snapshot_frame(store, as_of, h, seed=random_state, table=table, days=days)
    if len(X_now) > BTYD_ROWS:
        notes.append(Phrase("churn.note.btyd_sampled", {"n": f"{BTYD_ROWS:,}", "seed": random_state}))
    worth, note = customer_value(store, as_of, X_now, value)
    if note is not None:
        notes.append(note)
    p_now = chunked(final.predict_proba, X_now)
    cap_ = None
    if cutoffs is None:
        cap_ = capacity_cutoffs(p_now[X_now["days_since_last"].to_numpy(dtype=float) < h], capacity)
        cutoffs = (cap_.medium, cap_.high)
    scores = score_frame(final, X_now, h, cutoffs, worth, drivers_of(importance), p=p_now, explain=explain)
    if len(X_now) > explain:
        notes.append(Phrase("churn.note.reasons_limited", {"n": f"{explain // 2:,}"}))
    definition = Phrase("churn.definition.inactivity",
                        {"days": h, "basis": Phrase(f"churn.horizon.{horizon.basis}", {"n": f"{horizon.n_gaps:,}"})})
    return ChurnResult(
        definition=definition, horizon=horizon, as_of=as_of, holdout_snapshot=holdout,
        train_snapshots=train_snaps, n_train=n_train, n_holdout=n_hold, metrics=metrics,
        baselines=baselines, calibration=calibration, importance=importance, partial_dependence=pdp,
        scores=scores, early_warning=early_warning(scores, h), win_back=win_back(scores, h), cutoffs=cutoffs,
        model=final, features=X_now, notes=notes, capacity=cap_, sample=sample, btyd=btyd)


def _sampled_snapshots(store: Store, drawn: list[tuple[pd.Timestamp, pd.Series, np.ndarray]], h: int,
                       btyd_seed: int, days: PurchaseDays | None = None) -> list[tuple[pd.DataFrame, pd.Series]]:
    """Features and labels of the drawn customers of each snapshot.

    ``drawn`` holds per snapshot its labels ``y`` and the positions of the sampled customers
    (`stratified_positions`); only their features are built (`snapshot_frame` with
    ``customers``), and a snapshot whose draw is every customer is built whole, as before there
    were samples. The sampled customers' rows are first copied once (`SampledRows`), so the
    snapshots' queries read those rows, not every order of the shop, again and again. ``days``
    (the purchase days as of ``as_of``) give the trend features (`snapshot_frame`).
    """
    sampled = [y.index[pos] for _, y, pos in drawn if len(pos) < len(y)]
    ids = pd.Index(np.unique(np.concatenate([i.to_numpy(dtype=object) for i in sampled]))) if sampled else None
    out = []
    with contextlib.ExitStack() as stack:
        sub = stack.enter_context(SampledRows(store, ids)) if ids is not None else store
        for snap, y, pos in drawn:
            whole = len(pos) == len(y)
            X, _ = snapshot_frame(store if whole else sub, snap, h, customers=None if whole else y.index[pos],
                                  seed=btyd_seed, days=days, rows=None if whole else _rows_in_days(days, snap, y, pos))
            out.append((X, _labels_of(X, y, pos)))
    return out


def _rows_in_days(days: PurchaseDays | None, snap: pd.Timestamp, y: pd.Series, pos: np.ndarray) -> np.ndarray | None:
    """The rows in ``days`` of the drawn customers ``y.index[pos]``, when ``y`` holds the customers of
    ``days`` whose first day is before ``snap`` in their order (labels from the days do): a hint that
    `custlens.churn.days.rows_of` checks against the ids, sparing a search of string ids."""
    if days is None or len(days.customer_id) == 0:
        return None
    from custlens.churn.days import epoch_day

    known = np.flatnonzero(days.day[days.start[:-1]] < epoch_day(snap))
    return known[pos] if len(known) == len(y) else None


def _labels_of(X: pd.DataFrame, y: pd.Series, pos: np.ndarray) -> pd.Series:
    """``y.reindex(X.index)``: by position when ``X`` holds the customers ``y.index[pos]`` in that
    order (as `snapshot_frame` returns them), which spares hashing a million string ids."""
    ids = y.index[pos]
    if len(ids) == len(X) and bool((ids.to_numpy() == X.index.to_numpy()).all()):
        return pd.Series(y.to_numpy()[pos], index=X.index, name=y.name)
    return y.reindex(X.index)


def _sample_notes(sample: SampleInfo) -> list[Phrase]:
    """The notes that state the samples of `SampleInfo` (nothing when nothing was sampled)."""
    if not sample.sampled:
        return []
    # Every held-out customer in the metrics: say "all N", not "a sample of N of N".
    key = "churn.note.sampled_all_eval" if sample.eval_rows >= sample.holdout_population else "churn.note.sampled"
    return [Phrase(key, {
        "train": f"{sample.train_rows:,}", "train_all": f"{sample.train_population:,}",
        "eval": f"{sample.eval_rows:,}", "hold_all": f"{sample.holdout_population:,}",
        "hold": f"{sample.holdout_rows:,}", "imp": f"{sample.importance_rows:,}", "pd": f"{sample.pd_rows:,}",
        "seed": sample.seed})]


def _take(X: pd.DataFrame, y: pd.Series, size: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """``X, y`` or a stratified sample of ``size`` of their rows (`stratified_positions`)."""
    pos = stratified_positions(y.to_numpy(), size, seed)
    if len(pos) == len(X):
        return X, y
    return X.iloc[pos], y.iloc[pos]
