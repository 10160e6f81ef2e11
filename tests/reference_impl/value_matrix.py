"""`custlens.segments.value_matrix` as of commit 5c1950d (before the issue-13 speed-ups): only the changed code.

`value_matrix` was rewritten (integer cell codes instead of string labels); it is kept here
verbatim as the oracle of tests/segments/test_fast_paths.py. The model fits and result class did
not change since 5c1950d and are imported from src.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlens.errors import InputError
from custlens.features.columns import CUSTOMER_ID, TOTAL_SPEND
from custlens.segments.profile import segment_summary
from custlens.segments.texts import VALUE_CELLS
from custlens.segments.value_matrix import ROWS, SAMPLE_SIZE, ValueMatrixResult, _fit_clv, _repeat_behaviour


def value_matrix(customers: pd.DataFrame, *, horizon_months: float = 12.0, value_quantile: float = 0.5,
                 loyalty_cut: float = 0.5, use_clv: bool = True, min_customers: int = 30,
                 min_repeaters: int = 10, sample_size: int | None = SAMPLE_SIZE,
                 random_state: int = 0) -> ValueMatrixResult:
    """The old `custlens.segments.value_matrix` (same parameters and result)."""
    if not 0 < value_quantile < 1:
        raise InputError(f"value_quantile must be between 0 and 1; got {value_quantile}")
    if not 0 < loyalty_cut < 1:
        raise InputError(f"loyalty_cut must be between 0 and 1; got {loyalty_cut}")
    if not horizon_months > 0:
        raise InputError(f"horizon_months must be > 0; got {horizon_months}")
    if sample_size is not None and sample_size < min_customers:
        raise InputError(f"sample_size={sample_size} is below min_customers={min_customers}; "
                         "raise it or pass None to fit on every customer")
    table = customers.reset_index(drop=True)
    rows = None
    if use_clv and sample_size is not None and len(table) > sample_size:
        rows = np.sort(np.random.default_rng(random_state).choice(len(table), sample_size, replace=False))
    scores, reason, params = (_fit_clv(table, horizon_months, min_customers, min_repeaters, rows) if use_clv
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
    row = np.where(high_cur, ROWS[0], np.where(high_fut, ROWS[1], ROWS[2]))
    loyal = loyalty >= loyalty_cut
    cell_of = {(ROWS[0], True): "keep", (ROWS[0], False): "win_back", (ROWS[1], True): "develop",
               (ROWS[1], False): "reactivate", (ROWS[2], True): "nurture", (ROWS[2], False): "low_priority"}
    segment = np.array([cell_of[(r, bool(l))] for r, l in zip(row, loyal)], dtype=object)
    out = pd.DataFrame({CUSTOMER_ID: table[CUSTOMER_ID].to_numpy(), "current_value": current,
                        "future_value": future, "loyalty": loyalty, "value_row": row, "loyal": loyal,
                        "segment": segment})
    segs = segment_summary(out["segment"], out["current_value"], VALUE_CELLS)
    grouped = out.groupby("segment")
    for col in ("current_value", "future_value", "loyalty"):
        segs[f"mean_{col}"] = grouped[col].mean().reindex(segs["segment"]).to_numpy(dtype=float)
    grid = (pd.crosstab(pd.Categorical(row, categories=ROWS),
                        pd.Categorical(np.where(loyal, "loyal", "not_loyal"), categories=["loyal", "not_loyal"]),
                        dropna=False)
            .reindex(index=list(ROWS), columns=["loyal", "not_loyal"], fill_value=0))
    grid.index.name, grid.columns.name = "value_row", None
    return ValueMatrixResult(method=method, reason=reason, horizon_months=float(horizon_months),
                             cuts={"current_value": cut_cur, "future_value": cut_fut, "loyalty": loyalty_cut},
                             customers=out, segments=segs, grid=grid, params=params,
                             sample_size=int(sample_size) if rows is not None and method == "clv" else None,
                             seed=int(random_state))

