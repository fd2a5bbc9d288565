"""Cross-record rules that need a changed taxonomy or settings, and the list of every diagnostic code."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from aligncat import load_catalog
from aligncat.checks import all_codes, codes_markdown, strip_tracking
from aligncat.cli import main
from invalid_cases import MINI

ROOT = Path(__file__).resolve().parents[1]


def copy_mini(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    return root


def test_taxonomy_references(tmp_path) -> None:
    root = copy_mini(tmp_path)
    text = (root / "taxonomy.yaml").read_text()
    text = text.replace("maps_to: [def-one, eval-one]", "maps_to: [def-one, alt-early]")
    text = text.replace("      goal_level: level-two\n", "      goal_level: level-2\n")
    text = text.replace("  - id: eval\n    title: Evaluation", "  - id: def-one\n    title: Evaluation")
    (root / "taxonomy.yaml").write_text(text)
    cat = load_catalog(root)
    msgs = [(d.code, d.line, d.message) for d in cat.diagnostics if d.code == "taxonomy-ref"]
    assert ("taxonomy-ref", 30, "no goal level 'level-2'") in msgs
    assert any("maps_to 'alt-early' is not a category of the primary scheme 'main'" in m for _, _, m in msgs)
    assert any(m == "category id 'def-one' is used twice" and line == 37 for _, line, m in msgs)


def test_unknown_survey(tmp_path) -> None:
    root = copy_mini(tmp_path)
    text = (root / "catalog.yaml").read_text().replace("zeta2023-toy-survey", "zeta2023-toy-srvey")
    (root / "catalog.yaml").write_text(text)
    (d,) = [d for d in load_catalog(root).diagnostics if d.code == "unknown-survey"]
    assert (d.path, d.line, d.hint) == ("catalog.yaml", 4, "did you mean 'zeta2023-toy-survey'?")


def test_invalid_taxonomy_is_reported_and_records_still_load(tmp_path) -> None:
    root = copy_mini(tmp_path)
    (root / "taxonomy.yaml").write_text("goal_levels: []\nperspectives: []\nschemes: []\n")
    cat = load_catalog(root)
    assert {d.code for d in cat.errors} >= {"invalid-value", "unknown-category"}
    assert len(cat.records) == 9


def test_strip_tracking() -> None:
    assert strip_tracking("https://x.org/a?utm_source=t&id=1&fbclid=z#frag") == "https://x.org/a?id=1#frag"
    assert strip_tracking("https://x.org/a?trk=public_post") == "https://x.org/a"


def test_every_code_is_tested() -> None:
    tested_text = "".join(p.read_text(errors="replace") for p in (ROOT / "tests").rglob("*.py"))
    tested_text += "".join(p.read_text() for p in (ROOT / "tests" / "data" / "invalid").glob("*.expected"))
    untested = [c for c in all_codes() if not re.search(rf"[\[\"']{re.escape(c)}[\]\"']", tested_text)]
    assert not untested, f"codes without a test: {untested}"


def test_diagnostics_doc_is_current() -> None:
    assert (ROOT / "docs" / "diagnostics.md").read_text() == codes_markdown(), \
        "run: aligncat rules --markdown > docs/diagnostics.md"


def test_rules_command_lists_codes() -> None:
    out = CliRunner().invoke(main, ["rules"]).output
    assert "dangling-ref" in out and "duplicate-key" in out


def test_relation_to_a_record_whose_file_has_errors_points_at_that_file(tmp_path) -> None:
    """The real error is in the target's file: the relation says so instead of 'no record' (a typo's message)."""
    from aligncat.cache import validate_catalog_cached
    from aligncat.load import validate_catalog

    root = copy_mini(tmp_path)
    target = root / "papers" / "alpha2019-base.yaml"
    target.write_text(target.read_text().replace("year:", "yeer:", 1))
    want = ("papers/beta2020-method.yaml", 20, "'alpha2019-base' is not loaded: its file "
            "papers/alpha2019-base.yaml has errors (reported there)", "fix papers/alpha2019-base.yaml; this "
            "relation then resolves")
    runs = {
        "load": load_catalog(root).diagnostics,
        "validate": validate_catalog(root).diagnostics,
        "cached, cold": validate_catalog_cached(root, cache_dir=tmp_path / "c").diagnostics,
        "cached, warm": validate_catalog_cached(root, cache_dir=tmp_path / "c").diagnostics,
    }
    for name, diags in runs.items():
        refs = [(d.path, d.line, d.message, d.hint) for d in diags if d.code == "dangling-ref"]
        assert want in refs, name
        assert not [m for _, _, m, _ in refs if m.startswith("no record 'alpha2019-base'")], name
        assert any(d.path == "papers/alpha2019-base.yaml" and d.is_error for d in diags), name
    # A target that exists nowhere keeps the typo's message and its suggestion.
    other = root / "papers" / "beta2020-method.yaml"
    other.write_text(other.read_text().replace("target: alpha2019-base", "target: alpha2019-bse"))
    (d,) = [d for d in load_catalog(root).diagnostics if d.code == "dangling-ref"
            and d.path == "papers/beta2020-method.yaml"]
    assert d.message == "no record 'alpha2019-bse'"


def test_every_rule_declares_the_record_fields_its_code_reads() -> None:
    """The incremental re-check trusts the declarations (rules.base.Rule.reads*): a field a rule's code reads of a
    record must be declared, or an edit of that field would not check the rule again."""
    import inspect
    import re

    from aligncat.model import RecordFacts
    from aligncat.rules import RULES

    assert RULES, "no rules registered"
    for code, r in RULES.items():
        source = inspect.getsource(r.check)
        # Records are named r, record, target or first in the rules (the taxonomy's nodes are c, tax, ...).
        used = {f for f in RecordFacts._fields
                if re.search(rf"\b(r|record|target|first|records\[[^\]]+\])\.{f}\b", source)} - {"path"}
        declared = r.reads | r.reads_targets | r.reads_sources | r.reads_peers
        if "incoming(" in source:  # reads which records relate to it: their relations
            assert "relations" in r.reads_sources, code
        if "peers(" in source:  # reads the records sharing a work key with it
            assert {"work_keys", "id"} <= r.reads_peers, code
        assert used <= declared | {"id"}, f"{code} reads {sorted(used - declared)} without declaring them"
