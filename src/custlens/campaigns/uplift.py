"""Uplift by segment: which customer segments responded to the campaign.

Each segment is a small A/B test of its own (randomisation holds inside every segment that
is defined before exposure). With many segments some look good by chance, so the p-values
are corrected over the whole family of segment x metric tests (Holm and
Benjamini-Hochberg); read a segment as responsive only on the corrected p-value.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from custlens.campaigns.experiment import _is_binary
from custlens.campaigns.stats import adjust_pvalues, two_proportion_ztest, welch_ttest
from custlens.errors import InputError
from custlens.store import Store

__all__ = ["NO_HISTORY", "campaign_segments", "rfm_segments_at", "uplift_by_segment"]

#: Segment of members without an order before exposure (not scored by RFM).
NO_HISTORY = "no_history"


def uplift_by_segment(
    frame: pd.DataFrame,
    segment: str = "segment",
    outcomes: Sequence[str] = ("converted", "revenue"),
    group: str = "group",
    alpha: float = 0.05,
    min_per_group: int = 20,
) -> pd.DataFrame:
    """Per-segment lift with its interval and corrected p-values.

    Parameters
    ----------
    frame : DataFrame
        One row per member with ``group`` ('treatment'/'control'), ``segment`` and outcomes.
    segment : str
        Segment column (e.g. the RFM segment at exposure).
    outcomes : sequence of str
        Binary outcomes get a two-proportion z-test, others a Welch t-test.
    alpha : float
        1 - confidence level.
    min_per_group : int
        Segments with fewer members in either group are listed without a test (NaN).

    Returns
    -------
    DataFrame
        ``segment, metric, n_control, n_treatment, control, treatment, lift, ci_low, ci_high,
        p_value, p_holm, p_bh``, largest segments first; corrections span every tested row.
    """
    for col in (segment, group, *outcomes):
        if col not in frame.columns:
            raise InputError(f"column {col!r} is not in the data; columns are {', '.join(map(repr, frame.columns))}")
    rows = []
    sizes = frame[segment].value_counts()
    for seg in sizes.index:
        part = frame[frame[segment] == seg]
        t = part[group] == "treatment"
        c = part[group] == "control"
        for name in outcomes:
            y = pd.to_numeric(part[name], errors="coerce")
            yt, yc = y[t].dropna().to_numpy(float), y[c].dropna().to_numpy(float)
            row = {"segment": seg, "metric": name, "n_control": len(yc), "n_treatment": len(yt),
                   "control": yc.mean() if len(yc) else np.nan, "treatment": yt.mean() if len(yt) else np.nan,
                   "lift": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan}
            if min(len(yt), len(yc)) >= max(min_per_group, 2):
                if _is_binary(frame[name]):
                    r = two_proportion_ztest(int(yc.sum()), len(yc), int(yt.sum()), len(yt), alpha)
                    row.update(lift=r.diff, ci_low=r.ci_low, ci_high=r.ci_high, p_value=r.p_value)
                else:
                    w = welch_ttest(yc, yt, alpha)
                    row.update(lift=w.diff, ci_low=w.ci_low, ci_high=w.ci_high, p_value=w.p_value)
            rows.append(row)
    out = pd.DataFrame(rows, columns=["segment", "metric", "n_control", "n_treatment", "control", "treatment",
                                      "lift", "ci_low", "ci_high", "p_value"])
    out["p_holm"] = adjust_pvalues(out["p_value"], "holm")
    out["p_bh"] = adjust_pvalues(out["p_value"], "bh")
    return out


def rfm_segments_at(store: Store, customer_ids: Sequence[str], at: pd.Timestamp,
                    scheme: str = "rfm11") -> pd.Series:
    """RFM segment of each customer as of ``at`` (before exposure), indexed by customer id.

    Customers without an order before ``at`` get `NO_HISTORY`.
    """
    from custlens.features import customer_table
    from custlens.segments import rfm

    table = customer_table(store, as_of=pd.Timestamp(at))
    seg = rfm(table, scheme=scheme).customers.set_index("customer_id")["segment"].astype("object")
    ids = pd.Index(pd.unique(np.asarray(customer_ids, dtype=object)), name="customer_id")
    return seg.reindex(ids).fillna(NO_HISTORY)


def campaign_segments(
    store: Store,
    campaign_id: str | None = None,
    window_days: int = 30,
    scheme: str = "rfm11",
    alpha: float = 0.05,
    min_per_group: int = 20,
    members: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Uplift by RFM segment (scored as of the exposure day) of a campaign in the store.

    Parameters
    ----------
    members : DataFrame, optional
        The `custlens.campaigns.outcomes.campaign_outcomes` frame when already computed.

    Returns
    -------
    DataFrame
        `uplift_by_segment` for conversion and revenue per member.
    """
    from custlens.campaigns.outcomes import campaign_outcomes

    df = (members if members is not None else campaign_outcomes(store, campaign_id, window_days)).copy()
    at = pd.to_datetime(df["exposed_at"]).min().normalize()
    seg = rfm_segments_at(store, df["customer_id"], at, scheme=scheme)
    df["segment"] = df["customer_id"].map(seg)
    return uplift_by_segment(df, "segment", ("converted", "revenue"), alpha=alpha, min_per_group=min_per_group)
