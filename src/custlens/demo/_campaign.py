"""One randomized campaign with a control group and a known true lift.

Members are the buyers with a purchase in the ``campaign_active_days`` before exposure,
split exactly in half at random. Every member gets a potential extra purchase (probability
``campaign_extra_purchase``, uniform in the ``campaign_window_days`` after exposure, value from
their own Gamma-Gamma spend); only treatment members make it. Because the potential outcomes
are known for everyone, the truth holds the exact sample effects as well as the design values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from custlens.demo._process import order_values
from custlens.demo._params import DemoParams

CAMPAIGN_ID = "CMP-2026-SUMMER"


@dataclass
class Campaign:
    """``members``: the campaign_members rows; ``extra``: purchases caused by the campaign
    (``member, t, kind, value``); ``truth``: design and realised effects."""

    members: pd.DataFrame
    extra: pd.DataFrame
    truth: dict[str, Any]


def run_campaign(
    tx: pd.DataFrame,
    customers: pd.DataFrame,
    start: pd.Timestamp,
    n_days: int,
    params: DemoParams,
    rng: np.random.Generator,
) -> Campaign:
    """Draw the campaign, its members and the purchases it causes."""
    exp_day = n_days - params.campaign_days_before_end
    window = params.campaign_window_days
    member = tx["member"].to_numpy()
    t = tx["t"].to_numpy()
    active = np.unique(member[(t >= exp_day - params.campaign_active_days) & (t < exp_day)])
    m = len(active)
    treat = np.zeros(m, dtype=bool)
    treat[rng.permutation(m)[: m // 2 + (m % 2) * int(rng.random() < 0.5)]] = True
    # Messages go out between 10:00 and 20:00 of the exposure day.
    exposed = exp_day + rng.uniform(10 / 24, 20 / 24, m)

    # Baseline conversion: any purchase in [exposed, exposed + window).
    sel = np.isin(member, active)
    mi = np.searchsorted(active, member[sel])
    ts = t[sel]
    in_win = (ts >= exposed[mi]) & (ts < exposed[mi] + window)
    base_conv = np.bincount(mi[in_win], minlength=m) > 0
    base_rev = np.bincount(mi[in_win], weights=tx["value"].to_numpy()[sel][in_win], minlength=m)

    extra_hit = rng.random(m) < params.campaign_extra_purchase
    extra_t = exposed + rng.uniform(0, window, m)
    extra_v = order_values(customers["nu"].to_numpy()[active], params, rng)
    extra_v = np.round(extra_v, 2)
    treated_conv = base_conv | extra_hit
    uplift_conv = treated_conv.astype(float) - base_conv
    uplift_rev = np.where(extra_hit, extra_v, 0.0)

    do = treat & extra_hit
    extra = pd.DataFrame({"member": active[do], "t": extra_t[do], "kind": "campaign", "value": extra_v[do]})
    exposed_at = start + pd.to_timedelta(np.floor(exposed * 86400).astype("int64"), unit="s")
    members = pd.DataFrame(
        {
            "campaign_id": CAMPAIGN_ID,
            "customer_id": customers["customer_id"].to_numpy()[active],
            "group": np.where(treat, "treatment", "control"),
            "exposed_at": exposed_at.strftime("%Y-%m-%d %H:%M:%S"),
            "cost": np.where(treat, f"{params.campaign_cost:.2f}", "0.00"),
            "channel": np.where(rng.random(m) < 0.6, "sms", "app_push"),
        }
    )
    members = members.iloc[rng.permutation(m)].reset_index(drop=True)
    truth = {
        "campaign_id": CAMPAIGN_ID,
        "exposure_date": str((start + pd.Timedelta(days=exp_day)).date()),
        "window_days": window,
        "eligibility": f"buyers with a purchase in the {params.campaign_active_days} days before exposure",
        "members": m,
        "treatment": int(treat.sum()),
        "control": int(m - treat.sum()),
        "cost_per_treated_member": params.campaign_cost,
        "extra_purchase_probability": params.campaign_extra_purchase,
        "extra_purchases_made": int(do.sum()),
        "baseline_conversion_rate": float(base_conv.mean()) if m else 0.0,
        "baseline_revenue_per_member": float(base_rev.mean()) if m else 0.0,
        # Exact sample effects from the potential outcomes of every member.
        "true_conversion_lift": float(uplift_conv.mean()) if m else 0.0,
        "true_conversion_lift_treated": float(uplift_conv[treat].mean()) if treat.any() else 0.0,
        "true_incremental_revenue_per_member": float(uplift_rev.mean()) if m else 0.0,
        "true_incremental_revenue_per_treated": float(uplift_rev[treat].mean()) if treat.any() else 0.0,
        "true_incremental_revenue_treatment_total": float(uplift_rev[treat].sum()),
        "note": "campaign purchases come on top of the BG/NBD process (kind='campaign' in customers_truth)",
    }
    return Campaign(members=members, extra=extra, truth=truth)
