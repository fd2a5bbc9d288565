"""Hostile input at the source and schema stages: every bound holds, fails fast and names where and why."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from aligncat.load import read_record
from aligncat.schema import MAX_SCHEMA_PROBLEMS
from aligncat.source import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, read_yaml

HEAD = "id: w\nkind: paper\ntitle: t\nyear: 2020\nauthors: [{literal: X}]\n"


def write(tmp_path: Path, text: str, name: str = "w.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def codes(diags) -> list[str]:
    return [d.code for d in diags]


@pytest.mark.parametrize(
    "text, line, col",
    [
        ("a: " + "[" * 10_000 + "]" * 10_000 + "\n", 1, 1003),  # libyaml's own 1000-level limit, flow style
        ("a:\n  " + "- " * 10_000 + "x\n", 2, 1999),  # the same limit in block style
        ("a: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n", 1, 4000),
        ("a: " + "[" * 100_000 + "\n", 1, 1003),  # never closed
    ],
)
def test_libyaml_nesting_limit_is_reported_as_too_deep(tmp_path, text, line, col) -> None:
    src = read_yaml(write(tmp_path, text))
    (d,) = src.diagnostics
    assert (d.code, d.line, d.col) == ("too-deep", line, col)
    assert f"more than {MAX_DEPTH} levels" in d.message and "flatten" in d.hint
    assert src.data is None


def test_too_deep_points_at_the_first_level_beyond_the_limit(tmp_path) -> None:
    src = read_yaml(write(tmp_path, "a:\n  " + "- " * 500 + "x\n"))
    (d,) = src.diagnostics
    assert (d.code, d.line, d.col) == ("too-deep", 2, 3 + 2 * (MAX_DEPTH - 1))


def test_nesting_at_the_limit_is_read(tmp_path) -> None:
    depth = MAX_DEPTH - 1  # the top-level mapping is level 1
    src = read_yaml(write(tmp_path, "a: " + "[" * depth + "1" + "]" * depth + "\n"))
    assert not src.diagnostics and src.data is not None


@pytest.mark.parametrize(
    "body",
    [
        "a: [" + "1," * 400_000 + "1]\n",
        "a:\n" + "- x\n" * 240_000,
        "a: {" + ", ".join(f"k{i}: 1" for i in range(80_000)) + "}\n",
        "a: [" + "[]," * 300_000 + "[]]\n",
    ],
)
def test_a_file_of_many_small_values_is_refused_with_the_position_of_the_first_one_too_many(
    tmp_path, body
) -> None:
    assert len(body) < MAX_FILE_BYTES  # under the size limit: only the value count stops it
    src = read_yaml(write(tmp_path, body))
    (d,) = src.diagnostics
    assert d.code == "too-many-values" and f"{MAX_NODES:,}" in d.message
    assert d.line is not None and d.col is not None and (d.line, d.col) != (1, 1)
    assert src.data is None


def test_too_many_values_position_is_exact(tmp_path) -> None:
    # Top-level mapping (1) + key 'a' (2) + the list (3): item i (0-based) is value number i + 4.
    src = read_yaml(write(tmp_path, "a:\n" + "- x\n" * (MAX_NODES + 10)))
    (d,) = src.diagnostics
    assert (d.line, d.col) == (MAX_NODES + 1 - 4 + 2, 3)


def test_a_record_with_thousands_of_authors_is_still_read(tmp_path) -> None:
    authors = "".join(f"  - {{family: F{i}, given: G}}\n" for i in range(3_000))
    data, diags = read_record(
        write(tmp_path, HEAD.replace("authors: [{literal: X}]\n", "authors:\n" + authors)), "w.yaml", "paper"
    )
    assert not diags and data is not None and len(data["authors"]) == 3_000


def test_anchor_scan_in_a_huge_file_with_an_ampersand_stays_bounded(tmp_path) -> None:
    # '&' in text makes the reader scan for anchors first; that scan must stop at the value limit too.
    src = read_yaml(write(tmp_path, "title: R&D\na: [" + "1," * 400_000 + "1]\n"))
    assert codes(src.diagnostics) == ["too-many-values"]


def test_schema_problems_are_capped_per_file(tmp_path) -> None:
    data, diags = read_record(
        write(tmp_path, HEAD + "tags: [" + ",".join(f"Bad{i}" for i in range(5_000)) + "]\n"),
        "w.yaml",
        "paper",
    )
    assert data is None
    assert len(diags) == MAX_SCHEMA_PROBLEMS + 1
    assert diags[-1].code == "too-many-problems" and "fix the problems shown" in diags[-1].hint
    assert diags[0].pointer == "/tags/0" and diags[0].line == 6


def test_wrong_type_hint_quotes_only_the_value_inside_a_flow_list(tmp_path) -> None:
    _, diags = read_record(write(tmp_path, HEAD + "tags: [1, yes, 2.50]\n"), "w.yaml", "paper")
    hints = {d.pointer: d.hint for d in diags if d.code == "wrong-type"}
    assert hints["/tags/0"].startswith("quote it: '1' ")
    assert hints["/tags/1"].startswith("quote it: 'yes' ")
    assert hints["/tags/2"].startswith("quote it: '2.50' ")


def test_bounds_fail_fast(tmp_path) -> None:
    # Not a speed target (scripts/bench_hostile.py measures those): a guard against the 40-second reads the
    # value limit fixed, with a margin no slow CI machine reaches.
    p = write(tmp_path, "a: [" + "1," * 490_000 + "1]\n")
    start = time.perf_counter()
    read_record(p, "w.yaml", "paper")
    assert time.perf_counter() - start < 10


def _toy_copy(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "catalog"
    shutil.copytree(Path(__file__).parent / "data" / "mini_catalog", root)
    return root


def test_links_out_of_the_catalog_are_not_read(tmp_path) -> None:
    from aligncat import load_catalog

    root = _toy_copy(tmp_path)
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: leaked\nkind: paper\ntoken: s3cr3t-value\n")
    (root / "papers" / "leak.yaml").symlink_to(secret)
    (root / "papers" / "zero.yaml").symlink_to("/dev/zero")
    (root / "taxonomy.yaml").unlink()
    (root / "taxonomy.yaml").symlink_to(secret)
    catalog = load_catalog(root)
    outside = sorted(d.path for d in catalog.diagnostics if d.code == "outside-catalog")
    assert outside == ["papers/leak.yaml", "papers/zero.yaml", "taxonomy.yaml"]
    assert not any("s3cr3t" in d.message + d.hint for d in catalog.diagnostics)
    assert "leaked" not in catalog.records


def test_a_linked_folder_that_loops_back_is_not_walked_forever(tmp_path) -> None:
    from aligncat import load_catalog

    root = _toy_copy(tmp_path)
    (root / "papers" / "loop").symlink_to("..")
    start = time.perf_counter()
    catalog = load_catalog(root)
    assert time.perf_counter() - start < 30
    # Reported once, as what it is; nothing under it is walked.
    assert [(d.path, d.code) for d in catalog.diagnostics if d.path.startswith("papers/loop")] == [
        ("papers/loop", "link-loop")
    ]
    assert len(catalog.records) == 9


def test_a_named_pipe_is_reported_not_waited_on(tmp_path) -> None:
    import os

    p = tmp_path / "pipe.yaml"
    os.mkfifo(p)
    src = read_yaml(p)  # would block forever if it were opened
    assert codes(src.diagnostics) == ["unreadable"] and "regular file" in src.diagnostics[0].message


def test_a_huge_file_is_not_read_into_memory(tmp_path) -> None:
    import tracemalloc

    p = tmp_path / "big.yaml"
    with p.open("wb") as fh:
        fh.truncate(200_000_000)  # sparse: 200 MB that take no disk
    tracemalloc.start()
    src = read_yaml(p)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert codes(src.diagnostics) == ["file-too-large"] and "200,000,000 bytes" in src.diagnostics[0].message
    assert peak < 3 * MAX_FILE_BYTES


def test_trojan_source_bidi_controls_are_refused_where_they_are(tmp_path) -> None:
    text = (
        HEAD.replace("title: t", "title: 'Safe \u202etxt.exe\u202c title'")
        + "summary: 'ok \u2067x\u2069 ok, a summary long enough'\n"
    )
    data, diags = read_record(write(tmp_path, text), "w.yaml", "paper")
    assert data is None
    found = [(d.code, d.line, d.col) for d in diags]
    assert found == [
        ("bidi-control", 3, 14),
        ("bidi-control", 3, 22),
        ("bidi-control", 6, 14),
        ("bidi-control", 6, 16),
    ]
    assert "U+202E (right-to-left override)" in diags[0].message


def test_joiners_and_right_to_left_marks_stay_allowed(tmp_path) -> None:
    text = HEAD.replace(
        "title: t", "title: 'Family 👨\u200d👩\u200d👧 and \u200fשלום\u200e and zero\u200bwidth'"
    )
    data, diags = read_record(write(tmp_path, text), "w.yaml", "paper")
    assert not diags and data is not None and "\u200b" in data["title"]


def test_contributed_text_cannot_start_a_new_line_in_a_log(tmp_path) -> None:
    # A key holding a newline and a GitHub workflow command: printed as an escape on the diagnostic's own line.
    text = HEAD + '"bad\\n::error file=README.md::spoofed\\u202e": 1\n'
    _, diags = read_record(write(tmp_path, text), "w.yaml", "paper")
    (unknown,) = [d for d in diags if d.code == "unknown-field"]
    rendered = unknown.to_text()
    assert all(not line.startswith("::") for line in rendered.splitlines())
    assert "bad\\n::error" in rendered and "\\u202e" in rendered and "\u202e" not in rendered
    assert "\n" not in unknown.to_github()


# --- the folder walk and the settings (issue 14): nothing is skipped without a diagnostic of its own ---------------


def _codes_at(catalog, path: str) -> list[str]:
    return [d.code for d in catalog.diagnostics if d.path == path]


@pytest.mark.parametrize("name", ["x2020.YAML", "x2020.Yaml", "x2020.yml", "x2020.YML"])
def test_a_record_file_must_end_in_lowercase_yaml(tmp_path, name) -> None:
    from aligncat import load_catalog

    root = _toy_copy(tmp_path)
    (root / "papers" / name).write_text((root / "papers" / "alpha2019-base.yaml").read_text().replace(
        "alpha2019-base", "x2020"))
    catalog = load_catalog(root)
    assert _codes_at(catalog, f"papers/{name}") == ["file-name"]
    (d,) = [d for d in catalog.diagnostics if d.path == f"papers/{name}"]
    assert "in lower case" in d.message and d.hint == "rename it to x2020.yaml"
    assert "x2020" not in catalog.records  # one rule for every spelling: read only as <id>.yaml


def test_an_unreadable_folder_is_reported(tmp_path, monkeypatch) -> None:
    # As root (CI) permissions do not stop a listing, so the listing itself is made to fail.
    import os

    from aligncat import load, load_catalog

    root = _toy_copy(tmp_path)
    denied = str(root / "datasets")
    real_scandir = os.scandir

    def scandir(path):
        if str(path) == denied:
            raise PermissionError(13, "Permission denied", denied)
        return real_scandir(path)

    monkeypatch.setattr(load.os, "scandir", scandir)
    catalog = load_catalog(root)
    (d,) = [d for d in catalog.diagnostics if d.path == "datasets"]
    assert d.code == "unreadable-folder" and d.is_error and "Permission denied" in d.message
    assert "chmod" in d.hint
    assert not catalog.ok


def test_a_kind_folder_linked_out_of_the_catalog_is_reported_and_not_read(tmp_path) -> None:
    from aligncat import load_catalog

    root = _toy_copy(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    shutil_move = __import__("shutil").move
    shutil_move(str(root / "resources"), str(elsewhere))
    (root / "resources").symlink_to(elsewhere)
    catalog = load_catalog(root)
    assert _codes_at(catalog, "resources") == ["outside-catalog"]
    assert "linked folder" in [d for d in catalog.diagnostics if d.path == "resources"][0].message
    assert not catalog.by_kind.get("resource")


def test_a_missing_catalog_yaml_is_an_error(tmp_path) -> None:
    from aligncat import load_catalog
    from aligncat.load import validate_catalog

    root = _toy_copy(tmp_path)
    (root / "catalog.yaml").unlink()
    for diags in (load_catalog(root).diagnostics, validate_catalog(root).diagnostics):
        (d,) = [d for d in diags if d.path == "catalog.yaml"]
        assert d.code == "missing-settings" and d.is_error and "title:" in d.hint


def test_a_tag_defined_twice_is_reported_where_it_is_repeated(tmp_path) -> None:
    from aligncat import load_catalog

    root = _toy_copy(tmp_path)
    tags = root / "vocabularies" / "tags.yaml"
    text = tags.read_text()
    first_id = re.search(r"- id: (\S+)", text).group(1)
    tags.write_text(text.rstrip("\n") + f"\n- id: {first_id}\n  title: Again\n")
    catalog = load_catalog(root)
    (d,) = [d for d in catalog.diagnostics if d.code == "duplicate-tag"]
    assert d.path == "vocabularies/tags.yaml" and d.line == len(text.rstrip("\n").splitlines()) + 1
    assert f"'{first_id}' is defined twice" in d.message


@pytest.mark.parametrize(
    "url",
    [
        'https://example.org/"><script>alert(1)</script>',
        "https://example.org/<x>",
        "https://example.org/a b",
        "https://example.org/?q=1",
        "https://example.org/#top",
        "https://user:pw@example.org/",
        "https://exa_mple.org/",
        "javascript:alert(1)//https://x",
    ],
)
def test_url_settings_are_plain_http_addresses(tmp_path, url) -> None:
    from aligncat import load_catalog

    for field in ("site_url", "repository", "edit_base"):
        root = _toy_copy(tmp_path / field)
        info = root / "catalog.yaml"
        info.write_text(re.sub(rf"^{field}:.*\n", "", info.read_text(), flags=re.M) + f"{field}: '{url}'\n")
        catalog = load_catalog(root)
        assert [d.code for d in catalog.diagnostics if d.path == "catalog.yaml"] == ["invalid-value"], (field, url)


def test_url_settings_are_parsed_and_written_again(tmp_path) -> None:
    from aligncat.model import CatalogInfo, setting_url

    assert setting_url("HTTPS://Example.ORG/a/%7Eb/") == "https://example.org/a/%7Eb/"
    assert setting_url('https://example.org/x"><script>') == "https://example.org/x%22%3E%3Cscript%3E"
    assert setting_url("https://example.org/50%") == "https://example.org/50%25"
    for bad in ("javascript:alert(1)", "https://example.org/a b", "https://u@example.org/", "//example.org/",
                "https://example.org/?a", "https://\u0435xample.org/", "https://example.org:99999/"):
        assert setting_url(bad) is None, bad
    info = CatalogInfo.from_dict({"title": "T", "site_url": "https://Example.org/x\"<y>",
                                  "repository": "file:///etc/passwd"})
    assert info.site_url == "https://example.org/x%22%3Cy%3E" and info.repository is None


def test_a_relation_to_a_record_in_a_misnamed_file_says_why_it_is_not_loaded(tmp_path) -> None:
    from aligncat import load_catalog

    root = _toy_copy(tmp_path)
    (root / "papers" / "beta2020-method.yaml").rename(root / "papers" / "beta2020-method.YAML")
    catalog = load_catalog(root)
    refs = [d for d in catalog.diagnostics if d.code == "dangling-ref" and "'beta2020-method'" in d.message]
    assert refs and all("its file papers/beta2020-method.YAML has errors" in d.message for d in refs)
