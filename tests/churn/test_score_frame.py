"""`score_frame` equals its implementation before the NumPy rewrite (bands as codes, one frame, texts
rendered once for both languages), on the demo shop with and without a limit on the explained rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens import schema
from custlens.churn import analysis as A
from custlens.churn.reasons import NOT_EXPLAINED, contributions, join_reasons, reasons_for, reference_values
from custlens.churn.sampling import chunked
from custlens.churn.warning import band_codes, bands


def _old_joined(reasons, lang):
    memo, texts, out = {}, {}, []
    for r in reasons:
        if len(r) == 1 and r[0] is NOT_EXPLAINED:
            text = memo.get(id(r))
            if text is None:
                text = memo[id(r)] = join_reasons(r, lang)
            out.append(text)
        else:
            out.append(join_reasons(r, lang, texts))
    return out


def _old_explained_rows(band, loss, explain):
    if explain is None or len(band) <= explain:
        return None
    keep = []
    for mask in (band == "high", band == "lapsed"):
        where = np.flatnonzero(mask)
        keep.append(where[np.argsort(-loss[where], kind="stable")[: explain // 2]])
    return np.sort(np.concatenate(keep))


def _old_score_frame(model, X, horizon_days, cutoffs, value, drivers=None, p=None, explain=None):
    """`score_frame` as it was (commit 0118f39)."""
    p = chunked(model.predict_proba, X) if p is None else np.asarray(p, dtype=float)
    worth = value.reindex(X.index).fillna(0.0).to_numpy(dtype=float)
    ref = reference_values(model, X, p)
    band = bands(p, cutoffs)
    if horizon_days and "days_since_last" in X:
        band = np.where(X["days_since_last"].to_numpy(dtype=float) >= horizon_days, "lapsed", band)
    rows = _old_explained_rows(band, worth * p, explain)
    part = X if rows is None else X.iloc[rows]
    contrib = pd.concat([contributions(model, part.iloc[i:i + A.CONTRIB_ROWS], ref)
                         for i in range(0, max(len(part), 1), A.CONTRIB_ROWS)]) if len(part) else None
    found = reasons_for(contrib, part, ref, horizon_days or 0, drivers=drivers) if contrib is not None else []
    if rows is None:
        reasons = found
        texts = {lang: _old_joined(reasons, lang) for lang in ("en", "zh")}
    else:
        placeholder = [NOT_EXPLAINED]
        reasons = [placeholder] * len(X)
        for i, r in zip(rows, found):
            reasons[i] = r
        texts = {}
        for lang in ("en", "zh"):
            text = np.full(len(X), join_reasons(placeholder, lang), dtype=object)
            text[rows] = _old_joined(found, lang)
            texts[lang] = text
    out = pd.DataFrame({
        schema.CUSTOMER_ID: X.index.astype(str), "churn_probability": p, "risk_band": band,
        "customer_value": worth, "reasons_en": texts["en"], "reasons_zh": texts["zh"],
    })
    if "days_since_last" in X:
        out.insert(4, "days_since_last", X["days_since_last"].to_numpy())
    out["reasons"] = reasons
    return out


def _same(got: pd.DataFrame, ref: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got.drop(columns="reasons"), ref.drop(columns="reasons"), check_exact=True)
    assert list(got["reasons"]) == list(ref["reasons"])  # the same Reason values, row by row


@pytest.mark.parametrize("explain", [None, 200, 10_000])
@pytest.mark.parametrize("horizon", ["result", None])
def test_score_frame_equals_the_old_implementation(churn_demo, explain, horizon) -> None:
    res, _, _ = churn_demo
    X = res.features
    h = res.horizon.days if horizon == "result" else None
    value = X["total_spend"].astype(float).where(lambda v: v.index.str.endswith("7"))  # missing values: 0
    drivers = A.drivers_of(res.importance)
    got = A.score_frame(res.model, X, h, res.cutoffs, value, drivers, explain=explain)
    ref = _old_score_frame(res.model, X, h, res.cutoffs, value, drivers, explain=explain)
    _same(got, ref)
    if explain == 200:  # the limit is exercised: explained rows and the shared placeholder
        assert (got["reasons"].map(len) == 1).any() and (got["reasons_en"] == join_reasons([NOT_EXPLAINED], "en")).any()
        assert got["reasons"].map(lambda r: r[0] is not NOT_EXPLAINED).sum() <= 200


def test_score_frame_of_ties_and_cut_offs_nobody_reaches(churn_demo) -> None:
    """Every probability tied, cut-offs of ``inf`` (nobody high) and no rows."""
    res, _, _ = churn_demo
    X = res.features.iloc[:300]
    p = np.full(len(X), 0.5)
    for cutoffs in ((0.5, 0.5), (float("inf"), float("inf")), (0.0, 0.7)):
        got = A.score_frame(res.model, X, res.horizon.days, cutoffs, X["total_spend"], p=p, explain=50)
        _same(got, _old_score_frame(res.model, X, res.horizon.days, cutoffs, X["total_spend"], p=p, explain=50))
    empty = X.iloc[:0]
    got = A.score_frame(res.model, empty, res.horizon.days, (0.4, 0.7), empty["total_spend"], p=np.zeros(0))
    ref = _old_score_frame(res.model, empty, res.horizon.days, (0.4, 0.7), empty["total_spend"], p=np.zeros(0))
    assert list(got.columns) == list(ref.columns) and len(got) == 0


def test_band_codes_name_the_bands() -> None:
    p = np.array([0.0, 0.39, 0.4, 0.69, 0.7, 1.0, np.nan])
    assert list(bands(p, (0.4, 0.7))) == ["low", "low", "medium", "medium", "high", "high", "low"]
    assert list(band_codes(p, (0.4, 0.7))) == [0, 0, 1, 1, 2, 2, 0]
    with pytest.raises(ValueError, match="cutoffs"):
        band_codes(p, (0.8, 0.7))
