"""The purchase process: BG/NBD purchase times and Gamma-Gamma order values.

Time runs in days from ``start`` 00:00; the observation period ends at ``n_days`` (the day
after ``end``, 00:00). A buyer's first purchase is at ``t0``. Given ``lambda`` and ``p``, repeat
purchases follow a Poisson process of rate ``lambda`` and the customer drops out right after the
``J``-th repeat purchase, ``J ~ Geometric(p)`` on 1, 2, ... (Fader, Hardie & Lee 2005). With
``N ~ Poisson(lambda T)`` events in ``(0, T]``, the observed repeats are the first
``K = min(N, J)`` order statistics of ``N`` uniforms, drawn as ``T S_k / (S_K + G)`` with ``S``
cumulative unit exponentials and ``G ~ Gamma(N - K + 1)``; the customer is alive at the end iff
``J > N``. No loop over customers or purchases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from custlens.demo._calendar import clock_seconds, relocate_days, sample_days
from custlens.demo._params import DemoParams


@dataclass
class Process:
    """Simulated purchases.

    Attributes
    ----------
    tx : DataFrame
        ``member`` (row in the member frame), ``t`` (days from start, after the calendar
        re-placement), ``kind`` ('first' / 'repeat'), ``value`` (order value, yuan, unrounded).
    per_member : DataFrame
        ``t0, T_days, x, t_x_days, alive_at_end, churn_t`` for buyers (NaN otherwise);
        ``x, t_x_days, T_days`` are the exact BG/NBD quantities before re-placement.
    """

    tx: pd.DataFrame
    per_member: pd.DataFrame


def _group_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    starts = np.cumsum(counts) - counts
    before = np.concatenate([[0.0], total])[starts]
    return total - np.repeat(before, counts)


def simulate(
    members: pd.DataFrame,
    weights: np.ndarray,
    festival: np.ndarray,
    params: DemoParams,
    rng: np.random.Generator,
) -> Process:
    """Simulate first purchases, repeat purchases and order values for every buyer."""
    n_days = len(weights)
    n = len(members)
    buyer = members["buyer"].to_numpy()
    growth = np.exp(params.growth * np.arange(n_days) / n_days)
    # Nobody is acquired on the very last day so that T > 0 for everyone.
    acq_w = (weights * growth)[: n_days - 1]
    day0 = sample_days(acq_w, n, rng)
    t0 = day0 + clock_seconds(festival[day0], params.calendar, rng) / 86400.0

    lam = members["lam"].to_numpy()
    p = np.clip(members["p_dropout"].to_numpy(), 1e-9, 1.0)
    T = n_days - t0
    N = rng.poisson(lam * T)
    J = rng.geometric(p)
    K = np.where(buyer, np.minimum(N, J), 0)
    alive = J > N

    idx = np.repeat(np.arange(n), K)
    S = _group_cumsum(rng.exponential(size=int(K.sum())), K)
    last = np.cumsum(K) - 1
    S_K = np.zeros(n)
    S_K[K > 0] = S[last[K > 0]]
    G = rng.gamma(np.maximum(N - K, 0) + 1.0)
    s = T[idx] * S / (S_K[idx] + G[idx])  # repeat times after t0
    t_x = np.zeros(n)
    t_x[K > 0] = s[last[K > 0]]

    # Calendar re-placement of repeat purchases: a day within the window, never before the
    # first purchase day, never after the end; same-day repeats keep their exact time.
    t_abs = t0[idx] + s
    day = np.floor(t_abs).astype(int)
    first_day = np.floor(t0).astype(int)[idx]
    later = day > first_day
    new_day = relocate_days(
        day[later], first_day[later] + 1, np.full(later.sum(), n_days - 1), weights,
        params.calendar.window_days, rng,
    )  # fmt: skip
    t_rep = t_abs.copy()
    t_rep[later] = new_day + clock_seconds(festival[new_day], params.calendar, rng) / 86400.0

    churn_t = np.full(n, np.nan)
    dropped = buyer & ~alive
    churn_t[dropped] = t_rep[last[dropped]]

    nb = int(buyer.sum())
    first_members = np.flatnonzero(buyer)
    tx = pd.DataFrame(
        {
            "member": np.concatenate([first_members, idx]),
            "t": np.concatenate([t0[buyer], t_rep]),
            "kind": np.array(["first"] * nb + ["repeat"] * len(idx), dtype=object),
        }
    )
    tx["value"] = order_values(members["nu"].to_numpy()[tx["member"].to_numpy()], params, rng)
    per_member = pd.DataFrame(
        {
            "t0": np.where(buyer, t0, np.nan),
            "T_days": np.where(buyer, T, np.nan),
            "x": np.where(buyer, K, 0),
            "t_x_days": np.where(buyer, t_x, np.nan),
            "alive_at_end": np.where(buyer, alive, False),
            "churn_t": churn_t,
            "signup_day": day0,
        }
    )
    return Process(tx=tx, per_member=per_member)


def order_values(nu: np.ndarray, params: DemoParams, rng: np.random.Generator) -> np.ndarray:
    """Gamma-Gamma order values ``z ~ Gamma(p, rate=nu)``, at least 1 yuan."""
    return np.maximum(rng.gamma(params.p, 1.0 / nu), 1.0)
