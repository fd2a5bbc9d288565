"""Atomic writes: a crash at any point of a write leaves the old file whole (or no file), never half of one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aligncat.atomic import write_atomic

OLD = "id: old\ntitle: The old record, intact\n"


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so no handler on the way can swallow it."""


@pytest.mark.parametrize("where", ["write", "fsync", "chmod", "replace"])
def test_a_crash_at_any_step_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch, where) -> None:
    target = tmp_path / "rec.yaml"
    target.write_text(OLD)
    real_fdopen = os.fdopen

    def crash(*args, **kwargs):
        raise Crash(where)

    if where == "write":

        class HalfWriter:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, data):
                self.fh.write(data[: len(data) // 2])  # half of it reaches the disk, then the process dies
                self.fh.flush()
                raise Crash("write")

        monkeypatch.setattr(os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(os, {"fsync": "fsync", "chmod": "chmod", "replace": "replace"}[where], crash)
    with pytest.raises(Crash):
        write_atomic(target, "id: new\n" + "x: y\n" * 10_000)
    assert target.read_text() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.yaml"]


def test_a_process_killed_mid_write_leaves_the_old_file(tmp_path) -> None:
    # A real kill -9 while the new content is being written: only the temporary file can be incomplete.
    target = tmp_path / "rec.yaml"
    target.write_text(OLD)
    script = f"""
import os, signal
from aligncat import atomic
real_fsync = os.fsync
def die(fd):
    os.kill(os.getpid(), signal.SIGKILL)
atomic.os.fsync = die
atomic.write_atomic({str(target)!r}, "id: new\\n" * 100_000)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == -9
    assert target.read_text() == OLD


def test_fmt_writes_atomically(tmp_path, monkeypatch) -> None:
    from aligncat import fmt

    target = tmp_path / "papers" / "x.yaml"
    target.parent.mkdir()
    messy = "title: T\nid: x\n"
    target.write_text(messy)

    def crash(*args, **kwargs):
        raise Crash("replace")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(Crash):
        fmt.format_file(target)
    assert target.read_text() == messy
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.yaml"]


def test_a_new_file_is_created_whole(tmp_path) -> None:
    target = tmp_path / "deep" / "new.yaml"
    write_atomic(target, OLD)
    assert target.read_text() == OLD and oct(target.stat().st_mode & 0o777) == "0o644"


def test_an_existing_file_keeps_its_permissions(tmp_path) -> None:
    target = tmp_path / "rec.yaml"
    target.write_text(OLD)
    target.chmod(0o600)
    write_atomic(target, "id: new\n")
    assert target.read_text() == "id: new\n" and (target.stat().st_mode & 0o777) == 0o600


def test_json_export_read_back_as_records_exports_the_same(tmp_path) -> None:
    """The JSON export holds every record field: records rebuilt from it load and export to the same JSON."""
    import json

    import yaml

    from aligncat import load_catalog
    from aligncat.export import export

    mini = Path(__file__).parent / "data" / "mini_catalog"
    first = export(load_catalog(mini), "json")
    doc = json.loads(first)
    root = tmp_path / "catalog"
    for name in ("catalog.yaml", "taxonomy.yaml", "vocabularies/tags.yaml"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes((mini / name).read_bytes())
    derived = {"author_names", "goal_levels", "perspectives", "path"}
    for rec in doc["records"]:
        data = {k: v for k, v in rec.items() if k not in derived and v not in (None, [], {})}
        data["authors"] = rec["author_names"]
        out = root / rec["path"]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    again = load_catalog(root)
    assert not again.errors, [d.to_text() for d in again.errors]
    assert export(again, "json") == first


def test_private_writes_are_owner_only_and_pieces_are_written_whole(tmp_path) -> None:
    target = tmp_path / "cache" / "sealed.bin"
    write_atomic(target, (b"head\n", memoryview(b"body"), b"-tail"), private=True, durable=False)
    assert target.read_bytes() == b"head\nbody-tail"
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.parent.stat().st_mode & 0o077 == 0  # the folder is made owner-only too


def test_an_existing_file_keeps_its_mode_and_a_new_one_is_0644(tmp_path) -> None:
    kept = tmp_path / "kept.yaml"
    kept.write_text(OLD)
    os.chmod(kept, 0o640)
    write_atomic(kept, "id: new\n")
    assert (kept.read_text(), kept.stat().st_mode & 0o777) == ("id: new\n", 0o640)
    fresh = tmp_path / "fresh.yaml"
    write_atomic(fresh, "id: fresh\n", durable=False)
    assert fresh.stat().st_mode & 0o777 == 0o644


def test_the_lower_stages_write_files_only_through_write_atomic() -> None:
    """One atomic writer: no other module of the lower stages opens a file for writing or renames one itself."""
    import re

    import aligncat

    package = Path(aligncat.__file__).parent
    site_wing = ("site/",)  # the site wing: it renames whole site folders into place (site/build.py)
    writes = re.compile(r"\.write_(text|bytes)\(|os\.replace\(|mkstemp\(|open\([^)]*['\"][wa]b?['\"]")
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel == "atomic.py" or rel.startswith((*site_wing, "render/", "commands/site.py")):
            continue
        found += [f"{rel}:{n}" for n, line in enumerate(path.read_text().splitlines(), 1) if writes.search(line)]
    assert not found, f"write through aligncat.atomic.write_atomic instead: {found}"
