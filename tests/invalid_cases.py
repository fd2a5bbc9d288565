"""Helpers for tests/data/invalid: each <case>.yaml is placed into a copy of the toy catalog (its first line says
where) and must produce exactly the diagnostics listed in <case>.expected (first line of each, hints checked apart)."""

from __future__ import annotations

import shutil
from pathlib import Path

from aligncat import load_catalog

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini_catalog"
INVALID = DATA / "invalid"


def case_names() -> list[str]:
    return sorted(p.stem for p in INVALID.glob("*.yaml"))


def placement(case: str) -> str:
    raw = (INVALID / f"{case}.yaml").read_bytes().removeprefix(b"\xef\xbb\xbf")
    first = raw.split(b"\n", 1)[0].decode("ascii")
    assert first.startswith("# place: "), f"{case}.yaml must start with '# place: <path>'"
    return first.removeprefix("# place: ").strip()


def run_case(case: str, tmp: Path):
    root = tmp / "catalog"
    shutil.copytree(MINI, root)
    target = root / placement(case)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((INVALID / f"{case}.yaml").read_bytes())
    return load_catalog(root)


def first_lines(catalog) -> list[str]:
    from aligncat.diagnostics import sort_key

    return [d.to_text().splitlines()[0] for d in sorted(catalog.diagnostics, key=sort_key)]


if __name__ == "__main__":  # regenerate the .expected files after a deliberate change of messages or rules
    import tempfile

    for name in case_names():
        with tempfile.TemporaryDirectory() as tmp:
            lines = first_lines(run_case(name, Path(tmp)))
        (INVALID / f"{name}.expected").write_text("\n".join(lines) + "\n")
        print(f"{name}: {len(lines)} diagnostics")
