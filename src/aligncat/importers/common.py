"""Import stage, shared parts: record ids, duplicate detection, the per-entry report and writing new records."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..identity import DUPLICATE as SAME_WORK
from ..identity import (
    Verdict,
    Work,
    WorkIndex,
    normalise_arxiv,
    normalise_title,  # noqa: F401  (the importers' name for it)
)
from ..load import Catalog
from ..model import RecordFacts, kind_folder

IMPORTED, DUPLICATE, UNUSABLE, EXISTS = "imported", "duplicate", "unusable", "exists"
SKIPPED = "not an entry"  # a linked line of a list that is not an entry (a table of contents, a news line)
NOT_A_WORK = SKIPPED  # a @proceedings volume: accounted for, never imported
INVALID = "invalid"  # would not pass `aligncat validate`: not written

_STOPWORDS = {
    "a",
    "an",
    "the",
    "on",
    "of",
    "for",
    "and",
    "in",
    "to",
    "with",
    "via",
    "from",
    "towards",
    "toward",
    "is",
    "are",
    "by",
    "at",
    "as",
    "do",
    "does",
    "can",
    "what",
    "how",
    "why",
    "when",
    "we",
    "you",
    "your",
}


def slugify(text: str, max_words: int | None = None) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    if max_words:
        words = words[:max_words]
    return "-".join(words)


def arxiv_from(text: str | None) -> str | None:
    """The arXiv id (no version) in an id, 'arXiv:…' string, arXiv DOI or arXiv URL; None when there is none."""
    return normalise_arxiv(text)


def make_id(data: dict[str, Any], taken: set[str]) -> str:
    """'<first author family><year>-<first title words>', made unique with -2, -3 … against `taken`."""
    authors = data.get("authors") or []
    first = authors[0] if authors else {}
    who = slugify(first.get("family") or first.get("literal") or "anon").replace("-", "") or "anon"
    words = [
        w for w in slugify(data.get("short_name") or data.get("title", "")).split("-") if w not in _STOPWORDS
    ]
    base = f"{who[:30]}{data.get('year', '')}" + (f"-{'-'.join(words[:3])}" if words else "")
    base = base[:90].strip("-")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@dataclass
class Entry:
    """One entry of an imported list and what became of it."""

    source: str  # where it was read: 'refs.bib:12 (key)' or 'README.md:57'
    data: dict[str, Any] | None  # the record it becomes (schema-shaped), None when unusable
    outcome: str = IMPORTED
    reason: str = ""
    record_id: str | None = None
    path: Path | None = None
    merged_from: list[str] = field(default_factory=list)
    resembles: Verdict | None = None  # a possible duplicate: imported, naming the record it resembles
    dropped: list[str] = field(default_factory=list)  # fields left out because they would not validate
    # Why the entry cannot be written although it was read (e.g. no year): it is still checked for duplicates first,
    # so that a work already in the catalog is reported as a duplicate, not as unusable.
    problem: str = ""


class DuplicateFinder:
    """Finds an existing (or already imported) record for new data, with identity.py's rule: identity keys first,
    then the title with evidence; a close title without it is a possible duplicate."""

    def __init__(self, catalog: Catalog | None) -> None:
        self.index = WorkIndex()
        if catalog is not None:
            for r in catalog.records.values():
                self.index.add(Work.from_work_keys(r.id, r.year, RecordFacts.from_record(r).work_keys))

    def add(self, record_id: str, data: dict[str, Any]) -> None:
        self.index.add(Work.of(data, record_id))

    def find(self, data: dict[str, Any]) -> Verdict | None:
        return self.index.find(Work.of(data, ""))


def today() -> str:
    return _dt.date.today().isoformat()


def record_path(root: Path, data: dict[str, Any]) -> Path:
    return root / kind_folder(data["kind"]) / f"{data['id']}.yaml"


def resolve_entries(
    entries: list[Entry], catalog: Catalog | None, root: Path, *, force: bool = False, exact_ids: bool = False
) -> None:
    """Give each usable entry an id and decide its outcome: imported, duplicate, or exists (a file is in the way).

    An entry's own id (a BibTeX key) is kept when free, else a new one is made; with exact_ids (an id the user
    typed) it is kept whatever, so that a file in the way is reported instead of silently avoided.
    """
    finder = DuplicateFinder(catalog)
    # a record's short name and aliases, for entries that give only a name and no year ('HELM', 'AlpacaEval');
    # compared as written, case included: 'CAMeL' (a benchmark) is not 'CAMEL' (an agent framework)
    names: dict[str, str] = {}
    for r in catalog.records.values() if catalog is not None else ():
        for n in (r.short_name, *r.aliases):
            if n and n.strip():
                names.setdefault(" ".join(n.split()), r.id)
    used = _ids_in_use(catalog, root)
    taken = set(used)
    for e in entries:
        if e.data is None:
            if e.outcome == IMPORTED:
                e.outcome = UNUSABLE
            continue
        verdict = finder.find(e.data)
        if verdict and verdict.outcome == SAME_WORK and not force:
            e.outcome, e.record_id = DUPLICATE, verdict.record_id
            e.reason = f"duplicate of '{verdict.record_id}' ({verdict.reason})"
            continue
        if e.problem:
            named = names.get(" ".join(e.data.get("title", "").split()))
            if named and not verdict and not force:
                e.outcome, e.record_id = DUPLICATE, named
                e.reason = f"duplicate of '{named}' (its short name or alias; the entry gives no year to compare)"
                continue
            if verdict and verdict.reason.startswith("same title") and not force:
                # nothing in the entry (no year) can confirm or refute an exactly equal title: the work is there
                e.outcome, e.record_id = DUPLICATE, verdict.record_id
                e.reason = f"duplicate of '{verdict.record_id}' (same title; the entry gives no year to compare)"
                continue
            e.outcome, e.reason = UNUSABLE, e.problem
            if verdict:
                e.reason += f" (it resembles '{verdict.record_id}': {verdict.reason})"
            continue
        if verdict and verdict.outcome != SAME_WORK:
            e.resembles = verdict
            note = (f"possible duplicate of '{verdict.record_id}' ({verdict.reason}): check that this is a "
                    "different work, else merge the two")
            e.data["notes"] = [*e.data.get("notes", []), note]
        wanted = e.data.get("id")
        slug = bool(wanted) and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", wanted) is not None
        same_file = slug and used.get(wanted) == record_path(root, {**e.data, "id": wanted})
        if slug and (wanted not in taken or ((force or exact_ids) and (same_file or wanted not in used))):
            rid = wanted
        elif slug and exact_ids:
            e.outcome = EXISTS
            e.reason = (f"the id '{wanted}' is already used by {used.get(wanted) or 'another entry of this import'}; "
                        "choose another --id (ids are unique across papers, datasets, benchmarks and resources)")
            continue
        else:
            rid = make_id(e.data, taken)
        e.data["id"] = rid
        e.data = order_record(e.data)
        e.record_id, e.path = rid, record_path(root, e.data)
        if e.path.exists() and not force:
            e.outcome, e.reason = EXISTS, f"{e.path} exists; pass --force to overwrite it"
            continue
        taken.add(rid)
        finder.add(rid, e.data)


def _ids_in_use(catalog: Catalog | None, root: Path) -> dict[str, Path]:
    """Every record id the catalog uses, in any kind folder (files with errors included), with its file."""
    used: dict[str, Path] = {}
    if root.is_dir():
        for p in sorted(root.glob("*/*.yaml")):
            used.setdefault(p.stem, p)
    if catalog is not None:
        for r in catalog.records.values():
            used.setdefault(r.id, root / r.path if r.path else root / kind_folder(r.kind) / f"{r.id}.yaml")
    return used


def _required(kind: str) -> set[str]:
    from ..schema import bundled_schema

    return set(bundled_schema(kind).get("required", ())) | {"id", "kind"}


def _mirror(src: Path, dest: Path) -> None:
    """A copy of the catalog folder to validate in: hard links where possible (never written through), else copies."""
    import os
    import shutil

    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        rel = Path(dirpath).relative_to(src)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in filenames:
            if not name.endswith((".yaml", ".yml")):
                continue
            try:
                os.link(Path(dirpath) / name, dest / rel / name)
            except OSError:
                shutil.copy2(Path(dirpath) / name, dest / rel / name)


def validate_before_writing(entries: list[Entry], root: Path) -> None:
    """Check every record about to be written with the very checks of `aligncat validate` (schema and rules, in a
    copy of the catalog with the new files added). A record that fails is not written: an optional field at fault
    is left out (and the report says which), otherwise the entry is reported invalid with the diagnostics."""
    import tempfile

    from ..pipeline import validate_catalog
    from ..yamlio import record_yaml

    pending = [e for e in entries if e.outcome == IMPORTED and e.data and e.path]
    if not pending or not (root / "catalog.yaml").is_file():
        return
    with tempfile.TemporaryDirectory(prefix="aligncat-check-") as tmp:
        shadow = Path(tmp) / "catalog"
        _mirror(root, shadow)
        for attempt in range(3):
            by_rel: dict[str, Entry] = {}
            for e in pending:
                rel = e.path.relative_to(root).as_posix()
                target = shadow / rel
                # a rename, so a hard link to the user's file in the mirror is replaced, never written through
                write_atomic(target, record_yaml(e.data), durable=False)
                by_rel[rel] = e
            bad: dict[str, list] = {}
            for d in validate_catalog(shadow).diagnostics:
                if d.is_error and d.path in by_rel:
                    bad.setdefault(d.path, []).append(d)
            if not bad:
                return
            for rel, diags in bad.items():
                e = by_rel[rel]
                fields = {d.pointer.strip("/").split("/")[0] for d in diags}
                if attempt < 2 and "" not in fields and not fields & _required(e.data["kind"]):
                    for f in sorted(fields):
                        e.data.pop(f, None)
                        why = "; ".join(d.message for d in diags if d.pointer.strip("/").split("/")[0] == f)
                        e.dropped.append(f"{f} ({why})")
                    continue
                e.outcome = INVALID
                e.reason = ("would not pass `aligncat validate`, so it is not written: "
                            + "; ".join(f"{d.pointer or '/'} [{d.code}] {d.message}" + (f" ({d.hint})" if d.hint else "")
                                        for d in diags)
                            + "; fix this in the source entry and import again")
                (shadow / rel).unlink()
            pending = [e for e in pending if e.outcome == IMPORTED]
            if not pending:
                return


def order_record(data: dict[str, Any]) -> dict[str, Any]:
    from ..fmt import key_order

    order = key_order(data["kind"]).keys
    return {k: data[k] for k in sorted(data, key=lambda k: order.index(k) if k in order else len(order))}


def write_entries(entries: Iterable[Entry], *, dry_run: bool = False) -> int:
    """Write every imported entry's record file atomically; returns how many were (or would be) written. Call
    validate_before_writing first: nothing invalid is written."""
    from ..yamlio import record_yaml

    n = 0
    for e in entries:
        if e.outcome == IMPORTED and e.data and e.path:
            if not dry_run:
                write_atomic(e.path, record_yaml(e.data))
            n += 1
    return n


OUTCOMES = (IMPORTED, DUPLICATE, SKIPPED, EXISTS, INVALID, UNUSABLE)
FAILED = (UNUSABLE, EXISTS, INVALID)  # outcomes that make an import exit 1


def report_lines(entries: list[Entry], *, dry_run: bool = False) -> list[str]:
    """One line per entry saying what became of it, then a count per outcome."""
    lines = []
    verb = "would import" if dry_run else "imported"
    for e in entries:
        if e.outcome == IMPORTED:
            extra = f" (merged {len(e.merged_from) + 1} listings)" if e.merged_from else ""
            if e.resembles:
                extra += f"; possible duplicate of '{e.resembles.record_id}' ({e.resembles.reason})"
            if e.dropped:
                extra += f"; left out, as it would not validate: {'; '.join(e.dropped)}"
            lines.append(f"{e.source}: {verb} as {e.path}{extra}")
        else:
            lines.append(f"{e.source}: {e.outcome}: {e.reason}")
    counts = {k: sum(1 for e in entries if e.outcome == k) for k in OUTCOMES}
    possible = sum(1 for e in entries if e.outcome == IMPORTED and e.resembles)
    tail = [f"{counts[IMPORTED]} {verb}" + (f" ({possible} possible duplicates)" if possible else ""),
            f"{counts[DUPLICATE]} duplicates", f"{counts[EXISTS]} in the way of existing files"]
    if counts[INVALID]:
        tail.append(f"{counts[INVALID]} invalid")
    tail.append(f"{counts[UNUSABLE]} unusable")
    lines.append(f"{len(entries) - counts[SKIPPED]} entries: " + ", ".join(tail)
                 + (f"; {counts[SKIPPED]} not entries (volumes, contents and news lines)" if counts[SKIPPED] else ""))
    return lines
