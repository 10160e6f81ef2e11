"""Named RFM segment maps: each a total function from a score cell to one segment key.

Three schemes, all on scores where higher is better (recent, frequent, big spender):

``rfm11``
    The 11-segment R × FM grid (Champions ... Lost). FM is the rounded mean of the F and M
    scores. The segment ranges come from the table popularised by Putler ("RFM Analysis
    For Successful Customer Segmentation") and the example of ``rfm_segment`` in the R
    package ``rfm``. Those ranges overlap (Loyal is R 2–5 × FM 3–5, At Risk is R ≤ 2 ×
    FM 2–5, ...), so tools that apply them as an ``if/elif`` chain give answers that depend
    on the order of the rules. Here the overlaps are resolved once, in the grid below:
    R ≤ 2 with FM ≥ 3 is At Risk (Can't Lose when R = 1 and FM ≥ 4), Loyal is the R = 3
    column above the middle, and Lost is the single lowest cell.
``rf10``
    The classic 10-segment R × F grid (the regex map ``[1-2][1-2] -> hibernating``,
    ``5[4-5] -> champions``, ... used in many RFM tutorials and notebooks).
``cn8``
    The eight "RFM 客户价值" classes common in Chinese CRM practice (重要价值客户 ...
    一般挽留客户): R, F and M are each *high* or *low*. A score is high when it is above
    the middle of the scale, ``score > (bins + 1) / 2`` (4 and 5 of 1–5). That middle is
    the mean score of the population when the values are distinct (the scores of
    `custlens.segments.rfm_scores` are then uniform), so this is the usual "above the mean
    score" rule; it is a fixed cut rather than the sample mean so that the class depends
    on the score cell alone (a total function, tested cell by cell) and does not move
    when a large tie (one-order customers, F = 1) drags the sample mean down.

The grids are written as pictures: rows from the top score down to 1, columns R = 1..5.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

from custlens.errors import InputError

__all__ = ["SCHEMES", "SegmentMap", "RF10", "RFM11", "CN8", "get_scheme", "is_high"]

# Grid rows: the FM (or F) score from 5 at the top down to 1; columns: R = 1, 2, 3, 4, 5.
_RFM11_GRID: tuple[tuple[str, ...], ...] = (
    ("cant_lose", "at_risk", "loyal", "champions", "champions"),  # FM = 5
    ("cant_lose", "at_risk", "loyal", "champions", "champions"),  # FM = 4
    ("at_risk", "at_risk", "need_attention", "potential_loyalist", "potential_loyalist"),  # 3
    ("hibernating", "hibernating", "about_to_sleep", "potential_loyalist", "potential_loyalist"),
    ("lost", "hibernating", "about_to_sleep", "promising", "new"),  # FM = 1
)

_RF10_GRID: tuple[tuple[str, ...], ...] = (
    ("cant_lose", "cant_lose", "loyal", "loyal", "champions"),  # F = 5
    ("at_risk", "at_risk", "loyal", "loyal", "champions"),  # F = 4
    ("at_risk", "at_risk", "need_attention", "potential_loyalist", "potential_loyalist"),  # 3
    ("hibernating", "hibernating", "about_to_sleep", "potential_loyalist", "potential_loyalist"),
    ("hibernating", "hibernating", "about_to_sleep", "promising", "new"),  # F = 1
)

# (R high, F high, M high) -> class.
_CN8_CLASSES: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "cn_important_value",  # 重要价值
    (True, False, True): "cn_important_develop",  # 重要发展
    (False, True, True): "cn_important_keep",  # 重要保持
    (False, False, True): "cn_important_retain",  # 重要挽留
    (True, True, False): "cn_general_value",  # 一般价值
    (True, False, False): "cn_general_develop",  # 一般发展
    (False, True, False): "cn_general_keep",  # 一般保持
    (False, False, False): "cn_general_retain",  # 一般挽留
}


def is_high(score: int | np.ndarray, bins: int) -> bool | np.ndarray:
    """Whether a score counts as *high* in the ``cn8`` scheme: ``score > (bins + 1) / 2``.

    Parameters
    ----------
    score : int or numpy.ndarray
        Score(s) in ``1..bins``.
    bins : int
        Number of score levels.

    Returns
    -------
    bool or numpy.ndarray of bool
    """
    return 2 * score > bins + 1


@dataclass(frozen=True)
class SegmentMap:
    """A named map from a score cell to a segment key.

    Attributes
    ----------
    name : str
        Scheme name (``"rfm11"``, ``"rf10"``, ``"cn8"``).
    segments : tuple of str
        Segment keys in display order (best first).
    axes : tuple of str
        Score columns the cell is made of, e.g. ``("r_score", "fm_score")``.
    bins : int or None
        The number of score levels the map is defined for; None when any works.
    """

    name: str
    segments: tuple[str, ...]
    axes: tuple[str, ...]
    bins: int | None
    _grid: tuple[tuple[str, ...], ...] | None = None

    def check_bins(self, bins: int) -> None:
        """Raise `InputError` when the map is not defined for ``bins`` score levels."""
        if self.bins is not None and bins != self.bins:
            raise InputError(
                f"scheme {self.name!r} is a {self.bins}×{self.bins} grid of 1–{self.bins} "
                f"scores; got bins={bins}. Use bins={self.bins}, or scheme='cn8' which works "
                "for any number of bins"
            )

    def segment_of(self, *cell: int, bins: int = 5) -> str:
        """The segment key of one cell, scores given in the order of `axes`.

        Examples
        --------
        >>> RFM11.segment_of(5, 5)
        'champions'
        >>> CN8.segment_of(1, 1, 5)
        'cn_important_retain'
        """
        codes = self.assign(*(np.array([c]) for c in cell), bins=bins)
        return str(codes[0])

    def codes(self, *scores: np.ndarray, bins: int = 5) -> np.ndarray:
        """Positions in `segments` of the cells of ``scores``: `assign` as integer codes.

        ``np.asarray(self.segments)[self.codes(...)]`` equals ``self.assign(...)``; codes spare
        building and hashing a million string labels (segment migration counts codes).

        Parameters
        ----------
        *scores : numpy.ndarray of int
            One array per axis, values in ``1..bins``.
        bins : int, default 5
            Number of score levels.

        Returns
        -------
        numpy.ndarray of numpy.intp
        """
        arrays = self._checked(scores, bins)
        at = {key: i for i, key in enumerate(self.segments)}
        if self._grid is not None:
            grid = np.array([[at[key] for key in row] for row in self._grid], dtype=np.intp)
            r, y = arrays
            return grid[bins - y, r - 1]  # row 0 of the picture is the top score
        r_hi, f_hi, m_hi = (is_high(a, bins) for a in arrays)
        table = np.empty(8, dtype=np.intp)  # indexed by the three high flags as bits
        for (rh, fh, mh), key in _CN8_CLASSES.items():
            table[4 * rh + 2 * fh + mh] = at[key]
        return table[4 * r_hi.astype(np.intp) + 2 * f_hi + m_hi]

    def _checked(self, scores: tuple[np.ndarray, ...], bins: int) -> list[np.ndarray]:
        self.check_bins(bins)
        if len(scores) != len(self.axes):
            raise InputError(
                f"scheme {self.name!r} takes {len(self.axes)} scores "
                f"({', '.join(self.axes)}); got {len(scores)}"
            )
        arrays = [np.asarray(s, dtype=np.int64) for s in scores]
        for axis, arr in zip(self.axes, arrays):
            bad = (arr < 1) | (arr > bins)
            if bad.any():
                raise InputError(f"{axis} must be in 1..{bins}; got {int(arr[bad][0])}")
        return arrays

    def assign(self, *scores: np.ndarray, bins: int = 5) -> np.ndarray:
        """Segment keys for arrays of scores given in the order of `axes`.

        Parameters
        ----------
        *scores : numpy.ndarray of int
            One array per axis, values in ``1..bins``.
        bins : int, default 5
            Number of score levels.

        Returns
        -------
        numpy.ndarray of str
        """
        # The keys of `codes` (one implementation of the grid and the cn8 classes); astype(str) of
        # the selected keys gives the same dtype as before codes existed.
        return np.asarray(self.segments, dtype=object)[self.codes(*scores, bins=bins)].astype(str)


RFM11 = SegmentMap(
    name="rfm11",
    segments=(
        "champions",
        "loyal",
        "potential_loyalist",
        "new",
        "promising",
        "need_attention",
        "about_to_sleep",
        "at_risk",
        "cant_lose",
        "hibernating",
        "lost",
    ),
    axes=("r_score", "fm_score"),
    bins=5,
    _grid=_RFM11_GRID,
)

RF10 = SegmentMap(
    name="rf10",
    segments=(
        "champions",
        "loyal",
        "potential_loyalist",
        "new",
        "promising",
        "need_attention",
        "about_to_sleep",
        "at_risk",
        "cant_lose",
        "hibernating",
    ),
    axes=("r_score", "f_score"),
    bins=5,
    _grid=_RF10_GRID,
)

CN8 = SegmentMap(
    name="cn8",
    segments=tuple(_CN8_CLASSES.values()),
    axes=("r_score", "f_score", "m_score"),
    bins=None,
)

#: The named segment maps, by scheme name.
SCHEMES: Mapping[str, SegmentMap] = MappingProxyType({m.name: m for m in (RFM11, RF10, CN8)})


def get_scheme(scheme: str) -> SegmentMap:
    """The `SegmentMap` called ``scheme``; `InputError` listing the known names otherwise."""
    try:
        return SCHEMES[scheme]
    except (KeyError, TypeError):
        known = ", ".join(SCHEMES)
        raise InputError(f"scheme={scheme!r} is not known; use one of {known}") from None
