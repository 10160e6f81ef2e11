"""Sentiment of short texts with models that ship inside their packages (no downloads).

Chinese: SnowNLP's naive-Bayes model (trained on its bundled product-review corpus) gives
P(positive). English: VADER's lexicon and rules give a compound score in [−1, 1], mapped to
``(compound + 1) / 2`` so both languages share a 0–1 scale. Labels use each tool's own
thresholds: SnowNLP 0.5 (positive above), VADER ±0.05 (Hutto & Gilbert 2014).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable

import numpy as np
import pandas as pd

from custlens.errors import import_optional

__all__ = ["language", "sentiment", "sentiment_frame", "VADER_THRESHOLD", "SNOWNLP_THRESHOLD"]

VADER_THRESHOLD = 0.05
SNOWNLP_THRESHOLD = 0.5
NEUTRAL_BAND = 0.1  # SnowNLP probabilities within 0.5 ± 0.1 count as neutral
_CJK = re.compile(r"[\u4e00-\u9fff]")


def language(text: str) -> str:
    """``zh`` when the text has a CJK ideograph, else ``en``."""
    return "zh" if _CJK.search(str(text)) else "en"


@lru_cache(maxsize=1)
def _vader() -> Any:
    mod = import_optional("vaderSentiment.vaderSentiment", "voc")
    return mod.SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _snownlp() -> Any:
    return import_optional("snownlp", "voc").SnowNLP


@lru_cache(maxsize=20000)
def sentiment(text: str) -> tuple[float, str]:
    """``(score in 0..1, label)`` of one text; label ``positive``, ``neutral`` or ``negative``."""
    t = str(text).strip()
    if not t:
        return float("nan"), "neutral"
    if language(t) == "zh":
        p = float(_snownlp()(t).sentiments)
        label = "positive" if p > SNOWNLP_THRESHOLD + NEUTRAL_BAND else (
            "negative" if p < SNOWNLP_THRESHOLD - NEUTRAL_BAND else "neutral")
        return p, label
    c = float(_vader().polarity_scores(t)["compound"])
    label = "positive" if c >= VADER_THRESHOLD else ("negative" if c <= -VADER_THRESHOLD else "neutral")
    return (c + 1) / 2, label


def sentiment_frame(texts: Iterable[str]) -> pd.DataFrame:
    """``lang, sentiment, sentiment_label`` per text (each distinct text scored once)."""
    texts = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in texts]
    scored = [sentiment(t) for t in texts]
    return pd.DataFrame({"lang": [language(t) for t in texts], "sentiment": [s for s, _ in scored],
                         "sentiment_label": [lb for _, lb in scored]})
