"""CLV on a store: validate, choose, refit, score every customer and save the scores.

:func:`run_clv` is what the CLI, the report and the server call. It reads the orders of
the store through the customer table (the models' data contract), splits the observation
window into a calibration and a holdout period, compares the transaction models on the
holdout, refits the chosen one on the whole window and scores every customer as of
``as_of``. :func:`join_scores` adds the saved scores to a customer table (the customer
export and the customer-360 use it).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from custlens import i18n, schema
from custlens.clv import _names as N
from custlens.clv.bgbb import BetaGeoBetaBinomModel
from custlens.clv.bgnbd import BetaGeoModel
from custlens.clv.gamma_gamma import GammaGammaModel
from custlens.clv.mbgnbd import ModifiedBetaGeoModel
from custlens.clv.pareto_nbd import ParetoNBDModel
from custlens.clv.diagnostics import MAE_TOLERANCE, FitCheck, check_fit
from custlens.clv._window import (HOLDOUT_SHARE, MIN_CUSTOMERS, MIN_HOLDOUT_DAYS,  # noqa: F401 (public)
                                  MIN_REPEAT, PERIOD_DAYS, _calibration, _check_enough, _day_pairs, _frame,
                                  _holdout_frame, _periods, _plan_holdout, _snap_to_periods, _transactions)
from custlens.clv.validation import (compare_models, holdout_by_frequency, holdout_errors, tracking,
                                     tracking_pairs)
from custlens.clv.result import ClvResult
from custlens.clv.scores import SCORE_COLUMNS, SCORES_TABLE, join_scores, save_clv_scores, save_scores
from custlens.clv.value import score_customers
from custlens.errors import (ConvergenceError, ConvergenceWarning, CustlensError, DataQualityWarning,
                             InputError, MissingDataError)
from custlens.features import columns as c
from custlens.features.customer_table import resolve_as_of
from custlens.features.purchase_days import CustomerBuild, build_customer_table
from custlens.store import Store

__all__ = ["ClvResult", "FIT_SAMPLE", "MODELS", "SCORE_COLUMNS", "SCORES_TABLE", "join_scores", "run_clv", "save_clv_scores",
           "save_scores"]

#: Transaction models by CLI name; ``auto`` compares the three continuous ones.
MODELS: dict[str, type] = {"bgnbd": BetaGeoModel, "mbgnbd": ModifiedBetaGeoModel,
                           "pnbd": ParetoNBDModel, "bgbb": BetaGeoBetaBinomModel}
_DAY = pd.Timedelta(days=1)
#: Customers the models are fitted on when a shop has more (a seeded uniform sample; every
#: customer is still scored). The log-likelihood is a sum over independent customers, so a
#: uniform sample gives consistent estimates whose standard errors grow by sqrt(N / 50,000):
#: on CDNOW-like data r's relative error is then about 1%, below the differences between the
#: models, while every optimiser pass costs half of 100,000 customers' and a twentieth of a
#: million's. The churn survival model samples the same number (``COX_SAMPLE``).
FIT_SAMPLE = 50_000


# ----------------------------------------------------------------------------- scoring
def _spend(full: pd.DataFrame, notes: list, in_fit: np.ndarray | None = None
           ) -> tuple[np.ndarray, Any]:
    """Expected spend per purchase: Gamma-Gamma (fitted on the rows ``in_fit``, default all),
    or the shop's mean order value."""
    x, m = full[N.FREQUENCY].to_numpy(), full[N.MONETARY_VALUE].to_numpy()
    scorable = (x > 0) & (m > 0)
    usable = scorable if in_fit is None else scorable & in_fit
    aov = float(full[c.TOTAL_SPEND].sum() / full[c.ORDERS].sum()) if c.TOTAL_SPEND in full else float(
        np.mean(m[usable]) if usable.any() else 0.0)
    reason = ""
    try:
        if usable.sum() < MIN_REPEAT:
            raise MissingDataError(f"{int(usable.sum())} repeat customers with spend > 0")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataQualityWarning)
            warnings.simplefilter("always", ConvergenceWarning)
            gg = GammaGammaModel().fit(full.loc[usable, [N.FREQUENCY, N.MONETARY_VALUE]])
        # kept for callers that reuse this fit (the value matrix refits after any of them)
        gg.fit_warnings_ = tuple(str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning))
        if gg.params_["q"] <= 1:
            raise MissingDataError(f"q={gg.params_['q']:.3f} <= 1 gives an infinite mean spend")
        frame = pd.DataFrame({N.FREQUENCY: np.where(scorable, x, 0.0), N.MONETARY_VALUE: m})
        spend = gg.conditional_expected_spend(frame)
    except CustlensError as exc:
        reason = str(exc)
    if reason:
        notes.append(("clv.note.spend_fallback", {"reason": reason, "aov": aov}))
        return np.full(len(full), aov), None
    corr = gg.frequency_spend_correlation_
    notes.append(("clv.note.spend_gamma_gamma", {"repeat": int(usable.sum()), "corr": corr}))
    if any(issubclass(w.category, DataQualityWarning) for w in caught):
        notes.append(("clv.note.spend_correlated", {"corr": corr}))
    if ((x > 0) & ~scorable).any():
        notes.append(("clv.note.zero_spend", {"n": int(((x > 0) & ~scorable).sum())}))
    return spend, gg


def _score(model: Any, name: str, data: pd.DataFrame, spend: np.ndarray, horizon_days: float,
           discount_rate: float) -> pd.DataFrame:
    unit = "M" if name == "bgbb" else "W"
    frame = data[[N.FREQUENCY, N.RECENCY, N.T]].assign(**{N.MONETARY_VALUE: spend})
    out = pd.DataFrame(index=data.index, columns=["predicted_purchases", "p_alive", "clv", "p_purchase"],
                       dtype=float)
    ok = frame[N.T] > 0  # BG/BB: customers without a complete month yet are scored as new
    scored = score_customers(model, frame.loc[ok], horizon_days=horizon_days,
                             discount_rate=discount_rate, time_unit=unit)
    out.loc[ok, scored.columns.drop("expected_spend")] = scored.drop(columns="expected_spend")
    h = _horizon_units(name, horizon_days)
    if getattr(model, "at_limit_", False):  # closed form, with the P(alive) just computed
        rows = frame.loc[ok]
        cols = (rows[k].to_numpy(dtype=float) for k in (N.FREQUENCY, N.RECENCY, N.T))
        p_none = model.limit_model_._pmf(0, h, *cols, pa=out.loc[ok, "p_alive"].to_numpy(dtype=float))
    else:
        p_none = np.asarray(model.probability_of_purchases(frame.loc[ok], h, 0))
    out.loc[ok, "p_purchase"] = 1.0 - p_none
    if (~ok).any():
        months = horizon_days / PERIOD_DAYS
        steps = np.minimum(np.arange(1, int(np.ceil(months - 1e-12)) + 1, dtype=float), months)
        cum = np.asarray(model.expected_purchases_new_customer(steps), dtype=float)
        disc = float(np.sum(np.diff(cum, prepend=0.0) / (1 + discount_rate) ** steps))
        out.loc[~ok, "predicted_purchases"] = cum[-1]
        out.loc[~ok, "p_alive"] = 1.0
        out.loc[~ok, "clv"] = spend[~ok.to_numpy()] * disc
        out.loc[~ok, "p_purchase"] = 1.0 - model.probability_of_purchases_new_customer(h, 0)
    if name == "bgbb":
        a, b = model.params_["alpha"], model.params_["beta"]
        gap = (a + b + frame[N.T]) / (a + frame[N.FREQUENCY]) * PERIOD_DAYS
    else:  # as expected_time_to_next_purchase, without its P(alive) column
        r, alpha = model.params_["r"], model.params_["alpha"]
        gap = (alpha + frame[N.T]) / (r + frame[N.FREQUENCY]) * N.TIME_UNIT_DAYS["W"]
    out["expected_days_to_next"] = gap.to_numpy()
    return out


def _horizon_units(name: str, horizon_days: float) -> float:
    """The horizon in the model's time unit (whole months, at least one, for BG/BB)."""
    if name == "bgbb":
        return float(max(1, int(round(horizon_days / PERIOD_DAYS))))
    return horizon_days / N.TIME_UNIT_DAYS["W"]


def _grids(model: Any, name: str, data: pd.DataFrame, horizon: float, horizon_days: float
           ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, float]:
    """P(alive), P(an order within the horizon) and expected purchases over frequency x
    recency for the oldest customers."""
    age = float(np.ceil(data[N.T].max()))
    top = int(min(max(data[N.FREQUENCY].quantile(0.99), 5), 30))
    freq = np.arange(top + 1, dtype=float)
    rec = np.arange(int(age) + 1, dtype=float) if name == "bgbb" else np.linspace(0, age, 25).round(1)
    f, r = np.meshgrid(freq, rec, indexing="ij")
    valid = ((f == 0) & (r == 0)) | ((f > 0) & (r > 0))
    if name == "bgbb":
        valid &= f <= r
    grid = pd.DataFrame({N.FREQUENCY: f[valid], N.RECENCY: r[valid], N.T: age})
    alive, purchases, buy = (np.full(f.shape, np.nan) for _ in range(3))
    alive[valid] = model.p_alive(grid)
    purchases[valid] = model.expected_purchases(grid, horizon)
    buy[valid] = 1.0 - np.asarray(model.probability_of_purchases(grid, _horizon_units(name, horizon_days), 0))
    idx = pd.Index(freq.astype(int), name=N.FREQUENCY)
    cols = pd.Index(rec, name=N.RECENCY)
    return (pd.DataFrame(alive, idx, cols), pd.DataFrame(buy, idx, cols),
            pd.DataFrame(purchases, idx, cols), age)


# ----------------------------------------------------------------------------- main
def run_clv(store: Store, *, model: str = "auto", horizon_days: float = 365, discount_rate: float = 0.01,
            as_of: Any = None, holdout_days: int | None = None, top: int = 20,
            fit_sample: int | None = FIT_SAMPLE, random_state: int = 0,
            customers: CustomerBuild | None = None) -> ClvResult:
    """Fit, validate, check and apply the CLV models to the orders of a store.

    1. The observation window (first order to ``as_of``) is split by date: the holdout is
       the last quarter of the window (at least 8 weeks) when the rest is at least twice
       as long and has ``MIN_REPEAT`` repeat customers; otherwise there is no holdout.
    2. The transaction models are fitted on the calibration period, checked
       (:func:`~custlens.clv.diagnostics.check_fit`: parameters on a bound, singular
       Hessian, holdout error above 50%...) and compared
       (:func:`~custlens.clv.compare_models`). ``auto`` ranks the sound fits of BG/NBD,
       MBG/NBD and Pareto/NBD: among those whose holdout MAE is within 5% of the best, the
       lowest BIC first (by BIC alone without a holdout).
    3. The first model of that ranking is refitted on the whole window and checked again;
       when the refit is unsound the next model is tried. When no model is sound the result
       has ``sound=False``, its ``diagnostics`` say why, and there are no scores.
       Spend per purchase comes from a Gamma-Gamma model of the repeat customers (or the
       mean order value, with a note).
    With more than ``fit_sample`` customers, every fit of steps 2 and 3 (calibration fits,
    holdout comparison, refit, Gamma-Gamma) uses a uniform random sample of ``fit_sample``
    customers drawn with ``random_state``; the result states it (``fit_sample``, a note).

    4. Every customer is scored as of ``as_of``: P(alive), P(at least one order within the
       horizon) (``p_purchase``, which can say a one-time buyer has left even under
       BG/NBD), expected purchases, spend and CLV. Nothing is written: the explicit save step
       `save_clv_scores` (`custlens.analyses.save_clv`) replaces the store table
       ``clv_scores`` with them and their model, horizon, as-of and options.

    Parameters
    ----------
    store : Store
    model : {"auto", "bgnbd", "mbgnbd", "pnbd", "bgbb"}
        ``bgbb`` cuts time into months from each first purchase (stated in the notes).
    horizon_days : float, default 365
        Horizon of the expected purchases and the CLV.
    discount_rate : float, default 0.01
        Monthly discount rate of the CLV.
    as_of : date-like, optional
        First day not observed; default the day after the last order.
    holdout_days : int, optional
        Length of the holdout; default automatic (see above), ``0`` for none.
    top : int, default 20
        Rows of ``top_customers``.
    fit_sample : int or None, default FIT_SAMPLE (50,000)
        Most customers the models are fitted on; ``None`` fits on every customer. Scoring
        always covers every customer.
    random_state : int, default 0
        Seed of the fit sample.
    customers : CustomerBuild, optional
        The customer table and purchase days as of ``as_of``
        (`custlens.features.purchase_days.build_customer_table`), when the caller has them
        (the report does); built here otherwise. Every frame of the run comes from them.

    Returns
    -------
    ClvResult

    Raises
    ------
    MissingDataError
        With fewer than 100 customers or 30 repeat customers before ``as_of``.

    Examples
    --------
    >>> result = run_clv(Store("shop.duckdb"), model="auto", horizon_days=365)  # doctest: +SKIP
    >>> result.model, round(result.total_clv)  # doctest: +SKIP
    """
    if model != "auto" and model not in MODELS:
        raise InputError(f"model={model!r} is not one of auto, {', '.join(MODELS)}")
    if fit_sample is not None and (isinstance(fit_sample, bool) or not isinstance(fit_sample, (int, np.integer))
                                   or fit_sample < MIN_CUSTOMERS):
        raise InputError(f"fit_sample={fit_sample!r} must be a whole number >= {MIN_CUSTOMERS} "
                         "(customers to fit the models on), or None to fit on every customer")
    # Library warnings become diagnostics (custlens' words, en+zh), never terminal output.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _run(store, model, horizon_days, discount_rate, as_of, holdout_days, top, fit_sample,
                    random_state, customers)


def _sample(ids: pd.Index, size: int | None, seed: int) -> np.ndarray | None:
    """Boolean mask of a uniform random sample of ``size`` of ``ids``; None when all fit."""
    if size is None or len(ids) <= size:
        return None
    mask = np.zeros(len(ids), dtype=bool)
    mask[np.random.default_rng(seed).choice(len(ids), size=size, replace=False)] = True
    return mask


def _run(store: Store, model: str, horizon_days: float, discount_rate: float, as_of: Any,
         holdout_days: int | None, top: int, fit_sample: int | None = None,
         random_state: int = 0, customers: CustomerBuild | None = None) -> ClvResult:
    if not np.isfinite(horizon_days) or horizon_days <= 0:
        raise InputError(f"horizon_days={horizon_days} must be > 0")
    as_of = resolve_as_of(store, as_of)
    if customers is None:
        customers = build_customer_table(store, as_of)
    elif customers.days.as_of != as_of:
        raise InputError(f"customers are as of {customers.days.as_of.date()}, the CLV run as of "
                         f"{as_of.date()}; build them with build_customer_table(store, as_of)")
    full = _frame(customers.frame)
    first_day = full[c.FIRST_ORDER_AT].min().normalize() if len(full) else None
    planned: tuple[Any, Any] = (None, None)
    bad_holdout = None
    if first_day is not None:
        try:
            planned = _plan_holdout(first_day, as_of, holdout_days)
        except InputError as exc:  # said after the data check, as before
            bad_holdout = exc
    _check_enough(full, as_of)
    if bad_holdout is not None:
        raise bad_holdout
    bgbb = model == "bgbb"
    tx = _transactions(store, as_of) if bgbb else None  # BG/BB's months need every order
    notes: list[tuple[str, dict[str, Any]]] = []
    in_fit = _sample(full.index, fit_sample, random_state)  # None: every customer
    sampled = full.index if in_fit is None else full.index[in_fit]
    if in_fit is not None:
        notes.append(("clv.note.fit_sample", {"n": f"{len(sampled):,}", "customers": f"{len(full):,}",
                                              "seed": random_state}))
    unit = "M" if bgbb else "W"
    horizon = horizon_days / N.TIME_UNIT_DAYS[unit]
    if bgbb:
        notes.append(("clv.note.bgbb_periods", {"days": PERIOD_DAYS}))
        data_full = _periods(tx, as_of).reindex(full.index)
    else:
        data_full = full[[N.FREQUENCY, N.RECENCY, N.T, N.MONETARY_VALUE]]

    split, why = planned
    holdout = None
    if split is not None:
        if bgbb:
            cal = _periods(tx[tx["day"] < split], split)
            holdout = _holdout_frame(cal, data_full, np.nan)
            holdout[N.DURATION_HOLDOUT] = data_full[N.T].reindex(holdout.index) - holdout[N.T]
            holdout = holdout[holdout[N.T] > 0]
        else:  # the calibration frame from the purchase days, matched to ``full`` by row
            cal, rows = _calibration(full, customers.days, split)
            holdout = cal.assign(**{N.FREQUENCY_HOLDOUT: (full[N.FREQUENCY].to_numpy()[rows]
                                                          - cal[N.FREQUENCY].to_numpy()).clip(0),
                                    N.DURATION_HOLDOUT: (as_of - split).days / 7.0})
            if in_fit is not None:
                holdout = holdout[in_fit[rows]]
        if in_fit is not None and bgbb:  # the comparison is part of the fits: the sample only
            holdout = holdout[holdout.index.isin(sampled)]
        repeat = int((holdout[N.FREQUENCY] > 0).sum())
        if repeat < MIN_REPEAT:
            why = ("clv.note.no_holdout_repeat", {"split": str(split.date()), "repeat": repeat,
                                                  "needed": MIN_REPEAT})
            split, holdout = None, None
    if why:
        notes.append(why)
    else:
        window = (as_of - full[c.FIRST_ORDER_AT].min().normalize()).days
        notes.append(("clv.note.holdout", {"split": str(split.date()), "end": str(as_of.date()),
                                           "days": (as_of - split).days,
                                           "share": f"{(as_of - split).days / window:.0%}"}))

    candidates = {model: MODELS[model]()} if model != "auto" else None
    data_fit = data_full if in_fit is None else data_full[in_fit]
    fit_data = holdout if holdout is not None else data_fit[data_fit[N.T] > 0]
    comparison = compare_models(fit_data, candidates)
    diagnostics = [p for check in comparison.checks.values() for p in check.problems]
    final, chosen = None, ""
    for name in comparison.ranking:  # the rule's order; the next one when a refit is unsound
        model_obj, check, scored, spend, gg = _refit_and_score(name, data_full, full, horizon_days,
                                                               discount_rate, notes,
                                                               comparison.models.get(name), in_fit)
        if check.sound:
            final, chosen = model_obj, name
            break
        diagnostics += [("clv.diag.refit", {"model": name})] + check.problems
    if final is None:
        return _unsound(model, comparison, diagnostics, notes, len(full), as_of, split, horizon_days,
                        discount_rate, unit, _stated(in_fit, random_state))
    if model == "auto":
        first = comparison.ranking[0]
        notes.append((f"clv.note.rule.{comparison.criterion}" if i18n.has(
            f"clv.note.rule.{comparison.criterion}") else "clv.note.chosen",
            {"model": chosen, "criterion": comparison.criterion, "tolerance": MAE_TOLERANCE}))
        if chosen != first:
            notes.append(("clv.note.fallback", {"first": first, "model": chosen}))
    if getattr(final, "at_limit_", False):
        mu, test = final.params_["mu"], final.heterogeneity_test_
        notes.append(("clv.note.pnbd_limit", {"mu": mu, "life": 1.0 / mu, "z": test.statistic, "p": test.p_value}))
    cal_model = comparison.models[chosen]
    by_freq = holdout_by_frequency(cal_model, holdout) if holdout is not None else None
    errors = holdout_errors(cal_model, holdout) if holdout is not None else {}
    track_model = cal_model if holdout is not None else final
    track_cal = (split if split is not None else as_of) - _DAY
    with np.errstate(all="ignore"):
        if bgbb:
            track = tracking(track_model, _snap_to_periods(tx), schema.CUSTOMER_ID, "day", track_cal,
                             as_of - _DAY, unit)
        else:
            track = tracking_pairs(track_model, _day_pairs(customers.days), track_cal, as_of - _DAY, unit)
    notes.append(("clv.note.discount", {"horizon": f"{horizon_days:g}", "rate": discount_rate}))
    notes.append(("clv.note.p_purchase", {"model": chosen, "horizon": f"{horizon_days:g}"}))
    scores = pd.DataFrame({
        "customer_id": full[schema.CUSTOMER_ID].to_numpy(),
        "p_alive": scored["p_alive"].to_numpy(),
        "p_purchase": scored["p_purchase"].to_numpy(),
        "expected_purchases": scored["predicted_purchases"].to_numpy(),
        "expected_spend": spend, "clv": scored["clv"].to_numpy(),
        "expected_days_to_next": scored["expected_days_to_next"].to_numpy(),
        "overdue": (full[c.DAYS_SINCE_LAST].to_numpy() > scored["expected_days_to_next"].to_numpy()),
        "model": chosen, "horizon_days": float(horizon_days), "as_of": as_of,
    })
    with np.errstate(all="ignore"):
        alive_grid, buy_grid, purchase_grid, grid_T = _grids(final, chosen, data_full[data_full[N.T] > 0],
                                                             horizon, horizon_days)
    pick = _top(scores["clv"].to_numpy(), top)  # not a sort of every customer
    history = full[[schema.CUSTOMER_ID, c.ORDERS, c.TOTAL_SPEND, c.DAYS_SINCE_LAST]].iloc[pick]
    top_rows = pd.concat([history.reset_index(drop=True),
                          scores.drop(columns=["customer_id", "model", "horizon_days", "as_of"]).iloc[pick]
                          .reset_index(drop=True)], axis=1)
    return ClvResult(
        model=chosen, params=dict(final.params_), log_likelihood=float(final.log_likelihood_),
        summary=final.summary, spend_model="gamma_gamma" if gg is not None else "mean_aov",
        spend_params=dict(gg.params_) if gg is not None else {},
        spend_summary=gg.summary if gg is not None else pd.DataFrame(),
        comparison=comparison.table, criterion=comparison.criterion,
        holdout_by_frequency=by_freq, holdout_errors=errors, tracking=track,
        p_alive_grid=alive_grid, expected_purchases_grid=purchase_grid, grid_T=grid_T,
        scores=scores, top_customers=top_rows, customers=len(scores),
        total_clv=float(scores["clv"].sum()), mean_clv=float(scores["clv"].mean()),
        share_alive=float(scores["p_alive"].mean()), share_purchase=float(scores["p_purchase"].mean()),
        as_of=as_of, calibration_end=split,
        holdout_days=int((as_of - split).days) if split is not None else 0,
        horizon_days=float(horizon_days), discount_rate=float(discount_rate), time_unit=unit,
        notes=notes, diagnostics=diagnostics, p_purchase_grid=buy_grid,
        fit_sample=_stated(in_fit, random_state)[0], fit_sample_seed=_stated(in_fit, random_state)[1],
        pnbd_at_limit=bool(getattr(final, "at_limit_", False)),
        fitted={"transaction": final, "calibration": cal_model, "spend": gg, "comparison": comparison},
    )


def _refit_and_score(name: str, data_full: pd.DataFrame, full: pd.DataFrame, horizon_days: float,
                     discount_rate: float, notes: list, calibration: Any = None,
                     in_fit: np.ndarray | None = None) -> tuple[Any, FitCheck, Any, Any, Any]:
    """Refit ``name`` on the whole window (the customers ``in_fit``, default all), check it
    and score every customer with it.

    The refit starts from the calibration fit's parameters when there is one (same model,
    same time unit, nearby optimum): on a million customers each optimiser pass is a full
    pass over the data, so a close start saves most of them. Returns ``(model, check,
    scores, spend, spend_model)``; the last three are None when the check fails.
    """
    start = dict(calibration.params_) if getattr(calibration, "params_", None) else None
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            rows = data_full if in_fit is None else data_full[in_fit]
            final = MODELS[name](initial_params=start).fit(rows[rows[N.T] > 0])
        except ConvergenceError:
            return None, FitCheck(name, [("clv.diag.failed", {"model": name})]), None, None, None
    check = check_fit(final, name, caught=caught)
    if not check.sound:
        return final, check, None, None, None
    spend_notes: list = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        spend, gg = _spend(full, spend_notes, in_fit)
        scored = _score(final, name, data_full, spend, horizon_days, discount_rate)
    values = scored[["predicted_purchases", "p_alive", "p_purchase", "clv"]].to_numpy(dtype=float)
    if not np.isfinite(values).all():
        params = ", ".join(f"{k}={v:.4g}" for k, v in final.params_.items())
        return (final, FitCheck(name, [("clv.diag.predictions", {"model": name, "params": params})]),
                None, None, None)
    notes.extend(spend_notes)
    return final, check, scored, spend, gg


def _top(values: np.ndarray, top: int) -> np.ndarray:
    """Rows of the ``top`` largest ``values``, largest first, ties in row order (customer id);
    missing values last. `numpy.argpartition` finds the candidates, only they are sorted."""
    n = len(values)
    if top <= 0 or n == 0:
        return np.zeros(0, dtype=np.intp)
    key = np.where(np.isnan(values), -np.inf, values)
    if top < n:
        bound = np.partition(key, n - top)[n - top]  # the top-th largest
        rows = np.flatnonzero(key >= bound)
    else:
        rows = np.arange(n)
    order = rows[np.argsort(-key[rows], kind="stable")]
    nan_last = order[~np.isnan(values[order])]
    return np.concatenate([nan_last, order[np.isnan(values[order])]])[:top]


def _stated(in_fit: np.ndarray | None, seed: int) -> tuple[int | None, int | None]:
    """(customers fitted on, seed) of a sampled fit; (None, None) when all were used."""
    return (None, None) if in_fit is None else (int(in_fit.sum()), int(seed))


def _unsound(model: str, comparison: Any, diagnostics: list, notes: list, customers: int,
             as_of: pd.Timestamp, split: pd.Timestamp | None, horizon_days: float, discount_rate: float,
             unit: str, stated: tuple[int | None, int | None] = (None, None)) -> ClvResult:
    """The result when no fit is sound: the comparison and the problems, no scores."""
    notes.append(("clv.note.unsound_auto" if model == "auto" else "clv.note.unsound_model",
                  {"model": model}))
    empty = pd.DataFrame()
    return ClvResult(
        model="", params={}, log_likelihood=float("nan"), summary=empty, spend_model="",
        spend_params={}, spend_summary=empty, comparison=comparison.table, criterion=comparison.criterion,
        holdout_by_frequency=None, holdout_errors={}, tracking=empty, p_alive_grid=empty,
        expected_purchases_grid=empty, grid_T=float("nan"), scores=pd.DataFrame(columns=list(SCORE_COLUMNS)),
        top_customers=empty, customers=customers, total_clv=float("nan"), mean_clv=float("nan"),
        share_alive=float("nan"), share_purchase=float("nan"), as_of=as_of, calibration_end=split,
        holdout_days=int((as_of - split).days) if split is not None else 0, horizon_days=float(horizon_days),
        discount_rate=float(discount_rate), time_unit=unit, notes=notes, diagnostics=diagnostics,
        sound=False, fit_sample=stated[0], fit_sample_seed=stated[1], fitted={"comparison": comparison})


def save_default_scores(store: Store, as_of: Any = None,
                        customers: CustomerBuild | None = None) -> ClvResult | None:
    """Score every customer with the defaults (``auto``, 365 days) and save the scores.

    What the demo and ``custlens report`` do, so the customer 360, the lifecycle value and
    the exports read scores of a known context. ``customers`` is the customer build as of
    ``as_of`` when the caller has it (the report reuses it; see `run_clv`). Returns None when
    the store has too little data for CLV (nothing is saved then, as when no fit is sound).
    """
    try:
        result = run_clv(store, as_of=as_of, customers=customers)
    except MissingDataError:
        return None
    save_clv_scores(store, result)
    return result
