"""`TreeSum` and the explanations built on it give scikit-learn's numbers to the last bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance as sk_permutation_importance
from sklearn.metrics import log_loss

from custlens.churn.drivers import partial_dependence, permutation_importance
from custlens.churn.model import ChurnModel, single_thread
from custlens.churn.trees import TreeSum, tree_values


@pytest.fixture(autouse=True, params=["compiled", "numpy"])
def tree_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs on the compiled kernels (`custlens.churn._tree_kernels`) and on the NumPy form."""
    if request.param == "numpy":
        monkeypatch.setenv("CUSTLENS_NUMBA", "0")
    else:
        pytest.importorskip("numba")
        monkeypatch.setenv("CUSTLENS_NUMBA", "1")
    return request.param


def _data(n: int = 3000, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Numbers with missing values, two categories (one with rare and missing levels), a constant."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "days_since_last": rng.exponential(60, n).round(),
        "orders": rng.poisson(3, n).astype(float),
        "total_spend": rng.gamma(2, 50, n),
        "noise": rng.normal(size=n),
        "constant": np.ones(n),
    }, index=pd.Index([f"c{i:05d}" for i in range(n)], name="customer_id"))
    X.loc[X.sample(frac=0.1, random_state=2).index, "total_spend"] = np.nan
    X["channel"] = rng.choice(["web", "app", "store", None], n, p=[0.5, 0.3, 0.15, 0.05])
    X["region"] = rng.choice([f"r{i}" for i in range(30)], n)
    logit = -1 + X["days_since_last"] / 40 - 0.3 * X["orders"] + 0.5 * (X["channel"] == "store")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int).to_numpy()
    return X, y


@pytest.fixture(scope="module")
def fitted() -> tuple[ChurnModel, pd.DataFrame, np.ndarray]:
    X, y = _data()
    model = ChurnModel(["days_since_last", "orders", "total_spend", "noise", "constant"], ["channel", "region"],
                       random_state=0, baseline=False).fit(X.iloc[:2000], y[:2000])
    return model, X.iloc[2000:], y[2000:]


def _sk_proba(model: ChurnModel, Xe: pd.DataFrame) -> np.ndarray:
    """The calibrated probability from scikit-learn's own ``decision_function`` (the reference)."""
    with single_thread():  # OpenMP's threads spin on a busy machine; the values are the same
        d = model.model_.calibrated_classifiers_[0].estimator.decision_function(Xe)
    x, v = model.calibration_
    return np.clip(np.interp(d, x, v), 0.0, 1.0)


def _unusual(X: pd.DataFrame) -> pd.DataFrame:
    """``X`` with a level unseen at fit, missing categories and missing numbers in some rows."""
    X = X.copy()
    X.loc[X.index[:40], "region"] = "never-seen"
    X.loc[X.index[40:80], "channel"] = None
    X.loc[X.index[80:120], ["days_since_last", "orders"]] = np.nan
    return X


def test_leaf_sums_equal_decision_function_bitwise(fitted, tree_path: str) -> None:
    model, X, _ = fitted
    Xe = model.encode(_unusual(X))
    trees = TreeSum(model)
    assert (trees._packed is not None) == (tree_path == "compiled")  # the path under test is the one used
    est = model.model_.calibrated_classifiers_[0].estimator
    # the categories' numbers are scikit-learn's OrdinalEncoder's (sorted levels seen at fit, unseen NaN)
    assert np.array_equal(trees.prepare(Xe), np.asarray(est._preprocess_X(Xe, reset=False), dtype=float),
                          equal_nan=True)
    assert any(t.nodes["is_categorical"].any() for t in trees._trees)  # category splits are exercised
    leaves = trees.leaves(trees.prepare(Xe))
    assert np.array_equal(trees.decision(leaves), est.decision_function(Xe))
    assert np.array_equal(trees.decision_of(trees.prepare(Xe)), est.decision_function(Xe))
    assert np.array_equal(trees.proba(leaves), _sk_proba(model, Xe))
    assert np.array_equal(model.predict_encoded(Xe), _sk_proba(model, Xe))
    assert np.array_equal(model.raw_encoded(Xe), est.predict_proba(Xe)[:, 1])
    # the same with two threads per tree (rows are independent)
    two = TreeSum(model, n_threads=2)
    assert np.array_equal(two.decision(two.leaves(two.prepare(Xe))), est.decision_function(Xe))
    # the column map: each preprocessed column holds its feature's values
    Xp = trees.prepare(Xe)
    for f in model.numeric:
        assert np.array_equal(Xp[:, trees.column[f]], Xe[f].to_numpy(dtype=float), equal_nan=True)
    assert trees.trees_using("constant") == []  # never split: shuffling it re-scores nothing
    assert trees.trees_using("days_since_last")


class _Calibrated:
    """The reference: the calibrated model as scikit-learn's permutation_importance wants it."""

    def __init__(self, model: ChurnModel) -> None:
        self.model = model

    def fit(self, *_args: object) -> "_Calibrated":
        return self

    def predict_proba(self, Xe: pd.DataFrame) -> np.ndarray:
        p = _sk_proba(self.model, Xe)
        return np.column_stack([1.0 - p, p])


def _reference_importance(model: ChurnModel, X: pd.DataFrame, y: np.ndarray, n_repeats: int, random_state: int,
                          max_rows: int) -> pd.DataFrame:
    """The implementation before `TreeSum`: scikit-learn's function, every shuffle scored whole."""
    def scorer(est: _Calibrated, Xe: pd.DataFrame, yy: np.ndarray) -> float:
        return -float(log_loss(yy, np.clip(est.predict_proba(Xe)[:, 1], 1e-6, 1 - 1e-6), labels=[0, 1]))

    Xe = model.encode(X).reset_index(drop=True)
    r = sk_permutation_importance(_Calibrated(model), Xe, np.asarray(y), scoring=scorer, n_repeats=n_repeats,
                                  random_state=random_state, max_samples=min(len(Xe), max_rows))
    out = pd.DataFrame({"feature": list(Xe.columns), "importance": r.importances_mean,
                        "importance_std": r.importances_std})
    return out.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("max_rows, seed, repeats", [(400, 0, 5), (10_000, 3, 4), (1000, 7, 1)])
def test_permutation_importance_equals_scikit_learn_bitwise(fitted, max_rows: int, seed: int, repeats: int) -> None:
    model, X, y = fitted
    got = permutation_importance(model, X, y, n_repeats=repeats, random_state=seed, max_rows=max_rows)
    ref = _reference_importance(model, X, y, repeats, seed, max_rows)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    assert got.set_index("feature").loc["constant", "importance_std"] == 0.0


def test_partial_dependence_equals_scoring_each_grid_value(fitted) -> None:
    model, X, _ = fitted
    got = partial_dependence(model, X, ["days_since_last", "constant", "total_spend"], max_rows=600, random_state=2)
    Xs = X.iloc[np.sort(np.random.default_rng(2).choice(len(X), size=600, replace=False))]
    Xe = model.encode(Xs)
    ref = []
    for f in ("days_since_last", "total_spend"):  # the constant has one grid value: no curve
        grid = np.unique(np.nanquantile(Xe[f].to_numpy(dtype=float), np.linspace(0.05, 0.95, 12)))
        ref += [(f, float(v), float(np.mean(_sk_proba(model, Xe.assign(**{f: v}))))) for v in grid]
    expected = pd.DataFrame(ref, columns=["feature", "feature_value", "churn_probability"])
    pd.testing.assert_frame_equal(got[got["feature"] != "constant"].reset_index(drop=True), expected,
                                  check_exact=True)


def test_scores_of_many_rows_equal_scikit_learn_bitwise(fitted) -> None:
    """NumPy's column-wise trees (one thread) and scikit-learn's traversal on OpenMP threads agree."""
    model, X, _ = fitted
    Xe = model.encode(_unusual(pd.concat([X] * 10)))  # 10,000 rows: enough for both threads to get work
    est = model.model_.calibrated_classifiers_[0].estimator
    assert np.array_equal(model.predict_encoded(Xe), _sk_proba(model, Xe))
    two = TreeSum(model, n_threads=2)
    assert np.array_equal(two.decision_of(two.prepare(Xe)), est.decision_function(Xe))


def test_a_tree_that_is_one_leaf() -> None:
    """A tree without a split gives its one value to every row."""
    X, y = _data(600)
    model = ChurnModel(["constant"], [], random_state=0, baseline=False).fit(X, y)
    Xe = model.encode(X)
    est = model.model_.calibrated_classifiers_[0].estimator
    assert all(t.nodes["is_leaf"][0] for t in TreeSum(model)._trees)
    assert np.array_equal(model.predict_encoded(Xe), _sk_proba(model, Xe))


def test_compiled_leaves_equal_numpy_leaves_on_odd_codes(fitted, tree_path: str) -> None:
    """Both paths give each (row, tree) the same leaf, also for category codes `prepare` never makes
    (negative, past 255: as missing) and for a subset of trees written into a given array."""
    model, X, _ = fitted
    trees = TreeSum(model)
    Xp = trees.prepare(model.encode(_unusual(X)))
    for name in model.categorical:
        j = trees.column[name]
        Xp[:5, j], Xp[5:10, j], Xp[10:15, j] = -1.0, np.nan, 300.0
    Xp[15:20, trees.column["days_since_last"]] = -np.inf
    ref = np.column_stack([tree_values(t, Xp, trees._bitsets, trees._f_idx_map) for t in trees._trees])
    assert np.array_equal(trees.leaves(Xp), ref)
    some = trees.trees_using("region") + trees.trees_using("orders")
    out = np.zeros_like(ref, order="F")
    trees.leaves(Xp, some, out)
    assert np.array_equal(out[:, some], ref[:, some]) and not out[:, [t for t in range(ref.shape[1]) if t not in some]].any()
    assert np.array_equal(trees.decision_of(Xp), trees.decision(ref))


def test_neg_log_loss_equals_scikit_learn_bitwise() -> None:
    from custlens.churn.drivers import _neg_log_loss

    rng = np.random.default_rng(5)
    for n in (1, 7, 20_000):
        y = (rng.random(n) < 0.7).astype(int)
        p = rng.random(n)
        p[: n // 3] = rng.choice([0.0, 1.0, 1e-9, 1 - 1e-9], n // 3)  # beyond the clip at both ends
        assert _neg_log_loss(y, p) == -float(log_loss(y, np.clip(p, 1e-6, 1 - 1e-6), labels=[0, 1]))
