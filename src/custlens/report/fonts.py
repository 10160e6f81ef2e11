"""Chinese that renders without a system font: a subset CJK web font embedded in the report.

A reader without a CJK font (a fresh Linux desktop, a headless browser, some corporate
images) sees Chinese as boxes ("tofu") — in the Chinese report and in data values of the
English one. `font_face_css` takes the characters the page uses, cuts a font down to exactly
those glyphs with fontTools, and returns an ``@font-face`` rule carrying it as base64 WOFF2,
so the offline file renders everywhere.

The font comes from the machine, never from the network: the first readable file of
`CANDIDATES` (``make sysdeps`` installs Debian's ``fonts-wqy-microhei``), or the file named by
the ``CUSTLENS_CJK_FONT`` environment variable. Without one, the report keeps its font stack
(PingFang SC, Microsoft YaHei, Noto Sans CJK SC, ...) and a `FontWarning` says that Chinese may
show as boxes on machines without those fonts.
"""

from __future__ import annotations

import base64
import io
import os
import re
import warnings
from functools import lru_cache
from pathlib import Path

__all__ = ["CANDIDATES", "FAMILY", "FontWarning", "cjk_characters", "find_cjk_font", "font_face_css"]

#: Family name of the embedded font in the report's CSS and chart fonts.
FAMILY = "custlens CJK"

#: Font files tried in order (Debian/Ubuntu packages fonts-wqy-microhei, fonts-wqy-zenhei,
#: fonts-noto-cjk, fonts-arphic-uming; Fedora's google-noto-sans-cjk).
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)

# CJK punctuation, kana, unified ideographs (+ extension A), compatibility ideographs,
# full-width forms: what a Latin font lacks and a Chinese page uses.
_CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


#: The CSS ``unicode-range`` of `_CJK`: the embedded font is never asked for other characters.
UNICODE_RANGE = "U+2E80-2FDF, U+3000-303F, U+3040-30FF, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FF00-FFEF"


class FontWarning(UserWarning):
    """The report could not embed a CJK font; Chinese relies on the reader's fonts."""


def cjk_characters(text: str) -> str:
    """The distinct CJK characters of ``text``, sorted (what the subset must hold)."""
    return "".join(sorted(set(_CJK.findall(text))))


def find_cjk_font() -> Path | None:
    """The CJK font file to embed: ``$CUSTLENS_CJK_FONT`` when set, else the first of
    `CANDIDATES` that exists; None when there is none."""
    env = os.environ.get("CUSTLENS_CJK_FONT")
    for path in ([env] if env else []) + list(CANDIDATES):
        if path and Path(path).is_file():
            return Path(path)
    return None


@lru_cache(maxsize=8)
def _subset_woff2(font_path: str, chars: str) -> bytes:
    import logging

    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset" is noise

    font = TTFont(font_path, fontNumber=0, lazy=False)  # first face of a .ttc collection
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff2"
    font.save(buf)
    return buf.getvalue()


def font_face_css(text: str, font: str | os.PathLike[str] | None = None) -> str:
    """An ``@font-face`` rule embedding the glyphs of the CJK characters in ``text``.

    Parameters
    ----------
    text : str
        Everything the page shows (HTML, chart JSON); only its CJK characters matter.
    font : path, optional
        A TrueType/OpenType font or collection with CJK glyphs. Default: `find_cjk_font`.

    Returns
    -------
    str
        The CSS rule (family `FAMILY`), or ``""`` when ``text`` has no CJK character, or when
        no font file is available (then a `FontWarning` is emitted) or fontTools cannot read
        it (same warning, with the reason).
    """
    chars = cjk_characters(text)
    if not chars:
        return ""
    path = Path(font) if font is not None else find_cjk_font()
    if path is None or not path.is_file():
        warnings.warn(
            "no CJK font found to embed in the report (looked for $CUSTLENS_CJK_FONT and "
            f"{', '.join(CANDIDATES)}); Chinese text relies on the reader's fonts "
            "(PingFang SC, Microsoft YaHei, Noto Sans CJK SC) and may show as boxes without them. "
            "Install one, e.g. `make sysdeps` or `apt-get install fonts-wqy-microhei`",
            FontWarning,
            stacklevel=2,
        )
        return ""
    try:
        data = _subset_woff2(str(path), chars)
    except Exception as exc:  # a broken or non-font file: keep the report, say why
        warnings.warn(f"could not embed the CJK font {path}: {exc}; Chinese relies on the reader's fonts",
                      FontWarning, stacklevel=2)
        return ""
    b64 = base64.b64encode(data).decode("ascii")
    # First in every font stack (a browser without fonts stops at system-ui otherwise); the
    # unicode-range keeps Latin text in the system fonts.
    return (f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: 100 900; '
            f"font-display: block; unicode-range: {UNICODE_RANGE}; "
            f'src: url(data:font/woff2;base64,{b64}) format("woff2"); }}')
