"""Session 5 rewrites of `run_clv`'s tail against the code they replaced (kept here):
the top customers by a partial selection instead of a sort of every customer, and the scores
saved through Arrow instead of a pandas frame registration."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from custlens import Store
from custlens.clv.pipeline import _top, run_clv, save_clv_scores
from custlens.clv.scores import save_scores


def _old_top(values: np.ndarray, top: int) -> np.ndarray:
    """Session 4: ``sort_values(ascending=False).head(top)`` on the whole frame."""
    return pd.Series(values).sort_values(ascending=False).head(top).index.to_numpy()


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("top", [0, 1, 20, 500, 5000])
def test_top_equals_the_sort(seed, top) -> None:
    rng = np.random.default_rng(seed)
    values = rng.gamma(1.0, 100.0, 3000)
    got, ref = _top(values, top), _old_top(values, top)
    np.testing.assert_array_equal(got, ref)  # distinct values: the same rows in the same order


def test_top_ties_and_missing() -> None:
    """Ties (e.g. one-time buyers with equal histories) keep row order, i.e. customer-id
    order; the sort left their order unspecified: the values agree, the rows are well defined."""
    values = np.array([5.0, 7.0, np.nan, 7.0, 1.0, 7.0, 5.0, np.nan])
    got = _top(values, 5)
    np.testing.assert_array_equal(got, [1, 3, 5, 0, 6])
    np.testing.assert_array_equal(values[got], values[_old_top(values, 5)])
    np.testing.assert_array_equal(_top(values, 8), [1, 3, 5, 0, 6, 4, 2, 7])  # missing last
    assert len(_top(np.zeros(0), 3)) == 0


@pytest.fixture(scope="module")
def demo_copy(demo_run, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("clv_save") / "demo.duckdb"
    shutil.copy(demo_run.store_path, path)
    st = Store(path)
    yield st
    st.close()


def test_top_customers_on_the_demo(demo_copy: Store) -> None:
    res = run_clv(demo_copy)
    ref = res.scores.reset_index(drop=True).sort_values("clv", ascending=False).head(len(res.top_customers))
    np.testing.assert_array_equal(res.top_customers["clv"].to_numpy(), ref["clv"].to_numpy())
    assert list(res.top_customers["customer_id"]) == list(ref["customer_id"])


def test_save_through_arrow_equals_the_frame_registration(demo_copy: Store) -> None:
    """The saved table has the same column types and rows as the frame registered the session-4
    way (``store.write`` of the pandas frame)."""
    res = run_clv(demo_copy)
    assert save_clv_scores(demo_copy, res) == len(res.scores)
    got = demo_copy.read("clv_scores")
    old = res.scores.assign(options=got["options"].iloc[0])[list(got.columns)]
    demo_copy.write("clv_old", old)
    assert (demo_copy._con.sql("DESCRIBE clv_scores").fetchall()
            == demo_copy._con.sql("DESCRIBE clv_old").fetchall())
    pd.testing.assert_frame_equal(got, demo_copy.read("clv_old"))


def test_save_scores_keeps_dtypes(store: Store) -> None:
    """Object ids, booleans, a seconds-unit timestamp: the types a frame registration gives."""
    scores = pd.DataFrame({"customer_id": ["a", "b", "ü"], "p_alive": [0.5, 1.0, np.nan],
                           "overdue": [True, False, True], "model": "pnbd", "horizon_days": 365.0,
                           "as_of": pd.Timestamp("2024-05-01"), "options": "{}"})
    save_scores(store, scores)
    store._con.register("_old", scores)
    store._con.execute("CREATE TABLE clv_old AS SELECT * FROM _old")
    store._con.unregister("_old")
    assert (store._con.sql("DESCRIBE clv_scores").fetchall() == store._con.sql("DESCRIBE clv_old").fetchall())
    pd.testing.assert_frame_equal(store.read("clv_scores"), store.read("clv_old"))
