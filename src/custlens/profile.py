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
from custlens.errors import InputError
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


_ATTRS = ("gender", "region", "city_tier", "occupation", "income", "acquisition_channel")


def _people(store: Store, as_of: pd.Timestamp, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer, sorted by id: demographics and value before ``as_of``.

    Customers who signed up on or after ``as_of`` are left out; buyers without a customer
    record are kept with every attribute missing. ``customers`` is the customer table as of
    ``as_of`` (sorted by id): its ``orders`` and ``total_spend`` are the buyers' orders and
    revenue, so the orders are not read again. Rows are in id order, so the bands (quantiles of
    ranks) break ties by customer id whatever order the store returns rows in.
    """
    if customers is not None:
        buyers = pd.DataFrame({schema.CUSTOMER_ID: customers[schema.CUSTOMER_ID].to_numpy(),
                               "orders": customers["orders"].to_numpy(),
                               "revenue": customers["total_spend"].to_numpy(dtype=float)})
    else:
        o = orders_before(store, as_of)
        v = o.group_by(schema.CUSTOMER_ID).aggregate(orders=o.count(), revenue=o[schema.AMOUNT].sum())
        buyers = store.execute(v.order_by(schema.CUSTOMER_ID))
    buyers = buyers.astype({"orders": "int64", "revenue": "float64"})
    have = set(store.columns("customers")) if store.has("customers") else set()
    demo = _demographics(store, as_of, have) if have and store.count("customers") else None
    if demo is None:  # every attribute missing
        return _by_id(buyers).assign(age=np.nan, **{a: np.nan for a in _ATTRS})  # float: quick to code
    buyers, demo = _by_id(buyers), _by_id(demo)
    b_idx, d_idx = pd.Index(buyers[schema.CUSTOMER_ID].to_numpy()), pd.Index(demo[schema.CUSTOMER_ID].to_numpy())
    ids, bi, di = b_idx.join(d_idx, how="outer", return_indexers=True)  # a merge of the sorted ids
    out = {schema.CUSTOMER_ID: ids.to_numpy()}
    for col in ("age", *_ATTRS):
        out[col] = _take(demo[col].to_numpy(), di)
    out["orders"] = _take(buyers["orders"].to_numpy(), bi, 0)
    out["revenue"] = _take(buyers["revenue"].to_numpy(), bi, 0.0)
    return pd.DataFrame(out)


def _by_id(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted by customer id (a check only when it is already, as the store returns it)."""
    if pd.Index(frame[schema.CUSTOMER_ID].to_numpy()).is_monotonic_increasing:
        return frame.reset_index(drop=True)
    return frame.sort_values(schema.CUSTOMER_ID, kind="mergesort").reset_index(drop=True)


def _take(values: np.ndarray, indexer: np.ndarray | None, fill: Any = None) -> np.ndarray:
    """``values`` at ``indexer`` (None: all of them), ``fill`` (default missing) where it is -1."""
    if indexer is None:
        return values
    if fill is None:
        fill = np.nan if values.dtype.kind == "f" else None
        values = values if values.dtype.kind == "f" else values.astype(object)
    out = values[indexer]
    out[indexer < 0] = fill
    return out


def _demographics(store: Store, as_of: pd.Timestamp, have: set[str]) -> pd.DataFrame:
    """Age and attributes of the customers who signed up before ``as_of``, sorted by id."""
    c = store.table("customers")
    if "signup_at" in have:
        c = c.filter(c.signup_at.isnull() | (c.signup_at < ibis.literal(ts(as_of))))
    ages = ([c.age] if "age" in have else []) + ([_whole_years(c.birth_date, as_of)] if "birth_date" in have else [])
    age = (ibis.coalesce(*ages) if len(ages) > 1 else ages[0]).cast("float64") if ages else ibis.null("float64")
    c = c.select(schema.CUSTOMER_ID, age=age, **{a: (c[a] if a in have else ibis.null("string")) for a in _ATTRS})
    return store.execute(c.order_by(schema.CUSTOMER_ID))


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


#: A dimension or target as integer codes (one per customer) into sorted labels.
Coded = tuple[np.ndarray, list[str]]


def _coded(values: np.ndarray, labels: list[str] | None = None) -> Coded:
    """Codes into the sorted distinct labels of ``values`` (missing values and labels: `MISSING`).

    ``values`` are raw values (read as text, as ``str`` does) or, with ``labels``, codes into
    ``labels`` with -1 (or NaN) for missing. Grouping these codes gives the groups of the labels
    without hashing a million strings per dimension.
    """
    if labels is None:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        labels = [str(u) for u in uniques]
    else:
        codes = np.where(pd.isna(values), -1, values).astype(np.intp)
    # equal texts (1 and "1", or a raw "(missing)") are one label, as they were one string
    names = np.array([*labels, MISSING], dtype=object)
    order = sorted(set(names))
    at = {v: i for i, v in enumerate(order)}
    remap = np.array([at[v] for v in names], dtype=np.intp)
    return remap[np.where(codes < 0, len(labels), codes)], order


def _bands(people: pd.DataFrame) -> dict[str, Coded]:
    """Every dimension and the value band, coded: ages and incomes in bands, missing as `MISSING`."""
    out: dict[str, Coded] = {}
    edges = [lo for _, lo in AGE_BANDS] + [np.inf]
    age = pd.to_numeric(people["age"], errors="coerce")
    out["age_band"] = _coded(pd.cut(age, edges, right=False, labels=False).to_numpy(), [b for b, _ in AGE_BANDS])
    inc = pd.to_numeric(people["income"], errors="coerce")
    out["income_band"] = _coded(np.full(len(people), np.nan), [])
    if inc.notna().sum() >= 5:
        q = pd.qcut(inc.rank(method="first"), 5, labels=False)
        lims = inc.groupby(q).agg(["min", "max"])
        names = {int(k): f"Q{int(k) + 1} {lims.loc[k, 'min']:,.0f}-{lims.loc[k, 'max']:,.0f}" for k in lims.index}
        out["income_band"] = _coded(q.to_numpy(), [names.get(k, MISSING) for k in range(5)])
    for d in DIMENSIONS:
        if d not in out:
            out[d] = _coded(people[d].to_numpy())
    buyers = people["orders"].to_numpy() > 0
    band = np.zeros(len(people), dtype=np.intp)  # "none"
    if buyers.sum() >= 4:
        band[buyers] = 1 + pd.qcut(_rank_first(people["revenue"].to_numpy()[buyers]), 4, labels=False)
    out["value_band"] = band, ["none", "q1", "q2", "q3", "q4"]
    return out


def _rank_first(x: np.ndarray) -> np.ndarray:
    """pandas' ``rank(method="first")`` of values without NaN (a stable sort: several times faster)."""
    ranks = np.empty(len(x), dtype=float)
    ranks[np.argsort(x, kind="stable")] = np.arange(1, len(x) + 1)
    return ranks


def _segment_codes(people: pd.DataFrame, segments: pd.DataFrame) -> Coded:
    """Each customer's segment as codes into the sorted segment keys (-1: no segment)."""
    ids = segments["customer_id"].astype(str).to_numpy()
    seg_idx, p_idx = pd.Index(ids), pd.Index(people[schema.CUSTOMER_ID].to_numpy())
    sorted_ids = seg_idx.is_monotonic_increasing and p_idx.is_monotonic_increasing  # first: then is_unique is free
    if not seg_idx.is_unique:
        raise InputError(f"segments: duplicate customer ids (e.g. {seg_idx[seg_idx.duplicated()][0]!r}); "
                         "pass one segment per customer")
    if sorted_ids:  # a merge of sorted ids
        _, _, at = p_idx.join(seg_idx, how="left", return_indexers=True)
        at = np.arange(len(p_idx)) if at is None else at
    else:
        at = seg_idx.get_indexer(p_idx)
    if len(seg_idx) == 0:
        return np.full(len(p_idx), -1, dtype=np.intp), []
    codes, uniques = pd.factorize(segments["segment"].to_numpy(), use_na_sentinel=True)
    order = sorted(uniques)
    remap = np.array([order.index(u) for u in uniques] + [-1], dtype=np.intp)
    return remap[np.where(at < 0, -1, codes[np.maximum(at, 0)])], order


def _table(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int, labels: tuple[list[str], list[str]]
           ) -> pd.DataFrame:
    """The crosstab of two codings: counts of every pair, rows and columns nobody is in left out."""
    counts = np.bincount(rows * n_cols + cols, minlength=n_rows * n_cols).reshape(n_rows, n_cols)
    keep_r, keep_c = counts.sum(axis=1) > 0, counts.sum(axis=0) > 0
    return pd.DataFrame(counts[keep_r][:, keep_c], index=np.asarray(labels[0], dtype=object)[keep_r],
                        columns=np.asarray(labels[1], dtype=object)[keep_c])


def profile(store: Store, *, as_of: AsOf = None, segments: pd.DataFrame | None = None,
            scheme: str = "rfm11", customers: pd.DataFrame | None = None) -> ProfileResult:
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
    customers : DataFrame, optional
        The customer table as of ``as_of`` (`custlens.features.customer_table`) when the caller
        has it (the report): its ``orders`` and ``total_spend`` are the buyers' orders and
        revenue, so the orders are not read again.

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
    ``birth_date`` (years at ``as_of``); income bands are quintiles of the known incomes. Value
    bands and income bands are quantiles of ranks: equal values are ranked in customer-id order.
    """
    as_of = orders_as_of(store, as_of, "the customer profile")
    people = _people(store, as_of, customers)
    if segments is None:
        from custlens.features import customer_table
        from custlens.segments import rfm

        table = customers if customers is not None else customer_table(store, as_of)
        segments = rfm(table, scheme=scheme).customers[["customer_id", "segment"]]
    coded = _bands(people)
    seg, seg_labels = _segment_codes(people, segments)
    has_seg = seg >= 0
    n = len(people)
    orders, revenue = people["orders"].to_numpy(), people["revenue"]
    total_rev = float(revenue.sum())
    dist_parts, tests, mix_parts, missing = [], [], [], []
    for d in DIMENSIONS:
        codes, labels = coded[d]
        miss = int((codes == labels.index(MISSING)).sum())
        missing.append({"dimension": d, "missing": miss, "share": miss / n if n else 0.0})
    dims = [d for d, m in zip(DIMENSIONS, missing) if m["missing"] < n]
    for d in dims:
        codes, labels = coded[d]
        k = len(labels)
        size = np.bincount(codes, minlength=k)
        present = size > 0
        # revenue summed by pandas in row order, as a groupby on the labels summed it
        frame = pd.DataFrame({"customers": size.astype("int64"),
                              "buyers": np.bincount(codes[orders > 0], minlength=k).astype("int64"),
                              "orders": np.bincount(codes, weights=orders, minlength=k).astype("int64"),
                              "revenue": revenue.groupby(codes).sum().reindex(range(k), fill_value=0.0).to_numpy()},
                             index=pd.Index(labels, name="value"))[present]
        frame["share"] = frame["customers"] / n
        frame["revenue_per_customer"] = frame["revenue"] / frame["customers"]
        frame["aov"] = frame["revenue"] / frame["orders"].where(frame["orders"] > 0)
        frame["revenue_share"] = frame["revenue"] / total_rev if total_rev else 0.0
        frame = frame.reset_index()
        frame = frame.sort_values("value", key=_order_key(d)).reset_index(drop=True)
        frame.insert(0, "dimension", d)
        dist_parts.append(frame)
        band, band_labels = coded["value_band"]
        by_seg = _table(codes[has_seg], seg[has_seg], k, len(seg_labels), (labels, seg_labels))
        for target, ct in (("value_band", _table(codes, band, k, len(band_labels), (labels, band_labels))),
                           ("segment", by_seg)):
            chi2, p, dof, v = cramers_v(ct)
            sparse = _sparse_share(ct)
            tests.append({"dimension": d, "target": target, "chi2": chi2, "dof": dof, "p_value": p,
                          "cramers_v": v, "strength": strength(v), "sparse_share": sparse,
                          "matters": bool(p < ALPHA and v >= MIN_V and sparse <= MAX_SPARSE),
                          "n": int(ct.to_numpy().sum())})
        mix_parts.append(_mix(d, by_seg))
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


def _mix(dim: str, by_seg: pd.DataFrame) -> pd.DataFrame:
    """``dimension, value, segment, customers, share`` of every non-empty cell, by value then segment."""
    cols = ["dimension", "value", "segment", "customers", "share"]
    r, c = np.nonzero(by_seg.to_numpy())  # row-major: sorted by value, then segment
    counts = by_seg.to_numpy()[r, c].astype("int64")
    return pd.DataFrame({"dimension": np.full(len(r), dim, dtype=object),
                         "value": by_seg.index.to_numpy(dtype=object)[r],
                         "segment": by_seg.columns.to_numpy(dtype=object)[c],
                         "customers": counts, "share": counts / by_seg.to_numpy().sum(axis=1)[r]}, columns=cols)


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

