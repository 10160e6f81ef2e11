"""Value × loyalty matrix: current value, future value and loyalty combined into named cells.

Measures per customer:

- **current value**: spend so far (``total_spend``);
- **future value**: the CLV over ``horizon_months`` from an MBG/NBD fit (purchases) and a
  Gamma-Gamma fit (spend per purchase), `custlens.clv.score_customers`;
- **loyalty**: the MBG/NBD probability of being alive (Batislam et al. 2007). Not BG/NBD's
  P(alive): that is 1 for every one-time buyer however long ago they bought (BG/NBD has
  no drop-out without a repeat purchase), which put lapsed one-time buyers in the loyal
  column. MBG/NBD also lets a customer drop out right after the first purchase, so a
  one-time buyer's P(alive) falls as they stay away. The MBG/NBD fit must pass the
  soundness checks of `custlens.clv.diagnostics`.

When the models cannot be fitted (fewer than ``min_customers`` customers or
``min_repeaters`` repeat buyers, a fitting error, or a fit that fails the soundness checks of
`custlens.clv.diagnostics`), the matrix falls back to **repeat behaviour**, and says so (``method="repeat"`` and ``reason``):
loyalty is 1 for a repeat buyer whose last order is within twice their mean gap between
purchases, else 0; future value is the spend rate so far (spend / days since the first
order) over the horizon for those loyal customers, 0 for the others.

Cells (``high`` = at or above the cut):

====================  =============================  ====================
value row             loyalty >= ``loyalty_cut``     loyalty below
====================  =============================  ====================
current value high    ``keep``                       ``win_back``
current low, future   ``develop``                    ``reactivate``
high
both low              ``nurture``                    ``low_priority``
====================  =============================  ====================

Current value is high at or above the ``value_quantile`` quantile of spend (median by
default), future value at or above that quantile of future value.

Large shops: with more than ``sample_size`` customers (default 50,000) the two models are
fitted on a uniform random sample of that many customers (seed ``random_state``) and every
customer is then scored with the fitted parameters (a closed form, cheap), so the matrix still
places everybody. The models have four and three parameters, which 50,000 customers pin down
closely (on the demo shop a fit on half of its 2,000 customers puts over 90% of them in the same
cell as the fit on all, `tests/segments/test_value_lrfmc.py`); the
sample and its seed are stated in the result (``sample_size``, ``seed``) and in the report.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from custlens.errors import ConvergenceWarning, CustlensError, InputError
from custlens.features.columns import (CUSTOMER_ID, DAYS_SINCE_LAST, FREQUENCY, GAP_MEAN_DAYS,
                                       MONETARY_VALUE, RECENCY, T, T_DAYS, TOTAL_SPEND)
from custlens.segments.profile import summary_of_codes
from custlens.results import Result
from custlens.segments.texts import VALUE_CELLS

__all__ = ["SpendFit", "ValueMatrixResult", "spend_fit_of", "value_matrix"]

ROWS = ("current_high", "future_high", "both_low")
#: Cell of each value row (0, 1, 2) and loyalty (0 = loyal, 1 = not), as a position in `VALUE_CELLS`.
_CELL_CODE = np.array([[VALUE_CELLS.index(c) for c in pair] for pair in
                       (("keep", "win_back"), ("develop", "reactivate"), ("nurture", "low_priority"))])


@dataclass(frozen=True)
class ValueMatrixResult(Result):
    """Customers placed in the value × loyalty matrix.

    Attributes
    ----------
    method : str
        ``"clv"`` (MBG/NBD + Gamma-Gamma) or ``"repeat"`` (the fallback).
    reason : str
        Why the fallback was used; empty for ``"clv"``.
    horizon_months : float
    cuts : dict
        ``current_value``, ``future_value`` (the high thresholds) and ``loyalty``.
    customers : pandas.DataFrame
        ``customer_id, current_value, future_value, loyalty, value_row, loyal, segment``.
    segments : pandas.DataFrame
        ``segment, customers, share, revenue, revenue_share, mean_current_value,
        mean_future_value, mean_loyalty`` per cell, in `VALUE_CELLS` order.
    grid : pandas.DataFrame
        Customers per cell as a 3 × 2 table: rows ``current_high, future_high, both_low``,
        columns ``loyal, not_loyal`` (the heat map).
    params : dict
        Fitted model parameters (empty for the fallback).
    sample_size : int or None
        Customers the models were fitted on when the table was larger than the sample (every
        customer is still scored); None when the fit used every customer or no model was fitted.
    seed : int
        Seed of that sample.
    """

    method: str
    reason: str
    horizon_months: float
    cuts: dict[str, float]
    customers: pd.DataFrame
    segments: pd.DataFrame
    grid: pd.DataFrame
    params: dict[str, float]
    sample_size: int | None = None
    seed: int = 0


#: Above this many customers the models are fitted on a random sample of this size.
SAMPLE_SIZE = 50_000


@dataclass(frozen=True)
class SpendFit:
    """A Gamma-Gamma fit made on the same customer table elsewhere (the report's CLV run).

    Attributes
    ----------
    model : GammaGammaModel
        The fitted model; its ``fit_warnings_`` lists the convergence warnings of its fit.
    customers : int
        Rows of the customer table it was fitted from.
    sample_size, seed : int or None
        The uniform sample it was fitted on and its seed (None, None: every customer).
    """

    model: Any
    customers: int
    sample_size: int | None
    seed: int | None


def spend_fit_of(clv_result: Any) -> SpendFit | None:
    """The Gamma-Gamma fit of a CLV run (`custlens.clv.ClvResult`); None when it has none."""
    gg = (getattr(clv_result, "fitted", None) or {}).get("spend")
    if gg is None or not getattr(clv_result, "sound", False) or clv_result.spend_model != "gamma_gamma":
        return None
    return SpendFit(gg, int(clv_result.customers), clv_result.fit_sample, clv_result.fit_sample_seed)


def _same_spend_fit(spend: SpendFit | None, fit: pd.DataFrame, n: int, sampled: bool,
                    random_state: int) -> Any | None:
    """``spend.model`` when it is the Gamma-Gamma fit ``_fit_clv`` would make on ``fit``, else None.

    The same fit: the same table (``n`` rows), the same uniform sample and seed (the CLV run
    draws its sample as `value_matrix` does), and the same rows: the repeat buyers of the
    sample, all with spend > 0 (the CLV run leaves out repeat buyers without spend, where
    `GammaGammaModel.fit` refuses them). A fit that warned about convergence is not taken:
    refitting here turns the warning into the fallback, as before.
    """
    from custlens.clv import GammaGammaModel

    if spend is None or not isinstance(spend.model, GammaGammaModel):
        return None
    expected = (len(fit), random_state) if sampled else (None, None)
    if spend.customers != n or (spend.sample_size, spend.seed) != expected:
        return None
    if getattr(spend.model, "fit_warnings_", None) != ():
        return None  # warned, or warnings not recorded
    x, m = fit[FREQUENCY].to_numpy(dtype=float), fit[MONETARY_VALUE].to_numpy(dtype=float)
    repeat = x > 0
    if not (m[repeat] > 0).all() or float(repeat.sum()) != getattr(spend.model, "n_obs_", None):
        return None
    return spend.model


def _fit_clv(customers: pd.DataFrame, horizon_months: float, min_customers: int,
             min_repeaters: int, fit_rows: np.ndarray | None = None, spend: SpendFit | None = None,
             random_state: int = 0) -> tuple[pd.DataFrame | None, str, dict[str, float]]:
    from custlens.clv import GammaGammaModel, ModifiedBetaGeoModel, score_customers
    from custlens.clv.diagnostics import check_fit

    n, repeaters = len(customers), int((customers[FREQUENCY] > 0).sum())
    if n < min_customers or repeaters < min_repeaters:
        return None, (f"too few customers to fit MBG/NBD and Gamma-Gamma ({n:,} customers, {repeaters:,} "
                      f"repeat buyers; need {min_customers} and {min_repeaters})"), {}
    data = customers[[FREQUENCY, RECENCY, T, MONETARY_VALUE]].astype(float)
    try:
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
            warnings.simplefilter("always")
            fit = data if fit_rows is None else data.iloc[fit_rows]
            bg = ModifiedBetaGeoModel().fit(fit[[FREQUENCY, RECENCY, T]])
            check = check_fit(bg, "mbgnbd", caught=caught)
            if not check.sound:
                return None, "the MBG/NBD fit is not sound: " + " ".join(check.texts()), {}
            caught.clear()
            warnings.simplefilter("error", ConvergenceWarning)
            # the report's CLV run fitted the same model on the same rows: not fitted twice
            gg = _same_spend_fit(spend, fit, n, fit_rows is not None, random_state)
            if gg is None:
                gg = GammaGammaModel().fit(fit[[FREQUENCY, MONETARY_VALUE]])
            scores = score_customers(bg, data, gg, horizon_months=horizon_months, time_unit="W")
    except (CustlensError, ConvergenceWarning, ValueError, FloatingPointError, ArithmeticError) as exc:
        return None, f"the CLV models could not be fitted: {exc}", {}
    except Exception as exc:  # noqa: BLE001
        # A failure inside the CLV package must not take the matrix down with it: the
        # fallback exists for this, and the reason names the error so it gets reported.
        return None, f"the CLV models failed ({type(exc).__name__}: {exc})", {}
    if not np.isfinite(scores[["clv", "p_alive"]].to_numpy()).all():
        return None, "the CLV models gave non-finite predictions", {}
    params = {f"mbgnbd_{k}": float(v) for k, v in dict(bg.params_).items()}
    params.update({f"gamma_gamma_{k}": float(v) for k, v in dict(gg.params_).items()})
    return scores, "", params


def _repeat_behaviour(customers: pd.DataFrame, horizon_months: float) -> tuple[np.ndarray, np.ndarray]:
    gap = customers[GAP_MEAN_DAYS].to_numpy(dtype=float, na_value=np.nan) if GAP_MEAN_DAYS in customers \
        else np.full(len(customers), np.nan)
    loyal = ((customers[FREQUENCY].to_numpy(dtype=float) > 0) & np.isfinite(gap)
             & (customers[DAYS_SINCE_LAST].to_numpy(dtype=float) <= 2.0 * np.nan_to_num(gap, nan=0.0)))
    rate = customers[TOTAL_SPEND].to_numpy(dtype=float) / np.maximum(customers[T_DAYS].to_numpy(dtype=float), 1.0)
    future = rate * horizon_months * 365.25 / 12.0 * loyal
    return future, loyal.astype(float)


def value_matrix(customers: pd.DataFrame, *, horizon_months: float = 12.0, value_quantile: float = 0.5,
                 loyalty_cut: float = 0.5, use_clv: bool = True, min_customers: int = 30,
                 min_repeaters: int = 10, sample_size: int | None = SAMPLE_SIZE,
                 random_state: int = 0, spend_fit: SpendFit | None = None) -> ValueMatrixResult:
    """Place every customer in the value × loyalty matrix.

    Parameters
    ----------
    customers : pandas.DataFrame
        The customer table (`custlens.features.customer_table`; recency and T in weeks).
    horizon_months : float, default 12
        Horizon of the future value.
    value_quantile : float, default 0.5
        Quantile of spend (and of future value) at or above which value is *high*.
    loyalty_cut : float, default 0.5
        MBG/NBD P(alive) at or above which a customer is *loyal*.
    use_clv : bool, default True
        False skips the models and uses repeat behaviour.
    min_customers, min_repeaters : int
        Below these counts the models are not fitted (the fallback is used).
    sample_size : int or None, default 50,000
        With more customers than this, the models are fitted on a uniform random sample of
        this many (seed ``random_state``) and every customer is scored; None fits on all.
    random_state : int, default 0
        Seed of that sample.
    spend_fit : SpendFit, optional
        The Gamma-Gamma fit of a CLV run on this same customer table (`spend_fit_of`). Used
        instead of fitting one when it is the same fit (same customers, sample, seed and rows,
        no convergence warning); otherwise the model is fitted here. The result is the same.

    Returns
    -------
    ValueMatrixResult
    """
    if not 0 < value_quantile < 1:
        raise InputError(f"value_quantile must be between 0 and 1; got {value_quantile}")
    if not 0 < loyalty_cut < 1:
        raise InputError(f"loyalty_cut must be between 0 and 1; got {loyalty_cut}")
    if not horizon_months > 0:
        raise InputError(f"horizon_months must be > 0; got {horizon_months}")
    if sample_size is not None and sample_size < min_customers:
        raise InputError(f"sample_size={sample_size} is below min_customers={min_customers}; "
                         "raise it or pass None to fit on every customer")
    # read only: no copy of the whole customer table when its index is already 0..n-1
    plain = isinstance(customers.index, pd.RangeIndex) and customers.index.equals(pd.RangeIndex(len(customers)))
    table = customers if plain else customers.reset_index(drop=True)
    rows = None
    if use_clv and sample_size is not None and len(table) > sample_size:
        rows = np.sort(np.random.default_rng(random_state).choice(len(table), sample_size, replace=False))
    scores, reason, params = (_fit_clv(table, horizon_months, min_customers, min_repeaters, rows, spend_fit,
                                       random_state) if use_clv
                              else (None, "repeat behaviour requested (use_clv=False)", {}))
    if scores is not None:
        future, loyalty, method = scores["clv"].to_numpy(), scores["p_alive"].to_numpy(), "clv"
    else:
        future, loyalty = _repeat_behaviour(table, horizon_months)
        method = "repeat"
    current = table[TOTAL_SPEND].to_numpy(dtype=float)
    cut_cur = float(np.quantile(current, value_quantile)) if len(current) else 0.0
    cut_fut = float(np.quantile(future, value_quantile)) if len(future) else 0.0
    high_cur = current >= cut_cur
    high_fut = (future >= cut_fut) & (future > 0)
    # integer codes, not strings: a million labels are built and grouped in milliseconds
    row_code = np.where(high_cur, 0, np.where(high_fut, 1, 2))
    loyal = loyalty >= loyalty_cut
    cell = _CELL_CODE[row_code, (~loyal).astype(np.intp)]
    segment = np.asarray(VALUE_CELLS, dtype=object)[cell]
    out = pd.DataFrame({CUSTOMER_ID: table[CUSTOMER_ID].to_numpy(), "current_value": current,
                        "future_value": future, "loyalty": loyalty,
                        "value_row": np.asarray(ROWS, dtype=object)[row_code], "loyal": loyal,
                        "segment": segment})
    segs = summary_of_codes(cell, current, VALUE_CELLS)
    # one grouping for the three means (each column's mean is computed as on its own)
    means = out[["current_value", "future_value", "loyalty"]].groupby(cell).mean().reindex(range(len(VALUE_CELLS)))
    for col in ("current_value", "future_value", "loyalty"):
        segs[f"mean_{col}"] = means[col].to_numpy(dtype=float)
    counts = np.bincount(row_code * 2 + (~loyal), minlength=6).reshape(3, 2).astype("int64")
    grid = pd.DataFrame(counts, index=pd.Index(list(ROWS), name="value_row"), columns=["loyal", "not_loyal"])
    return ValueMatrixResult(method=method, reason=reason, horizon_months=float(horizon_months),
                             cuts={"current_value": cut_cur, "future_value": cut_fut, "loyalty": loyalty_cut},
                             customers=out, segments=segs, grid=grid, params=params,
                             sample_size=int(sample_size) if rows is not None and method == "clv" else None,
                             seed=int(random_state))
