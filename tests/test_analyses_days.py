"""The check that ``customers=`` is the table as of ``as_of`` (`custlens.analyses._customers_of`).

Its day counts are integer arithmetic on naive time stamps; they must equal the pandas
expression it replaced (kept here) on every unit, around midnight, before 1970 and with NaT,
and the check must still refuse a table of another date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens import analyses
from custlens.errors import InputError
from custlens.features import columns as c
from custlens.features import customer_table
from custlens.store import Store


def _old_days(as_of: pd.Timestamp, last: pd.Series) -> pd.Series:
    return (as_of.normalize() - pd.to_datetime(last).dt.normalize()).dt.days


STAMPS = ["2024-03-01 00:00:00", "2024-03-01 23:59:59.999999", "2024-02-29 00:00:00.000001",
          "1969-12-31 23:59:59", "1969-12-31 00:00:00", "1960-01-01 12:00:00", "2030-01-01 00:00:01"]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("as_of", ["2024-03-02", "2024-03-02 15:30", "1970-01-01"])
def test_day_counts_equal_the_pandas_expression(unit: str, as_of: str) -> None:
    last = pd.Series(pd.to_datetime(STAMPS, format="ISO8601").as_unit(unit), index=range(10, 10 + len(STAMPS)))
    when = pd.Timestamp(as_of)
    new, old = analyses._days_before(when, last), _old_days(when, last)
    assert new.to_numpy().tolist() == old.to_numpy().tolist()
    assert new.index.equals(old.index)


def test_nat_and_time_zones_take_the_pandas_path() -> None:
    when = pd.Timestamp("2024-03-02")
    with_nat = pd.Series(pd.to_datetime(["2024-03-01", None]))
    np.testing.assert_array_equal(analyses._days_before(when, with_nat).to_numpy(),
                                  _old_days(when, with_nat).to_numpy())
    aware = pd.Series(pd.to_datetime(["2024-03-01 23:00"]).tz_localize("Asia/Shanghai"))
    with pytest.raises(TypeError):  # as before: a naive as_of cannot be compared with them
        analyses._days_before(when, aware)


def test_the_table_of_another_date_is_still_refused(demo: Store) -> None:
    when = demo.default_as_of()
    table = customer_table(demo, as_of=when)
    assert analyses._customers_of(demo, when, table) is table
    other = when - pd.Timedelta(days=1)
    with pytest.raises(InputError, match="is not the customer table as of"):
        analyses._customers_of(demo, other, table)
    shifted = table.assign(**{c.DAYS_SINCE_LAST: table[c.DAYS_SINCE_LAST] + (np.arange(len(table)) == 3)})
    with pytest.raises(InputError, match=str(table[c.CUSTOMER_ID].iloc[3])):
        analyses._customers_of(demo, when, shifted)
