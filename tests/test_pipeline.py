"""The demo end to end: generated exports ingest exactly as the ground truth says."""

from __future__ import annotations

from pathlib import Path

import pytest

from custlens.pipeline import run_demo


@pytest.mark.slow
def test_demo_ingest_matches_ground_truth(tmp_path: Path) -> None:
    run = run_demo(tmp_path / "demo", customers=600, seed=7, lang="zh", start="2024-01-01", end="2026-09-30")
    truth = run.truth
    orders = run.ingests["orders"]
    expected = truth["orders"]["expected_ingest"]
    got = {k: getattr(orders, k) for k in expected}
    assert got == pytest.approx(expected)
    assert orders.quarantine_reasons.get("missing_customer_id") == truth["orders"]["mess"]["empty_customer_id"]
    assert orders.quarantine_reasons.get("date_in_future") == truth["orders"]["mess"]["future_date"]
    bad_dates = orders.quarantine_reasons.get("unparseable_date", 0)
    assert bad_dates == truth["orders"]["mess"]["bad_date"]
    customers = run.ingests["customers"]
    assert customers.quarantine_reasons == {"age_out_of_range": truth["customers_file"]["implausible_age"]["count"]}
    for table, info in truth["tables"].items():
        res = run.ingests[table]
        assert res.rows_read == info["rows"], table
        assert res.rows_read == res.rows_loaded + res.rows_quarantined + res.duplicates_skipped
    html = run.report.read_text(encoding="utf-8")
    assert "<html" in html and "RFM" in html
    assert run.workbook is not None and run.workbook.exists()
