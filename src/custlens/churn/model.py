"""The churn classifier, its logistic baseline and the held-out metrics.

`ChurnModel` wraps scikit-learn: gradient-boosted trees (`HistGradientBoostingClassifier`,
native missing values and categories) calibrated with `CalibratedClassifierCV` (isotonic, the
calibrator learned from 3-fold cross-validated scores, one tree model refitted on every row:
``ensemble=False``, so a prediction costs one model, not three), and a logistic regression on
imputed, scaled numbers and one-hot categories as the baseline. The isotonic map is applied in its
centred form (Oron & Flournoy 2017): each flat step's value sits at the middle of its step and is
interpolated linearly in between, so the calibrated probability keeps the trees' ranking instead
of tying every customer of a step (37 distinct probabilities on the demo's held-out customers,
which cost 0.005 of PR-AUC). Categories are fixed at ``fit`` (the 20 most common levels, the rest
``"other"``) so scoring data is encoded exactly like training data.

References
----------
Oron, A. P. & Flournoy, N. (2017). Centered isotonic regression: point and interval estimation
for dose-response studies. *Statistics in Biopharmaceutical Research* 9(3), 258-267.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from custlens.errors import NotFittedError

__all__ = ["ChurnModel", "Metrics", "calibration_table", "evaluate", "lift_gain", "single_thread"]

MAX_LEVELS = 20
OTHER = "other"


@dataclass
class Metrics:
    """Discrimination and calibration of churn probabilities on held-out customers.

    Attributes
    ----------
    roc_auc, pr_auc, brier : float
    lift_top10 : float
        Churn rate among the 10% highest scores over the overall churn rate.
    gain_top10 : float
        Share of all churners found in the 10% highest scores.
    base_rate : float
        Observed churn rate.
    mean_probability : float
        Mean predicted probability (equals ``base_rate`` for a calibrated model, on average).
    n : int
    """

    roc_auc: float
    pr_auc: float
    brier: float
    lift_top10: float
    gain_top10: float
    base_rate: float
    mean_probability: float
    n: int

    def to_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.__dict__.items()}


def lift_gain(y: np.ndarray, score: np.ndarray, top: float = 0.1) -> tuple[float, float]:
    """Lift and gain among the ``top`` share of the highest scores (ties broken by order)."""
    y = np.asarray(y, dtype=float)
    k = max(1, int(round(top * len(y))))
    idx = np.argsort(-np.asarray(score, dtype=float), kind="stable")[:k]
    base = y.mean()
    rate = y[idx].mean()
    return (float(rate / base) if base > 0 else float("nan"),
            float(y[idx].sum() / y.sum()) if y.sum() > 0 else float("nan"))


def evaluate(y: np.ndarray, p: np.ndarray) -> Metrics:
    """`Metrics` of probabilities ``p`` against the 0/1 outcomes ``y``."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    lift, gain = lift_gain(y, p)
    return Metrics(float(roc_auc_score(y, p)), float(average_precision_score(y, p)),
                   float(brier_score_loss(y, p)), lift, gain, float(y.mean()), float(p.mean()), len(y))


def calibration_table(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> pd.DataFrame:
    """Observed churn rate against the mean predicted probability, by quantile bin.

    The bins are those of scikit-learn's ``calibration_curve(strategy="quantile")``; empty
    bins are dropped. Adds the number of customers per bin.
    """
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    edges = np.quantile(p, np.linspace(0.0, 1.0, n_bins + 1))
    ids = np.searchsorted(edges[1:-1], p)
    frame = pd.DataFrame({"bin": ids, "p": p, "y": y}).groupby("bin", sort=True)
    out = frame.agg(predicted=("p", "mean"), observed=("y", "mean"), customers=("y", "size"))
    return out.reset_index(drop=True)


@dataclass
class ChurnModel:
    """Calibrated gradient boosting with a logistic baseline, on a fixed feature list.

    Parameters
    ----------
    numeric, categorical : list of str
        Feature columns.
    random_state : int
    baseline : bool, default True
        Also fit the logistic baseline (only the held-out comparison needs it).
    """

    numeric: list[str]
    categorical: list[str]
    random_state: int = 0
    #: Fit the logistic baseline too (`baseline_proba`); the model that only scores skips it.
    baseline: bool = True
    levels_: dict[str, list[str]] = field(default_factory=dict, repr=False)
    model_: CalibratedClassifierCV | None = field(default=None, repr=False)
    #: The centred isotonic map: (tree decision values, calibrated probabilities) to interpolate.
    calibration_: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    baseline_: object | None = field(default=None, repr=False)

    @property
    def features(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    def encode(self, X: pd.DataFrame) -> pd.DataFrame:
        """Numbers as float, categories restricted to the levels seen at fit."""
        cols: dict[str, object] = {}
        for col in self.numeric:
            cols[col] = pd.to_numeric(X[col], errors="coerce").astype(float).to_numpy()
        for col in self.categorical:
            levels = self.levels_[col]
            raw = X[col].astype(object)
            vals = raw.where(raw.isna() | raw.isin(levels), OTHER)
            cols[col] = pd.Categorical(vals, categories=levels + [OTHER])
        # one frame of new columns (copy=False): inserting them one by one cost ~0.4 s per million rows
        return pd.DataFrame(cols, index=X.index, copy=False)

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> "ChurnModel":
        """Learn the levels, fit the calibrated trees and the logistic baseline."""
        self.levels_ = {}
        for col in self.categorical:
            counts = X[col].dropna().astype(str).value_counts()
            self.levels_[col] = [str(v) for v in counts.index[:MAX_LEVELS] if v != OTHER]
        Xe = self.encode(X)
        y = np.asarray(y, dtype=int)
        # Shallow trees: churn signals are mostly main effects and a few pairs (recency x
        # frequency); deeper trees overfit a shop of a few thousand customers.
        trees = HistGradientBoostingClassifier(
            max_iter=100, learning_rate=0.05, max_depth=2, min_samples_leaf=50,
            categorical_features="from_dtype", random_state=self.random_state)
        with single_thread():
            # ensemble=False: the isotonic map is learned on the out-of-fold scores of the (grouped)
            # folds, and one tree model fitted on all rows predicts. With the default ensemble of the
            # three fold models every prediction (scoring, importance, reasons) cost three models.
            self.model_ = CalibratedClassifierCV(trees, method="isotonic", cv=self._folds(X, Xe, y),
                                                 ensemble=False).fit(Xe, y)
        self.calibration_ = centred_isotonic(self.model_.calibrated_classifiers_[0].calibrators[0])
        self.baseline_ = self._logistic().fit(self._baseline_frame(Xe), y) if self.baseline else None
        return self

    def _folds(self, X: pd.DataFrame, Xe: pd.DataFrame, y: np.ndarray) -> object:
        """Calibration folds that keep each customer's snapshots together.

        Training stacks several snapshots, so one customer appears several times. Plain folds
        put a customer's rows on both sides: the calibrator then learns from rows whose twins the
        trees were fitted on, and trusts their extreme scores (held-out top decile predicted
        99.9%, observed 95% on the demo). Folds grouped by customer remove that.

        Customers are sorted by their share of churned rows (random order within a share, seeded)
        and dealt to the folds in turn, so each fold gets about a third of the churned and of the
        retained rows. (scikit-learn's ``StratifiedGroupKFold`` does the same with a Python loop
        over customers: 138 s of a 705 s run at 100,000 customers.)
        """
        groups = np.asarray(X.index.astype(str))
        uniq, inv = np.unique(groups, return_inverse=True)
        if len(uniq) < 3 or len(uniq) == len(groups):
            return 3
        share = np.bincount(inv, weights=np.asarray(y, dtype=float)) / np.bincount(inv)
        order = np.lexsort((np.random.default_rng(self.random_state).random(len(uniq)), share))
        fold_of = np.empty(len(uniq), dtype=int)
        fold_of[order] = np.arange(len(uniq)) % 3
        fold = fold_of[inv]
        return [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(3)]

    def _baseline_frame(self, Xe: pd.DataFrame) -> pd.DataFrame:
        Xb = Xe.copy()
        for col in self.categorical:
            Xb[col] = Xb[col].astype(object).where(Xb[col].notna(), OTHER)
        return Xb

    def _logistic(self) -> object:
        num = make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler())
        cat = make_pipeline(SimpleImputer(strategy="constant", fill_value=OTHER),
                            OneHotEncoder(handle_unknown="ignore"))
        pre = ColumnTransformer([("num", num, self.numeric), ("cat", cat, self.categorical)])
        return make_pipeline(pre, LogisticRegression(C=1.0, max_iter=2000))

    def _check(self) -> None:
        if self.model_ is None:
            raise NotFittedError("This ChurnModel instance is not fitted yet. Call 'fit' first.")

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated churn probability per row."""
        self._check()
        return self.predict_encoded(self.encode(X))

    def predict_encoded(self, Xe: pd.DataFrame) -> np.ndarray:
        """Like `predict_proba` on rows already passed through `encode`.

        The trees' sum is `custlens.churn.trees.TreeSum`'s: the bits of scikit-learn's
        ``decision_function``, evaluated column-wise in NumPy on one thread (``tests/churn``).
        """
        self._check()
        from custlens.churn.trees import TreeSum  # trees imports this module

        trees = TreeSum(self)
        d = trees.decision_of(trees.prepare(Xe))
        x, v = self.calibration_
        return np.clip(np.interp(d, x, v), 0.0, 1.0)

    def raw_encoded(self, Xe: pd.DataFrame) -> np.ndarray:
        """The trees' own probability (of the one refitted tree model), before calibration.

        Isotonic calibration is a step function: a small change of one feature often leaves the
        calibrated score on the same step. Explanations use this smooth score instead; it ranks
        customers almost exactly as the calibrated one.
        """
        self._check()
        from custlens.churn.trees import TreeSum  # trees imports this module

        if len(self.model_.calibrated_classifiers_) != 1:  # an ensemble of fold models (not fitted here)
            with single_thread():
                return np.mean([c.estimator.predict_proba(Xe)[:, 1] for c in self.model_.calibrated_classifiers_],
                               axis=0)
        trees = TreeSum(self)
        est = self.model_.calibrated_classifiers_[0].estimator
        return est._loss.predict_proba(trees.decision_of(trees.prepare(Xe)))[:, 1]

    def baseline_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Churn probability of the logistic baseline."""
        self._check()
        if self.baseline_ is None:
            raise NotFittedError("This ChurnModel was fitted with baseline=False: it has no logistic baseline")
        return self.baseline_.predict_proba(self._baseline_frame(self.encode(X)))[:, 1]


def centred_isotonic(iso: object) -> tuple[np.ndarray, np.ndarray]:
    """The knots of the centred isotonic map of a fitted ``IsotonicRegression``.

    scikit-learn keeps both ends of every flat step (``X_thresholds_``, ``y_thresholds_``). A step
    becomes one knot at the middle of its two ends with the step's value; the map interpolates
    linearly between knots and is flat beyond the first and last. It is strictly increasing
    between the knots, so it keeps the ranking of the scores it calibrates.

    Returns
    -------
    (ndarray, ndarray)
        Increasing knot positions and their values, for ``numpy.interp``.
    """
    x = np.asarray(iso.X_thresholds_, dtype=float)  # type: ignore[attr-defined]
    y = np.asarray(iso.y_thresholds_, dtype=float)  # type: ignore[attr-defined]
    step = np.r_[0, np.cumsum(np.diff(y) != 0)]  # step number of each threshold
    counts = np.bincount(step)
    centres = np.bincount(step, weights=x) / counts
    values = np.bincount(step, weights=y) / counts
    return centres, values


@contextmanager
def single_thread() -> Iterator[None]:
    """Run OpenMP code on one thread.

    The trees of a few thousand rows fit in about a second on one thread; with OpenMP's
    default on a busy or small machine the threads spin-wait for each other and the same fit
    took 7-40 times longer (measured on a 2-core machine).
    """
    with threadpool_limits(limits=1, user_api="openmp"):
        yield
