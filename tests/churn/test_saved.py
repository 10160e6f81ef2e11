"""Saved churn reasons: keys and arguments in the table, the same words as the live lists when shown."""

from __future__ import annotations

import json

import numpy as np
import pytest

from custlens.churn.reasons import Reason, join_reasons
from custlens.churn.saved import decode_reasons, encode_reasons, reasons_text
from custlens.churn.texts import Phrase


def _reasons() -> list[Reason]:
    return [Reason("recency", "churn.reason.gap", {"days": np.int64(94), "ratio": "3.1"}, 0.12),
            Reason("attribute", "churn.reason.attribute",
                   {"feature": "@churn.feature.favourite_channel", "value": Phrase("churn.reason.no_order", {"days": 5}),
                    "ref": "APP"}, 0.05)]


def test_encoded_reasons_hold_keys_not_text() -> None:
    text = encode_reasons(_reasons())
    items = json.loads(text)
    assert [r["key"] for r in items] == ["churn.reason.gap", "churn.reason.attribute"]
    assert items[0]["args"] == {"days": 94, "ratio": "3.1"}  # NumPy made plain
    assert items[1]["args"]["value"] == {"phrase": {"key": "churn.reason.no_order", "args": {"days": 5}}}
    assert "no order" not in text and "未下单" not in text  # nothing translated is stored


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_saved_reasons_read_as_the_live_text(lang: str) -> None:
    reasons = _reasons()
    saved = encode_reasons(reasons)
    assert reasons_text(saved, lang) == join_reasons(reasons, lang)
    assert reasons_text(json.loads(saved), lang) == join_reasons(reasons, lang)  # already decoded (360 view)
    assert "94" in reasons_text(saved, lang)


def test_missing_and_foreign_cells() -> None:
    assert decode_reasons(None) == [] and decode_reasons(float("nan")) == [] and reasons_text(None, "en") == ""
    with pytest.raises(ValueError, match=r"not the JSON list of keys.*custlens churn --save"):
        decode_reasons("no order for long")
