"""Chinese renders without a system font: the report embeds a subset CJK web font.

The slow tests render pages in Debian's headless Chromium with a fontconfig that holds one
Latin font (DejaVu Sans) and no CJK font: what a machine without CJK fonts sees. Chinese can
then only appear through the font the page embeds; without it every character is the same
empty box ("tofu").
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
from fontTools.ttLib import TTFont

from custlens.report import build_report
from custlens.report import fonts
from custlens.store import Store

SYSDEPS = "run `make sysdeps` (installs Debian's chromium and fonts-wqy-microhei)"


def _font() -> Path:
    path = fonts.find_cjk_font()
    if path is None:
        pytest.fail(f"no CJK font to embed (looked for {', '.join(fonts.CANDIDATES)}); {SYSDEPS}")
    return path


def _embedded(css: str) -> TTFont:
    b64 = re.search(r"base64,([A-Za-z0-9+/=]+)", css).group(1)  # type: ignore[union-attr]
    return TTFont(io.BytesIO(base64.b64decode(b64)))


def test_cjk_characters() -> None:
    assert fonts.cjk_characters("abc 客户，客户！¥12 分析") == "".join(sorted("客户，！分析"))
    assert fonts.cjk_characters("Revenue 1,234.50") == ""


def test_subset_holds_exactly_the_page_characters() -> None:
    _font()
    text = "<p>客户分析报告</p> Revenue <script>{\"title\":\"销售额\"}</script>"
    css = fonts.font_face_css(text)
    assert css.startswith('@font-face { font-family: "custlens CJK"') and "font/woff2" in css
    font = _embedded(css)
    assert font.flavor == "woff2"
    cmap = set(font.getBestCmap())
    assert {ord(c) for c in fonts.cjk_characters(text)} <= cmap
    assert ord("龍") not in cmap and len(cmap) <= 12  # a subset, not the whole font
    assert len(css) < 40_000


def test_no_cjk_no_font_and_a_missing_font_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = _font()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fonts.font_face_css("Revenue only") == ""
    monkeypatch.setattr(fonts, "CANDIDATES", (str(tmp_path / "none.ttc"),))
    monkeypatch.delenv("CUSTLENS_CJK_FONT", raising=False)
    with pytest.warns(fonts.FontWarning, match="no CJK font found.*make sysdeps"):
        assert fonts.font_face_css("客户") == ""
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"not a font")
    with pytest.warns(fonts.FontWarning, match="could not embed"):
        assert fonts.font_face_css("客户", font=bad) == ""
    monkeypatch.setenv("CUSTLENS_CJK_FONT", str(real))  # the variable names the font to use
    assert fonts.find_cjk_font() == real


def test_report_embeds_the_font_for_chinese_data_in_the_english_report(shop: Store, tmp_path: Path) -> None:
    _font()
    html = build_report(shop, out=tmp_path / "r.html", lang="en", title="玩具店 Toy Shop").read_text("utf-8")
    face = re.search(r"@font-face \{[^}]*\}", html)
    assert face is not None
    assert {ord(c) for c in "玩具店"} <= set(_embedded(face.group(0)).getBestCmap())
    # first in the page's font stack, limited to CJK code points
    assert html.split("</style>")[0].split("--font:")[1].lstrip().startswith('"custlens CJK"')
    assert "unicode-range: U+2E80-2FDF" in face.group(0)


# -- headless Chromium --------------------------------------------------------------------

def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(f"headless Chromium is needed for the CJK rendering test; {SYSDEPS}")


@pytest.fixture
def no_fonts(tmp_path: Path) -> dict[str, str]:
    """An environment whose fontconfig knows only DejaVu Sans (Chromium aborts with no font at all)."""
    (tmp_path / "fonts").mkdir()
    latin = sorted(Path("/usr/share/fonts").glob("**/DejaVuSans.ttf"))
    if not latin:
        pytest.fail(f"DejaVuSans.ttf not found under /usr/share/fonts; {SYSDEPS}")
    shutil.copy(latin[0], tmp_path / "fonts" / "DejaVuSans.ttf")
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f'<dir>{tmp_path / "fonts"}</dir><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>')
    import os

    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def _shot(html: str, tmp_path: Path, env: dict[str, str], name: str, size: str = "400,120") -> np.ndarray:
    from PIL import Image

    page, png = tmp_path / f"{name}.html", tmp_path / f"{name}.png"
    page.write_text(html, encoding="utf-8")
    # all compositor stages and a virtual-time budget: the screenshot waits for the web font
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000",
           f"--user-data-dir={tmp_path / 'profile'}",  # never hand the page to a running browser
           f"--screenshot={png}", f"--window-size={size}", page.as_uri()]
    proc = subprocess.run(cmd, env=env, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert png.exists(), f"chromium wrote no screenshot: {proc.stderr.decode(errors='replace')[-2000:]}"
    return np.asarray(Image.open(png).convert("L"))


def _page(text: str, css: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css} body{{margin:0;background:#fff}}'
            f'p{{font:64px "custlens CJK", sans-serif;margin:10px;color:#000}}</style></head>'
            f"<body><p>{text}</p></body></html>")


@pytest.mark.slow
def test_embedded_glyphs_render_where_no_font_is_installed(tmp_path: Path, no_fonts: dict[str, str]) -> None:
    _font()
    css = fonts.font_face_css("客户分析销售预测")
    with_a = _shot(_page("客户分析", css), tmp_path, no_fonts, "a")
    with_b = _shot(_page("销售预测", css), tmp_path, no_fonts, "b")
    bare_a = _shot(_page("客户分析", ""), tmp_path, no_fonts, "bare_a")
    bare_b = _shot(_page("销售预测", ""), tmp_path, no_fonts, "bare_b")
    # the set-up is right: without the embedded font, different characters are the same boxes
    assert np.array_equal(bare_a, bare_b), "a CJK font is visible to the test browser; the test proves nothing"
    ink = lambda img: int((img < 128).sum())  # noqa: E731
    assert ink(with_a) > 1000 and ink(with_b) > 1000  # the glyphs have ink ...
    assert not np.array_equal(with_a, with_b)  # ... and are real glyphs, not alike boxes
    assert not np.array_equal(with_a, bare_a)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_renders_cjk_in_chromium(shop: Store, tmp_path: Path, no_fonts: dict[str, str], lang: str) -> None:
    _font()
    html = build_report(shop, out=tmp_path / f"r_{lang}.html", lang=lang, title="玩具店客户分析").read_text("utf-8")
    stripped = re.sub(r"@font-face \{[^}]*\}", "", html, count=1)
    assert stripped != html
    top = _shot(html, tmp_path, no_fonts, f"report_{lang}", size="1280,300")
    bare = _shot(stripped, tmp_path, no_fonts, f"bare_{lang}", size="1280,300")
    # the header (title; in zh every label) is drawn through the embedded font, boxes without it
    assert not np.array_equal(top, bare)
