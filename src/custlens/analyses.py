"""The analysis contract: one entry point per analysis, one shape for all of them.

Every analysis is ``name(store, *, as_of=None, **options) -> XResult``:

- ``store`` is the only positional argument (the customer view adds the subject,
  ``customer(store, customer_id, *, ...)``); everything else is keyword-only;
- ``as_of`` is the first day not observed (default: the day after the last order; for
  `quality` the date the data is judged against, default today), and no analysis looks
  at data on or after it;
- the result inherits `custlens.results.Result`: a dataclass of DataFrames and numbers
  with a JSON-ready ``to_dict()``;
- nothing is written to the store: saved tables are written only by the explicit
  ``save_*`` functions (`save_clv`, `save_churn`), see `custlens.schema.SAVED_TABLES`.

The CLI, the report and the web service call these. The names are the analyses' nouns
(``clv``, ``churn``, ``cohorts``...); the functions they call in the packages keep their
longer names (``run_clv``, ``churn_analysis``...) with the same keyword-only signature.
The table old → new is in ``docs/api.md``.

>>> from custlens import analyses
>>> res = analyses.clv(store, as_of="2024-01-01", horizon_days=180)   # doctest: +SKIP
>>> analyses.save_clv(store, res)                                      # doctest: +SKIP
>>> sorted(analyses.ANALYSES)[:3]
['basket', 'churn', 'clv']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:  # the analyses import their packages on call, so importing this module stays cheap
    import pandas as pd

    from custlens.behaviour import BasketResult, FestivalResult, FrequencyResult, PreferenceResult, TimingResult
    from custlens.campaigns import ExperimentResult
    from custlens.churn import ChurnResult, SurvivalResult
    from custlens.clv.result import ClvResult
    from custlens.cohorts import CohortResult
    from custlens.customer360 import Customer360
    from custlens.forecast import ForecastResult
    from custlens.lifecycle import LifecycleResult
    from custlens.loyalty import LoyaltyResult
    from custlens.profile import ProfileResult
    from custlens.quality import QualityReport
    from custlens.segments import RFMResult, Segmentation
    from custlens.store import Store
    from custlens.voc import FeedbackResult, NPSResult, SatisfactionResult, ServiceResult, SurveyResult

__all__ = ["ANALYSES", "basket", "churn", "clv", "cohorts", "customer", "feedback", "festivals", "forecast",
           "frequency", "lifecycle", "loyalty", "nps", "preferences", "profile", "quality", "retention", "rfm",
           "satisfaction", "save_churn", "save_clv", "segments", "service", "survey", "timing", "campaign"]

F = TypeVar("F", bound=Callable[..., Any])

#: Every analysis of the contract by name (``tests/test_analyses.py`` checks each one).
ANALYSES: dict[str, Callable[..., Any]] = {}


def _analysis(fn: F) -> F:
    ANALYSES[fn.__name__] = fn
    return fn


# -- the store and its customers ------------------------------------------------------------
@_analysis
def quality(store: Store, *, as_of: Any = None, **options: Any) -> QualityReport:
    """Data quality of the store (`custlens.quality.assess`; ``as_of`` = the date judged against)."""
    from custlens.quality import assess

    return assess(store, as_of=as_of, **options)


@_analysis
def customer(store: Store, customer_id: str, *, as_of: Any = None, **options: Any) -> Customer360:
    """The 360 view of one customer (`custlens.customer360.customer_360`)."""
    from custlens.customer360 import customer_360

    return customer_360(store, customer_id, as_of=as_of, **options)


@_analysis
def rfm(store: Store, *, as_of: Any = None, scheme: str = "rfm11", bins: int = 5,
        customers: pd.DataFrame | None = None) -> RFMResult:
    """RFM scores and segments of the customer table as of ``as_of`` (`custlens.segments.rfm`).

    ``customers`` is the customer table of ``store`` as of ``as_of``
    (`custlens.features.customer_table`) when the caller has it already (the report, the
    server): it is not computed again. A table of another date raises `InputError`.
    """
    from custlens.features import resolve_as_of
    from custlens.segments import rfm as rfm_of_table

    when = resolve_as_of(store, as_of)
    return rfm_of_table(_customers_of(store, when, customers), scheme=scheme, bins=bins)


@_analysis
def segments(store: Store, *, as_of: Any = None, scheme: str = "rfm11", customers: pd.DataFrame | None = None,
             demographics: pd.DataFrame | None = None, **options: Any) -> Segmentation:
    """Customers of a segment scheme (`custlens.segments.segment_customers`: rfm11, kmeans, abc...).

    ``customers`` is the customer table as of ``as_of`` when the caller has it already (see
    `rfm`); ``demographics`` the store's ``customers`` table for the cluster profiles, read
    from the store when omitted and the scheme clusters (``kmeans``, ``lrfmc``).
    """
    from custlens.features import resolve_as_of
    from custlens.segments import segment_customers

    when = resolve_as_of(store, as_of)
    if demographics is None and scheme in ("kmeans", "lrfmc") and store.has("customers"):
        demographics = store.read("customers")  # only the clusterings profile demographics
    return segment_customers(_customers_of(store, when, customers), scheme, store=store, as_of=when,
                             demographics=demographics, **options)


def _customers_of(store: Store, as_of: pd.Timestamp, customers: pd.DataFrame | None) -> pd.DataFrame:
    """``customers`` after checking it is the customer table as of ``as_of``; else computed."""
    import pandas as pd

    from custlens.errors import InputError
    from custlens.features import columns as c
    from custlens.features import customer_table

    if customers is None:
        return customer_table(store, as_of=as_of)
    missing = [col for col in (c.CUSTOMER_ID, c.LAST_ORDER_AT, c.DAYS_SINCE_LAST) if col not in customers.columns]
    if missing:
        raise InputError(f"customers= lacks the column(s) {', '.join(missing)}; pass "
                         f"custlens.features.customer_table(store, as_of=...)")
    # days_since_last is as_of minus the last purchase day: a table of another date disagrees
    expect = _days_before(as_of, customers[c.LAST_ORDER_AT])
    bad = expect.to_numpy() != customers[c.DAYS_SINCE_LAST].to_numpy()
    if bad.any():
        i = int(bad.argmax())
        raise InputError(
            f"customers= is not the customer table as of {as_of.date()}: customer "
            f"{customers[c.CUSTOMER_ID].iloc[i]!r} has days_since_last={customers[c.DAYS_SINCE_LAST].iloc[i]} "
            f"where as_of {as_of.date()} gives {expect.iloc[i]}; pass customer_table(store, as_of=as_of) "
            f"of the same as_of, or leave customers= out")
    return customers


def _days_before(as_of: pd.Timestamp, last: pd.Series) -> pd.Series:
    """Whole days from each ``last`` time stamp's day to ``as_of``'s day.

    On naive datetime64 columns without NaT this is integer arithmetic on day numbers (casting
    to ``datetime64[D]`` floors, as ``normalize`` does): the pandas expression of the other cases
    spent ~0.1 s per million customers converting units, once per analysis the report runs.
    """
    import numpy as np
    import pandas as pd

    values = last.to_numpy()
    if values.dtype.kind == "M" and not np.isnat(values).any():
        day = np.datetime64(pd.Timestamp(as_of).normalize().to_datetime64(), "D").astype(np.int64)
        return pd.Series(day - values.astype("datetime64[D]").astype(np.int64), index=last.index)
    return (as_of.normalize() - pd.to_datetime(last).dt.normalize()).dt.days


@_analysis
def profile(store: Store, *, as_of: Any = None, **options: Any) -> ProfileResult:
    """Demographics and their link to value (`custlens.profile.profile`)."""
    from custlens.profile import profile as run

    return run(store, as_of=as_of, **options)


# -- value and churn ------------------------------------------------------------------------
@_analysis
def clv(store: Store, *, as_of: Any = None, **options: Any) -> ClvResult:
    """Fit, check and apply the CLV models (`custlens.clv.pipeline.run_clv`); saves nothing (see `save_clv`)."""
    from custlens.clv.pipeline import run_clv

    return run_clv(store, as_of=as_of, **options)


@_analysis
def churn(store: Store, *, as_of: Any = None, **options: Any) -> ChurnResult:
    """Churn risk, bands and reasons (`custlens.churn.churn_analysis`); saves nothing (see `save_churn`)."""
    from custlens.churn import churn_analysis

    return churn_analysis(store, as_of=as_of, **options)


@_analysis
def retention(store: Store, *, as_of: Any = None, **options: Any) -> SurvivalResult:
    """Kaplan-Meier retention curves and a Cox model (`custlens.churn.retention_analysis`)."""
    from custlens.churn import retention_analysis

    return retention_analysis(store, as_of=as_of, **options)


# -- behaviour ------------------------------------------------------------------------------
@_analysis
def frequency(store: Store, *, as_of: Any = None, **options: Any) -> FrequencyResult:
    """Orders per customer and gaps between purchases (`custlens.behaviour.purchase_frequency`)."""
    from custlens.behaviour import purchase_frequency

    return purchase_frequency(store, as_of=as_of, **options)


@_analysis
def preferences(store: Store, *, as_of: Any = None, **options: Any) -> PreferenceResult:
    """Shares of categories, brands, channels and payments (`custlens.behaviour.preferences`)."""
    from custlens.behaviour import preferences as run

    return run(store, as_of=as_of, **options)


@_analysis
def basket(store: Store, *, as_of: Any = None, **options: Any) -> BasketResult:
    """Products bought together (`custlens.behaviour.market_basket`)."""
    from custlens.behaviour import market_basket

    return market_basket(store, as_of=as_of, **options)


@_analysis
def timing(store: Store, *, as_of: Any = None, **options: Any) -> TimingResult:
    """When customers buy (`custlens.behaviour.purchase_timing`)."""
    from custlens.behaviour import purchase_timing

    return purchase_timing(store, as_of=as_of, **options)


@_analysis
def festivals(store: Store, *, as_of: Any = None, **options: Any) -> FestivalResult:
    """Order lift on festivals and holidays (`custlens.behaviour.festival_lift`)."""
    from custlens.behaviour import festival_lift

    return festival_lift(store, as_of=as_of, **options)


@_analysis
def cohorts(store: Store, *, as_of: Any = None, **options: Any) -> CohortResult:
    """Retention of customers and revenue by acquisition period (`custlens.cohorts.cohorts`)."""
    from custlens.cohorts import cohorts as run

    return run(store, as_of=as_of, **options)


@_analysis
def lifecycle(store: Store, *, as_of: Any = None, **options: Any) -> LifecycleResult:
    """Lifecycle states and stages (`custlens.lifecycle.lifecycle`)."""
    from custlens.lifecycle import lifecycle as run

    return run(store, as_of=as_of, **options)


@_analysis
def loyalty(store: Store, *, as_of: Any = None, **options: Any) -> LoyaltyResult:
    """Repeat purchase, retention, NPS and the loyalty index (`custlens.loyalty.loyalty`)."""
    from custlens.loyalty import loyalty as run

    return run(store, as_of=as_of, **options)


@_analysis
def forecast(store: Store, *, as_of: Any = None, **options: Any) -> ForecastResult:
    """A shop metric forecast with the model that backtests best (`custlens.forecast.forecast`)."""
    from custlens.forecast import forecast as run

    return run(store, as_of=as_of, **options)


# -- voice of the customer ------------------------------------------------------------------
@_analysis
def satisfaction(store: Store, *, as_of: Any = None, customers: pd.DataFrame | None = None,
                 **options: Any) -> SatisfactionResult:
    """Satisfaction index (`custlens.voc.satisfaction_index`); ``customers``: the customer table
    as of the surveys' ``as_of`` when the caller has it (checked, as in `rfm`)."""
    from custlens.voc import satisfaction_index

    return satisfaction_index(store, as_of=as_of, customers=_voc_customers(store, as_of, customers), **options)


@_analysis
def survey(store: Store, *, as_of: Any = None, **options: Any) -> SurveyResult:
    """Survey reliability, factors and drivers (`custlens.voc.survey_analysis`)."""
    from custlens.voc import survey_analysis

    return survey_analysis(store, as_of=as_of, **options)


@_analysis
def nps(store: Store, *, as_of: Any = None, customers: pd.DataFrame | None = None, **options: Any) -> NPSResult:
    """NPS overall, by segment and period (`custlens.voc.nps_analysis`); ``customers`` as in
    `satisfaction`."""
    from custlens.voc import nps_analysis

    return nps_analysis(store, as_of=as_of, customers=_voc_customers(store, as_of, customers), **options)


def _voc_customers(store: Store, as_of: Any, customers: pd.DataFrame | None) -> pd.DataFrame | None:
    """``customers`` checked against the date the survey analyses cut at (None stays None)."""
    if customers is None or not store.has("surveys"):
        return None
    from custlens.voc._data import as_of_for

    return _customers_of(store, as_of_for(store, "surveys", as_of), customers)


@_analysis
def feedback(store: Store, *, as_of: Any = None, **options: Any) -> FeedbackResult:
    """Sentiment, topics and complaint categories of feedback texts (`custlens.voc.feedback_analysis`)."""
    from custlens.voc import feedback_analysis

    return feedback_analysis(store, as_of=as_of, **options)


@_analysis
def service(store: Store, *, as_of: Any = None, **options: Any) -> ServiceResult:
    """Tickets, response times and SLA breaches (`custlens.voc.service_analysis`)."""
    from custlens.voc import service_analysis

    return service_analysis(store, as_of=as_of, **options)


# -- campaigns ------------------------------------------------------------------------------
@_analysis
def campaign(store: Store, *, as_of: Any = None, campaign_id: str | None = None, **options: Any) -> ExperimentResult:
    """A/B analysis of a campaign in ``campaign_members`` (`custlens.campaigns.analyze_campaign`)."""
    from custlens.campaigns import analyze_campaign

    return analyze_campaign(store, campaign_id=campaign_id, as_of=as_of, **options)


# -- explicit saves -------------------------------------------------------------------------
def save_clv(store: Store, result: ClvResult) -> int:
    """Replace the store's ``clv_scores`` with ``result``'s scores and their context; rows written."""
    from custlens.clv.scores import save_clv_scores

    return save_clv_scores(store, result)


def save_churn(store: Store, result: ChurnResult) -> int:
    """Replace the store's ``churn_scores`` with ``result``'s scores and their context; rows written."""
    from custlens.churn.saved import save_churn_scores

    return save_churn_scores(store, result)
