"""The YAML source stage: line marks, refusals, limits."""

from __future__ import annotations

from pathlib import Path

from aligncat.source import compute_marks, read_yaml


def write(tmp_path: Path, text: str | bytes, name: str = "x.yaml") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


def test_marks_point_at_keys_and_values() -> None:
    marks = compute_marks("a: 1\nlist:\n  - x\n  - {k: v}\n")
    assert marks["/a"] == (1, 1, 1, 4)
    assert marks["/list/1/k"][:2] == (4, 6)
    assert marks["/list/0"][2:] == (3, 5)


def test_pointer_tokens_are_escaped() -> None:
    marks = compute_marks("'a/b': 1\n'c~d': 2\n")
    assert "/a~1b" in marks and "/c~0d" in marks


def test_clean_file_has_no_diagnostics_and_no_marks_computed(tmp_path) -> None:
    src = read_yaml(write(tmp_path, "id: a\ntitle: T\n"))
    assert src.data == {"id": "a", "title": "T"} and not src.diagnostics
    assert src._marks is None  # marks are computed only when a diagnostic needs them


def test_alias_bomb_is_refused_quickly(tmp_path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    src = read_yaml(write(tmp_path, "\n".join(lines) + "\n"))
    assert src.data is None
    assert {d.code for d in src.diagnostics} == {"alias"}


def test_deep_nesting_is_refused(tmp_path) -> None:
    src = read_yaml(write(tmp_path, "a: " + "[" * 10_000 + "]" * 10_000 + "\n"))
    assert src.data is None and src.diagnostics
    assert src.diagnostics[0].line == 1


def test_moderate_nesting_beyond_limit_is_refused(tmp_path) -> None:
    text = "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 40)) + "  " * 40 + "v\n"
    src = read_yaml(write(tmp_path, text))
    assert src.data is None and [d.code for d in src.diagnostics] == ["too-deep"]


def test_large_file_is_refused_without_parsing(tmp_path) -> None:
    p = write(tmp_path, "a: '" + "x" * 2_000_000 + "'\n")
    src = read_yaml(p)
    assert [d.code for d in src.diagnostics] == ["file-too-large"]
    assert "limit" in src.diagnostics[0].message


def test_several_tabs_reported_by_line(tmp_path) -> None:
    src = read_yaml(write(tmp_path, "a: 'x\ty'\nb: 'p\tq'\n"))
    assert [(d.code, d.line) for d in src.diagnostics] == [("tab", 1), ("tab", 2)]


def test_unreadable_path_is_a_diagnostic(tmp_path) -> None:
    src = read_yaml(tmp_path / "missing.yaml")
    assert [d.code for d in src.diagnostics] == ["unreadable"]


def test_nested_duplicate_key_located(tmp_path) -> None:
    src = read_yaml(write(tmp_path, "a:\n  b: 1\n  c: 2\n  b: 3\n"))
    (d,) = src.diagnostics
    assert (d.code, d.line, d.col) == ("duplicate-key", 4, 3)
