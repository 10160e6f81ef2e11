"""The text catalogue: lazily loaded, complete in both languages, report texts under report/."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from custlens import i18n

SRC = Path(__file__).resolve().parents[1] / "src"

#: One key of each package's catalogue (and the Chinese text it must give).
KEYS = {
    "quality.check.age_out_of_range": None, "segment.rfm11.champions.name": None, "behaviour.band.high": None,
    "clv.cli.checks": None, "churn.action.early.high_value": None, "forecast.cli.event_window": None,
    "voc.attribute.attitude": None, "campaign.col.boot_ci_high": None, "report.clv.title": "客户终身价值",
    "report.forecast.title": "预测", "report.col.churn_probability": "流失概率", "server.360.aov": None,
    "cli.campaign.cuped": None, "scores.context.churn_scores": None, "privacy.min_group_note": None,
    "lifecycle.rule.active": None, "demo.title": "custlens 演示店铺", "error.no_orders": None,
}


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_fresh_interpreter_finds_every_catalogue_on_first_use():
    out = json.loads(_run(
        "import json, sys\n"
        "from custlens import i18n\n"
        "before = sorted(m for m in sys.modules if m.startswith(('custlens.report', 'custlens.segments', "
        "'custlens.churn', 'custlens.clv', 'custlens.voc', 'custlens.server')))\n"
        f"texts = {{k: i18n.t(k, 'zh') for k in {list(KEYS)!r}}}\n"
        "print(json.dumps({'before': before, 'texts': texts}, ensure_ascii=False))\n"))
    assert out["before"] == []  # nothing imported the packages beforehand
    for key, zh in KEYS.items():
        assert out["texts"][key].strip(), key
        if zh is not None:
            assert out["texts"][key] == zh


def _registering_modules() -> set[str]:
    """Modules of the package that call ``i18n.register`` (or ``register`` imported from it)."""
    found = set()
    for path in (SRC / "custlens").rglob("*.py"):
        if path.name == "i18n.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        from_i18n = any(isinstance(n, ast.ImportFrom) and n.module == "custlens.i18n"
                        and any(a.name == "register" for a in n.names) for n in ast.walk(tree))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            if (isinstance(f, ast.Attribute) and f.attr == "register" and isinstance(f.value, ast.Name)
                    and f.value.id in ("i18n", "_i18n")) or (from_i18n and isinstance(f, ast.Name)
                                                            and f.id == "register"):
                rel = path.relative_to(SRC).with_suffix("")
                found.add(".".join(rel.parts).removesuffix(".__init__"))
    return found


def test_every_registering_module_is_a_listed_catalogue():
    found = _registering_modules()
    assert "custlens.report.texts" in found and "custlens.clv.texts" in found  # the scan works
    listed = {m for modules in i18n.CATALOGUES.values() for m in modules}
    assert sorted(found - listed) == []
    assert sorted(listed - found) == []


def test_no_import_for_side_effects_left():
    offenders = [str(p.relative_to(SRC)) for p in (SRC / "custlens").rglob("*.py")
                 if "registers the" in p.read_text(encoding="utf-8") and "noqa: F401" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_report_keys_live_under_report_and_prefixes_name_their_modules():
    out = json.loads(_run(
        "import json, sys\n"
        "from custlens import i18n\n"
        "owner = {}\n"
        "orig = i18n.register\n"
        "def spy(entries):\n"
        "    mod = sys._getframe(1).f_globals['__name__']\n"
        "    owner.update({k: mod for k in entries})\n"
        "    orig(entries)\n"
        "i18n.register = spy\n"
        "i18n.load()\n"
        "print(json.dumps(owner))\n"))
    assert len(out) > 1000
    outside = sorted({m for k, m in out.items() if k.startswith("report.") and not m.startswith("custlens.report")})
    assert outside == []
    # A key's prefix lists the module that registers it, so a lookup never needs the full load
    # (keys registered while `custlens` itself is imported, e.g. error.*, are known without a load).
    unlisted = sorted({(k.split(".")[0], m) for k, m in out.items()
                       if m not in i18n.CATALOGUES.get(k.split(".")[0], ())})
    assert unlisted == []


def test_every_key_has_both_languages():
    assert i18n.missing() == []
    assert len(i18n.keys("report.")) > 500
