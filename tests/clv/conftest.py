"""Fixtures: the CDNOW sample and the donations data from ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from custlens.clv import summary_from_transactions

DATA = Path(os.environ.get("CUSTLENS_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data set missing: {path}")
    return path


@pytest.fixture(scope="session")
def cdnow_transactions() -> pd.DataFrame:
    path = _need(DATA / "cdnow" / "CDNOW_sample.txt")
    df = pd.read_csv(path, sep=r"\s+", header=None,
                     names=["master_id", "sample_id", "date", "cds", "value"], dtype={"date": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df


@pytest.fixture(scope="session")
def cdnow(cdnow_transactions: pd.DataFrame) -> pd.DataFrame:
    """Calibration 1997-01-01..1997-09-30, holdout to 1998-06-30, weeks."""
    return summary_from_transactions(cdnow_transactions, "sample_id", "date", "value",
                                     observation_end="1998-06-30", calibration_end="1997-09-30")


@pytest.fixture(scope="session")
def donations() -> pd.DataFrame:
    path = _need(DATA / "donations" / "donations.csv")
    return pd.read_csv(path).rename(columns={"periods": "n_periods"})
