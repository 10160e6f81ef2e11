"""Every segment of every scheme has a name, a description and an action in both languages."""

from __future__ import annotations

import re

import pytest

from custlens import i18n
from custlens.segments import SCHEMES
from custlens.segments.catalog import PARTS, SEGMENT_TEXTS, text_key

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_every_segment_has_all_texts_in_both_languages(scheme):
    for segment in SCHEMES[scheme].segments:
        for part in PARTS:
            key = text_key(scheme, segment, part)
            assert i18n.has(key), key
            en, zh = i18n.t(key, "en"), i18n.t(key, "zh")
            assert en.strip() and zh.strip(), key
            assert not CJK.search(en), (key, en)
            assert CJK.search(zh), (key, zh)
    for part in ("title", "rule"):
        key = text_key(scheme, None, part)
        assert i18n.t(key, "en").strip() and CJK.search(i18n.t(key, "zh"))


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_catalog_covers_exactly_the_segments_of_the_map(scheme):
    assert set(SEGMENT_TEXTS[scheme]) == set(SCHEMES[scheme].segments)
    registered = {k.split(".")[2] for k in i18n.keys(f"segment.{scheme}.") if k.count(".") == 3}
    assert registered == set(SCHEMES[scheme].segments)


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("lang", i18n.LANGS)
def test_names_are_distinct_within_a_scheme(scheme, lang):
    names = [i18n.t(text_key(scheme, s, "name"), lang) for s in SCHEMES[scheme].segments]
    assert len(set(names)) == len(names)


def test_no_segment_text_is_missing_a_language():
    assert [(k, lang) for k, lang in i18n.missing() if k.startswith("segment.")] == []


def test_chinese_class_names_follow_the_usual_terms():
    names = {s: i18n.t(text_key("cn8", s, "name"), "zh") for s in SCHEMES["cn8"].segments}
    assert names == {
        "cn_important_value": "重要价值客户",
        "cn_important_develop": "重要发展客户",
        "cn_important_keep": "重要保持客户",
        "cn_important_retain": "重要挽留客户",
        "cn_general_value": "一般价值客户",
        "cn_general_develop": "一般发展客户",
        "cn_general_keep": "一般保持客户",
        "cn_general_retain": "一般挽留客户",
    }
