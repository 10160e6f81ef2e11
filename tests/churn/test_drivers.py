"""Permutation importance and partial dependence on stated, seeded samples of the held-out rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.churn import ChurnModel
from custlens.churn.drivers import partial_dependence, permutation_importance
from custlens.churn.trees import TreeSum


class _Counting(ChurnModel):
    """A ChurnModel whose scoring records how many rows each call scored (`TreeSum.leaves`)."""


def _fitted(n: int = 3_000) -> tuple[_Counting, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"signal": rng.normal(size=n), "noise": rng.normal(size=n)})
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * X["signal"]))).astype(int).to_numpy()
    model = _Counting(["signal", "noise"], []).fit(X, y)
    model.calls = []
    return model, X, y


@pytest.fixture(autouse=True)
def _count_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Record on the model the number of rows of every `TreeSum.leaves` call."""
    leaves = TreeSum.leaves

    def counted(self: TreeSum, Xp: np.ndarray, *args: object, **kw: object) -> np.ndarray:
        self._model.calls.append(len(Xp))
        return leaves(self, Xp, *args, **kw)

    monkeypatch.setattr(TreeSum, "leaves", counted)


def test_importance_scores_at_most_max_rows_per_shuffle_and_is_seeded() -> None:
    model, X, y = _fitted()
    imp = permutation_importance(model, X, y, n_repeats=4, random_state=1, max_rows=500)
    # the baseline scores every row once; the shuffles score one seeded draw of 500 rows (the
    # leaves of the unshuffled draw once, then the trees a shuffle reaches, per feature and shuffle)
    assert model.calls[0] == len(X) and set(model.calls[1:]) == {500} and len(model.calls) <= 2 + 2 * 4
    # the real signal stands above its noise; the noise feature does not
    top = imp.iloc[0]
    assert top["feature"] == "signal" and top["importance"] > 5 * top["importance_std"] > 0
    assert imp.set_index("feature").loc["noise", "importance"] < imp.set_index("feature").loc["signal", "importance"] / 20
    pd.testing.assert_frame_equal(imp, permutation_importance(model, X, y, n_repeats=4, random_state=1, max_rows=500))


def test_partial_dependence_averages_over_a_seeded_sample() -> None:
    model, X, _ = _fitted()
    pdp = partial_dependence(model, X, ["signal"], max_rows=400, random_state=2)
    assert model.calls and set(model.calls) == {400}
    assert pdp["churn_probability"].is_monotonic_increasing  # churn rises with the signal
    pd.testing.assert_frame_equal(pdp, partial_dependence(model, X, ["signal"], max_rows=400, random_state=2))
    model.calls = []
    partial_dependence(model, X, ["signal"])  # within the default 5,000: every row
    assert set(model.calls) == {len(X)}
