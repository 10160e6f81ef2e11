"""Permutation importance and partial dependence on stated, seeded samples of the held-out rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlens.churn import ChurnModel
from custlens.churn.drivers import partial_dependence, permutation_importance


class _Counting(ChurnModel):
    """A ChurnModel that records how many rows each prediction scored."""

    def predict_encoded(self, Xe: pd.DataFrame) -> np.ndarray:
        self.calls.append(len(Xe))
        return super().predict_encoded(Xe)


def _fitted(n: int = 3_000) -> tuple[_Counting, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"signal": rng.normal(size=n), "noise": rng.normal(size=n)})
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * X["signal"]))).astype(int).to_numpy()
    model = _Counting(["signal", "noise"], []).fit(X, y)
    model.calls = []
    return model, X, y


def test_importance_scores_at_most_max_rows_per_shuffle_and_is_seeded() -> None:
    model, X, y = _fitted()
    imp = permutation_importance(model, X, y, n_repeats=4, random_state=1, max_rows=500)
    # scikit-learn scores the unshuffled rows once, then each shuffle on a fresh draw of 500
    assert model.calls[0] == len(X) and set(model.calls[1:]) == {500} and len(model.calls) == 1 + 2 * 4
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
