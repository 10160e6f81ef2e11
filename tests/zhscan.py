"""Find untranslated English in Chinese output (report HTML or CLI text).

Every text node outside ``<script>``/``<style>`` (and every chart title, axis title and
trace name inside the plotly figures) is split into Latin words. A word passes only when it
is a model name, unit or abbreviation of the `ALLOWED` list, or appears in the data itself
(`data_words`: ids, product names, free text the shop wrote). Anything else is English a
reader of ``--lang zh`` would meet.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from custlens.store import Store

#: Model names, statistics, units, abbreviations and file/program names that stay as they are.
ALLOWED = frozenset("""
RFM FM RF BG NBD MBG BB CLV NPS CSAT AUC ROC PR MASE sMAPE MAE RMSE AIC BIC AutoETS ETS MSTL SeasonalNaive
AutoARIMA ARIMA Gamma Pareto Kaplan Meier Cox Hessian CUPED Holm BH Benjamini Hochberg Welch Mann Whitney
Brier Cramér LRFMC ABC k-means PC1 PC2 PC SRM VIP APP SKU ID IDs custlens duckdb csv xlsx parquet Gini
Calinski Harabasz Lorenz SHA z t U k p n KPI AOV GMV DiD H T x log e.g JSON Excel K M B
Cronbach Cronbach's Shapley SnowNLP VADER jieba TF-IDF NMF scikit-learn Johnson Saaty AHP
alpha beta gamma delta AUC ROC-AUC PR-AUC Weibull Poisson MSTL_ARIMA AutoTheta Theta CrostonOptimized
""".split())

_WORD = re.compile(r"_?[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9_]*(?:['’\-][A-Za-zÀ-ÿ0-9_]+)*")
_CODE = re.compile(r"`[^`]*`")  # a command to type, e.g. `custlens forecast`
_PLOTLY_TEXT = re.compile(r'"(?:text|name)":"((?:[^"\\]|\\.)*)"')


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.en = 0
        self.stack: list[tuple[str, bool]] = []
        self.nodes: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        en = dict(attrs).get("lang") == "en"  # technical detail explicitly marked English
        if tag in ("script", "style"):
            self.skip += 1
        self.en += en
        if tag not in ("br", "meta", "link", "img", "input", "hr"):
            self.stack.append((tag, en))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1
        while self.stack:
            t, en = self.stack.pop()
            self.en -= en
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skip:
            if "Plotly.newPlot" in data:
                self.scripts.append(data)
        elif not self.en and data.strip():
            self.nodes.append(data.strip())


def html_texts(html: str) -> list[str]:
    """Visible text nodes plus the plotly figures' titles and trace names."""
    p = _Text()
    p.feed(html)
    out = list(p.nodes)
    for script in p.scripts:
        for raw in _PLOTLY_TEXT.findall(script):
            try:
                out.append(json.loads(f'"{raw}"'))
            except ValueError:
                out.append(raw)
    return out


def data_words(store: Store) -> set[str]:
    """Every Latin word in the store's text values and source file names (data, not labels)."""
    words: set[str] = set()
    tables = store._con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
    ).fetchall()
    for table, column in tables:
        values = store._con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall()
        for (v,) in values:
            if isinstance(v, str):
                found = _WORD.findall(v)
                words.update(found)
                words.update(w.lower() for w in found)  # keywords of the data are shown lower-cased
    return words


def english_words(texts: list[str], allowed: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """``{word: text it was found in}`` for each Latin word that is neither in `ALLOWED` nor in
    ``allowed`` (e.g. `data_words`)."""
    leaks: dict[str, str] = {}
    for text in texts:
        for w in _WORD.findall(_CODE.sub(" ", text)):
            if _passes(w, allowed):
                continue
            leaks.setdefault(w, text[:160])
    return leaks


def _passes(word: str, allowed: set[str] | frozenset[str]) -> bool:
    if word.startswith("_"):
        return True  # an internal table name to query, e.g. _quarantine
    word = re.sub(r"['’]s$", "", word)
    if len(word) < 2 or word in ALLOWED or word in allowed:
        return True
    if word.upper() == word and len(word) <= 5:
        return True  # abbreviations such as CN, ROI, SQL stay Latin in Chinese texts
    parts = re.split(r"[-'’]", word)
    return len(parts) > 1 and all(_passes(p, allowed) for p in parts)
