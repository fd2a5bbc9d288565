"""Markdown import: every format real awesome lists use, each failure seen on them, and the accounting rule
(every list item or table row with a link is imported, a duplicate, unusable with a reason, or not an entry)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligncat import load_catalog
from aligncat.cli import main
from aligncat.importers.common import DUPLICATE, IMPORTED, SKIPPED, UNUSABLE, resolve_entries
from aligncat.importers.markdown import (
    identifiers_of,
    items_to_entries,
    read_markdown,
    year_of_identifier,
)

from catalogs import empty_catalog_at  # tests/catalogs.py

DATA = Path(__file__).parent / "data"
MD = DATA / "import" / "md"
MINI = DATA / "mini_catalog"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def empty_catalog(tmp_path):
    return empty_catalog_at(tmp_path / "catalog")


def entries_of(name: str, **kw):
    items, skipped = read_markdown((MD / name).read_text())
    return items, skipped, items_to_entries(items, name, skipped=skipped, **kw)


def by_title(items, start: str):
    return next(i for i in items if i.title.startswith(start))


def linked_lines(text: str) -> set[int]:
    """Line numbers of list items and table rows that carry a link, outside code fences and HTML comments."""
    out, fence, comment = set(), False, False
    for n, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fence = not fence
            continue
        if "<!--" in line and "-->" not in line:
            comment = True
        if comment:
            comment = "-->" not in line
            continue
        if fence or not re.search(r"\]\(|https?://", line) or _TABLE_SEP.match(line):
            continue
        if re.match(r"^\s*(?:\d+[.)]|[-*+])\s", line) and not re.match(r"^\s+[-*+]\s+\w+:", line):
            out.add(n)
        elif line.lstrip().startswith("|"):
            out.add(n)
    return out


_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}")


def test_arxiv_and_acl_ids_give_the_year():
    assert year_of_identifier("arxiv", "2311.01234") == 2023  # 2311. is November 2023
    assert year_of_identifier("arxiv", "0704.0001") == 2007
    assert year_of_identifier("arxiv", "1706.03741") == 2017
    assert year_of_identifier("arxiv", "hep-th/9901001") == 1999
    assert year_of_identifier("acl", "P19-1001") == 2019
    assert year_of_identifier("acl", "2022.acl-long.229") == 2022
    assert identifiers_of("https://doi.org/10.48550/arXiv.2302.04023") == {"arxiv": "2302.04023"}
    assert identifiers_of("https://huggingface.co/papers/2305.18290") == {"arxiv": "2305.18290"}
    assert identifiers_of("https://openreview.net/forum?id=TG8KACxEON") == {"openreview": "TG8KACxEON"}
    assert identifiers_of("https://aclanthology.org/2023.acl-long.773.pdf") == {"acl": "2023.acl-long.773"}


def test_year_headings_linked_titles_and_labelled_sub_bullets():
    items, skipped, entries = entries_of("year_headings.md")
    kto = by_title(items, "KTO")
    assert (kto.year, kto.year_source) == (2024, "arxiv id 2402.01306")
    assert kto.authors.startswith("Kawin Ethayarajh, Winnie Xu")
    assert kto.keywords == ["Preference Optimization", "Prospect Theory"]
    assert ("code", "https://github.com/ContextualAI/HALOs") in kto.links
    rlaif = by_title(items, "RLAIF")
    assert (rlaif.year, rlaif.venue) == (2024, "ICML 2024")  # 'Publisher:' is the venue
    dpo = by_title(items, "Direct Preference")
    assert dpo.short_name == "DPO" and dpo.year == 2023
    assert all("huggingface.co/datasets" not in u for _, u in dpo.links)  # 'Dataset:' names data it used
    # '### 2020 and before' names no year; the arXiv id does
    assert by_title(items, "Deep reinforcement").year == 2017
    assert by_title(items, "Interactive Learning").year is None
    data = {e.data["title"]: e for e in entries if e.data}
    assert data["Direct Preference Optimization: Your Language Model is Secretly a Reward Model"].data[
        "notes"
    ] == [
        "the list names only the first author(s); add the others from the paper",
        "keywords in the list: Reward Model, Closed Form",
    ]
    assert "no year" in data["Interactive Learning from Policy-Dependent Human Feedback"].problem
    assert "no year" in data["trl"].problem
    # two titles under one arXiv link: the second is unusable, naming the first
    clash = next(e for e in entries if e.outcome == UNUSABLE and e.data is None)
    assert "same arxiv id 2503.00897 as line 29" in clash.reason and clash.source.endswith(":33")
    reasons = {s.reason for s in skipped}
    assert reasons == {"in the 'Table of Contents' section", "in the 'License' section"}
    # nothing inside the ``` format block is read
    assert all(not 13 <= i.line <= 17 for i in items)


def test_entry_paragraphs_with_hard_breaks_and_comments():
    items, skipped, _ = entries_of("paragraphs.md")
    assert [i.title for i in items] == [
        "Calibrate Before Use: Improving Few-Shot Performance of Language Models",
        "Teaching Models to Express Their Uncertainty in Words",
        "Building LLM applications for production",
    ]
    calib = items[0]
    assert calib.authors == "Tony Z. Zhao, Eric Wallace, Shi Feng, Dan Klein, Sameer Singh"
    assert (calib.venue, calib.year) == ("ICML 2021", 2021)
    assert (items[2].year, items[2].authors) == (2023, "Chip Huyen")  # the date line '11 Apr 2023'
    assert items[2].venue is None  # a date is not a venue


def test_plain_titles_with_bracketed_links_news_and_prose():
    items, skipped, entries = entries_of("plain_titles.md")
    assert [i.title for i in items] == [
        "Training language models to follow instructions with human feedback",
        "Improving alignment of dialogue agents via targeted human judgements",
        "Second Thoughts are Best: Learning to Re-Align With Human Values from Text Edits",
        "OpenAssistant Conversations",
    ]
    assert items[0].year == 2022 and items[0].links == [("paper", "https://arxiv.org/abs/2203.02155")]
    assert ("code", "https://github.com/LAION-AI/Open-Assistant") in items[3].links
    second = next(e for e in entries if e.data and e.data["title"].startswith("Second Thoughts"))
    assert second.data["identifiers"] == {"openreview": "u6OfmaGIya1"} and "no year" in second.problem
    assert sorted((s.line, s.reason) for s in skipped) == [
        (5, "in the 'News' section"),
        (13, "a sentence with a link"),
    ]


def test_numbered_entries_italic_authors_badges_and_short_names():
    items, skipped, entries = entries_of("numbered.md")
    laskar = by_title(items, "A Systematic Study")
    assert (laskar.authors, laskar.year) == ("Laskar et al.", 2023)
    assert laskar.venue.startswith("ACL") and "2023" in laskar.venue
    orru = by_title(items, "Human-like")
    assert (orru.authors, orru.year) == ("Graziella Orrù et al.", 2023)
    t5 = by_title(items, "Exploring the Limits")
    assert (t5.short_name, t5.venue, t5.year) == ("T5", "JMLR 2019", 2019)
    assert ("checkpoint", "https://huggingface.co/t5-11b") in t5.links
    assert by_title(items, "CommonCrawl").year is None  # a name and a source link only
    nq = by_title(items, "Natural questions")
    # the authors sit on an indented line after a blank line; the ACL id gives the year; the badge the kind
    assert (nq.short_name, nq.authors, nq.year, nq.kind) == ("NQ", "Tom Kwiatkowski et al.", 2019, "dataset")
    dev = by_title(items, "On measuring")
    assert (dev.authors, dev.venue, dev.year) == ("Sunipa Dev et al.", "AAAI 2020", 2020)
    mctaco = by_title(items, '"Going on a vacation"')  # the outer quotes go, the quoted words inside stay
    assert (
        mctaco.title
        == '"Going on a vacation" takes longer than "Going for a walk": A Study of Temporal '
        "Commonsense Understanding"
        and mctaco.short_name == "MCTACO"
    )
    nq_entry = next(e for e in entries if e.data and e.data["title"].startswith("Natural"))
    assert nq_entry.data["kind"] == "dataset" and nq_entry.data["identifiers"] == {"acl": "Q19-1026"}


def test_tables_columns_found_by_headers():
    items, skipped, _ = entries_of("tables.md")
    got = {i.title: (i.year, i.links[0]) for i in items}
    assert got["MMLU-Pro"] == (2024, ("code", "https://github.com/TIGER-AI-Lab/MMLU-Pro"))
    assert got["HumanEval"] == (2021, ("paper", "https://arxiv.org/abs/2107.03374"))
    assert got["GSM8K"][0] == 2021  # a row after a blank line continues the table above
    assert got["Attention Is All You Need"] == (2017, ("paper", "https://arxiv.org/pdf/1706.03762.pdf"))
    assert got["GPT-4 Technical Report"][0] == 2023  # from the Date column '2023-03'
    assert got["OpenCompass"][0] is None  # the tools table has no year column
    assert "OpenLLM" in got  # '[[Link](url)]' inside the title cell is a link, not part of the title
    assert [(s.line, s.reason) for s in skipped] == [(27, "a table's header row")]


def test_sub_bullet_authors_badge_links_br_grouping_and_year_lines():
    items, skipped, entries = entries_of("nested.md")
    survey = by_title(items, "AI Alignment")
    assert survey.authors == "Jiaming Ji, Tianyi Qiu, Boyuan Chen, Borong Zhang" and survey.venue == "arXiv"
    assert survey.year == 2023  # arXiv 2310. beats the list's 'arXiv, 2024'
    cppo = by_title(items, "CPPO")
    assert (cppo.venue, cppo.year) == ("ICLR 2024", 2024)
    beyond = by_title(items, "Beyond Factuality")
    # the badge's link points to another paper: the title's own link gives the arXiv id
    assert beyond.links == [("paper", "https://arxiv.org/abs/2310.07289")]
    assert (beyond.venue, beyond.year, beyond.authors) == (
        "EMNLP 2023",
        2023,
        "Liang Chen, Yang Deng, Yatao Bian et al.",
    )
    titles = [i.title for i in items]
    assert "DeepSeek" not in titles and "DeepSeek-V3" in titles  # a grouping bullet is not an entry
    assert by_title(items, "GPT-4").year == 2023  # '*2023*' on its own line
    e = next(e for e in entries if e.data and e.data["title"].startswith("Beyond"))
    assert e.data["authors"] == [
        {"family": "Chen", "given": "Liang"},
        {"family": "Deng", "given": "Yang"},
        {"family": "Bian", "given": "Yatao"},
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in MD.glob("*.md")))
def test_every_linked_item_is_accounted_for_and_written_records_validate(name, empty_catalog):
    text = (MD / name).read_text()
    res = run("import", "markdown", MD / name, "--catalog", empty_catalog)
    reported = {int(m.group(1)) for m in re.finditer(rf"{re.escape(name)}:(\d+)(?:-\d+)?: ", res.output)}
    ranges = [(int(a), int(b)) for a, b in re.findall(rf"{re.escape(name)}:(\d+)-(\d+): ", res.output)]
    merged = {int(n) for n in re.findall(rf"{re.escape(name)}:(\d+)", res.output)}
    for line in linked_lines(text):
        covered = line in reported or line in merged or any(a <= line <= b for a, b in ranges)
        assert covered, f"line {line} of {name} is not in the report:\n{res.output}"
    cat = load_catalog(empty_catalog)
    assert not cat.errors, [str(d) for d in cat.errors]
    written = len([p for p in empty_catalog.glob("*/*.yaml") if p.parent.name != "vocabularies"])
    assert f"{written} imported" in res.output


def test_dry_run_reports_and_writes_nothing(empty_catalog):
    res = run("import", "markdown", MD / "year_headings.md", "--catalog", empty_catalog, "--dry-run")
    assert "would import" in res.output and "unusable" in res.output
    assert not [p for p in empty_catalog.glob("*/*.yaml") if p.parent.name != "vocabularies"]


def test_existing_works_are_duplicates_even_when_the_list_gives_no_year(empty_catalog):
    papers = empty_catalog / "papers"
    papers.mkdir()
    (papers / "lu2022-second-thoughts.yaml").write_text(
        "id: lu2022-second-thoughts\nkind: paper\n"
        "title: 'Second Thoughts are Best: Learning to Re-Align With Human Values from Text Edits'\n"
        "year: 2022\nidentifiers: {openreview: u6OfmaGIya1}\n"
    )
    (papers / "ouyang2022-instructgpt.yaml").write_text(
        "id: ouyang2022-instructgpt\nkind: paper\n"
        "title: Training language models to follow instructions with human feedback\n"
        "year: 2022\nidentifiers: {arxiv: '2203.02155'}\n"
    )
    cat = load_catalog(empty_catalog, checks=False)
    items, skipped = read_markdown((MD / "plain_titles.md").read_text())
    entries = items_to_entries(items, "plain_titles.md", skipped=skipped)
    resolve_entries(entries, cat, empty_catalog)
    outcome = {e.source: (e.outcome, e.reason) for e in entries}
    assert outcome["plain_titles.md:9"] == (
        DUPLICATE,
        "duplicate of 'ouyang2022-instructgpt' (same arxiv 2203.02155)",
    )
    # no year in the list, but the catalog has the work: a duplicate, not 'unusable'
    assert (
        outcome["plain_titles.md:11"][0] == DUPLICATE
        and "lu2022-second-thoughts" in outcome["plain_titles.md:11"][1]
    )
    assert outcome["plain_titles.md:5"][0] == SKIPPED
    assert [e.outcome for e in entries].count(IMPORTED) == 2


def test_titles_in_another_script_are_not_one_work():
    items, _, entries = entries_of("nested.md")
    blogs = [e for e in entries if e.data and e.data["title"].startswith(("大", "深"))]
    assert len(blogs) == 2 and not any(e.merged_from for e in blogs)
    assert all("no year" in e.problem for e in blogs)


def test_one_identifier_under_a_name_and_a_title_is_one_work_and_under_two_titles_a_slip():
    text = (
        "## Benchmarks\n\n"
        "- [Holistic Evaluation of Language Models](https://arxiv.org/abs/2211.09110) - Percy Liang. arXiv 2022.\n"
        "- [HELM](https://arxiv.org/abs/2211.09110)\n"
        "- [Dense Reward for Free in Reinforcement Learning from Human Feedback](https://openaccess.thecvf.com/x.html)\n"
        "- [RLHF-V: Towards Trustworthy MLLMs via Behavior Alignment](https://openaccess.thecvf.com/x.html)\n"
    )
    items, skipped = read_markdown(text)
    entries = items_to_entries(items, "l.md", skipped=skipped)
    helm = next(e for e in entries if e.data and e.data["title"].startswith("Holistic"))
    assert helm.merged_from == ["l.md:4"]  # the name and the full title, one arXiv id: one work
    slip = next(e for e in entries if e.outcome == UNUSABLE)
    assert slip.source == "l.md:6" and "same page openaccess.thecvf.com/x.html as line 5" in slip.reason


def test_a_name_only_entry_with_no_year_is_a_duplicate_of_the_record_with_that_short_name(empty_catalog):
    (empty_catalog / "benchmarks").mkdir()
    (empty_catalog / "benchmarks" / "liang2022-helm.yaml").write_text(
        "id: liang2022-helm\nkind: benchmark\ntitle: Holistic Evaluation of Language Models\nshort_name: HELM\n"
        "year: 2022\n"
    )
    (empty_catalog / "benchmarks" / "naous2023-camel.yaml").write_text(
        "id: naous2023-camel\nkind: benchmark\ntitle: Having Beer after Prayer? Measuring Cultural Bias in Large "
        "Language Models\nshort_name: CAMeL\nyear: 2023\n"
    )
    text = (
        "## Leaderboards\n\n| Name | Link |\n| --- | --- |\n"
        "| HELM | [Source](https://crfm.stanford.edu/helm/) |\n"
        "| CAMEL | [Source](https://www.camel-ai.org/) |\n"
        "| Training language models to follow instructions with human feedback | [Paper](https://openreview.net/forum?id=TG8KACxEON) |\n"
    )
    (empty_catalog / "papers").mkdir()
    (empty_catalog / "papers" / "ouyang2022-instructgpt.yaml").write_text(
        "id: ouyang2022-instructgpt\nkind: paper\n"
        "title: Training language models to follow instructions with human feedback\nyear: 2022\n"
    )
    cat = load_catalog(empty_catalog, checks=False)
    items, skipped = read_markdown(text)
    entries = items_to_entries(items, "t.md", skipped=skipped)
    resolve_entries(entries, cat, empty_catalog)
    got = {e.source: (e.outcome, e.record_id) for e in entries}
    assert got["t.md:5"] == (DUPLICATE, "liang2022-helm")
    assert got["t.md:6"][0] == UNUSABLE  # 'CAMEL' is not 'CAMeL': names are compared as written
    assert got["t.md:7"] == (DUPLICATE, "ouyang2022-instructgpt")  # the exact title, and no year to compare


def test_an_entry_year_far_from_its_link_id_keeps_the_stated_year_and_drops_the_id():
    text = (
        "## Knowledge\n\n"
        '1. MMLU: **"Measuring Massive Multitask Language Understanding"**. *Dan Hendrycks et al.* ICLR 2021. '
        "[[Paper](http://arxiv.org/abs/1506.06724v1)]\n"
        '2. **"Prompting GPT-3 To Be Reliable"**. *Chenglei Si et al.* ICLR 2023. [[Paper](https://arxiv.org/abs/2210.09150)]\n'
    )
    items, skipped = read_markdown(text)
    entries = items_to_entries(items, "k.md", skipped=skipped)
    mmlu, si = (e.data for e in entries)
    assert (
        mmlu["year"] == 2021 and "identifiers" not in mmlu
    )  # the link is to a 2015 paper: not recorded as the id
    assert any("arxiv id 1506.06724 is from 2015" in n for n in mmlu["notes"])
    assert si["year"] == 2022 and si["venue"] == "ICLR 2023"  # one year before its venue: the preprint's year
