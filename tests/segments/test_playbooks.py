"""Every segment of every scheme has a name, description, action, channel and offer in en and zh."""

from __future__ import annotations

import re

import pytest

from custlens import i18n
from custlens.segments import PLAYBOOK_SCHEMES, playbook, playbook_table, segment_name
from custlens.segments.texts import SCHEME_SEGMENTS

_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("scheme", sorted(PLAYBOOK_SCHEMES))
def test_every_segment_has_a_translated_playbook(scheme: str) -> None:
    for key in PLAYBOOK_SCHEMES[scheme]:
        en, zh = playbook(scheme, key, "en"), playbook(scheme, key, "zh")
        for part in ("name", "description", "action", "channel", "offer"):
            assert en[part].strip() and zh[part].strip(), (scheme, key, part)
            assert _CJK.search(zh[part]), (scheme, key, part)
            assert not _CJK.search(en[part]), (scheme, key, part)
    assert i18n.has(f"segment.{scheme}.title") and i18n.has(f"segment.{scheme}.rule")


def test_all_seven_schemes_have_playbooks_and_names_are_distinct() -> None:
    assert set(PLAYBOOK_SCHEMES) == {"rfm11", "rf10", "cn8", "kmeans", "lrfmc", "abc", "value"}
    for scheme, keys in PLAYBOOK_SCHEMES.items():
        names = [segment_name(scheme, k, "zh") for k in keys]
        assert len(set(names)) == len(names), scheme
    assert i18n.missing() == []


def test_lrfmc_names_are_the_classic_five() -> None:
    names = [segment_name("lrfmc", k, "zh") for k in SCHEME_SEGMENTS["lrfmc"]]
    for word in ("重要保持", "重要发展", "重要挽留", "一般", "低价值"):
        assert any(n.startswith(word) for n in names), word


def test_numbered_clusters_share_the_playbook_of_their_name() -> None:
    assert segment_name("kmeans", "general_2", "en") == "Average 2"
    assert playbook("lrfmc", "keep_3", "zh")["offer"] == playbook("lrfmc", "keep", "zh")["offer"]
    table = playbook_table("value", "en")
    assert list(table["segment"]) == list(PLAYBOOK_SCHEMES["value"])
    with pytest.raises(KeyError):
        playbook("rfm11", "nope")
