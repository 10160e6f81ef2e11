"""Before/after without a randomised control: difference-in-differences.

The effect is the ``treated:post`` coefficient of the OLS regression
``y ~ treated + post + treated:post`` on a customer x period panel, with standard errors
clustered by customer (robust to heteroscedasticity and to a customer's periods being
correlated). It is the change of the treated group minus the change of a comparison group.

Assumptions (stated in the report): (1) parallel trends, without the campaign the treated
group's outcome would have moved like the comparison group's; (2) no anticipation, nothing
changed before the event; (3) no spill-over, the campaign did not change the comparison
group; (4) the groups' composition is stable across the periods. The pre-period trend
test (``pretrend_p_value``: the treated x time slope before the event) and the
``trends`` frame (mean outcome per period and group, for a chart) let a reader check (1).

References
----------
Angrist, J. D. & Pischke, J.-S. (2009). *Mostly Harmless Econometrics*, ch. 5.
Bertrand, M., Duflo, E. & Mullainathan, S. (2004). How much should we trust
differences-in-differences estimates? *QJE* 119(1) (why cluster by unit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import ibis
import numpy as np
import pandas as pd

from custlens import schema
from custlens.errors import InputError, MissingDataError
from custlens.results import Result, jsonable
from custlens.store import Store

__all__ = ["ASSUMPTIONS", "DidResult", "before_after", "diff_in_diff", "spend_panel"]

#: i18n keys of the assumptions, in the order of the module docstring.
ASSUMPTIONS = ("campaign.did.assume.parallel", "campaign.did.assume.anticipation",
               "campaign.did.assume.spillover", "campaign.did.assume.composition")


@dataclass
class DidResult(Result):
    """A difference-in-differences estimate.

    Attributes
    ----------
    effect, se, ci_low, ci_high, p_value : float
        The ``treated:post`` coefficient, its robust SE, interval and p-value.
    trends : DataFrame
        ``period, group ('treated'|'comparison'), mean, units, post`` for the parallel-trends chart.
    pretrend_p_value : float
        p-value of a differential linear trend before the event (small = trends differ).
    coefficients : DataFrame
        The regression table (``term, coef, se, p_value``).
    """

    effect: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    n_treated: int
    n_comparison: int
    n_obs: int
    cov_type: str
    pretrend_p_value: float
    trends: pd.DataFrame
    coefficients: pd.DataFrame
    assumptions: tuple[str, ...] = ASSUMPTIONS
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (trends as a list of records)."""
        keys = ("effect", "se", "ci_low", "ci_high", "p_value", "n_treated", "n_comparison", "n_obs",
                "cov_type", "pretrend_p_value")
        out: dict[str, Any] = {**self.info, **{k: getattr(self, k) for k in keys}}
        out["assumptions"] = list(self.assumptions)
        out["trends"] = self.trends
        return jsonable(out)


def diff_in_diff(
    panel: pd.DataFrame,
    outcome: str = "y",
    unit: str = "unit",
    period: str = "period",
    treated: str = "treated",
    post: str = "post",
    alpha: float = 0.05,
    cluster: bool = True,
) -> DidResult:
    """Estimate the effect on ``outcome`` of being treated after the event.

    Parameters
    ----------
    panel : DataFrame
        One row per unit and period with the outcome, a 0/1 ``treated`` flag (constant per
        unit) and a 0/1 ``post`` flag (constant per period).
    outcome, unit, period, treated, post : str
        Column names.
    alpha : float
        1 - confidence level.
    cluster : bool
        Cluster-robust SE by unit (default) or heteroscedasticity-robust HC1.
    """
    for col in (outcome, unit, period, treated, post):
        if col not in panel.columns:
            raise InputError(f"column {col!r} is not in the panel; columns are {', '.join(map(repr, panel.columns))}")
    d = pd.DataFrame({"y": pd.to_numeric(panel[outcome], errors="coerce").astype(float),
                      "treated": panel[treated].astype(int), "post": panel[post].astype(int),
                      "unit": panel[unit].to_numpy(), "period": pd.to_numeric(panel[period]).astype(float)}).dropna()
    cells = d.groupby(["treated", "post"]).size()
    if len(cells) < 4:
        raise MissingDataError("difference-in-differences needs treated and comparison units both before and "
                               f"after the event; the panel has only the cells {list(cells.index)}")
    codes = pd.factorize(d["unit"])[0]
    kw: dict[str, Any] = ({"cov_type": "cluster", "cov_kwds": {"groups": codes}} if cluster
                          else {"cov_type": "HC1"})
    import statsmodels.formula.api as smf  # here: with polars it is ~1.5 s of every report's start-up

    fit = smf.ols("y ~ treated + post + treated:post", data=d).fit(**kw)
    ci = fit.conf_int(alpha).loc["treated:post"]
    pre = d[d["post"] == 0]
    pretrend = float("nan")
    if pre["period"].nunique() >= 3:
        pf = smf.ols("y ~ treated * period", data=pre).fit(
            **({"cov_type": "cluster", "cov_kwds": {"groups": codes[(d["post"] == 0).to_numpy()]}} if cluster
               else {"cov_type": "HC1"}))
        pretrend = float(pf.pvalues["treated:period"])
    trends = (d.assign(group=np.where(d["treated"] == 1, "treated", "comparison"))
              .groupby(["period", "group"], as_index=False)
              .agg(mean=("y", "mean"), units=("unit", "nunique"), post=("post", "max")))
    if np.allclose(trends["period"], trends["period"].round()):
        trends["period"] = trends["period"].round().astype("int64")
    coefs = pd.DataFrame({"term": fit.params.index, "coef": fit.params.to_numpy(), "se": fit.bse.to_numpy(),
                          "p_value": fit.pvalues.to_numpy()})
    units = d.drop_duplicates("unit")
    return DidResult(
        effect=float(fit.params["treated:post"]), se=float(fit.bse["treated:post"]), ci_low=float(ci.iloc[0]),
        ci_high=float(ci.iloc[1]), p_value=float(fit.pvalues["treated:post"]),
        n_treated=int(units["treated"].sum()), n_comparison=int((units["treated"] == 0).sum()), n_obs=len(d),
        cov_type="cluster" if cluster else "HC1", pretrend_p_value=pretrend, trends=trends, coefficients=coefs)


def spend_panel(
    store: Store,
    treated_ids: Sequence[str],
    comparison_ids: Sequence[str],
    event: pd.Timestamp,
    periods_before: int = 8,
    periods_after: int = 4,
    period_days: int = 7,
) -> pd.DataFrame:
    """Spend per customer and period around ``event``, zeros included.

    Period ``k`` covers ``[event + k*period_days, event + (k+1)*period_days)``; ``k < 0`` is
    before the event (``post = 0``). Returns ``unit, period, treated, post, y``.
    """
    if periods_before < 1 or periods_after < 1 or period_days < 1:
        raise InputError("periods before/after and the period length must be at least 1")
    event = pd.Timestamp(event)
    ids = pd.DataFrame({"unit": list(treated_ids) + list(comparison_ids),
                        "treated": [1] * len(treated_ids) + [0] * len(comparison_ids)}).drop_duplicates("unit")
    if ids["treated"].sum() == 0 or (ids["treated"] == 0).sum() == 0:
        raise MissingDataError("difference-in-differences needs at least one treated and one comparison customer")
    o = store.require(schema.ORDERS.name, "the before/after analysis")
    start = event - pd.Timedelta(days=periods_before * period_days)
    end = event + pd.Timedelta(days=periods_after * period_days)
    sel = o.filter((o[schema.ORDERED_AT] >= start.to_pydatetime()) & (o[schema.ORDERED_AT] < end.to_pydatetime()))
    units = ibis.memtable(ids[["unit"]].astype({"unit": "string"}))
    sel = sel.inner_join(units, sel[schema.CUSTOMER_ID] == units.unit)
    secs = (sel[schema.ORDERED_AT].epoch_seconds() - int(event.timestamp())) / (86400 * period_days)
    sel = sel.mutate(period=secs.floor().cast("int64"))
    agg = sel.group_by(["unit", "period"]).aggregate(y=sel[schema.AMOUNT].sum())
    spent = store.execute(agg)
    grid = pd.MultiIndex.from_product([ids["unit"], range(-periods_before, periods_after)], names=["unit", "period"])
    panel = (spent.astype({"period": "int64"}).set_index(["unit", "period"])["y"].reindex(grid, fill_value=0.0)
             .reset_index())
    panel = panel.merge(ids, on="unit")
    panel["post"] = (panel["period"] >= 0).astype("int64")
    panel["y"] = panel["y"].astype("float64")
    return panel[["unit", "period", "treated", "post", "y"]]


def before_after(
    store: Store,
    campaign_id: str | None = None,
    comparison: str = "auto",
    periods_before: int = 8,
    periods_after: int = 4,
    period_days: int = 7,
    alpha: float = 0.05,
    as_of: pd.Timestamp | None = None,
) -> DidResult:
    """Difference-in-differences of weekly spend for a campaign's treated members.

    Parameters
    ----------
    comparison : {"auto", "control", "others"}
        ``control``: the campaign's control members; ``others``: customers outside the
        campaign who bought in the pre-period of the panel, i.e. as active as the members
        (a comparison you must still be able to defend: check the trends before the event);
        ``auto``: control when the campaign has one, else others.
    periods_before, periods_after, period_days : int
        The panel: ``periods_before`` periods of ``period_days`` days before the event (the
        first exposure day) and ``periods_after`` after it, cut to whole periods before ``as_of``.
    as_of : Timestamp, optional
        First day not observed (default: the day after the last order).
    """
    from custlens.campaigns.outcomes import pick_campaign

    cid = pick_campaign(store, campaign_id)
    m = store.table("campaign_members")
    mem = store.execute(m.filter(m.campaign_id == cid).select("customer_id", "group", "exposed_at"))
    event = pd.to_datetime(mem["exposed_at"]).min().normalize()
    as_of = pd.Timestamp(as_of) if as_of is not None else store.default_as_of()
    periods_after = min(periods_after, int((as_of - event) / pd.Timedelta(days=period_days)))
    if periods_after < 1:
        raise MissingDataError(f"campaign {cid!r}: less than {period_days} days of data after the event "
                               f"({event.date()}) before {as_of.date()}; wait for more orders")
    treated = mem.loc[mem["group"] != "control", "customer_id"].tolist()
    if comparison not in ("auto", "control", "others"):
        raise InputError(f"--comparison {comparison!r} is unknown; use auto, control or others")
    if comparison == "auto":
        comparison = "control" if (mem["group"] == "control").any() else "others"
    if comparison == "control":
        comp = mem.loc[mem["group"] == "control", "customer_id"].tolist()
    else:
        o = store.table(schema.ORDERS.name)
        start = event - pd.Timedelta(days=periods_before * period_days)
        active = o.filter((o[schema.ORDERED_AT] < event.to_pydatetime())
                          & (o[schema.ORDERED_AT] >= start.to_pydatetime()))
        buyers = store.execute(active[schema.CUSTOMER_ID].name("customer_id").as_table().distinct())["customer_id"]
        comp = sorted(set(buyers) - set(mem["customer_id"]))
        if not comp:
            raise MissingDataError(
                f"campaign {cid!r}: no customer outside the campaign bought in the {periods_before * period_days} "
                f"days before the event ({event.date()}), so there is no comparable group; use "
                "--comparison control, or a longer --weeks-before")
    res = diff_in_diff(spend_panel(store, treated, comp, event, periods_before, periods_after, period_days),
                       alpha=alpha)
    res.info = {"campaign_id": cid, "event": event.isoformat(), "comparison": comparison,
                "period_days": period_days, "outcome": "spend"}
    return res
