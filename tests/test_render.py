"""Render stage: escaping helpers, links between pages, and the pages generated from the toy catalog."""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
import pytest

from aligncat import load_catalog
from aligncat.render.text import json_for_script, md_text, relative_url, safe_url
from aligncat.site import SiteError, generate_pages

MINI = Path(__file__).parent / "data" / "mini_catalog"
SITE_EXTENSIONS = ["attr_list", "md_in_html", "tables", "admonition", "toc"]


@pytest.fixture(scope="module")
def pages():
    catalog = load_catalog(MINI)
    generated, _ = generate_pages(catalog)
    return {p.path: p for p in generated}


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "[link](https://evil.example)",
        "*stars* and _under_",
        "`code`",
        "# not a heading",
        "![img](x.png)",
        "a & b < c > d",
        "{: .class }",
        "1. not a list",
        "\\back\\slash",
        "<img src=x onerror=alert(1)>",
        "**bold** [x][y]",
        "trailing\\",
    ],
)
def test_md_text_renders_as_the_same_text(text):
    """Whatever the input, Markdown turns md_text(input) into exactly the input as text, no element."""
    out = markdown.markdown(md_text(text), extensions=SITE_EXTENSIONS)
    inner = re.fullmatch(r"<p>(.*)</p>", out, flags=re.S)
    assert inner, out
    assert "<" not in inner.group(1).replace("&lt;", "")
    import html

    assert html.unescape(inner.group(1)) == text


def test_safe_url_refuses_scripts_and_relative_urls():
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url(" JavaScript:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url("//evil.example/x") is None
    assert safe_url("/relative") is None
    assert safe_url("https://") is None


def test_json_for_script_cannot_close_the_script():
    text = json_for_script({"a": "</script><script>alert(1)</script>", "b": "<!-- x"})
    assert "</" not in text and "<!--" not in text
    assert json.loads(text) == {"a": "</script><script>alert(1)</script>", "b": "<!-- x"}


@pytest.mark.parametrize(
    "src,dst,expected",
    [
        ("index.md", "records/x.md", "records/x/"),
        ("records/x.md", "records/y.md", "../y/"),
        ("records/x.md", "index.md", "../../"),
        ("taxonomy/index.md", "taxonomy/def.md", "def/"),
        ("browse/papers.md", "data/citations.json", "../../data/citations.json"),
        ("index.md", "index.md", "./"),
    ],
)
def test_relative_url(src, dst, expected):
    assert relative_url(src, dst) == expected


def test_every_page_type_is_generated(pages):
    catalog = load_catalog(MINI)
    expected = {
        "index.md",
        "taxonomy/index.md",
        "browse/index.md",
        "browse/papers.md",
        "browse/datasets.md",
        "browse/benchmarks.md",
        "browse/compare-benchmarks.md",
        "tags/index.md",
        "new.md",
        "feed.xml",
        "cite.md",
        "data/citations.json",
        "bib/all.bib",
    }
    expected |= {f"records/{rid}.md" for rid in catalog.records}
    expected |= {f"taxonomy/{cid}.md" for cid in catalog.taxonomy.categories}
    expected |= {f"tags/{t}.md" for t in catalog.by_tag}
    assert expected <= set(pages)


def test_internal_links_point_at_generated_pages(pages):
    """The strict build checks Markdown links; links in HTML blocks are checked here against the page list."""
    targets = {p[:-3] + "/" if p.endswith(".md") else p for p in pages}
    targets = {t.replace("index/", "") for t in targets} | {""}
    broken = []
    for path, page in pages.items():
        if not path.endswith(".md"):
            continue
        base = "/" + (path[:-3] + "/").replace("index/", "")
        for href in re.findall(r'href="([^"#?]*)[^"]*"', page.content):
            if href.startswith(("http:", "https:", "mailto:")) or not href:
                continue
            from posixpath import normpath

            resolved = normpath(base + href).lstrip("/") + ("/" if href.endswith("/") else "")
            if resolved in ("./", "./"):
                resolved = ""
            if resolved not in targets and resolved.rstrip("/") + "/" not in targets:
                broken.append((path, href, resolved))
    assert broken == []


def test_record_page_has_relations_both_ways_and_an_edit_link(pages):
    beta = pages["records/beta2020-method.md"].content
    assert "builds on" in beta and 'href="../alpha2019-base/"' in beta
    alpha = pages["records/alpha2019-base.md"].content
    assert "Built upon by" in alpha and 'href="../beta2020-method/"' in alpha
    repo = "https://github.com/aligncat-example/toy-catalog"
    assert f'href="{repo}/edit/main/tests/data/mini_catalog/papers/beta2020-method.yaml"' in beta
    assert f'href="{repo}/blob/main/tests/data/mini_catalog/papers/beta2020-method.yaml"' in beta


def test_without_a_repository_the_yaml_is_shown_on_the_page_never_served_as_a_file(tmp_path):
    import shutil

    root = tmp_path / "cat"
    shutil.copytree(MINI, root)
    text = (root / "catalog.yaml").read_text().replace("repository:", "# repository:")
    (root / "catalog.yaml").write_text(text)
    generated = {p.path: p for p in generate_pages(load_catalog(root))[0]}
    assert not [p for p in generated if p.endswith((".yaml", ".yml"))]
    page = generated["records/beta2020-method.md"].content
    source = (root / "papers/beta2020-method.yaml").read_text()
    assert '<details class="ac-source"' in page
    assert html_escape(source) in page and "Edit this record" not in page


def html_escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_scholar_meta_and_dataset_jsonld(pages):
    beta = pages["records/beta2020-method.md"].content
    front = beta.split("---\n")[1]
    meta = json.loads(re.search(r"^aligncat_meta: (.*)$", front, re.M).group(1))
    assert ["citation_title", "Beta: Learning from Toy Preferences"] in meta
    assert ["citation_author", "Beta, Bea"] in meta
    assert ["citation_doi", "10.0000/toy.beta"] in meta
    data = pages["records/toyinst2020-data.md"].content
    jsonld = json.loads(
        json.loads(re.search(r"^aligncat_jsonld: (.*)$", data.split("---\n")[1], re.M).group(1))
    )
    assert jsonld["@type"] == "Dataset" and jsonld["license"] == "CC-BY-4.0"
    assert "aligncat_jsonld" not in beta  # papers carry no Dataset markup


def test_no_record_in_the_navigation(pages):
    titled = [p.path for p in pages.values() if p.title]
    assert titled and not any(p.startswith("records/") for p in titled)


def test_feed_is_valid_atom_with_one_entry_per_added_record(pages):
    import xml.etree.ElementTree as ET

    root = ET.fromstring(pages["feed.xml"].content.encode())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    catalog = load_catalog(MINI)
    assert len(entries) == sum(1 for r in catalog.records.values() if r.added)
    assert entries[0].find("a:updated", ns).text >= entries[-1].find("a:updated", ns).text


def test_citations_json_holds_bibtex_and_csl_for_every_record(pages):
    data = json.loads(pages["data/citations.json"].content)
    catalog = load_catalog(MINI)
    assert set(data) == set(catalog.records)
    for rid, item in data.items():
        assert item["bibtex"].startswith("@") and rid in item["bibtex"]
        assert item["csl"]["id"] == rid


def test_clashing_page_paths_are_refused(monkeypatch):
    from aligncat import render
    from aligncat.render import Page

    def twice(catalog, ctx):
        yield Page("index.md", "x")

    with pytest.raises(SiteError, match="two page sources write 'index.md'"):
        generate_pages(load_catalog(MINI), sources=[*render.page_sources(), twice])


# --- templates ----------------------------------------------------------------------------------------------


def _catalog_copy(tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    return folder


def test_a_catalog_overrides_a_template_with_a_file_of_the_same_name(tmp_path):
    from aligncat.render.jinja import TEMPLATES, overrides_folder

    folder = _catalog_copy(tmp_path)
    overrides = overrides_folder(folder)
    overrides.mkdir(parents=True)
    # The catalog's own record fragment: the facts list becomes a table; every other template stays the package's.
    (overrides / "record_facts.html").write_text(
        '<table class="my-facts">\n{% for label, kind, value in facts %}\n'
        "  <tr><th>{{ label }}</th><td>{{ kind }}</td></tr>\n{% endfor %}\n</table>\n",
        encoding="utf-8",
    )
    assert (TEMPLATES / "record_facts.html").is_file()
    pages = {p.path: p.content for p in generate_pages(load_catalog(folder))[0]}
    record = pages["records/beta2020-method.md"]
    assert '<table class="my-facts"><tr><th>Goal level</th><td>badges</td></tr>' in record
    assert "<tr><th>Date</th><td>text</td></tr>" in record
    assert 'class="ac-facts-list"' not in record
    assert "## Relations" in record  # the rest of record.md is the package's
    plain = {p.path: p.content for p in generate_pages(load_catalog(MINI))[0]}
    assert 'class="ac-facts-list"' in plain["records/beta2020-method.md"]  # another catalog is not affected


def test_an_override_is_escaped_too_and_a_broken_one_names_its_file_and_line(tmp_path):
    from aligncat.render.jinja import overrides_folder

    folder = _catalog_copy(tmp_path)
    overrides = overrides_folder(folder)
    overrides.mkdir(parents=True)
    (overrides / "tags.md").write_text(
        "# Tags\n\n{% for t in tags %}{{ t.link.text }}<{{ '<b>' }}>{% endfor %}\n"
    )
    content = next(p.content for p in generate_pages(load_catalog(folder))[0] if p.path == "tags/index.md")
    assert "&lt;b&gt;" in content and "<b>" not in content
    (overrides / "tags.md").write_text("# Tags\n\n{% for t in tags %}\n{{ t.link.text }\n")
    with pytest.raises(SiteError, match=r"tags\.md:4: template error"):
        generate_pages(load_catalog(folder))
    (overrides / "tags.md").write_text("# Tags\n\n{{ no_such_variable }}\n")
    with pytest.raises(
        SiteError, match=r"template tags\.md: 'no_such_variable' is undefined; see docs/site\.md"
    ):
        generate_pages(load_catalog(folder))


def test_every_template_is_listed_in_the_site_docs():
    from aligncat.render.jinja import TEMPLATES

    docs = (Path(__file__).parents[1] / "docs" / "site.md").read_text(encoding="utf-8")
    missing = [p.name for p in sorted(TEMPLATES.iterdir()) if f"`{p.name}`" not in docs]
    assert missing == []


def test_renderers_write_no_html_by_hand():
    """HTML comes from the templates (autoescaped); a renderer building tags in an f-string would need its own
    escaping, which is how an injection starts."""
    render_dir = Path(__file__).parents[1] / "src" / "aligncat" / "render"
    offenders = []
    for path in sorted(render_dir.glob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"""f["'][^"']*<[a-z/]""", line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == []


def test_json_for_scripts_goes_through_the_one_filter():
    from aligncat.render.jinja import render

    out = render(
        None,
        "graph.md",
        page="graph/index.md",
        front_matter="",
        nodes=0,
        edges=0,
        filters=[],
        data_href="",
        cytoscape_href="",
        timeline_href="",
        config={"x": "</script><!--"},
    )
    assert (
        '<script type="application/json" id="ac-graph-config">{"x": "\\u003c/script\\u003e\\u003c!--"}' in out
    )


def test_a_level_colour_that_is_not_hex_is_a_diagnostic_and_never_reaches_the_stylesheet(tmp_path):
    """Level colours become CSS rules (levels.css): the schema takes only '#rrggbb', so nothing else can."""
    import shutil

    from aligncat.render.graph_views import level_class, level_stylesheet

    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    taxonomy = folder / "taxonomy.yaml"
    text = taxonomy.read_text(encoding="utf-8")
    taxonomy.write_text(text.replace("color: '#ff7f0e'", "color: 'red} body{display:none'"), encoding="utf-8")
    errors = [str(e) for e in load_catalog(folder).errors]
    assert any("taxonomy.yaml" in e and "color" in e for e in errors), errors
    css = level_stylesheet(load_catalog(MINI))
    assert ".ac-lv-level-two { --ac-level: #ff7f0e; }" in css
    assert re.fullmatch(r"(/\*.*\*/\n)(\.[a-z0-9 .-]+ \{ [a-z-]+: #[0-9a-f]{6}; \}\n)+", css, re.S), css
    assert level_class(None) == "ac-nolv" and level_class("level-two") == "ac-lv-level-two"
    with pytest.raises(ValueError):
        level_class("x} body{")
