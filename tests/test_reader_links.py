"""The reader's links: catalog.yaml's repository, branch and site_url (parsed as URLs), the feeds of new records
(the catalog's, and one per category and per tag) and the record's edit / report-an-error links."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from aligncat import load_catalog
from aligncat.model import CatalogInfo
from aligncat.repository import build_info, edit_url, report_url, source_url, with_environment
from aligncat.site import generate_pages

MINI = Path(__file__).parent / "data" / "mini_catalog"
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def _toy(tmp_path: Path, **settings: str) -> Path:
    root = tmp_path / "cat"
    shutil.copytree(MINI, root)
    info = root / "catalog.yaml"
    text = info.read_text()
    for key, value in settings.items():
        text = re.sub(rf"^{key}:.*\n", "", text, flags=re.M) + f"{key}: {value}\n"
    info.write_text(text)
    return root


def _pages(root: Path) -> dict:
    return {p.path: p for p in generate_pages(load_catalog(root))[0]}


@pytest.mark.parametrize("field", ["site_url", "repository"])
@pytest.mark.parametrize("url", ["http://example.org/", "ftp://example.org/x", "https://example.org/?a=1"])
def test_site_url_and_repository_must_be_plain_https(tmp_path, field, url) -> None:
    catalog = load_catalog(_toy(tmp_path, **{field: f"'{url}'"}))
    problems = [d for d in catalog.diagnostics if d.path == "catalog.yaml"]
    assert [d.code for d in problems] == ["invalid-value"], problems
    assert problems[0].line is not None


@pytest.mark.parametrize("branch", ["'a..b'", "'x y'", "'main/'", "'<b>'", "'-'"])
def test_a_branch_is_a_plain_branch_name(tmp_path, branch) -> None:
    catalog = load_catalog(_toy(tmp_path, branch=branch))
    assert [d.code for d in catalog.diagnostics if d.path == "catalog.yaml"] == ["invalid-value"], branch


def test_links_to_the_repository_are_built_from_parsed_parts() -> None:
    info = CatalogInfo.from_dict(
        {"title": "T", "repository": "https://GitHub.com/org/cat", "branch": "release/2026"}
    )
    rel = "catalog/papers/a b.yaml"
    assert edit_url(info, rel) == "https://github.com/org/cat/edit/release/2026/catalog/papers/a%20b.yaml"
    assert source_url(info, rel) == "https://github.com/org/cat/blob/release/2026/catalog/papers/a%20b.yaml"
    report = urlsplit(report_url(info, "x2020-y", rel, "https://org.github.io/cat/records/x2020-y/"))
    assert report.path == "/org/cat/issues/new"
    query = parse_qs(report.query)
    assert query["template"] == ["report-an-error.yml"] and query["record"] == ["x2020-y"]
    assert query["file"] == [rel] and query["page"] == ["https://org.github.io/cat/records/x2020-y/"]
    other = CatalogInfo.from_dict({"title": "T", "repository": "https://git.example.org/org/cat"})
    assert edit_url(other, rel) is None and report_url(other, "x", rel, None) is None
    with_base = CatalogInfo.from_dict({"title": "T", "edit_base": "https://git.example.org/org/cat/-/edit/main/"})
    assert edit_url(with_base, rel) == "https://git.example.org/org/cat/-/edit/main/catalog/papers/a%20b.yaml"


def test_the_report_template_the_links_name_exists_with_their_fields() -> None:
    import yaml

    form = Path(__file__).parents[1] / ".github" / "ISSUE_TEMPLATE" / "report-an-error.yml"
    data = yaml.safe_load(form.read_text())
    ids = {item.get("id") for item in data["body"]}
    assert {"record", "file", "page", "problem"} <= ids


def test_ci_settings_fill_what_catalog_yaml_leaves_out_and_are_parsed() -> None:
    info = CatalogInfo.from_dict({"title": "T"})
    env = {
        "ALIGNCAT_SITE_URL": "https://org.github.io/cat",
        "ALIGNCAT_REPOSITORY": "https://github.com/org/cat",
        "ALIGNCAT_BRANCH": "main",
    }
    filled = with_environment(info, env)
    assert filled.site_url == "https://org.github.io/cat/" and filled.repository == "https://github.com/org/cat"
    hostile = with_environment(info, {"ALIGNCAT_SITE_URL": 'https://x/"><script>', "ALIGNCAT_REPOSITORY": "http://a"})
    assert hostile.site_url == "https://x/%22%3E%3Cscript%3E/" and hostile.repository is None
    own = CatalogInfo.from_dict({"title": "T", "site_url": "https://own.example.org/"})
    assert with_environment(own, env).site_url == "https://own.example.org/"


def test_build_info_names_the_commit(tmp_path) -> None:
    assert build_info(tmp_path, {"GITHUB_SHA": "a" * 40}).commit == "a" * 40
    assert build_info(tmp_path, {"GITHUB_SHA": "not a sha"}).commit is None  # tmp_path is no git work tree


def test_every_category_and_tag_has_its_own_atom_feed(tmp_path) -> None:
    root = _toy(tmp_path, site_url="https://org.example.org/toy/")
    pages = _pages(root)
    catalog = load_catalog(root)
    for c in catalog.taxonomy.categories:
        feed = ET.fromstring(pages[f"feed-category-{c}.xml"].content.encode())
        ids = {e.find("a:id", ATOM).text for e in feed.findall("a:entry", ATOM)}
        expected = {f"https://org.example.org/toy/records/{r.id}/" for r in catalog.in_category(c) if r.added}
        assert ids == expected, c
        assert feed.find("a:id", ATOM).text == f"https://org.example.org/toy/feed-category-{c}.xml"
    for t, records in catalog.by_tag.items():
        feed = ET.fromstring(pages[f"feed-tag-{t}.xml"].content.encode())
        assert len(feed.findall("a:entry", ATOM)) == sum(1 for r in records if r.added)
        assert catalog.tags[t].title in feed.find("a:title", ATOM).text
    category = next(iter(catalog.taxonomy.categories))
    page = pages[f"taxonomy/{category}.md"].content
    assert re.search(rf'^aligncat_feed: \[".*", "feed-category-{category}.xml"\]$', page, re.M)


def test_the_feed_id_is_real_with_or_without_a_site_url(tmp_path) -> None:
    with_url = ET.fromstring(_pages(_toy(tmp_path / "a", site_url="https://org.example.org/toy/"))["feed.xml"].content)
    assert with_url.find("a:id", ATOM).text == "https://org.example.org/toy/feed.xml"
    first = _pages(_toy(tmp_path / "b"))["feed.xml"].content
    again = _pages(_toy(tmp_path / "c"))["feed.xml"].content
    assert "aligncat.invalid" not in first
    feed_id = ET.fromstring(first).find("a:id", ATOM).text
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", feed_id) and first == again  # the same on every build


def test_whats_new_groups_by_month(tmp_path) -> None:
    page = _pages(MINI)["new.md"].content
    months = re.findall(r"^## (\w+ \d{4})$", page, re.M)
    catalog = load_catalog(MINI)
    assert months and len(months) == len({r.added[:7] for r in catalog.records.values() if r.added})


HOSTILE_DESCRIPTION = (
    "Works *in italics* and [a link](https://example.org/a). {: style=position:fixed;inset:0 onclick=alert(1) } "
    "[bad](javascript:alert(1)) [file](file:///etc/passwd) ![img](https://example.org/x.png) "
    "<b onmouseover=alert(1)>bold</b> `code`"
)
HTML_PART = "<b onmouseover=alert(1)>bold</b> "  # the catalog's own settings may not hold < > " at all


def _site_html(markdown_text: str) -> str:
    """A generated page as the site's Markdown extensions turn it into HTML (the front matter left out)."""
    import markdown

    body = markdown_text.split("\n---\n", 1)[1] if markdown_text.startswith("---\n") else markdown_text
    return markdown.markdown(body, extensions=["attr_list", "md_in_html", "tables", "admonition", "toc"])


def _attributes(html_text: str) -> list[tuple[str, str, str]]:
    from html.parser import HTMLParser

    found: list[tuple[str, str, str]] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend((tag, k, v or "") for k, v in attrs)

    P().feed(html_text)
    return found


def test_descriptions_are_restricted_markdown_everywhere(tmp_path) -> None:
    """catalog.yaml's and taxonomy.yaml's descriptions: no attribute list, no raw HTML, http(s) links only."""
    import yaml

    root = _toy(tmp_path)
    info = root / "catalog.yaml"
    info.write_text(re.sub(r"^description:.*\n", "", info.read_text(), flags=re.M)
                    + "description: " + yaml.safe_dump(HOSTILE_DESCRIPTION.replace(HTML_PART, "")).strip() + "\n")
    tax_file = root / "taxonomy.yaml"
    taxonomy = yaml.safe_load(tax_file.read_text())
    taxonomy["goal_levels"][0]["description"] = HOSTILE_DESCRIPTION
    taxonomy["perspectives"][0]["description"] = HOSTILE_DESCRIPTION
    scheme = taxonomy["schemes"][0]
    scheme["description"] = HOSTILE_DESCRIPTION
    scheme["categories"][0]["description"] = HOSTILE_DESCRIPTION
    tax_file.write_text(yaml.safe_dump(taxonomy, sort_keys=False, allow_unicode=True))
    catalog = load_catalog(root)
    assert not catalog.errors, catalog.errors
    pages = {p.path: p for p in generate_pages(catalog)[0]}
    first_category = scheme["categories"][0]["id"]
    for path in ("index.md", "taxonomy/index.md", f"taxonomy/{first_category}.md"):
        out = _site_html(pages[path].content)
        attrs = _attributes(out)
        assert not [a for a in attrs if a[1] == "style" and "position" in a[2]], path
        assert not [a for a in attrs if a[1].startswith("on")], path
        assert not [a for a in attrs if a[0] == "img"], path
        hrefs = [v for _, k, v in attrs if k == "href" and v.startswith(("javascript", "file", "https://example"))]
        # the image's address becomes a plain link (nothing is loaded from another host); the rest no link at all
        assert hrefs and set(hrefs) == {"https://example.org/a", "https://example.org/x.png"}, (path, hrefs)
        assert "<em>in italics</em>" in out and "<code>code</code>" in out, path
        if path != "index.md":
            assert "&lt;b onmouseover=alert(1)&gt;bold&lt;/b&gt;" in out, path  # shown as the text it is


def test_a_licence_the_source_does_not_state_reads_so(tmp_path) -> None:
    root = _toy(tmp_path)
    record = root / "datasets" / "toyinst2021-v2.yaml"
    record.write_text(record.read_text().replace("license: MIT", "license: NOASSERTION"))
    pages = _pages(root)
    page = pages["records/toyinst2021-v2.md"].content
    assert "<dt>Licence</dt><dd>not stated by the source</dd>" in page and "NOASSERTION" not in page.split("---")[2]
    assert ">not stated by the source</td>" in pages["browse/datasets.md"].content


def test_a_record_page_opens_with_its_actions_and_cite_panel(tmp_path) -> None:
    page = _pages(MINI)["records/beta2020-method.md"].content
    head, _, rest = page.partition("## Summary")
    assert head.index('<p class="ac-kind">') < head.index("# Beta") < head.index('class="ac-authors"')
    actions = re.search(r'<div class="ac-actions"[^>]*>(.*?)</div>', head).group(1)
    labels = re.findall(r'class="md-button[^"]*"[^>]*>([^<]+)</a>', actions)
    assert labels[0] == "Paper" and "Cite" in labels and "Edit" in labels and "Report an error" in labels
    assert 'href="https://doi.org/10.0000/toy.beta"' in actions  # the version of record, not the preprint
    panel = re.search(r'<details class="ac-cite-panel" id="cite".*?</details>', head, re.S).group(0)
    for name in ("APA", "IEEE", "BibTeX", "CSL-JSON", "RIS"):
        assert f">Copy {name}</button>" in panel, name
    assert "## Relations" in rest and rest.index("## Relations") < rest.index('class="ac-facts-list"')


def test_long_author_lists_collapse_after_eight(tmp_path) -> None:
    root = _toy(tmp_path)
    record = root / "papers" / "beta2020-method.yaml"
    many = "".join(f"- {{family: Author{i}, given: A.}}\n" for i in range(12))
    text = re.sub(r"authors:\n(- .*\n)+", "authors:\n" + many, record.read_text())
    record.write_text(text)
    page = _pages(root)["records/beta2020-method.md"].content
    line = re.search(r'<div class="ac-authors">(.*?)</div>', page).group(1)
    assert line.startswith("A. Author0, ") and "A. Author7 <details" in line
    assert "<summary>and 4 more</summary>A. Author8, A. Author9, A. Author10, A. Author11</details>" in line


def test_the_readers_nav_holds_about_contribute_cite_and_the_engine_docs_stand_apart(tmp_path) -> None:
    from aligncat.site.docs import _nav

    pages, _ = generate_pages(load_catalog(MINI))
    docs = {"guide/design.md": Path(__file__).parents[1] / "docs" / "design.md",
            "guide/security.md": Path(__file__).parents[1] / "docs" / "security.md"}
    nav = _nav(pages, docs)
    heads = [next(iter(x)) for x in nav]
    assert heads[-2:] == ["About", "Engine docs"]
    assert [next(iter(x)) for x in nav[-2]["About"]] == ["About", "Contribute", "Cite"]
    assert [next(iter(x.values())) for x in nav[-1]["Engine docs"]] == list(docs)
    assert "Cite" not in heads and "Guide" not in heads
    contribute = {p.path: p for p in pages}["contribute.md"].content
    assert "https://github.com/aligncat-example/toy-catalog/issues/new?template=report-an-error.yml" in contribute
