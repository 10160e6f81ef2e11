"""The customer table on the CDNOW sample reproduces the published BTYD inputs.

Reference (../shared/data/README.md): calibration 1997-01-01..1997-09-30 (39 weeks), same-day
purchases merged: 2,357 customers, 2,457 repeat transactions in calibration, 946 repeat
customers (the Gamma-Gamma sample of Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value
curves"), and 1,882 repeat transactions in the holdout to 1998-06-30.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from custlens import Store
from custlens.features import customer_table

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"


@pytest.fixture(scope="module")
def cdnow() -> Iterator[Store]:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} not found (../shared/data)")
    raw = pd.read_csv(SAMPLE, sep=r"\s+", header=None, dtype={2: str},
                      names=["master_id", "sample_id", "date", "cds", "value"])
    store = Store(":memory:")
    store._con.register("_cdnow", raw)
    store._con.execute(
        """INSERT INTO orders (order_id, customer_id, ordered_at, amount)
        SELECT 'o' || row_number() OVER (), CAST(master_id AS VARCHAR), strptime(date, '%Y%m%d'), value
        FROM _cdnow"""
    ).fetchall()
    store._con.unregister("_cdnow")
    yield store
    store.close()


def test_calibration_matches_published_counts(cdnow: Store) -> None:
    table = customer_table(cdnow, "1997-10-01")
    assert len(table) == 2357
    assert table["frequency"].sum() == 2457
    assert (table["frequency"] > 0).sum() == 946
    assert table["T"].max() == pytest.approx(39.0)
    assert (table["recency"] <= table["T"]).all()


def test_holdout_repeat_transactions(cdnow: Store) -> None:
    calibration = customer_table(cdnow, "1997-10-01")["frequency"].sum()
    full = customer_table(cdnow, "1998-07-01")["frequency"].sum()
    assert full - calibration == 1882
