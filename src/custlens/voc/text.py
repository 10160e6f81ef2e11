"""Feedback text in Chinese and English: tokens, sentiment, keywords, topics, complaint categories."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

import numpy as np
import pandas as pd

from custlens.errors import MissingDataError, import_optional
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store
from custlens.voc import _data
from custlens.voc.sentiment import language, sentiment_frame

__all__ = ["CATEGORY_RULES", "FeedbackResult", "categorise", "feedback_analysis", "tokenize"]

#: Complaint categories by keywords (checked in this order; first match is the category).
CATEGORY_RULES: Mapping[str, tuple[str, ...]] = {
    "refund": ("退款", "退货", "退钱", "到账", "refund", "money back", "returned"),
    "logistics": ("快递", "物流", "发货", "配送", "到货", "送货", "包裹", "delivery", "deliver", "shipped", "shipping",
                  "parcel", "courier", "late", "tracking"),
    "quality": ("质量", "坏", "破损", "异味", "做工", "图片", "假货", "瑕疵", "quality", "broken", "broke", "damaged",
                "defect", "photos", "fake", "cheap"),
    "service": ("客服", "态度", "没人理", "不回", "服务", "service", "support", "agent", "rude", "answered", "reply"),
    "price": ("贵", "价格", "价钱", "降价", "差价", "expensive", "price", "pricey", "overpriced"),
    "missing_item": ("少发", "漏发", "缺件", "missing"),
}
OTHER = "other"
_ZH_STOP = set("的 了 是 我 也 就 都 很 还 和 在 有 不 这 那 给 又 吗 吧 呢 啊 着 一 个 会 要 到 能 用 买 说 太 再 被 让".split())
_WORD = re.compile(r"[a-z][a-z']+")


def _jieba() -> Any:
    jieba = import_optional("jieba", "voc")
    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary build at INFO
    return jieba


@lru_cache(maxsize=20000)
def _tokens(text: str) -> tuple[str, ...]:
    if language(text) == "zh":
        words = [w.strip() for w in _jieba().lcut(text)]
        return tuple(w for w in words if len(w) >= 2 and w not in _ZH_STOP and not w.isdigit()
                     and re.search(r"[\u4e00-\u9fffA-Za-z]", w))
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return tuple(w for w in _WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS)


def tokenize(text: str) -> list[str]:
    """Words of a text: jieba for Chinese (words of 2+ characters, stop words dropped), a regex
    and scikit-learn's English stop words for English."""
    return list(_tokens(str(text)))


def categorise(text: str, rules: Mapping[str, tuple[str, ...]] = CATEGORY_RULES) -> str:
    """The first category whose keyword occurs in the text (case-insensitive), else ``other``."""
    low = str(text).lower()
    for cat, words in rules.items():
        if any(w in low for w in words):
            return cat
    return OTHER


@dataclass
class FeedbackResult(Result):
    """Feedback text analysis (see `feedback_analysis`).

    Attributes
    ----------
    items : DataFrame
        One row per feedback: ``feedback_id, customer_id, created_at, kind, lang, sentiment,
        sentiment_label, category, text``.
    sentiment : DataFrame
        ``lang, items, mean_sentiment, positive_share, negative_share``.
    keywords : DataFrame
        ``term, score`` (summed TF-IDF), top terms.
    topics : DataFrame
        ``topic, words, share, examples`` from NMF on TF-IDF of all texts.
    complaint_topics : DataFrame
        The same on the complaints only.
    categories : DataFrame
        Complaint categories: ``category, complaints, share, mean_sentiment, examples``.
    trend : DataFrame
        ``period, items, complaints, complaint_share, mean_sentiment, negative_share``.
    """

    items: pd.DataFrame
    sentiment: pd.DataFrame
    keywords: pd.DataFrame
    topics: pd.DataFrame
    complaint_topics: pd.DataFrame
    categories: pd.DataFrame
    trend: pd.DataFrame
    as_of: pd.Timestamp
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (without the per-item table)."""
        def rec(df: pd.DataFrame) -> list[dict[str, Any]]:
            return df.replace({np.nan: None}).to_dict("records")

        kinds = self.items["kind"].fillna("").value_counts().to_dict()
        return {"as_of": str(self.as_of.date()), "items": len(self.items), "kinds": kinds,
                "sentiment": rec(self.sentiment), "keywords": rec(self.keywords), "topics": rec(self.topics),
                "complaint_topics": rec(self.complaint_topics),
                "categories": rec(self.categories), "trend": rec(self.trend), "notes": self.notes}


def _tfidf(docs: list[str]) -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer=tokenize, min_df=2 if len(docs) >= 20 else 1, sublinear_tf=True)
    return vec, vec.fit_transform(docs)


def _topics(docs: list[str], n_topics: int, seed: int) -> pd.DataFrame:
    from sklearn.decomposition import NMF

    cols = ["topic", "words", "share", "examples"]
    if len(docs) < 2 * n_topics:
        return pd.DataFrame(columns=cols)
    vec, x = _tfidf(docs)
    k = min(n_topics, x.shape[1] - 1)
    if k < 1:
        return pd.DataFrame(columns=cols)
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    w = nmf.fit_transform(x)
    terms = np.asarray(vec.get_feature_names_out())
    best = w.argmax(axis=1)
    rows = []
    for t in range(k):
        top = terms[np.argsort(-nmf.components_[t])[:6]]
        members = np.flatnonzero((best == t) & (w.max(axis=1) > 0))
        order = members[np.argsort(-w[members, t])]
        seen: list[str] = []
        for i in order:
            if docs[i] not in seen:
                seen.append(docs[i])
            if len(seen) == 3:
                break
        rows.append({"topic": t + 1, "words": " ".join(top), "share": len(members) / len(docs), "examples": seen})
    return pd.DataFrame(rows, columns=cols).sort_values("share", ascending=False, kind="stable").reset_index(drop=True)


def feedback_analysis(store: Store, *, as_of: AsOf = None, n_topics: int = 5, period: str = "quarter",
                      top_keywords: int = 20, seed: int = 0) -> FeedbackResult:
    """Sentiment, keywords, topics, complaint categories and trends of the feedback texts.

    Parameters
    ----------
    store : Store
        Needs ``feedback``.
    as_of : date-like, optional
        Only feedback created before this date.
    n_topics : int, default 5
        Topics of the NMF model (fewer when the texts are few).
    period : {"quarter", "month", "year"}
    top_keywords : int, default 20
    seed : int, default 0
        NMF initialisation seed.

    Notes
    -----
    Complaints are the rows of kind ``complaint`` (or, without a kind column, the rows with a
    negative sentiment); their category comes from `CATEGORY_RULES`.
    """
    df, cut = _data.load(store, "feedback", as_of, "the feedback analysis")
    df = df[df["text"].fillna("").str.strip() != ""].reset_index(drop=True)
    if df.empty:
        raise MissingDataError("the feedback table has no texts before the analysis date")
    if "kind" not in df:
        df["kind"] = None
    df = pd.concat([df, sentiment_frame(df["text"])], axis=1)
    has_kind = df["kind"].notna().any()
    df["is_complaint"] = (df["kind"].fillna("").str.lower() == "complaint") if has_kind else (
        df["sentiment_label"] == "negative")
    df["category"] = [categorise(t) if c else None for t, c in zip(df["text"], df["is_complaint"])]
    df["period"] = _data.periods(df["created_at"], period)
    senti = (df.groupby("lang").agg(items=("text", "size"), mean_sentiment=("sentiment", "mean"),
                                    positive_share=("sentiment_label", lambda s: (s == "positive").mean()),
                                    negative_share=("sentiment_label", lambda s: (s == "negative").mean()))
             .reset_index())
    docs = df["text"].astype(str).tolist()
    vec, x = _tfidf(docs)
    scores = np.asarray(x.sum(axis=0)).ravel()
    terms = vec.get_feature_names_out()
    top = np.argsort(-scores)[:top_keywords]
    keywords = pd.DataFrame({"term": terms[top], "score": scores[top]})
    comp = df[df["is_complaint"]]
    cats = []
    for cat, g in comp.groupby("category", sort=False):
        cats.append({"category": cat, "complaints": len(g), "share": len(g) / len(comp),
                     "mean_sentiment": float(g["sentiment"].mean()),
                     "examples": list(dict.fromkeys(g["text"].astype(str)))[:3]})
    categories = pd.DataFrame(cats, columns=["category", "complaints", "share", "mean_sentiment", "examples"]) \
        .sort_values("complaints", ascending=False, kind="stable").reset_index(drop=True)
    trend = (df.groupby("period").agg(items=("text", "size"), complaints=("is_complaint", "sum"),
                                      mean_sentiment=("sentiment", "mean"),
                                      negative_share=("sentiment_label", lambda s: (s == "negative").mean()))
             .reset_index())
    trend["complaint_share"] = trend["complaints"] / trend["items"]
    trend = trend[["period", "items", "complaints", "complaint_share", "mean_sentiment", "negative_share"]]
    items = df[["feedback_id", "customer_id", "created_at", "kind", "lang", "sentiment", "sentiment_label",
                "category", "text"]]
    notes = [] if has_kind else ["no feedback kind column: complaints are the texts with a negative sentiment"]
    comp_docs = comp["text"].astype(str).tolist()
    return FeedbackResult(items, senti, keywords, _topics(docs, n_topics, seed),
                          _topics(comp_docs, min(n_topics, max(1, len(CATEGORY_RULES) - 2)), seed), categories,
                          trend, cut, notes)
