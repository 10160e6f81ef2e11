"""The workbook's customer sheet as built before session 4 (bench/README.md): the reference of
tests/report/test_workbook_memory.py and test_workbook_speed.py.

A copy of the customer table, the RFM scores and the saved CLV and churn scores merged on the
whole table (`custlens.clv.scores.join_scores`), the table sorted whole by spend
(``sort_values``), headers by ``rename``.
"""

from __future__ import annotations

import pandas as pd

from custlens.report import ReportContext
from custlens.report.workbook import _PCT, _SCORES, _headers, _naive
from custlens.segments.catalog import text_key


def old_customers_sheet(ctx: ReportContext) -> tuple[pd.DataFrame, list[str]]:
    """The customer sheet as built before session 4 (bench/README.md): the reference."""
    from custlens.churn.saved import read_churn_scores
    from custlens.clv.scores import join_scores, score_status

    customers = ctx.customers()
    scored = ctx.rfm("rfm11").customers.set_index("customer_id")
    frame = customers.copy()
    aligned = scored.reindex(frame["customer_id"])
    for col in _SCORES:
        frame[col] = aligned[col].to_numpy()
    segment = aligned["segment"].astype(object)
    names = {s: ctx.t(text_key("rfm11", s, "name")) for s in segment.dropna().unique() if isinstance(s, str)}
    frame["segment"] = segment.map(names).fillna("").to_numpy()
    frame = join_scores(frame, ctx.store, as_of=ctx.as_of)
    if score_status(ctx.store, "churn_scores", ctx.as_of).ok:
        churn = read_churn_scores(ctx.store).rename(columns={f"reasons_{ctx.lang}": "reasons"})
        keep = [c for c in ("customer_id", "churn_probability", "risk_band", "reasons") if c in churn.columns]
        churn["customer_id"] = churn["customer_id"].astype(frame["customer_id"].dtype)
        if "risk_band" in churn.columns:
            churn["risk_band"] = [ctx.t(f"churn.band.{b}") if isinstance(b, str) else b for b in churn["risk_band"]]
        frame = frame.merge(churn[keep], on="customer_id", how="left", validate="one_to_one")
    frame = _naive(frame)
    frame = frame.sort_values("total_spend", ascending=False, kind="stable", ignore_index=True)
    pct = [c for c in frame.columns if c in _PCT]
    return frame.rename(columns=_headers(ctx, list(frame.columns))), [ctx.t(f"report.col.{c}") for c in pct]
