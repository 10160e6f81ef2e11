"""CPU and wall seconds of retention's first-order values, from the store vs from the purchase days.

    PYTHONPATH=src python bench/churn_first_value.py STORE.duckdb

Builds the report's customer table and purchase days first (not counted), then alternates the
store query (`days=None`, as before) and the purchase-days path twice each, checks that they give
the same values, and times `retention_analysis` without and with the purchase days.
"""
import os
import sys
import time

import numpy as np
import pandas as pd

from custlens import schema
from custlens.churn import retention as rt
from custlens.features.purchase_days import build_customer_table
from custlens.store import Store


def timed(label, f):
    c0, t0 = time.process_time(), time.perf_counter()
    out = f()
    print(f"{label:<46} cpu {time.process_time() - c0:6.2f}  wall {time.perf_counter() - t0:6.2f}  "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    return out


st = Store(sys.argv[1], read_only=True)
as_of = st.default_as_of()
b = build_customer_table(st, as_of)
index = pd.Index(b.frame[schema.CUSTOMER_ID], name=schema.CUSTOMER_ID)
print("customers", len(index), "with several orders on the first day",
      int((b.days.orders[b.days.start[:-1]] > 1).sum()), "load", os.getloadavg())
for _ in range(2):
    old = timed("first-order values, store query (before)", lambda: rt._first_order_value(st, as_of, index))
    new = timed("first-order values, purchase days (after)", lambda: rt._first_order_value(st, as_of, index, b.days))
    pd.testing.assert_series_equal(old, new)
h = 90
r0 = timed("retention_analysis (before)", lambda: rt.retention_analysis(st, as_of=as_of, horizon_days=h, customers=b.frame))
r1 = timed("retention_analysis (after, days=)", lambda: rt.retention_analysis(st, as_of=as_of, horizon_days=h,
                                                                             customers=b.frame, days=b.days))
pd.testing.assert_frame_equal(r0.curves, r1.curves)
pd.testing.assert_frame_equal(r0.cox, r1.cox)
print("same values and curves; load", os.getloadavg())
