"""Reference numbers from lifetimes 0.11.3 at fixed parameters (pinned in tests/clv).

Run in lifetimes' own environment (see bench/clv_bench.py, which creates it):

    /tmp/lt/bin/python bench/_lifetimes_ref.py

Prints one JSON object. The customers are ten CDNOW sample customers (ids 1, 2, 3, 18,
26, 51, 100, 157, 1516, 2306; calibration to 1997-09-30, weeks) given as
(frequency, recency in days, T in days, monetary_value).
"""

import json

import numpy as np
import pandas as pd
from lifetimes import (BetaGeoBetaBinomFitter, BetaGeoFitter, GammaGammaFitter,
                       ModifiedBetaGeoFitter, ParetoNBDFitter)

ROWS = [(2, 213, 272, 22.345), (1, 12, 272, 11.77), (0, 0, 272, 0.0), (1, 34, 272, 9.99),
        (1, 11, 271, 227.14), (0, 0, 270, 0.0), (1, 167, 268, 26.22), (29, 264, 266, 26.261379310344832),
        (26, 216, 217, 39.97), (2, 58, 190, 40.405)]
BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
MBGNBD = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
PNBD = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
GG = {"p": 6.25, "q": 3.74, "v": 15.44}
BGBB = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
BGBB_ROWS = [(0, 0, 6), (1, 1, 6), (3, 5, 6), (6, 6, 6), (2, 3, 6)]


def with_params(fitter, params):
    fitter.params_ = pd.Series(params)
    if hasattr(fitter, "conditional_expected_number_of_purchases_up_to_time"):
        fitter.predict = fitter.conditional_expected_number_of_purchases_up_to_time
    return fitter


def main():
    x = pd.Series([r[0] for r in ROWS], dtype=float)
    tx = pd.Series([r[1] / 7 for r in ROWS])
    age = pd.Series([r[2] / 7 for r in ROWS])
    m = pd.Series([r[3] for r in ROWS])
    out = {}
    for name, fitter, params in (("bgnbd", BetaGeoFitter(), BGNBD), ("mbgnbd", ModifiedBetaGeoFitter(), MBGNBD),
                                 ("pnbd", ParetoNBDFitter(), PNBD)):
        f = with_params(fitter, params)
        out[name] = {
            "expected_39": list(map(float, f.conditional_expected_number_of_purchases_up_to_time(39, x, tx, age))),
            "p_alive": list(map(float, f.conditional_probability_alive(x, tx, age))),
            "new_expected_39": float(f.expected_number_of_purchases_up_to_time(39)),
        }
        if name != "pnbd":
            out[name]["new_pmf_39"] = [float(f.probability_of_n_purchases_up_to_time(39, n)) for n in range(4)]
        else:
            out[name]["pmf_39"] = [list(map(float, f.conditional_probability_of_n_purchases_up_to_time(n, 39, x, tx, age)))
                                   for n in range(3)]
        gg = with_params(GammaGammaFitter(), GG)
        out[name]["clv_12m"] = list(map(float, gg.customer_lifetime_value(
            f, x, tx, age, m, time=12, discount_rate=0.01, freq="W")))
    gg = with_params(GammaGammaFitter(), GG)
    out["gamma_gamma"] = list(map(float, gg.conditional_expected_average_profit(x, m)))
    bb = with_params(BetaGeoBetaBinomFitter(), BGBB)
    bx, btx, bn = (pd.Series([r[i] for r in BGBB_ROWS], dtype=float) for i in range(3))
    out["bgbb"] = {
        "expected_5": list(map(float, bb.conditional_expected_number_of_purchases_up_to_time(5, bx, btx, bn))),
        "p_alive": list(map(float, bb.conditional_probability_alive(0, bx, btx, bn))),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
