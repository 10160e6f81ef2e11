"""AHP pinned to published examples."""

from __future__ import annotations

import numpy as np
import pytest

from custlens.errors import InputError
from custlens.voc import RANDOM_INDEX, ahp, read_matrix

LEADER = [[1, 4, 3, 7], [1 / 4, 1, 1 / 3, 3], [1 / 3, 3, 1, 5], [1 / 7, 1 / 3, 1 / 5, 1]]
LIGHT = [[1, 5, 6, 7], [1 / 5, 1, 4, 6], [1 / 6, 1 / 4, 1, 4], [1 / 7, 1 / 6, 1 / 4, 1]]


def test_wikipedia_leader_example() -> None:
    """Wikipedia, "Analytic hierarchy process – leader example": criteria Experience, Education,
    Charisma, Age; published priorities 0.547, 0.127, 0.270, 0.056 and CR 0.044 (4.4%)."""
    res = ahp(np.array(LEADER), ["Experience", "Education", "Charisma", "Age"])
    assert [round(res.weights[k], 3) for k in ("Experience", "Education", "Charisma", "Age")] == pytest.approx(
        [0.547, 0.127, 0.270, 0.056], abs=1.5e-3)
    assert res.consistency_ratio == pytest.approx(0.044, abs=1e-3)
    assert res.consistency_index == pytest.approx((res.lambda_max - 4) / 3)
    assert res.consistency_ratio == pytest.approx(res.consistency_index / 0.90)


def test_saaty_light_intensity_example_is_refused_with_pairs_named() -> None:
    """Saaty (1977), J. Math. Psych. 15, the relative brightness of four chairs: eigenvector
    about (0.62, 0.24, 0.10, 0.05), lambda_max 4.39; CI = 0.13 gives CR = 0.14 > 0.1."""
    res = ahp(np.array(LIGHT), list("ABCD"), check=False)
    assert res.lambda_max == pytest.approx(4.39, abs=5e-3)
    assert [res.weights[k] for k in "ABCD"] == pytest.approx([0.62, 0.24, 0.10, 0.05], abs=0.01)
    with pytest.raises(InputError, match=r"CR = 0\.145 > 0\.1.*A vs D: judged 7"):
        ahp(np.array(LIGHT), list("ABCD"))


def test_consistent_matrix_has_zero_ci_and_exact_weights() -> None:
    w = np.array([0.5, 0.3, 0.2])
    res = ahp(w[:, None] / w[None, :])
    assert list(res.weights.values()) == pytest.approx(w)
    assert res.lambda_max == pytest.approx(3.0) and res.consistency_ratio == pytest.approx(0.0, abs=1e-12)


def test_random_index_is_saaty_table() -> None:
    assert [RANDOM_INDEX[n] for n in range(3, 11)] == [0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]


@pytest.mark.parametrize("matrix, message", [
    ([[1, 3], [3, 1]], "not reciprocal"),
    ([[1, -2], [-0.5, 1]], "positive numbers"),
    ([[2, 1], [1, 1]], "diagonal"),
    ([[1, 2, 3]], "square"),
])
def test_bad_matrices_are_explained(matrix: list, message: str) -> None:
    with pytest.raises(InputError, match=message):
        ahp(np.array(matrix, dtype=float))


def test_read_matrix_with_fractions(tmp_path) -> None:
    p = tmp_path / "m.csv"
    p.write_text(",quality,price\nquality,1,3\nprice,1/3,1\n", encoding="utf-8")
    res = ahp(read_matrix(p))
    assert res.weights == pytest.approx({"quality": 0.75, "price": 0.25})
    p.write_text(",quality,price\nprice,1,3\nquality,1/3,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="same criteria in the same order"):
        read_matrix(p)
