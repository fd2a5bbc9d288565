"""The pipeline's stages import only the stages before them (source < schema < model < load < rules < pipeline <
graph < render / export / site), nothing below render imports mkdocs or jinja2, and no module is over ~500 lines
without saying why in its docstring."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import aligncat

PACKAGE = Path(aligncat.__file__).resolve().parent

# Each stage by the modules in it (a name ending in '.' is a package: every module in it). A module not named here
# belongs to the last stage, so a lower stage importing a new module is caught until the module is placed.
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("diagnostics", "atomic")),
    ("source", ("source", "marks")),
    ("schema", ("schema", "schemas")),
    ("model", ("identity", "model", "catalog", "yamlio")),
    ("load", ("load", "cache", "fmt")),
    ("rules", ("rules", "rules.")),
    ("pipeline", ("pipeline", "checks")),
    ("graph", ("graph", "layout", "related")),
    ("render / export / site", ()),
]
# The stages that must not import mkdocs or jinja2 (everything below render; export and the importers too).
NO_SITE_ENGINE = {"base", "source", "schema", "model", "load", "rules", "pipeline", "graph"}
NO_SITE_ENGINE_PACKAGES = ("export", "importers")


def stage_of(module: str) -> int:
    """The stage index of a module name relative to the package ('rules.graph', 'export.bibtex')."""
    for i, (_, names) in enumerate(STAGES):
        for name in names:
            if module == name or (name.endswith(".") and module.startswith(name)):
                return i
    return len(STAGES) - 1


def _modules() -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        if rel == "__init__" or "assets" in rel.split(".") or "templates" in rel.split("."):
            continue
        out.append(rel.removesuffix(".__init__"))
    return out


MODULES = _modules()
_PROBE = """
import importlib, json, sys
importlib.import_module("aligncat." + sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if m.startswith("aligncat.") or m.split(".")[0] in ("mkdocs", "jinja2"))))
"""


def _imported_by(module: str) -> list[str]:
    """Every aligncat module (and mkdocs / jinja2 module) that importing `module` in a fresh interpreter loads."""
    done = subprocess.run([sys.executable, "-c", _PROBE, module], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", [m for m in MODULES if stage_of(m) < len(STAGES) - 1
                                    or m.split(".")[0] in NO_SITE_ENGINE_PACKAGES])
def test_a_stage_imports_no_later_stage(module: str) -> None:
    mine = stage_of(module)
    loaded = _imported_by(module)
    later = [m for m in loaded if m.startswith("aligncat.") and stage_of(m[len("aligncat."):]) > mine]
    assert not later, (f"importing aligncat.{module} ({STAGES[mine][0]}) loads later stages: "
                       + ", ".join(f"{m} ({STAGES[stage_of(m[9:])][0]})" for m in later))
    if STAGES[mine][0] in NO_SITE_ENGINE or module.split(".")[0] in NO_SITE_ENGINE_PACKAGES:
        engines = [m for m in loaded if m.split(".")[0] in ("mkdocs", "jinja2")]
        assert not engines, f"aligncat.{module} imports the site engine: {engines[:5]}"


def test_the_stage_check_can_fail() -> None:
    """The probe sees what an import pulls in: the pipeline loads the rules, which come after load."""
    loaded = _imported_by("pipeline")
    assert "aligncat.rules" in loaded and stage_of("rules") > stage_of("load")
    assert stage_of("pipeline") > stage_of("rules") > stage_of("load")


def test_every_lower_stage_module_is_placed() -> None:
    """A new module below render must be given its stage above (else it counts as the last stage)."""
    placed = {name.rstrip(".") for _, names in STAGES for name in names}
    lower_packages = {m.split(".")[0] for m in MODULES if stage_of(m) < len(STAGES) - 1}
    assert lower_packages <= placed | {m for m in MODULES if "." not in m}


LIMIT = 500


@pytest.mark.parametrize("module", MODULES)
def test_no_module_is_over_500_lines_without_a_reason_in_its_docstring(module: str) -> None:
    path = PACKAGE / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = PACKAGE / module.replace(".", "/") / "__init__.py"
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert doc, f"aligncat.{module} has no docstring naming its stage"
    if lines > LIMIT:
        assert "over 500 lines" in doc.lower(), (
            f"aligncat.{module} has {lines} lines: split it, or say in its docstring why it is over 500 lines")
