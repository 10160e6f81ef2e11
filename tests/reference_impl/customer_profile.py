"""`custlens.profile` as of commit 5c1950d (before the issue-13 speed-ups): only the changed code.

`_people` (one outer join in the store), `_bands` (string labels) and `profile` (pandas groupby and
crosstab on those labels) were rewritten on integer codes; they are kept here verbatim as the
oracle of tests/test_profile_fast.py (which patches `_people` here to sort its rows by id).
Everything unchanged since 5c1950d is imported from src.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from custlens import schema
from custlens.behaviour._common import orders_as_of, orders_before, ts
from custlens.behaviour.preferences import MISSING
from custlens.features.customer_table import AsOf
from custlens.profile import (ALPHA, AGE_BANDS, DIMENSIONS, MAX_SPARSE, MIN_V, ProfileResult, _order_key,
                              _sparse_share, _whole_years, cramers_v, strength)
from custlens.store import Store


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
    """The old `custlens.profile.profile` (same parameters and result, without ``customers``)."""
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

