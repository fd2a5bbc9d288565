"""A release of the catalog (run by .github/workflows/release.yml on a tag 'v<version>'; see docs/citing.md).

Usage:
    python scripts/release.py check TAG          the tag is 'v' + catalog.yaml's `version`, and `released` is set
    python scripts/release.py export TAG DIR     the catalog as of the tag: DIR/CITATION.cff (every work pinned in
                                                 `references`), DIR/<name>-<tag>.bib, .json (CSL), .ris; plus
                                                 release-title.txt and release-notes.md for the release page
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "catalog"


def check(tag: str, root: Path = CATALOG) -> list[str]:
    """What stops `tag` from being a release of the catalog at `root` (empty when nothing does)."""
    import yaml

    info = yaml.safe_load((root / "catalog.yaml").read_text(encoding="utf-8")) or {}
    version, released = info.get("version"), info.get("released")
    problems = []
    if not version:
        problems.append(f"{root / 'catalog.yaml'}: no `version`; add `version: \"{tag.removeprefix('v')}\"` and "
                        "`released: \"YYYY-MM-DD\"`, commit, and tag that commit")
    elif f"v{str(version).removeprefix('v')}" != tag:
        problems.append(f"{root / 'catalog.yaml'}: `version` is {version!r} but the tag is {tag!r}; tag "
                        f"'v{str(version).removeprefix('v')}' or change `version` to {tag.removeprefix('v')!r}")
    if not released:
        problems.append(f"{root / 'catalog.yaml'}: no `released`; add `released: \"YYYY-MM-DD\"` (the release day)")
    return problems


def export_release(tag: str, dest: Path, root: Path = CATALOG, meta_dir: Path = ROOT) -> int:
    """Write the release files; returns the number of works the release pins."""
    from aligncat import load_catalog
    from aligncat.atomic import write_atomic
    from aligncat.export import available_formats, export

    cat = load_catalog(root)
    if any(d.is_error for d in cat.diagnostics):
        raise SystemExit("the catalog has errors: run `aligncat validate catalog`")
    dest.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", cat.info.title.lower()).strip("-") or "catalog"
    formats = available_formats()
    write_atomic(dest / "CITATION.cff", export(cat, "cff"))
    for fmt, suffix in (("bibtex", ".bib"), ("csl-json", ".json"), ("ris", ".ris")):
        assert formats[fmt].suffix == suffix
        write_atomic(dest / f"{name}-{tag}{suffix}", export(cat, fmt))
    n = len(cat.records)
    title = " ".join(cat.info.title.split())
    write_atomic(meta_dir / "release-title.txt", f"{title} {tag} ({n} works)\n")
    write_atomic(meta_dir / "release-notes.md", (
        f"The catalog as of {tag}, released {cat.info.released}: {n} works.\n\n"
        f"Cite it with `CITATION.cff` (version {cat.info.version}; its `references` list the {n} works), or use "
        f"the works themselves: `{name}-{tag}.bib` (BibTeX), `.json` (CSL-JSON), `.ris` (RIS).\n"))
    return n


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "check":
        problems = check(argv[1])
        for p in problems:
            print(f"::error::{p}")
        return 1 if problems else 0
    if len(argv) == 3 and argv[0] == "export":
        problems = check(argv[1])
        if problems:
            return main(["check", argv[1]])
        n = export_release(argv[1], Path(argv[2]))
        print(f"wrote {argv[2]}/: CITATION.cff pinning {n} works, and .bib, .json, .ris")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
