"""One entry point for every segmentation scheme: ``segment_customers(customers, scheme)``.

Schemes: ``rfm11``, ``rf10``, ``cn8`` (RFM maps), ``kmeans`` (clusters on recency, orders and
spend), ``lrfmc`` (clusters on L, R, F, M, C), ``abc`` (Pareto tiers) and ``value`` (value ×
loyalty cells). Each gives one segment key per customer and the same summary table, so
audiences, playbooks, migration and the CLI treat them alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from custlens.errors import InputError
from custlens.features.columns import CUSTOMER_ID, TOTAL_SPEND
from custlens.results import Result
from custlens.segments.profile import summary_of_codes
from custlens.store import Store

__all__ = ["ALL_SCHEMES", "Segmentation", "segment_customers"]

ALL_SCHEMES: tuple[str, ...] = ("rfm11", "rf10", "cn8", "kmeans", "lrfmc", "abc", "value")


@dataclass(frozen=True)
class Segmentation(Result):
    """Customers of one scheme.

    Attributes
    ----------
    scheme : str
    customers : pandas.DataFrame
        ``customer_id, segment``.
    segments : pandas.DataFrame
        ``segment, customers, share, revenue, revenue_share`` in display order.
    detail : object
        The scheme's own result (`RFMResult`, `ClusterResult`, `ABCResult`, `ValueMatrixResult`).
    info : dict
        Scheme facts for JSON: ``k`` and ``silhouette`` for clusters, ``features``, ``method``...
    notes : list of str
        i18n keys of sentences about the method (e.g. the LRFMC fallback).
    """

    scheme: str
    customers: pd.DataFrame
    segments: pd.DataFrame
    detail: Any
    info: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def segment_customers(customers: pd.DataFrame, scheme: str = "rfm11", *, store: Store | None = None,
                      as_of: pd.Timestamp | None = None, k: int | None = None,
                      method: str = "kmeans", random_state: int = 0,
                      demographics: pd.DataFrame | None = None, spend_fit: Any = None) -> Segmentation:
    """Segment customers under ``scheme``.

    Parameters
    ----------
    customers : pandas.DataFrame
        The customer table.
    scheme : {"rfm11", "rf10", "cn8", "kmeans", "lrfmc", "abc", "value"}
    store : Store, optional
        Needed by ``lrfmc`` to measure discount rates (without it: L, R, F, M only).
    as_of : Timestamp, optional
        The customer table's date (for ``lrfmc`` discounts); default the store's.
    k : int, optional
        Number of clusters (``kmeans``/``lrfmc``); chosen from 3–8 when omitted.
    method : {"kmeans", "gmm"}
        Clustering algorithm of ``kmeans``/``lrfmc``.
    demographics : pandas.DataFrame, optional
        The ``customers`` table, for cluster profiles.
    spend_fit : SpendFit, optional
        ``value`` only: the Gamma-Gamma fit of a CLV run on this table
        (`custlens.segments.value_matrix.spend_fit_of`), used when it is the fit the matrix
        would make (`custlens.segments.value_matrix.value_matrix`).

    Returns
    -------
    Segmentation
    """
    if scheme not in ALL_SCHEMES:
        raise InputError(f"scheme {scheme!r} is unknown; use one of {', '.join(ALL_SCHEMES)}")
    if scheme in ("rfm11", "rf10", "cn8"):
        from custlens.segments.rfm import rfm

        res = rfm(customers, scheme=scheme)
        table = res.customers[[CUSTOMER_ID, "segment"]]
        return Segmentation(scheme, table, res.segments[["segment", "customers", "share", "revenue",
                                                          "revenue_share"]], res)
    if scheme in ("kmeans", "lrfmc"):
        from custlens.segments.clustering import RFM_FEATURES, cluster_customers

        notes: list[str] = []
        frame, features = customers, list(RFM_FEATURES)
        if scheme == "lrfmc":
            from custlens.segments.lrfmc import discount_rates, lrfmc_features

            disc = None
            if store is not None and store.has("orders"):
                disc = discount_rates(store, as_of if as_of is not None else store.default_as_of())
            lf = lrfmc_features(customers, disc)
            frame, features, notes = lf.frame, lf.features, [lf.note]
        res = cluster_customers(frame, features, k=k, method=method, random_state=random_state,
                                demographics=demographics)
        order = list(res.profile["segment"])
        # cluster c is named order[c] (names are unique): group the cluster numbers, not the names
        segs = summary_of_codes(res.customers["cluster"].to_numpy(), res.customers[TOTAL_SPEND], order)
        info = {"k": res.k, "silhouette": res.silhouette, "calinski_harabasz": res.calinski_harabasz,
                "method": res.method, "features": res.features}
        return Segmentation(scheme, res.customers[[CUSTOMER_ID, "segment"]], segs, res, info, notes)
    if scheme == "abc":
        from custlens.segments.abc import abc_analysis

        res = abc_analysis(customers)
        return Segmentation(scheme, res.customers[[CUSTOMER_ID, "segment"]], res.segments, res,
                            {"gini": res.gini, "cuts": list(res.cuts)})
    from custlens.segments.value_matrix import value_matrix

    res = value_matrix(customers, spend_fit=spend_fit)
    return Segmentation(scheme, res.customers[[CUSTOMER_ID, "segment"]],
                        res.segments[["segment", "customers", "share", "revenue", "revenue_share"]], res,
                        {"method": res.method, "reason": res.reason},
                        [f"segment.value.note.{res.method}"])
