"""Load stage: walk a catalog folder, read and schema-check every file, and build the frozen Catalog (or, for
`validate`, the CatalogFacts). It runs no rules: pipeline.py composes loading and the rules."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

from .catalog import CATALOG_FILE, KNOWN_FILES, TAGS_FILE, TAXONOMY_FILE, Catalog, CatalogFacts
from .diagnostics import Diagnostic, Severity
from .marks import Marks, diagnostic_at, locate  # noqa: F401  (diagnostic_at, locate: API)
from .model import (
    ALL_KINDS,
    CatalogInfo,
    Record,
    RecordFacts,
    Tag,
    Taxonomy,
    kind_folder,
    normalise_identifier,  # noqa: F401  (API: importers use it from here)
    record_from_dict,
)
from .schema import validator_for
from .source import read_yaml

__all__ = ["CATALOG_FILE", "KNOWN_FILES", "LOAD_CODES", "TAGS_FILE", "TAXONOMY_FILE", "Catalog", "CatalogFacts",
           "iter_record_files", "load_facts", "read_catalog", "read_facts", "read_record"]

FOLDER_KINDS = {kind_folder(k): k for k in ALL_KINDS}
LOAD_CODES = {
    "no-catalog": "the catalog folder does not exist",
    "stray-file": "a YAML file outside the record folders (it would not be read)",
    "file-name": "a YAML file in a record folder not named <id>.yaml in lower case (x.yml, x.YAML): it is not read",
    "wrong-folder": "a record whose kind does not match its folder",
    "id-filename": "a record whose id differs from its file name (a copied file that was not renamed)",
    "unique-id": "two records with the same id",
    "outside-catalog": "a symbolic link (to a file or a folder) that leads outside the catalog folder (it is not read)",
    "link-loop": "a linked folder that leads back to a folder holding it (it is not walked)",
    "unreadable-folder": "a folder that cannot be listed (no permission, or it vanished): its files are not read",
    "missing-settings": "the catalog has no catalog.yaml (its title and settings)",
}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _frozen(d: dict) -> Mapping:
    return MappingProxyType(d)


def _display(root: Path, path: Path) -> str:
    root_text, path_text = str(root), str(path)
    if path_text.startswith(root_text + os.sep):  # the common case, without pathlib's slow relative_to
        return path_text[len(root_text) + 1:].replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _inside(root_real: str, path: Path) -> bool:
    real = os.path.realpath(path)
    return real == root_real or real.startswith(root_real + os.sep)


def _outside_catalog(rel: str) -> Diagnostic:
    return Diagnostic(rel, None, None, "", Severity.ERROR, "outside-catalog",
                      "this symbolic link leads outside the catalog folder; it is not read",
                      "replace the link with the file itself (a link could expose files of the machine "
                      "that builds the site)")


def _folder_problem(code: str, rel: str, exc: OSError | None = None) -> Diagnostic:
    if code == "unreadable-folder":
        reason = exc.strerror if exc is not None and exc.strerror else "it cannot be listed"
        return Diagnostic(rel or ".", None, None, "", Severity.ERROR, code,
                          f"this folder cannot be read ({reason}); no file in it is checked",
                          "give the folder read and execute permission for this user (chmod u+rx), or remove it")
    if code == "link-loop":
        return Diagnostic(rel, None, None, "", Severity.ERROR, code,
                          "this linked folder leads back to a folder that holds it; it is not walked",
                          "remove the link: a record belongs in one folder")
    return Diagnostic(rel, None, None, "", Severity.ERROR, "outside-catalog",
                      "this linked folder leads outside the catalog folder; nothing in it is read",
                      "replace the link with the folder itself (a link could expose files of the machine that "
                      "builds the site)")


def _walk(root: Path, diags: list[Diagnostic] | None = None) -> list[tuple[tuple[str, ...], bool]]:
    """Every file under root outside hidden folders, as (path parts, is a symbolic link), sorted by parts.

    What os.walk(root, followlinks=True) finds, with os.scandir's entries telling links apart for free: only a
    linked file can lead out of the catalog (linked folders are checked as they are entered), so only those need
    the realpath check (five system calls per file otherwise). A folder that cannot be listed, or a linked folder
    that leads out of the catalog or back up, is not walked, and each is reported in `diags`.
    """
    found: list[tuple[tuple[str, ...], bool]] = []
    problems: list[Diagnostic] = []
    root_real = os.path.realpath(root)
    stack: list[tuple[str, tuple[str, ...]]] = [(str(root), ())]
    while stack:
        dirpath, prefix = stack.pop()
        try:
            with os.scandir(dirpath) as it:
                entries = list(it)
        except OSError as exc:
            if prefix:  # the catalog folder itself is checked by its caller (no-catalog)
                problems.append(_folder_problem("unreadable-folder", "/".join(prefix), exc))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                # Linked folders are followed only when they stay inside the catalog and do not lead back up.
                problem = _folder_link_problem(root_real, dirpath, name)
                if problem is None:
                    stack.append((os.path.join(dirpath, name), prefix + (name,)))
                else:
                    problems.append(_folder_problem(problem, "/".join(prefix + (name,))))
            else:
                found.append((prefix + (name,), entry.is_symlink()))
    found.sort()
    if diags is not None:
        diags.extend(sorted(problems, key=lambda d: d.path))
    return found


def _catalog_files(root: Path) -> list[tuple[str, ...]]:
    """Every file under root outside hidden folders, as path parts, in the order sorted(root.rglob('*')) gives."""
    return [parts for parts, _ in _walk(root)]


def _folder_link_problem(root_real: str, dirpath: str, name: str) -> str | None:
    """None for a folder that may be walked; 'outside-catalog' or 'link-loop' for a linked one that may not."""
    path = os.path.join(dirpath, name)
    if not os.path.islink(path):
        return None
    real = os.path.realpath(path)
    parent = os.path.realpath(dirpath)
    if parent == real or parent.startswith(real + os.sep):
        return "link-loop"  # the catalog folder itself, or a folder on the way down to this one
    if not real.startswith(root_real + os.sep):
        return "outside-catalog"
    return None


def _safe_folder(root_real: str, dirpath: str, name: str) -> bool:
    return _folder_link_problem(root_real, dirpath, name) is None


def _read_document(root: Path, rel: str, schema: str, diags: list[Diagnostic],
                   raw: tuple[bytes, int] | None = None) -> dict | None:
    path = root / rel
    if not path.exists():
        return None
    if not _inside(os.path.realpath(root), path):
        diags.append(_outside_catalog(rel))
        return None
    src = read_yaml(path, rel, raw=raw)
    if src.data is not None:
        validator_for(schema).validate(src, src.data)
    diags.extend(src.diagnostics)
    if any(d.is_error for d in src.diagnostics):
        return None
    return src.data


def iter_record_files(root: Path, diags: list[Diagnostic]) -> Iterator[tuple[Path, str]]:
    """Every record file with the kind its folder implies; anything else under the root is reported."""
    for path, _, kind in _record_files(root, diags):
        yield Path(path), kind


def _record_files(root: Path, diags: list[Diagnostic]) -> list[tuple[str, str, str]]:
    """(path, path in the catalog, kind its folder implies) of every record file, as text (no Path per file)."""
    root_real = os.path.realpath(root)
    prefix = os.path.join(str(root), "")
    out: list[tuple[str, str, str]] = []
    for parts, is_link in _walk(root, diags):
        rel = "/".join(parts)
        name = parts[-1]
        suffix = name[name.rfind("."):] if "." in name.lstrip(".") else ""  # as Path.suffix
        # Every name ending in .yaml or .yml, in any case, is a YAML file: each is read or reported, never
        # skipped. A record is read only from <kind folder>/<id>.yaml, in lower case (the id is the file name, a
        # lowercase slug, and X.YAML and x.yaml are one file on macOS and Windows but two on Linux).
        if rel in KNOWN_FILES or suffix.lower() not in (".yaml", ".yml"):
            continue
        path = prefix + os.sep.join(parts)  # os.path.join, without its cost per file
        if is_link and not _inside(root_real, Path(path)):
            diags.append(_outside_catalog(rel))
            continue
        if len(parts) == 2 and parts[0] in FOLDER_KINDS:
            if suffix != ".yaml":
                diags.append(Diagnostic(rel, None, None, "", Severity.ERROR, "file-name",
                                        f"record files end in '.yaml', in lower case, not '{suffix}'; this one is "
                                        "not read", f"rename it to {name[:-len(suffix)]}.yaml"))
                continue
            out.append((path, rel, FOLDER_KINDS[parts[0]]))
        else:
            folders = ", ".join(f"{f}/" for f in FOLDER_KINDS)
            diags.append(Diagnostic(rel, None, None, "", Severity.ERROR, "stray-file",
                                    "this YAML file is not in a record folder and will not be read",
                                    f"move it into one of {folders} (one record per file), or remove it"))
    return out


def read_record(path: Path, rel: str, folder_kind: str,
                raw: tuple[bytes, int] | None = None) -> tuple[dict | None, list[Diagnostic]]:
    """Read and schema-check one record file: its data if it is valid, and every problem found.

    `raw` is the file's bytes as source.read_bounded returned them, when the caller has read them already.
    """
    src = read_yaml(path, rel, raw=raw)
    data = src.data
    if data is None:
        return None, src.diagnostics
    kind = data.get("kind")
    schema_kind = kind if kind in ALL_KINDS else folder_kind
    validator_for(schema_kind).validate(src, data)
    if kind in ALL_KINDS and kind != folder_kind:
        src.diag("wrong-folder", f"a {kind} record is in the {kind_folder(folder_kind)}/ folder",
                 f"move the file to {kind_folder(kind)}/{path.name}, or correct 'kind'", "/kind")
    rid = data.get("id")
    if isinstance(rid, str) and rid != path.stem and _SLUG.fullmatch(rid):
        src.diag("id-filename", f"id '{rid}' does not match the file name '{path.name}'",
                 f"rename the file to {rid}.yaml, or set 'id: {path.stem}' (a copied record keeps the old id)",
                 "/id")
    if any(d.is_error for d in src.diagnostics):
        return None, src.diagnostics
    return data, src.diagnostics


def read_facts(path: Path, rel: str, folder_kind: str,
               raw: tuple[bytes, int] | None = None) -> tuple[RecordFacts | None, list[Diagnostic]]:
    """read_record for `validate`: the facts the cross-record rules need instead of the whole data."""
    data, diags = read_record(path, rel, folder_kind, raw)
    return (None if data is None else RecordFacts.from_dict(data, rel)), diags


RecordReader = Callable[[Path, str, str], tuple["dict | None", "list[Diagnostic]"]]
FactsReader = Callable[[str, str, str], tuple["RecordFacts | None", "list[Diagnostic]"]]  # path as text
SettingsReader = Callable[[Path, str, str, list[Diagnostic]], "dict | None"]


def _no_catalog(root: Path) -> Diagnostic:
    return Diagnostic(str(root), None, None, "", Severity.ERROR, "no-catalog", "no catalog folder here",
                      "give the folder that holds catalog.yaml and papers/")


def _settings(root: Path, diags: list[Diagnostic],
              read_document: SettingsReader | None = None) -> tuple[CatalogInfo, Taxonomy, dict[str, Tag]]:
    read = read_document or _read_document
    if not os.path.lexists(root / CATALOG_FILE):
        diags.append(Diagnostic(CATALOG_FILE, None, None, "", Severity.ERROR, "missing-settings",
                                "the catalog has no catalog.yaml: it has no title, and nothing says this folder is "
                                "a catalog", "create catalog.yaml holding at least 'title: <the catalog's name>', or "
                                "give the folder that holds it"))
    info_data = read(root, CATALOG_FILE, "catalog", diags)
    tax_data = read(root, TAXONOMY_FILE, "taxonomy", diags)
    tag_data = read(root, TAGS_FILE, "tags", diags)
    info = CatalogInfo.from_dict(info_data) if info_data else CatalogInfo(title=root.resolve().name)
    taxonomy = Taxonomy.from_dict(tax_data) if tax_data else Taxonomy((), (), (), {})
    tags = {t["id"]: Tag(t["id"], t["title"], t.get("description")) for t in (tag_data or {}).get("tags", ())}
    return info, taxonomy, tags


def _read_all(root: Path, read: Callable, diags: list[Diagnostic],
              progress: Callable[[Iterable], Iterable] | None) -> tuple[dict, int, dict[str, str]]:
    """Every record file through `read`: {id: what read returned} in file order (the first of a repeated id wins,
    the others are reported), how many files were read, and the record files that had errors, by the id their
    name gives ({id: path in the catalog}), so a relation to one is reported as what it is."""
    walked_from = len(diags)
    files = _record_files(root, diags)
    marks = Marks(root)
    found: dict = {}
    first_path: dict[str, str] = {}
    invalid: dict[str, str] = {}
    for d in diags[walked_from:]:  # x.YAML, x.yml: not read, so a relation to x says why
        if d.code == "file-name":
            invalid.setdefault(posixpath.splitext(posixpath.basename(d.path))[0], d.path)
    for path, rel, folder_kind in (progress(files) if progress else files):
        item, file_diags = read(path, rel, folder_kind)
        diags.extend(file_diags)
        if item is None:
            invalid.setdefault(posixpath.splitext(posixpath.basename(rel))[0], rel)
            continue
        rid = item.id  # a Record or RecordFacts
        if rid in found:
            diags.append(marks.diagnostic(rel, "/id", "unique-id", f"id '{rid}' is already used by {first_path[rid]}",
                                          "give each record its own id (and file name)"))
            continue
        found[rid] = item
        first_path[rid] = rel
    invalid = {rid: rel for rid, rel in invalid.items() if rid not in found}  # e.g. a valid copy elsewhere
    return found, len(files) + sum((root / f).exists() for f in KNOWN_FILES), invalid


def read_catalog(root: str | Path, *, progress: Callable[[Iterable], Iterable] | None = None,
                 reader: RecordReader | None = None, settings_reader: SettingsReader | None = None) -> Catalog:
    """Load a catalog folder: every valid record becomes part of the Catalog, every problem of reading, schema or
    layout a diagnostic. No rule runs (pipeline.load_catalog adds them)."""
    root = Path(root)
    diags: list[Diagnostic] = []
    if not root.is_dir():
        diags.append(_no_catalog(root))
        return Catalog(root, CatalogInfo(title=root.name), Taxonomy((), (), (), {}), _frozen({}), _frozen({}),
                       tuple(diags))
    info, taxonomy, tags = _settings(root, diags, settings_reader)
    read = reader or read_record

    def read_one(path: str, rel: str, folder_kind: str) -> tuple[Record | None, list[Diagnostic]]:
        data, file_diags = read(Path(path), rel, folder_kind)
        return (None if data is None else record_from_dict(data, rel)), file_diags

    found, files_read, invalid = _read_all(root, read_one, diags, progress)
    records = {rid: found[rid] for rid in sorted(found)}
    return Catalog(root, info, taxonomy, _frozen(tags), _frozen(records), tuple(diags), files_read=files_read,
                   invalid_files=_frozen(invalid))


def load_facts(root: Path, *, reader: FactsReader | None = None, settings_reader: SettingsReader | None = None,
               progress: Callable[[Iterable], Iterable] | None = None):
    """The reading half of `validate`: (diagnostics so far, CatalogFacts or None, files read)."""
    root = Path(root)
    diags: list[Diagnostic] = []
    if not root.is_dir():
        return [_no_catalog(root)], None, 0
    info, taxonomy, tags = _settings(root, diags, settings_reader)
    found, files_read, invalid = _read_all(root, reader or (lambda p, rel, kind: read_facts(Path(p), rel, kind)),
                                           diags, progress)
    facts = CatalogFacts(root, info, taxonomy, tags, {rid: found[rid] for rid in sorted(found)},
                         invalid_files=invalid)
    return diags, facts, files_read


validate_facts = load_facts  # the name before pipeline.py


def __getattr__(name: str):
    """The names that moved to pipeline.py (load + rules) when `load` stopped running rules, for older callers."""
    if name in ("load_catalog", "validate_catalog", "Validation"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
