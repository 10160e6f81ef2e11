"""Survey analysis: item statistics, Cronbach's alpha, factor analysis, respondent clusters, IPA."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
import pandas as pd

from custlens.errors import InputError, MissingDataError, MissingDependencyError, import_optional
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store
from custlens.voc import _data
from custlens.voc.drivers import driver_table

__all__ = ["SurveyResult", "FactorResult", "cronbach_alpha", "describe_items", "factor_analysis",
           "importance_performance", "cluster_respondents", "survey_analysis", "QUADRANTS"]

#: Importance–performance quadrants (Martilla & James 1977), keyed for ``voc.ipa.<key>`` texts.
QUADRANTS = ("concentrate_here", "keep_up", "low_priority", "possible_overkill")


def describe_items(items: pd.DataFrame) -> pd.DataFrame:
    """Per item: ``item, answers, mean, sd, median, min, max, top2_share`` (share of the two best scores)."""
    rows = []
    for c in items.columns:
        v = pd.to_numeric(items[c], errors="coerce").dropna()
        hi = v.max() if len(v) else np.nan
        rows.append({"item": c, "answers": int(len(v)), "mean": float(v.mean()) if len(v) else np.nan,
                     "sd": float(v.std(ddof=1)) if len(v) > 1 else np.nan, "median": float(v.median()) if len(v) else np.nan,
                     "min": float(v.min()) if len(v) else np.nan, "max": float(hi),
                     "top2_share": float((v >= hi - 1).mean()) if len(v) else np.nan})
    return pd.DataFrame(rows)


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of the items (complete answers only).

    ``alpha = k / (k - 1) * (1 - sum(var(item)) / var(sum of items))`` with sample variances
    (Cronbach 1951).
    """
    data = items.apply(pd.to_numeric, errors="coerce").dropna()
    k = data.shape[1]
    if k < 2 or len(data) < 2:
        raise MissingDataError(f"Cronbach's alpha needs at least 2 items and 2 complete answers; got {k} items, "
                               f"{len(data)} answers")
    total_var = data.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - data.var(ddof=1).sum() / total_var))


@dataclass
class FactorResult:
    """Exploratory factor analysis of the attribute items.

    Attributes
    ----------
    kmo : float
        Kaiser–Meyer–Olkin measure of sampling adequacy (> 0.6 acceptable).
    kmo_items : Series
        KMO per item.
    bartlett_chi2, bartlett_p : float
        Bartlett's test of sphericity (p < 0.05: the items correlate enough to factor).
    n_factors : int
        Factors kept (Kaiser: eigenvalues of the correlation matrix > 1, unless given).
    loadings : DataFrame
        Items × factors, varimax-rotated.
    variance : DataFrame
        ``factor, ss_loadings, proportion, cumulative``.
    eigenvalues : Series
        Eigenvalues of the correlation matrix.
    """

    kmo: float
    kmo_items: pd.Series
    bartlett_chi2: float
    bartlett_p: float
    n_factors: int
    loadings: pd.DataFrame
    variance: pd.DataFrame
    eigenvalues: pd.Series
    rotation: str


@contextmanager
def _sklearn_compat(fa_mod: Any) -> Iterator[None]:
    """factor_analyzer 0.5.1 calls ``check_array(force_all_finite=...)``, a keyword scikit-learn
    1.8 removed (renamed ``ensure_all_finite`` in 1.6); translate it for the duration of a fit."""
    mod = fa_mod.factor_analyzer
    original = mod.check_array

    def check_array(*args: Any, **kwargs: Any) -> Any:
        if "force_all_finite" in kwargs:
            kwargs["ensure_all_finite"] = kwargs.pop("force_all_finite")
        return original(*args, **kwargs)

    mod.check_array = check_array
    try:
        yield
    finally:
        mod.check_array = original


def factor_analysis(items: pd.DataFrame, n_factors: int | None = None, rotation: str = "varimax") -> FactorResult:
    """KMO, Bartlett's test and a rotated factor solution with factor_analyzer (minres).

    Parameters
    ----------
    items : DataFrame
        One column per item; rows with a missing answer are dropped.
    n_factors : int, optional
        Default: the number of eigenvalues of the correlation matrix above 1 (Kaiser).
    rotation : str, default "varimax"
        Any rotation factor_analyzer accepts (``varimax``, ``promax``, ``oblimin``...).
    """
    fa_mod = import_optional("factor_analyzer", "voc")
    data = items.apply(pd.to_numeric, errors="coerce").dropna()
    k = data.shape[1]
    if k < 3 or len(data) < 3 * k:
        raise MissingDataError(f"factor analysis needs at least 3 items and 3 answers per item; got {k} items and "
                               f"{len(data)} complete answers")
    const = [c for c in data.columns if data[c].std() == 0]
    if const:
        raise InputError(f"items {const} have the same answer everywhere; drop them before the factor analysis")
    kmo_items, kmo = fa_mod.factor_analyzer.calculate_kmo(data)
    chi2, p = fa_mod.factor_analyzer.calculate_bartlett_sphericity(data)
    eig = np.sort(np.linalg.eigvalsh(np.corrcoef(data.to_numpy(float), rowvar=False)))[::-1]
    nf = int(n_factors or max(1, int((eig > 1).sum())))
    if not 1 <= nf < k:
        raise InputError(f"n_factors={nf} should be between 1 and {k - 1} for {k} items")
    fa = fa_mod.FactorAnalyzer(n_factors=nf, rotation=rotation if nf > 1 else None, method="minres")
    with _sklearn_compat(fa_mod):
        fa.fit(data)
    names = [f"F{i + 1}" for i in range(nf)]
    loadings = pd.DataFrame(fa.loadings_, index=list(data.columns), columns=names)
    ss, prop, cum = fa.get_factor_variance()
    variance = pd.DataFrame({"factor": names, "ss_loadings": ss, "proportion": prop, "cumulative": cum})
    return FactorResult(float(kmo), pd.Series(kmo_items, index=data.columns), float(chi2), float(p), nf, loadings,
                        variance, pd.Series(eig, index=range(1, k + 1)), rotation if nf > 1 else "none")


def cluster_respondents(items: pd.DataFrame, k_range: range = range(2, 6), seed: int = 0) -> tuple[pd.Series, pd.DataFrame]:
    """k-means on standardised answers, ``k`` with the best silhouette; labels and cluster profiles."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    data = items.apply(pd.to_numeric, errors="coerce").dropna()
    if len(data) < 3 * max(k_range):
        raise MissingDataError(f"{len(data)} complete answers are too few to cluster respondents "
                               f"(need {3 * max(k_range)})")
    z = ((data - data.mean()) / data.std(ddof=0).replace(0, 1)).to_numpy(float)
    best = None
    for k in k_range:
        km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(z)
        s = silhouette_score(z, km.labels_, sample_size=min(len(z), 2000), random_state=seed)
        if best is None or s > best[0]:
            best = (s, km)
    assert best is not None
    labels = pd.Series(best[1].labels_ + 1, index=data.index, name="cluster")
    prof = data.assign(cluster=labels).groupby("cluster").mean()
    prof.insert(0, "respondents", labels.value_counts().sort_index())
    prof.attrs["silhouette"] = float(best[0])
    return labels, prof.reset_index()


def importance_performance(drivers: pd.DataFrame, performance: pd.Series) -> pd.DataFrame:
    """Importance–performance analysis: quadrant of each attribute split at the means.

    Parameters
    ----------
    drivers : DataFrame
        `driver_table` output (``attribute``, ``importance``).
    performance : Series
        0–100 performance per attribute.

    Returns
    -------
    DataFrame
        ``attribute, importance, performance, quadrant`` with quadrant keys of `QUADRANTS`:
        important and weak -> concentrate_here; important and strong -> keep_up; less
        important and weak -> low_priority; less important and strong -> possible_overkill.
    """
    d = drivers[["attribute", "importance"]].copy()
    d["performance"] = d["attribute"].map(performance).astype(float)
    hi_imp = d["importance"] >= d["importance"].mean()
    hi_perf = d["performance"] >= d["performance"].mean()
    d["quadrant"] = np.select([hi_imp & ~hi_perf, hi_imp & hi_perf, ~hi_imp & ~hi_perf],
                              list(QUADRANTS[:3]), QUADRANTS[3])
    return d


@dataclass
class SurveyResult(Result):
    """Everything the survey analysis returns (see `survey_analysis`)."""

    answers: int
    items: pd.DataFrame
    alpha: float
    factors: FactorResult | None
    clusters: pd.DataFrame | None
    ipa: pd.DataFrame | None
    csat_drivers: pd.DataFrame | None
    nps_drivers: pd.DataFrame | None
    as_of: pd.Timestamp
    notes: list[str]

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        def rec(df: pd.DataFrame | None) -> Any:
            return None if df is None else df.replace({np.nan: None}).to_dict("records")

        fa = None
        if self.factors is not None:
            f = self.factors
            fa = {"kmo": f.kmo, "bartlett_chi2": f.bartlett_chi2, "bartlett_p": f.bartlett_p, "n_factors": f.n_factors,
                  "rotation": f.rotation, "loadings": f.loadings.round(4).to_dict("index"), "variance": rec(f.variance)}
        return {"as_of": str(self.as_of.date()), "answers": self.answers, "items": rec(self.items),
                "cronbach_alpha": self.alpha, "factor_analysis": fa, "clusters": rec(self.clusters),
                "importance_performance": rec(self.ipa), "csat_drivers": rec(self.csat_drivers),
                "nps_drivers": rec(self.nps_drivers), "notes": self.notes}


def survey_analysis(store: Store, *, as_of: AsOf = None, n_factors: int | None = None) -> SurveyResult:
    """Descriptive statistics, reliability, factors, clusters, IPA and driver tables of the surveys.

    Parameters
    ----------
    store : Store
        Needs ``surveys`` with ``score_*`` columns (``csat`` and ``nps`` add driver tables).
    as_of : date-like, optional
        Only answers before this date.
    n_factors : int, optional
        Factors to extract (default Kaiser's rule).
    """
    from custlens.voc.satisfaction import _scale, to_index

    answers, cut = _data.load(store, "surveys", as_of, "the survey analysis")
    cols = _data.score_columns(answers)
    if not cols:
        raise MissingDataError("the survey analysis needs attribute scores: survey columns named score_<attribute>")
    items = answers[cols].apply(pd.to_numeric, errors="coerce").rename(columns=_data.attribute)
    attrs = list(items.columns)
    notes: list[str] = []
    desc = describe_items(answers[[c for c in ("csat", "nps") if c in answers and answers[c].notna().any()]]
                          .join(items))
    alpha = cronbach_alpha(items) if len(attrs) >= 2 else float("nan")
    factors = clusters = ipa = None
    try:
        factors = factor_analysis(items, n_factors)
    except (MissingDataError, MissingDependencyError) as exc:
        notes.append(str(exc))
    try:
        clusters = cluster_respondents(items)[1]
    except MissingDataError as exc:
        notes.append(str(exc))
    frame = items.join(answers[[c for c in ("csat", "nps") if c in answers]])
    drivers = {}
    for target in ("csat", "nps"):
        if target in frame and frame[target].notna().sum() >= len(attrs) + 2:
            drivers[target] = driver_table(frame, target, attrs)
    main = drivers.get("csat", drivers.get("nps"))
    if main is not None:
        perf = pd.Series({a: float(to_index(items[a], _scale(items[a], a)).mean()) for a in attrs})
        ipa = importance_performance(main, perf)
    return SurveyResult(int(len(answers)), desc, alpha, factors, clusters, ipa, drivers.get("csat"),
                        drivers.get("nps"), cut, notes)
