"""`cohorts` (activity bit sets + one revenue join) against the query it replaced.

The reference is the previous implementation, kept verbatim in ``tests/cohorts_reference.py``. Counts,
dates and periods must be equal; floats equal to 1e-9 relative (sums of doubles in another order).
Edge cases come from the random shops of ``tests/features/test_periods_reference.py``: ties on one
day, one-time buyers, empty months, zero amounts, a first order in the partial last period, orders
after ``as_of``, and a span over several activity words (six years of months).
"""

from __future__ import annotations

import pandas as pd
import pytest
from cohorts_reference import reference_cohorts
from periodshop import SHOPS, fill, random_orders

from custlens.cohorts import cohorts
from custlens.errors import InputError
from custlens.features.periods import customer_activity
from custlens.store import Store


def assert_same(got, want) -> None:
    for name in ("cohorts", "table", "average"):
        pd.testing.assert_frame_equal(getattr(got, name).reset_index(drop=True),
                                      getattr(want, name).reset_index(drop=True),
                                      check_exact=False, rtol=1e-9, obj=name)
    assert got.as_of == want.as_of and got.freq == want.freq


@pytest.fixture(scope="module", params=list(SHOPS))
def edge_shop(request):
    start, end, seed = SHOPS[request.param]
    with Store(":memory:") as st:
        yield fill(st, random_orders(start, end, seed))


@pytest.mark.parametrize("as_of", ["2025-05-17", "2025-04-01", "2023-07-01"])
@pytest.mark.parametrize("freq", ["month", "quarter"])
def test_cohorts_match_reference_on_edge_cases(edge_shop, freq: str, as_of: str) -> None:
    assert_same(cohorts(edge_shop, as_of=as_of, freq=freq), reference_cohorts(edge_shop, as_of=as_of, freq=freq))


@pytest.mark.parametrize("freq", ["month", "quarter"])
def test_cohorts_match_reference_on_demo(demo, freq: str) -> None:
    assert_same(cohorts(demo, freq=freq), reference_cohorts(demo, freq=freq))


@pytest.mark.parametrize("as_of", ["2024-03-15", "2024-04-01", None])
def test_cohorts_match_reference_on_toy(toy, as_of) -> None:
    assert_same(cohorts(toy, as_of=as_of), reference_cohorts(toy, as_of=as_of))


def test_shared_activity(demo) -> None:
    as_of = demo.default_as_of()
    act = customer_activity(demo, "M", as_of)
    assert_same(cohorts(demo, activity=act), cohorts(demo))
    with pytest.raises(InputError, match="freq='Q'"):
        cohorts(demo, activity=customer_activity(demo, "Q", as_of))


def _days(store: Store, as_of):
    from custlens.features.purchase_days import build_customer_table

    return build_customer_table(store, as_of).days


@pytest.mark.parametrize("as_of", ["2025-05-17", "2025-04-01", "2023-07-01"])
@pytest.mark.parametrize("freq", ["month", "quarter"])
def test_revenue_from_purchase_days_matches_reference(edge_shop, freq: str, as_of: str) -> None:
    """The report's path: the revenue from the customer table's purchase days, not the orders."""
    got = cohorts(edge_shop, as_of=as_of, freq=freq, days=_days(edge_shop, as_of))
    assert_same(got, reference_cohorts(edge_shop, as_of=as_of, freq=freq))


def test_revenue_from_purchase_days_on_demo_and_toy(demo, toy) -> None:
    from custlens.features.activity_days import activity_from_days

    for store, as_of in ((demo, demo.default_as_of()), (toy, pd.Timestamp("2024-04-01"))):
        days = _days(store, as_of)
        for freq, pfreq in (("month", "M"), ("quarter", "Q")):
            want = reference_cohorts(store, as_of=as_of, freq=freq)
            assert_same(cohorts(store, as_of=as_of, freq=freq, days=days), want)
            # the report's inputs: activity and revenue both from the purchase days
            act = activity_from_days(days, pfreq, as_of)
            assert_same(cohorts(store, as_of=as_of, freq=freq, activity=act, days=days), want)
    with pytest.raises(InputError, match="pass build_customer_table"):
        cohorts(toy, as_of="2024-03-15", days=_days(toy, "2024-04-01"))
