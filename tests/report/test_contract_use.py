"""The CLI, the report and the web service consume analyses only through the contract.

Issue 14, point 1: every analysis is ``custlens.analyses.<name>(store, *, as_of=None, **options)``;
the report, the CLI and the server call that, never a package's own entry point (``run_clv``,
``churn_analysis``, ``custlens.cohorts.cohorts``...). The forbidden entry points are read from the
old → new table of ``docs/api.md`` (its third column), so a new row there is enforced here too.
The scan is of the source (AST): ``from M import f`` and ``M.f`` where ``M`` is a custlens module,
resolved to the function object, so re-exports (``custlens.behaviour.purchase_frequency`` =
``custlens.behaviour.frequency.purchase_frequency``) are caught under any name.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from custlens import analyses

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "custlens"
#: The consumers of the contract (``cli.py`` too: it is the CLI).
SCANNED = [SRC / "report", SRC / "commands", SRC / "server", SRC / "cli.py"]


def entry_points() -> dict[Callable[..., Any], str]:
    """The package entry points behind the analyses, from ``docs/api.md``: function -> dotted name."""
    text = (ROOT / "docs" / "api.md").read_text("utf-8")
    table = text.split("## Old → new", 1)[1].split("\n\n", 2)[1]
    found: dict[Callable[..., Any], str] = {}
    for line in table.splitlines()[2:]:  # after the header and its rule
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.search(r"`(custlens(?:\.\w+)+)", cells[2])  # the first name in "package function"
        assert m, f"no package function in the docs/api.md row {line!r}"
        module, name = m.group(1).rsplit(".", 1)
        found[getattr(importlib.import_module(module), name)] = m.group(1)
    return found


ENTRY_POINTS = entry_points()


def offenders(source: str, filename: str = "<string>") -> list[str]:
    """``file:line name`` of every use of a package entry point in ``source`` (AST, imports resolved)."""
    tree = ast.parse(source, filename)
    modules: dict[str, Any] = {}  # local name -> custlens module object
    out: list[str] = []

    def check(obj: Any, where: ast.AST, shown: str) -> None:
        name = next((n for f, n in ENTRY_POINTS.items() if obj is f), None)  # by identity: objects may be unhashable
        if name:
            out.append(f"{filename}:{where.lineno} {shown} (= {name}; call custlens.analyses instead)")

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "custlens":
            if node.module == "custlens.analyses":
                continue
            mod = importlib.import_module(node.module)
            for alias in node.names:
                obj = getattr(mod, alias.name, None)
                if obj is None:  # a submodule not imported by its package yet
                    obj = importlib.import_module(f"{node.module}.{alias.name}")
                if isinstance(obj, type(mod)):
                    modules[alias.asname or alias.name] = obj
                check(obj, node, f"from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "custlens":
                    modules[alias.asname or alias.name] = importlib.import_module(alias.name)
    for node in ast.walk(tree):  # module.attribute: custlens.cohorts.cohorts, cohorts.cohorts...
        if isinstance(node, ast.Attribute):
            dotted = ast.unparse(node.value)
            mod = modules.get(dotted)
            if mod is None and dotted.startswith("custlens.") and dotted.split(".")[0] in modules:
                try:
                    mod = importlib.import_module(dotted)
                except ImportError:
                    mod = None
            if mod is not None and getattr(mod, "__name__", "") != "custlens.analyses":
                check(getattr(mod, node.attr, None), node, f"{dotted}.{node.attr}")
    return out


def _files() -> list[Path]:
    return sorted(p for d in SCANNED for p in ([d] if d.is_file() else d.rglob("*.py")))


def test_the_table_names_every_analysis() -> None:
    """Each analysis of the contract has its package function in the table (one row per analysis)."""
    assert len(ENTRY_POINTS) >= len(analyses.ANALYSES), sorted(ENTRY_POINTS.values())
    names = {n.rsplit(".", 1)[1] for n in ENTRY_POINTS.values()}
    assert {"run_clv", "churn_analysis", "assess", "cohorts", "purchase_frequency", "segment_customers",
            "analyze_campaign", "forecast"} <= names


def test_report_cli_and_server_call_only_the_contract() -> None:
    files = _files()
    assert any(p.name == "context.py" for p in files) and any(p.name == "analyses.py" for p in files)
    bad = [o for p in files for o in offenders(p.read_text("utf-8"), str(p.relative_to(ROOT)))]
    assert not bad, "package entry points used instead of custlens.analyses:\n" + "\n".join(bad)


@pytest.mark.parametrize("source", [
    "from custlens.clv.pipeline import run_clv",
    "from custlens.behaviour import purchase_frequency as pf",
    "from custlens.behaviour.frequency import purchase_frequency",
    "from custlens.cohorts import cohorts",
    "def f():\n    from custlens.churn import localise, churn_analysis",
    "import custlens.cohorts\nx = custlens.cohorts.cohorts",
    "from custlens import cohorts\nres = cohorts.cohorts(store)",
    "from custlens import voc as v\nv.nps_analysis(store)",
])
def test_the_scan_catches_direct_calls(source: str) -> None:
    """The scanner can fail: each of these uses a package entry point."""
    assert len(offenders(source)) == 1, offenders(source)


@pytest.mark.parametrize("source", [
    "from custlens import analyses\nanalyses.cohorts(store)",
    "from custlens.analyses import cohorts",
    "from custlens.churn import localise\nfrom custlens.lifecycle import STATES, transitions",
    "from custlens.features import customer_table",
])
def test_the_scan_lets_the_contract_and_helpers_pass(source: str) -> None:
    assert offenders(source) == []
