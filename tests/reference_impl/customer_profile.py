"""Customer profile: who the customers are, and which demographic differences matter for value.

Distributions of age band, gender, region, city tier, occupation, income band and
acquisition channel, each against value (revenue per customer, value band, RFM segment mix)
with chi-square tests and Cramér's V (bias-corrected, Bergsma 2013). Missing demographics are their own category.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd
from scipy import stats

from custlens import schema
from custlens.behaviour._common import orders_as_of, orders_before, ts
from custlens.behaviour.preferences import MISSING
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store

__all__ = ["AGE_BANDS", "DIMENSIONS", "ProfileResult", "cramers_v", "profile", "strength"]

#: Profile dimensions in display order.
DIMENSIONS: tuple[str, ...] = ("age_band", "gender", "region", "city_tier", "occupation", "income_band",
                               "acquisition_channel")
#: Age bands: label and lower bound (years); the last band is open.
AGE_BANDS: tuple[tuple[str, int], ...] = (("<18", 0), ("18-24", 18), ("25-34", 25), ("35-44", 35),
                                          ("45-54", 45), ("55+", 55))
#: Cramér's V thresholds: below 0.1 negligible, below 0.3 weak, below 0.5 moderate, else strong.
V_THRESHOLDS: tuple[tuple[float, str], ...] = ((0.1, "negligible"), (0.3, "weak"), (0.5, "moderate"))
#: A difference "matters" when p < ALPHA and Cramér's V >= MIN_V.
ALPHA = 0.05
MIN_V = 0.1
#: ... and at most this share of cells has an expected count below 5 (Cochran's rule).
MAX_SPARSE = 0.2
#: Natural order of common city-tier labels.
_TIERS = ("一线", "新一线", "二线", "三线", "四线", "四线及以下", "五线", "tier 1", "tier 2", "tier 3", "tier 4")


@dataclass
class ProfileResult(Result):
    """The customer profile.

    Attributes
    ----------
    distributions : DataFrame
        ``dimension, value, customers, share, buyers, orders, revenue, revenue_per_customer,
        aov, revenue_share`` (all customers of the customers table plus buyers without a
        customer record; non-buyers count with zero revenue). Missing values are ``"(missing)"``.
    tests : DataFrame
        ``dimension, target`` (``value_band`` or ``segment``), ``chi2, dof, p_value,
        cramers_v, strength, sparse_share, matters, n``; ``sparse_share`` is the share of cells
        with an expected count below 5.
    segment_mix : DataFrame
        ``dimension, value, segment, customers, share`` (share of the value's customers).
    missing : DataFrame
        ``dimension, missing, share``: how many customers lack each attribute.
    dimensions : list of str
        Dimensions present in the data.
    """

    distributions: pd.DataFrame
    tests: pd.DataFrame
    segment_mix: pd.DataFrame
    missing: pd.DataFrame
    dimensions: list[str]
    n_customers: int
    as_of: pd.Timestamp

    def findings(self) -> pd.DataFrame:
        """Tests that matter, strongest first (the differences worth acting on)."""
        found = self.tests.loc[self.tests["matters"].astype(bool)]
        return found.sort_values("cramers_v", ascending=False).reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {"as_of": str(self.as_of.date()), "n_customers": self.n_customers,
                "tests": self.tests.to_dict("records"), "missing": self.missing.to_dict("records"),
                "distributions": self.distributions.to_dict("records")}


def cramers_v(table: pd.DataFrame | np.ndarray, corrected: bool = True) -> tuple[float, float, int, float]:
    """Chi-square test of independence and Cramér's V of a contingency table.

    Returns ``(chi2, p_value, dof, v)``; rows and columns that are all zero are dropped; no
    continuity correction. A table with a single row or column gives ``(0, 1, 0, 0)``.

    With ``corrected`` (the default) ``v`` is the bias-corrected V of Bergsma (2013):

        phi2+ = max(0, chi2 / n - (r - 1)(c - 1) / (n - 1)),
        r~ = r - (r - 1)^2 / (n - 1),  c~ = c - (c - 1)^2 / (n - 1),
        V~ = sqrt(phi2+ / min(r~ - 1, c~ - 1)).

    The plain ``V = sqrt(chi2 / (n (min(r, c) - 1)))`` (``corrected=False``) is biased upwards
    in small samples and with many categories: independent attributes still show V > 0.

    References
    ----------
    Bergsma, W. (2013). A bias-correction for Cramér's V and Tschuprow's T. Journal of the
    Korean Statistical Society 42(3), 323-328.
    """
    arr = np.asarray(table, dtype=float)
    arr = arr[arr.sum(axis=1) > 0][:, arr.sum(axis=0) > 0]
    if arr.ndim != 2 or min(arr.shape) < 2:
        return 0.0, 1.0, 0, 0.0
    chi2, p, dof, _ = stats.chi2_contingency(arr, correction=False)
    n = float(arr.sum())
    r, k = arr.shape
    if not corrected:
        return float(chi2), float(p), int(dof), float(np.sqrt(chi2 / (n * (min(r, k) - 1))))
    if n <= 1:
        return float(chi2), float(p), int(dof), 0.0
    phi2 = max(0.0, chi2 / n - (r - 1) * (k - 1) / (n - 1))
    r_t, k_t = r - (r - 1) ** 2 / (n - 1), k - (k - 1) ** 2 / (n - 1)
    denom = min(r_t - 1, k_t - 1)
    v = float(np.sqrt(phi2 / denom)) if denom > 0 else 0.0
    return float(chi2), float(p), int(dof), v


def _sparse_share(ct: pd.DataFrame) -> float:
    arr = ct.to_numpy(dtype=float)
    if arr.size == 0 or arr.sum() == 0:
        return 1.0
    expected = np.outer(arr.sum(axis=1), arr.sum(axis=0)) / arr.sum()
    return float((expected < 5).mean())


def strength(v: float) -> str:
    """The word for Cramér's V (``negligible, weak, moderate, strong``)."""
    for hi, word in V_THRESHOLDS:
        if v < hi:
            return word
    return "strong"


def _people(store: Store, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per customer: demographics and value before ``as_of`` (computed in the store).

    Customers who signed up on or after ``as_of`` are left out; buyers without a customer
    record are kept with every attribute missing.
    """
    have = set(store.columns("customers")) if store.has("customers") else set()
    o = orders_before(store, as_of)
    v = o.group_by(schema.CUSTOMER_ID).aggregate(orders=o.count(), revenue=o[schema.AMOUNT].sum())
    attrs = ("gender", "region", "city_tier", "occupation", "income", "acquisition_channel")
    if not have:
        df = store.execute(v.select(schema.CUSTOMER_ID, orders=v.orders, revenue=v.revenue))
        out = pd.DataFrame({schema.CUSTOMER_ID: df[schema.CUSTOMER_ID], "age": np.nan,
                            **{a: None for a in attrs}, "orders": df["orders"], "revenue": df["revenue"]})
        return out
    c = store.table("customers")
    if "signup_at" in have:
        c = c.filter(c.signup_at.isnull() | (c.signup_at < ibis.literal(ts(as_of))))
    ages = ([c.age] if "age" in have else []) + ([_whole_years(c.birth_date, as_of)] if "birth_date" in have else [])
    age = (ibis.coalesce(*ages) if len(ages) > 1 else ages[0]).cast("float64") if ages else ibis.null("float64")
    c = c.select(schema.CUSTOMER_ID, age=age, **{a: (c[a] if a in have else ibis.null("string")) for a in attrs})
    j = c.outer_join(v, c[schema.CUSTOMER_ID] == v[schema.CUSTOMER_ID])
    return store.execute(j.select(customer_id=ibis.coalesce(c[schema.CUSTOMER_ID], v[schema.CUSTOMER_ID]), age=c.age,
                                  **{a: c[a] for a in attrs},
                                  orders=v.orders.fill_null(0), revenue=v.revenue.fill_null(0)))


def _whole_years(born: ibis.Value, as_of: pd.Timestamp) -> ibis.Value:
    """Completed years from ``born`` to the day ``as_of`` (as DuckDB's ``date_sub('year', ...)``).

    On the last day of a month the anniversary counts as reached (born 29 February: a year
    older on 28 February of a common year), as DuckDB does.
    """
    day = as_of.date()
    month_end = (as_of + pd.Timedelta(days=1)).day == 1
    later_day = born.day() > day.day
    if month_end:
        later_day = ibis.literal(False)
    before_birthday = (born.month() > day.month) | ((born.month() == day.month) & later_day)
    return day.year - born.year() - before_birthday.cast("int64")


def _bands(people: pd.DataFrame) -> pd.DataFrame:
    out = people.copy()
    labels = [b for b, _ in AGE_BANDS]
    edges = [lo for _, lo in AGE_BANDS] + [np.inf]
    age = pd.to_numeric(out["age"], errors="coerce")
    out["age_band"] = pd.cut(age, edges, right=False, labels=labels).astype(object).where(age.notna(), None)
    inc = pd.to_numeric(out["income"], errors="coerce")
    out["income_band"] = None
    if inc.notna().sum() >= 5:
        q = pd.qcut(inc.rank(method="first"), 5, labels=False)
        lims = inc.groupby(q).agg(["min", "max"])
        names = {k: f"Q{int(k) + 1} {lims.loc[k, 'min']:,.0f}-{lims.loc[k, 'max']:,.0f}" for k in lims.index}
        out["income_band"] = q.map(names).where(inc.notna(), None)
    for d in DIMENSIONS:
        out[d] = out[d].astype(object).where(out[d].notna(), MISSING).astype(str)
    buyers = out["orders"] > 0
    out["value_band"] = "none"
    if buyers.sum() >= 4:
        out.loc[buyers, "value_band"] = pd.qcut(out.loc[buyers, "revenue"].rank(method="first"), 4,
                                                 labels=["q1", "q2", "q3", "q4"]).astype(str)
    return out


def profile(store: Store, *, as_of: AsOf = None, segments: pd.DataFrame | None = None,
            scheme: str = "rfm11") -> ProfileResult:
    """Demographic distributions and their link to customer value.

    Parameters
    ----------
    store : Store
        Needs ``orders``; ``customers`` supplies the demographics (without it every
        customer is "(missing)" and the tests are empty).
    as_of : date-like, optional
        First day not observed (default: the day after the last order).
    segments : DataFrame, optional
        ``customer_id, segment``; default: RFM segments (``scheme``) of the customer table.
    scheme : str, default "rfm11"
        RFM map used when ``segments`` is None.

    Returns
    -------
    ProfileResult

    Notes
    -----
    Each dimension is tested against two targets with a chi-square test of independence
    (`scipy.stats.chi2_contingency`, no continuity correction): the value band (no purchase,
    or the revenue quartile among buyers) over all customers, and the RFM segment over
    buyers. Cramér's V measures the size of the association; a difference *matters* when
    ``p < 0.05`` and ``V >= 0.1``. The "(missing)" category takes part in the tests, so
    customers with missing data are never silently dropped. Age comes from ``age`` or else
    ``birth_date`` (years at ``as_of``); income bands are quintiles of the known incomes.
    """
    as_of = orders_as_of(store, as_of, "the customer profile")
    people = _bands(_people(store, as_of))
    if segments is None:
        from custlens.features import customer_table
        from custlens.segments import rfm

        segments = rfm(customer_table(store, as_of), scheme=scheme).customers[["customer_id", "segment"]]
    people = people.merge(segments[["customer_id", "segment"]].astype({"customer_id": str}), on="customer_id", how="left")
    n = len(people)
    dims = [d for d in DIMENSIONS if (people[d] != MISSING).any()]
    total_rev = float(people["revenue"].sum())
    dist_parts, tests, mix_parts, missing = [], [], [], []
    for d in DIMENSIONS:
        missing.append({"dimension": d, "missing": int((people[d] == MISSING).sum()),
                        "share": float((people[d] == MISSING).mean()) if n else 0.0})
    for d in dims:
        g = people.groupby(d)
        frame = pd.DataFrame({"customers": g.size(), "buyers": g["orders"].apply(lambda s: int((s > 0).sum())),
                              "orders": g["orders"].sum(), "revenue": g["revenue"].sum()})
        frame["share"] = frame["customers"] / n
        frame["revenue_per_customer"] = frame["revenue"] / frame["customers"]
        frame["aov"] = frame["revenue"] / frame["orders"].where(frame["orders"] > 0)
        frame["revenue_share"] = frame["revenue"] / total_rev if total_rev else 0.0
        frame = frame.reset_index().rename(columns={d: "value"})
        frame = frame.sort_values("value", key=_order_key(d)).reset_index(drop=True)
        frame.insert(0, "dimension", d)
        dist_parts.append(frame)
        for target, rows in (("value_band", people), ("segment", people[people["segment"].notna()])):
            ct = pd.crosstab(rows[d], rows[target])
            chi2, p, dof, v = cramers_v(ct)
            sparse = _sparse_share(ct)
            tests.append({"dimension": d, "target": target, "chi2": chi2, "dof": dof, "p_value": p,
                          "cramers_v": v, "strength": strength(v), "sparse_share": sparse,
                          "matters": bool(p < ALPHA and v >= MIN_V and sparse <= MAX_SPARSE),
                          "n": int(ct.to_numpy().sum())})
        seg = people[people["segment"].notna()].groupby([d, "segment"]).size().rename("customers").reset_index()
        seg["share"] = seg["customers"] / seg.groupby(d)["customers"].transform("sum")
        seg = seg.rename(columns={d: "value"})
        seg.insert(0, "dimension", d)
        mix_parts.append(seg)
    dist_cols = ["dimension", "value", "customers", "share", "buyers", "orders", "revenue",
                 "revenue_per_customer", "aov", "revenue_share"]
    return ProfileResult(
        distributions=pd.concat(dist_parts, ignore_index=True)[dist_cols] if dist_parts else pd.DataFrame(columns=dist_cols),
        tests=pd.DataFrame(tests, columns=["dimension", "target", "chi2", "dof", "p_value", "cramers_v",
                                           "strength", "sparse_share", "matters", "n"]),
        segment_mix=pd.concat(mix_parts, ignore_index=True) if mix_parts else pd.DataFrame(
            columns=["dimension", "value", "segment", "customers", "share"]),
        missing=pd.DataFrame(missing),
        dimensions=dims,
        n_customers=n,
        as_of=as_of,
    )


def _order_key(dim: str):
    """Sort values of a dimension: bands in their natural order, others alphabetically, missing last."""
    ages = {b: i for i, (b, _) in enumerate(AGE_BANDS)}

    def key(s: pd.Series) -> pd.Series:
        if dim == "age_band":
            return s.map(lambda v: ages.get(v, 99))
        if dim == "city_tier" and s.isin(_TIERS).any():
            return s.map(lambda v: _TIERS.index(v) if v in _TIERS else 99)
        return s.map(lambda v: (1, "") if v == MISSING else (0, str(v)))

    return key

