"""Segment maps: every score cell maps to exactly one segment, every segment is reachable."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from custlens.errors import InputError
from custlens.segments import SCHEMES
from custlens.segments.rfm_maps import CN8, RF10, RFM11, get_scheme

CELLS_2D = list(itertools.product(range(1, 6), repeat=2))
CELLS_3D = list(itertools.product(range(1, 6), repeat=3))


def all_cells(scheme):
    return CELLS_2D if len(scheme.axes) == 2 else CELLS_3D


@pytest.mark.parametrize("name", list(SCHEMES))
def test_every_cell_maps_to_one_known_segment_and_every_segment_is_reachable(name):
    scheme = SCHEMES[name]
    cells = all_cells(scheme)
    one_by_one = [scheme.segment_of(*cell) for cell in cells]
    assert all(seg in scheme.segments for seg in one_by_one)
    assert set(one_by_one) == set(scheme.segments)  # reachable
    assert len(set(scheme.segments)) == len(scheme.segments)
    # The vectorised path agrees cell by cell.
    columns = [np.array(c) for c in zip(*cells)]
    assert scheme.assign(*columns).tolist() == one_by_one


def test_scheme_sizes_and_names():
    assert list(SCHEMES) == ["rfm11", "rf10", "cn8"]
    assert len(RFM11.segments) == 11 and len(RF10.segments) == 10 and len(CN8.segments) == 8
    assert set(RF10.segments) == set(RFM11.segments) - {"lost"}
    assert all(s.startswith("cn_") for s in CN8.segments)
    assert RFM11.axes == ("r_score", "fm_score")
    assert RF10.axes == ("r_score", "f_score")
    assert CN8.axes == ("r_score", "f_score", "m_score")


def test_rf10_matches_the_classic_regex_map():
    """The R x F map of many RFM tutorials, applied to the string f"{r}{f}"."""
    classic = {
        r"[1-2][1-2]": "hibernating",
        r"[1-2][3-4]": "at_risk",
        r"[1-2]5": "cant_lose",
        r"3[1-2]": "about_to_sleep",
        r"33": "need_attention",
        r"[3-4][4-5]": "loyal",
        r"41": "promising",
        r"51": "new",
        r"[4-5][2-3]": "potential_loyalist",
        r"5[4-5]": "champions",
    }
    for r, f in CELLS_2D:
        hits = [seg for pat, seg in classic.items() if re.fullmatch(pat, f"{r}{f}")]
        assert hits == [RF10.segment_of(r, f)], (r, f)


# Each rfm11 cell lies inside the Putler range of its segment (R range, FM range).
PUTLER = {
    "champions": ((4, 5), (4, 5)),
    "loyal": ((2, 5), (3, 5)),
    "potential_loyalist": ((3, 5), (1, 3)),
    "new": ((4, 5), (1, 1)),
    "promising": ((3, 4), (1, 1)),
    "need_attention": ((2, 3), (2, 3)),
    "about_to_sleep": ((2, 3), (1, 2)),
    "at_risk": ((1, 2), (2, 5)),
    "cant_lose": ((1, 1), (4, 5)),
    "hibernating": ((1, 2), (1, 2)),
    "lost": ((1, 1), (1, 1)),
}


def test_rfm11_cells_lie_in_the_putler_ranges():
    for r, fm in CELLS_2D:
        seg = RFM11.segment_of(r, fm)
        (r_lo, r_hi), (fm_lo, fm_hi) = PUTLER[seg]
        assert r_lo <= r <= r_hi and fm_lo <= fm <= fm_hi, (r, fm, seg)


@pytest.mark.parametrize(
    ("r", "fm", "segment"),
    [(5, 5, "champions"), (4, 4, "champions"), (3, 5, "loyal"), (5, 1, "new"), (4, 1, "promising"),
     (3, 3, "need_attention"), (3, 1, "about_to_sleep"), (1, 5, "cant_lose"), (2, 5, "at_risk"),
     (2, 2, "hibernating"), (1, 1, "lost"), (5, 3, "potential_loyalist")],
)
def test_rfm11_pinned_cells(r, fm, segment):
    assert RFM11.segment_of(r, fm) == segment


@pytest.mark.parametrize("bins", [2, 3, 4, 5, 6, 7])
def test_cn8_is_high_low_against_the_middle_of_the_scale(bins):
    names = {
        (1, 1, 1): "cn_important_value", (1, 0, 1): "cn_important_develop",
        (0, 1, 1): "cn_important_keep", (0, 0, 1): "cn_important_retain",
        (1, 1, 0): "cn_general_value", (1, 0, 0): "cn_general_develop",
        (0, 1, 0): "cn_general_keep", (0, 0, 0): "cn_general_retain",
    }
    seen = set()
    for cell in itertools.product(range(1, bins + 1), repeat=3):
        high = tuple(int(s > (bins + 1) / 2) for s in cell)
        seg = CN8.segment_of(*cell, bins=bins)
        assert seg == names[high]
        seen.add(seg)
    assert seen == set(CN8.segments)
    # On 1-5: 4 and 5 are high, 3 is low.
    if bins == 5:
        assert CN8.segment_of(4, 4, 4) == "cn_important_value"
        assert CN8.segment_of(3, 3, 3) == "cn_general_retain"


def test_grid_maps_refuse_other_bins_and_bad_cells():
    with pytest.raises(InputError, match=r"scheme 'rfm11' is a 5×5 grid .* got bins=4\. .*scheme='cn8'"):
        RFM11.segment_of(1, 1, bins=4)
    with pytest.raises(InputError, match=r"fm_score must be in 1\.\.5; got 6"):
        RFM11.segment_of(1, 6)
    with pytest.raises(InputError, match=r"takes 3 scores"):
        CN8.segment_of(1, 1)
    with pytest.raises(InputError, match=r"scheme='rfm12' is not known; use one of rfm11, rf10, cn8"):
        get_scheme("rfm12")
