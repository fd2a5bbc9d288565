#!/usr/bin/env python3
"""Benchmark script: synthetic catalogs at scale and the timings of each pipeline stage against their floors.

    scripts/bench.py generate --records 10000 --out /tmp/cat10k
    scripts/bench.py run --sizes 1000,10000 --stages parse,validate,warm,pipeline,build
    scripts/bench.py search --site SITE_PAGEFIND --lunr-site SITE_LUNR --query preference
    scripts/bench.py serve --sizes 120,1000     # save to reloaded page in `aligncat serve`, headless Chromium

Never imported by the package; see docs/benchmarks.md for the figures measured with it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# --- synthetic catalog ---------------------------------------------------------------------------------------------
# Words are invented-looking but pronounceable, so titles and summaries have realistic lengths and a search index
# of realistic size, without pretending to describe real works.
_SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ren",
    "sa",
    "tor",
    "vi",
    "del",
    "na",
    "qui",
    "bra",
    "zen",
    "fo",
    "lu",
    "mar",
    "ti",
    "gro",
    "pel",
    "sha",
    "yu",
    "dan",
    "ex",
    "or",
    "cal",
    "nim",
    "ves",
    "hal",
    "ru",
    "ost",
    "ib",
)
_TOPIC_WORDS = (
    "alignment",
    "preference",
    "feedback",
    "reward",
    "instruction",
    "values",
    "evaluation",
    "safety",
    "honesty",
    "harmlessness",
    "dialogue",
    "benchmark",
    "judge",
    "policy",
    "model",
    "learning",
    "tuning",
    "human",
    "language",
    "reasoning",
    "robustness",
    "bias",
    "ethics",
    "oversight",
    "data",
    "annotation",
    "comparison",
    "ranking",
    "critique",
    "principles",
    "culture",
    "society",
    "agent",
)
_FUNCTION_WORDS = ("of", "for", "with", "in", "from", "towards", "via", "and", "on", "beyond", "without")
_VENUES = (
    ("Conference on Synthetic Learning", "conference"),
    ("Journal of Generated Results", "journal"),
    ("Workshop on Placeholder Alignment", "workshop"),
    ("arXiv", "preprint"),
    ("Symposium on Benchmark Data", "conference"),
    ("Transactions on Fake Research", "journal"),
)
_LICENSES = ("CC-BY-4.0", "MIT", "Apache-2.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0")
_KIND_SHARE = (("paper", 0.6), ("dataset", 0.15), ("benchmark", 0.15), ("resource", 0.10))
FIRST_YEAR, LAST_YEAR = 1995, 2025


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))


def _sentence(rng: random.Random, words: int) -> str:
    out = []
    for i in range(words):
        r = rng.random()
        out.append(
            rng.choice(_TOPIC_WORDS) if r < 0.45 else rng.choice(_FUNCTION_WORDS) if r < 0.7 else _word(rng)
        )
    text = " ".join(out)
    return text[0].upper() + text[1:] + "."


def _taxonomy(rng: random.Random) -> tuple[dict, list[str], list[str]]:
    """Four goal levels, three perspectives, a primary tree of ~50 categories and a small secondary scheme."""
    levels = [
        {"id": f"level-{n}", "title": f"Level {n.title()}", "color": c}
        for n, c in zip(
            ("one", "two", "three", "four"), ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"), strict=True
        )
    ]
    perspectives = [{"id": p, "title": p.title()} for p in ("definition", "evaluation", "method")]
    cats: list[dict] = []
    leaf_ids: list[str] = []
    for p in perspectives:
        children = []
        for lv in levels:
            kid = {
                "id": f"{p['id']}-{lv['id']}",
                "title": f"{p['title']} at {lv['title']}",
                "goal_level": lv["id"],
                "children": [],
            }
            for j in range(3):
                leaf = f"{kid['id']}-{_word(rng)}{j}"
                kid["children"].append({"id": leaf, "title": _sentence(rng, 3).rstrip(".")})
                leaf_ids.append(leaf)
            children.append(kid)
        cats.append({"id": p["id"], "title": p["title"], "perspective": p["id"], "children": children})
    alt = [
        {
            "id": f"alt-{lv['id']}",
            "title": f"Alternative view of {lv['title']}",
            "goal_level": lv["id"],
            "maps_to": [f"{p['id']}-{lv['id']}" for p in perspectives],
        }
        for lv in levels
    ]
    taxonomy = {
        "goal_levels": levels,
        "perspectives": perspectives,
        "schemes": [
            {"id": "main", "title": "Main tree", "categories": cats},
            {"id": "alt", "title": "Alternative tree", "categories": alt},
        ],
    }
    return taxonomy, leaf_ids, [a["id"] for a in alt]


@dataclass
class _Planned:
    id: str
    kind: str
    year: int


def _authors(rng: random.Random) -> list[dict]:
    out = []
    for _ in range(rng.choice((1, 2, 3, 3, 4, 5, 6, 8))):
        if rng.random() < 0.05:
            out.append({"literal": f"{_word(rng).title()} Lab"})
        else:
            out.append(
                {"family": _word(rng).title(), "given": f"{_word(rng).title()} {rng.choice('ABCDEFGH')}."}
            )
    return out


def _pick_targets(rng: random.Random, pool: list[_Planned], count: int) -> list[_Planned]:
    """Earlier records, biased towards recent ones (works cite their near past) with some classics."""
    if not pool:
        return []
    chosen: dict[str, _Planned] = {}
    for _ in range(count * 3):
        if len(chosen) >= count:
            break
        idx = len(pool) - 1 - int(rng.expovariate(1 / 60)) if rng.random() < 0.8 else rng.randrange(len(pool))
        if 0 <= idx < len(pool):
            chosen.setdefault(pool[idx].id, pool[idx])
    return list(chosen.values())


def _relations(
    rng: random.Random, me: _Planned, earlier: list[_Planned], by_kind: dict[str, list[_Planned]]
) -> list:
    """~5 relations to earlier works, each of a type that fits both kinds; order and time hold by construction."""
    rels: list[dict] = []
    seen: set[tuple[str, str]] = set()

    def add(rtype: str, target: _Planned | None, reason: bool = True) -> None:
        if target is None or (rtype, target.id) in seen or target.id == me.id:
            return
        seen.add((rtype, target.id))
        rel = {"type": rtype, "target": target.id}
        if reason and rng.random() < 0.6:
            rel["reason"] = _sentence(rng, rng.randint(4, 9)).rstrip(".").lower()
        rels.append(rel)

    def latest(kinds: tuple[str, ...]) -> _Planned | None:
        options = [k for kind in kinds for k in by_kind[kind][-40:]]
        return rng.choice(options) if options else None

    if me.kind == "benchmark":  # benchmarks come from data (the benchmark-without-dataset rule)
        add("derived_from", latest(("dataset",)))
    if me.kind == "dataset" and rng.random() < 0.5:
        add("derived_from", latest(("dataset", "resource")))
    if me.kind in ("paper", "resource") and rng.random() < 0.4:
        add("introduces", latest(("dataset", "benchmark")))
    if me.kind == "paper" and rng.random() < 0.6:
        add("evaluates_on", latest(("benchmark", "dataset")))
    for target in _pick_targets(rng, earlier, rng.randint(3, 6)):
        add(rng.choice(("builds_on", "builds_on", "extends", "uses", "alternative_to", "critiques")), target)
    return rels


def generate_catalog(out: Path, records: int, seed: int = 7) -> Path:
    """Write a synthetic catalog of `records` records to `out` (which must not exist, or be empty)."""
    rng = random.Random(seed)
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty: give a new folder (nothing was written)")
    taxonomy, leaves, alt = _taxonomy(rng)
    tags = [{"id": f"tag-{_word(rng)}-{i}", "title": _sentence(rng, 2).rstrip(".")} for i in range(40)]
    kinds = [k for k, share in _KIND_SHARE for _ in range(int(share * 100))]
    planned: list[_Planned] = []
    for i in range(records):
        year = FIRST_YEAR + (i * (LAST_YEAR - FIRST_YEAR + 1)) // max(
            records, 1
        )  # nondecreasing: time order holds
        kind = "paper" if i in (0, records - 1) else rng.choice(kinds)
        planned.append(_Planned(f"{_word(rng)}{year}-{_word(rng)}-{i}", kind, year))
    survey = planned[-1]
    for name in ("papers", "datasets", "benchmarks", "resources", "vocabularies"):
        (out / name).mkdir(parents=True, exist_ok=True)
    _dump(
        out / "catalog.yaml",
        {
            "title": f"Synthetic catalog ({records:,} records)",
            "description": "Generated by scripts/bench.py for benchmarks. None of these works exist.",
            "survey": survey.id,
            "time_order_tolerance": 0,
        },
    )
    _dump(out / "taxonomy.yaml", taxonomy)
    _dump(out / "vocabularies" / "tags.yaml", {"tags": tags})
    by_kind: dict[str, list[_Planned]] = {k: [] for k, _ in _KIND_SHARE}
    for i, me in enumerate(planned):
        data: dict = {"id": me.id, "kind": me.kind, "title": _sentence(rng, rng.randint(6, 14)).rstrip(".")}
        if rng.random() < 0.5:
            data["short_name"] = _word(rng).title()
        data["authors"] = _authors(rng)
        data["year"] = me.year
        data["date"] = f"{me.year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        venue, venue_type = rng.choice(_VENUES)
        if me.kind == "resource":
            venue_type = "blog"
        else:
            data["venue"] = f"{venue} {me.year}" if venue != "arXiv" else venue
        data["venue_type"] = venue_type
        if me.kind != "resource":
            yy = me.year % 100
            data["identifiers"] = {"arxiv": f"{yy:02d}{(i % 12) + 1:02d}.{i:05d}"}
            if rng.random() < 0.5:
                data["identifiers"]["doi"] = f"10.5555/synthetic.{i}"
        data["links"] = [{"type": "paper", "url": f"https://example.org/works/{me.id}"}]
        if rng.random() < 0.5:
            data["links"].append({"type": "code", "url": f"https://example.org/code/{me.id}"})
        data["categories"] = rng.sample(leaves, rng.choice((1, 1, 2, 3)))
        if rng.random() < 0.2:
            data["categories"].append(rng.choice(alt))
        if me is survey:
            data["categories"] = [c["id"] for c in taxonomy["schemes"][0]["categories"]]
        data["tags"] = [t["id"] for t in rng.sample(tags, rng.randint(0, 3))]
        data["summary"] = " ".join(_sentence(rng, rng.randint(10, 22)) for _ in range(rng.randint(2, 3)))
        if me.kind == "dataset":
            data["dataset"] = {
                "size": f"{rng.randint(1, 900)}K examples",
                "instances": rng.randint(100, 900_000),
                "languages": ["en"] + (["zh"] if rng.random() < 0.2 else []),
                "modality": ["text"],
                "license": rng.choice(_LICENSES),
                "construction": [rng.choice(("human-written", "crowdsourced", "model-generated"))],
            }
        elif me.kind == "benchmark":
            data["benchmark"] = {
                "evaluates": _sentence(rng, 6).rstrip(".").lower(),
                "goal_level": taxonomy["goal_levels"][rng.randrange(4)]["id"],
                "protocol": [rng.choice(("multiple-choice", "pairwise", "llm-as-judge"))],
                "metrics": ["accuracy"],
                "size": f"{rng.randint(1, 50)}K prompts",
                "instances": rng.randint(100, 50_000),
                "languages": ["en"],
                "license": rng.choice(_LICENSES),
            }
        elif me.kind == "resource":
            data["resource"] = {"type": rng.choice(("blog-post", "tool", "website", "report"))}
        rels = _relations(rng, me, planned[:i], by_kind)
        if rels:
            data["relations"] = rels
        data["added"] = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        _dump(out / f"{me.kind}s" / f"{me.id}.yaml", data)
        by_kind[me.kind].append(me)
    return out


def _dump(path: Path, data: dict) -> None:
    path.write_text(
        yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8"
    )


# --- measuring -----------------------------------------------------------------------------------------------------


@dataclass
class Row:
    size: int
    stage: str
    seconds: float
    peak_mb: float
    floor: str = ""
    ratio: float | None = None
    note: str = ""
    cpu: float = 0.0

    def __post_init__(self) -> None:
        if not self.cpu:
            self.cpu = LAST_CPU[0]

    @property
    def rate(self) -> float:
        return self.size / self.seconds if self.seconds else float("inf")


def run_child(code: str, *args: str, env: dict | None = None) -> tuple[float, float, str]:
    """Run Python code in a fresh process: (wall seconds, peak RSS in MB of that process tree, its stdout).

    The CPU seconds it used are kept in LAST_CPU: on a shared machine they vary less than wall time.
    """
    script = (
        "import resource, sys, time\nt0 = time.perf_counter()\n" + code + "\nt1 = time.perf_counter()\n"
        "me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "peak = max(me.ru_maxrss, kids.ru_maxrss)\n"
        "cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime\n"
        "print(f'\\nBENCH {t1 - t0:.6f} {peak / 1024:.1f} {cpu:.3f}')\n"
    )
    env = dict(os.environ if env is None else env)
    # As installed (pip compiles every module), not as in a shell that forbids bytecode caches: with
    # PYTHONDONTWRITEBYTECODE set, every run compiles aligncat's modules again (~0.04 s, a sixth of a warm validate).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.run([PYTHON, "-c", script, *args], capture_output=True, text=True, env=env, cwd=REPO)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines or not lines[-1].startswith("BENCH "):
        raise RuntimeError(
            f"benchmark child failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        )
    _, secs, peak, cpu = lines[-1].split()
    LAST_CPU[0] = float(cpu)
    return float(secs), float(peak), "\n".join(lines[:-1])


LAST_CPU = [0.0]


PARSE_FLOOR = """
import glob, yaml
files = sorted(glob.glob(sys.argv[1] + '/*/*.yaml'))
for f in files:
    with open(f, 'rb') as fh:
        yaml.load(fh.read().decode('utf-8'), Loader=yaml.CSafeLoader)
"""

VALIDATE = """
import os
# Exactly what `aligncat validate CATALOG` runs (CLI imports included), with the cache under sys.argv[2].
if sys.argv[2] != 'off':
    os.environ['XDG_CACHE_HOME'] = sys.argv[2]
from aligncat.cli import main
try:
    main(['validate', '-C', sys.argv[1], *(['--no-cache'] if sys.argv[2] == 'off' else [])], standalone_mode=False)
except SystemExit as exc:
    if exc.code not in (0, None):
        print('validate failed with', exc.code, file=sys.stderr)
"""

MKDOCS_FLOOR = """
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(sys.argv[1] + '/mkdocs.yml'))
"""


PIPELINE = """
# aligncat's pipeline stage by stage in one process (the library, as the CLI runs it), each timed on its own:
# what the CPU seconds and the peak memory so far are after each stage.
import resource
from pathlib import Path
from aligncat import load, graph, rules
from aligncat.source import read_yaml
from aligncat.schema import validator_for
from aligncat.model import ALL_KINDS
from aligncat.site import render_site, run_engine

root, project, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
def usage():  # (CPU seconds, peak MB) of this process and its children so far
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, max(me.ru_maxrss, kids.ru_maxrss) / 1024
def stage(name, fn):
    w0, c0 = time.perf_counter(), usage()[0]
    out = fn()
    cpu, peak = usage()
    print(f"STAGE {name}|{time.perf_counter() - w0:.6f}|{cpu - c0:.3f}|{peak:.1f}")
    return out

files = load._record_files(root, [])
sources = stage("parse (aligncat's reader)", lambda: {rel: read_yaml(Path(p), rel) for p, rel, _ in files})
def schema():
    for p, rel, kind in files:
        src = sources[rel]
        k = src.data.get("kind") if isinstance(src.data, dict) else None
        validator_for(k if k in ALL_KINDS else kind).validate(src, src.data)
stage("schema", schema)
catalog = stage("records and indexes", lambda: load.read_catalog(
    root, reader=lambda p, rel, kind: (sources[rel].data, sources[rel].diagnostics)))
del sources
graph_codes = {code for code, r in rules.RULES.items() if r.stage == "graph"}
stage("rules", lambda: rules.run_rules(catalog, only=set(rules.RULES) - graph_codes))
stage("graph (rules, networkx graph, PageRank)", lambda: (rules.run_rules(catalog, only=graph_codes),
      graph.pagerank(graph.typed_view(graph.build_graph(catalog), None))))
site = work / "site"
result = stage("render (pages written)", lambda: render_site(catalog, work / "build", project_root=project,
                                                             site_dir=site))
stage(f"mkdocs build (search: {result.search_backend})", lambda: run_engine(
    result.config_file, "mkdocs", generated=result.generated, page_cache=False))
if result.search_backend == "pagefind":
    from aligncat.site.search import index_site
    stage("search index (Pagefind)", lambda: index_site(site))
"""


OWN_PAGES_FLOOR = """
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(sys.argv[1], site_dir=sys.argv[2]))
"""


def _write_mkdocs_floor(where: Path, pages: int, search: bool) -> Path:
    """A plain mkdocs-material project of `pages` pre-written pages of record-like length (no aligncat code)."""
    rng = random.Random(pages)
    docs = where / "docs"
    (docs / "records").mkdir(parents=True)
    (docs / "index.md").write_text("# Floor\n\nA plain mkdocs-material site for benchmarks.\n")
    for i in range(pages):
        body = [
            f"# {_sentence(rng, 9).rstrip('.')}",
            "",
            f"*{_word(rng).title()}, {_word(rng).title()} et al.*",
            "",
        ]
        body += [" ".join(_sentence(rng, 16) for _ in range(3)), "", "## Relations", ""]
        body += [f"- builds on [{_word(rng)}](r{max(i - k - 1, 0)}.md)" for k in range(5)]
        (docs / "records" / f"r{i}.md").write_text("\n".join(body) + "\n")
    plugins = "plugins:\n  - search\n" if search else "plugins: []\n"
    # Like aligncat's site, record pages are reached from listings, not from the navigation: a nav entry per page
    # would make every page carry the whole list (quadratic size) and would not be a fair floor.
    (where / "mkdocs.yml").write_text(
        f"site_name: Floor\nsite_dir: {where / 'site'}\ntheme:\n  name: material\n"
        f"  font: false\n{plugins}nav:\n  - Home: index.md\n"
        "not_in_nav: |\n  /records/\n"
    )
    # The home page links every record, as aligncat's listing pages do.
    (docs / "index.md").write_text(
        "# Floor\n\n" + "\n".join(f"- [{i}](records/r{i}.md)" for i in range(pages))
    )
    return where


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _touch_one_record(cat: Path) -> Path:
    """Change one record's summary (a real content change, not just mtime)."""
    target = sorted((cat / "papers").glob("*.yaml"))[len(list((cat / "papers").glob("*.yaml"))) // 2]
    text = target.read_text(encoding="utf-8")
    target.write_text(
        text.replace("summary: ", "summary: Changed for the warm benchmark. ", 1), encoding="utf-8"
    )
    return target


def _change_one_year(cat: Path, step: int) -> Path:
    """Move one record's year (and its date with it) by `step`: a year feeds the time-order rules of the records
    that relate to it, so this re-checks more than a summary edit does."""
    papers = sorted((cat / "papers").glob("*.yaml"))
    target = papers[len(papers) // 2]
    text = target.read_text(encoding="utf-8")
    year = int(re.search(r"^year: (\d+)$", text, re.M).group(1))
    text = re.sub(r"^year: \d+$", f"year: {year + step}", text, count=1, flags=re.M)
    text = re.sub(rf"^date: (['\"]?){year}-", rf"date: \g<1>{year + step}-", text, count=1, flags=re.M)
    target.write_text(text, encoding="utf-8")
    return target


def _warm_file_cache(cat: Path) -> None:
    """Read every file once, so the first measured stage does not pay the disk for the later ones."""
    for path in cat.rglob("*.yaml"):
        path.read_bytes()


def bench_size(size: int, stages: list[str], work: Path, rows: list[Row]) -> None:
    """Every requested stage at one size. Ratios use CPU seconds: on a shared machine wall time is noisy."""
    cat = work / f"cat{size}"
    if not cat.exists():
        t0 = time.perf_counter()
        generate_catalog(cat, size)
        print(f"  generated {size:,} records in {time.perf_counter() - t0:.1f} s into {cat}", file=sys.stderr)
    _warm_file_cache(cat)
    parse_floor = None
    if {"parse", "validate", "warm", "pipeline"} & set(stages):
        secs, peak, _ = run_child(PARSE_FLOOR, str(cat))
        parse_floor = LAST_CPU[0]
        rows.append(Row(size, "floor: CSafeLoader parse", secs, peak))
    cold = None
    if {"validate", "warm"} & set(stages):
        secs, peak, out = run_child(VALIDATE, str(cat), "off")
        cold = LAST_CPU[0]
        rows.append(Row(size, "validate --no-cache", secs, peak, "parse", cold / parse_floor, out.strip()))
        cache_dir = work / f"cache{size}"
        shutil.rmtree(cache_dir, ignore_errors=True)
        secs, peak, out = run_child(VALIDATE, str(cat), str(cache_dir))
        rows.append(
            Row(size, "validate, cache empty (fills it)", secs, peak, "parse", LAST_CPU[0] / parse_floor)
        )
    if "warm" in stages:
        secs, peak, _ = run_child(VALIDATE, str(cat), str(work / f"cache{size}"))
        rows.append(Row(size, "validate warm (unchanged)", secs, peak, "cold", LAST_CPU[0] / cold))
        _touch_one_record(cat)
        secs, peak, out = run_child(VALIDATE, str(cat), str(work / f"cache{size}"))
        rows.append(
            Row(size, "validate warm (1 summary changed)", secs, peak, "cold", LAST_CPU[0] / cold, out.strip())
        )
        changed = _change_one_year(cat, -1)
        secs, peak, out = run_child(VALIDATE, str(cat), str(work / f"cache{size}"))
        rows.append(
            Row(size, "validate warm (1 year changed)", secs, peak, "cold", LAST_CPU[0] / cold, out.strip())
        )
        _change_one_year(cat, +1)  # put it back, so the catalog stays the one generated
        print(f"  year changed in {changed.name}", file=sys.stderr)
    if "pipeline" in stages:
        pipe = work / f"pipeline{size}"
        shutil.rmtree(pipe, ignore_errors=True)
        _, _, out = run_child(PIPELINE, str(cat), str(_bench_project(work)), str(pipe))
        for line in out.splitlines():
            if line.startswith("STAGE "):
                name, secs, cpu, peak = line[6:].split("|")
                LAST_CPU[0] = float(cpu)
                floor = ("parse", float(cpu) / parse_floor) if parse_floor and name.startswith("parse") else ("", None)
                rows.append(Row(size, f"pipeline: {name}", float(secs), float(peak), *floor, note="peak so far"))
        shutil.rmtree(pipe, ignore_errors=True)
    # The builds run first: the mkdocs floor then gets as many pages as aligncat's site has (records plus its
    # listing, category, tag and guide pages), so both sides build the same page count.
    built: list[tuple[Row, int]] = []
    for name, engine in (("build", "mkdocs"), ("zensical", "zensical")):
        if name in stages:
            built += _bench_build(size, cat, work, rows, engine=engine, own_floor="own-floor" in stages)
    if {"build", "zensical", "mkdocs"} & set(stages):
        pages = max((site_pages for _, site_pages in built), default=size + 1)
        floor_dir = work / f"mkdocs{size}"
        shutil.rmtree(floor_dir, ignore_errors=True)
        _write_mkdocs_floor(floor_dir, pages - 1, search=True)
        secs, peak, _ = run_child(MKDOCS_FLOOR, str(floor_dir))
        mk_floor = LAST_CPU[0]
        floor_row = Row(
            size,
            f"floor: plain mkdocs build (+search), {pages:,} pages",
            secs,
            peak,
            note=f"{_dir_bytes(floor_dir / 'site') / pages / 1024:.1f} kB/page",
        )
        rows.insert(rows.index(built[0][0]) if built else len(rows), floor_row)
        for row, _ in built:
            row.floor, row.ratio = "mkdocs", row.cpu / mk_floor


def _html_pages(site: Path) -> int:
    """The pages of a built site: its HTML files outside the theme's and search's own folders."""
    skip = {"assets", "pagefind", "search"}
    return sum(1 for p in site.rglob("*.html") if not skip & set(p.relative_to(site).parts[:-1]))


def _bench_project(work: Path) -> Path:
    """A copy of this project's site settings and docs, so benchmark builds never touch the repository's."""
    proj = work / "project"
    if not proj.exists():
        proj.mkdir(parents=True)
        shutil.copy2(REPO / "mkdocs.yml", proj / "mkdocs.yml")
        if (REPO / "docs").is_dir():
            shutil.copytree(REPO / "docs", proj / "docs")
        if (REPO / "node_modules").is_dir():
            (proj / "node_modules").symlink_to(REPO / "node_modules")
    return proj


def _bench_build(
    size: int, cat: Path, work: Path, rows: list[Row], engine: str = "mkdocs", own_floor: bool = False
) -> list[tuple[Row, int]]:
    """A cold build, then one after a record changed: the cold row (its floor ratio is filled in later) and
    how many pages the site has."""
    out_dir = work / f"site{size}-{engine}"
    shutil.rmtree(out_dir, ignore_errors=True)
    # A cold build starts without the previous run's generated pages and engine cache.
    shutil.rmtree(_bench_project(work) / ".aligncat-build" / engine, ignore_errors=True)
    cmd = [
        "-m",
        "aligncat.cli",
        "build",
        "-C",
        str(cat),
        "--project",
        str(_bench_project(work)),
        "--engine",
        engine,
        "--site-dir",
        str(out_dir),
    ]
    code = (
        "import runpy\nsys.argv = ['aligncat'] + sys.argv[1:]\ntry:\n    runpy.run_module('aligncat.cli', "
        "run_name='__main__')\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
    )
    try:
        secs, peak, _ = run_child(code, *cmd[2:])
    except RuntimeError as exc:
        rows.append(
            Row(size, f"aligncat build --engine {engine}", float("nan"), 0, note=f"failed: {str(exc)[-300:]}")
        )
        return []
    cold = LAST_CPU[0]
    site_bytes = _dir_bytes(out_dir)
    search = "pagefind" if (out_dir / "pagefind").is_dir() else "lunr"
    site_pages = _html_pages(out_dir)
    cold_row = Row(
        size,
        f"build {engine} (cold)",
        secs,
        peak,
        note=f"{site_bytes / size / 1024:.1f} kB/record, {site_pages:,} pages, search: {search}",
    )
    rows.append(cold_row)
    if own_floor and engine == "mkdocs":
        # Plain `mkdocs build` of the very pages aligncat generated (its mkdocs.yml, no aligncat code): what the
        # engine would cost on these pages without aligncat's shortcuts. Slow at 10k and more (~40 ms a page).
        plain = work / f"plain{size}"
        shutil.rmtree(plain, ignore_errors=True)
        config = _bench_project(work) / ".aligncat-build" / "mkdocs" / "mkdocs.yml"
        secs3, peak3, _ = run_child(OWN_PAGES_FLOOR, str(config), str(plain))
        rows.append(Row(size, "floor: plain mkdocs on aligncat's pages", secs3, peak3))
        cold_row.note += f"; {cold / LAST_CPU[0]:.2f}x plain mkdocs on the same pages"
    _touch_one_record(cat)
    secs2, peak2, _ = run_child(code, *cmd[2:])
    rows.append(Row(size, f"build {engine} (1 changed)", secs2, peak2, "cold", LAST_CPU[0] / cold))
    return [(cold_row, site_pages)]


def print_table(rows: list[Row]) -> str:
    head = (
        f"| {'records':>7} | {'stage':<36} | {'wall s':>8} | {'cpu s':>7} | {'records/s':>10} | {'peak MB':>8} | "
        f"{'ratio':>12} | note |"
    )
    lines = [head, "|" + "---|" * 8]
    for r in rows:
        ratio = f"{r.ratio:.2f}x {r.floor}" if r.ratio is not None else ""
        lines.append(
            f"| {r.size:>7,} | {r.stage:<36} | {r.seconds:>8.2f} | {r.cpu:>7.2f} | {r.rate:>10,.0f} | "
            f"{r.peak_mb:>8.0f} | {ratio:>12} | {r.note} |"
        )
    return "\n".join(lines)


# --- browser search ------------------------------------------------------------------------------------------------

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _serve(site: Path):
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def browser_search(site: Path, query: str, backend: str) -> dict:
    """Open the site's search with a query in headless Chromium: seconds until results show, bytes fetched."""
    from playwright.sync_api import sync_playwright

    server, base = _serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            finished: list = []
            # Sizes are asked for after the clock stops: each request.sizes() is a round trip to the browser
            # (~20 ms), which would be counted as search time if asked while the query runs.
            page.on("requestfinished", lambda r: finished.append(r))
            # Typed as soon as the page has loaded: the time includes whatever the backend must download first.
            page.goto(base + ("find/" if backend == "pagefind" else ""), wait_until="load")
            start = time.perf_counter()
            if backend == "pagefind":
                page.fill(".pagefind-ui__search-input", query)
                page.wait_for_selector(".pagefind-ui__result-link", timeout=60_000)
            else:  # Material's lunr search: the header box, results in its drop-down
                page.fill("input.md-search__input", query)
                page.wait_for_selector(".md-search-result__item", timeout=120_000)
            seconds = time.perf_counter() - start
            count = page.locator(".pagefind-ui__result, .md-search-result__item").count()
            fetched = {r.url: r.sizes()["responseBodySize"] for r in finished}
            # How many pages matched (Pagefind: "N results for ..."; lunr: "N matching documents").
            message = page.locator(".pagefind-ui__message, .md-search-result__meta").first.inner_text()
            matched = int(m.group(0).replace(",", "")) if (m := re.search(r"[\d,]+", message)) else count
            browser.close()
    finally:
        server.shutdown()
    # Only what search itself needs: Pagefind's bundle, or lunr's index and worker (not the page or theme).
    mine = {
        u: n
        for u, n in fetched.items()
        if ("/pagefind/" in u if backend == "pagefind" else "/search/" in u or "/workers/search" in u)
    }
    return {
        "backend": backend,
        "seconds": seconds,
        "bytes": sum(mine.values()),
        "requests": len(mine),
        "results_shown": count,
        "matched": matched,
    }


def cmd_search(args: argparse.Namespace) -> int:
    rows = []
    for query in args.query.split(","):
        for site, backend in ((args.site, "pagefind"), (args.lunr_site, "lunr")):
            if not site:
                continue
            site = Path(site)
            if backend == "pagefind" and not (site / "pagefind").is_dir():
                raise SystemExit(f"{site} has no pagefind/ bundle: build it with extra.search_backend: pagefind")
            # Each run in a fresh browser: the first query of a page load varies by 2x with when Pagefind's
            # WebAssembly finished loading, so the median of several runs is printed, with the range.
            runs = [browser_search(site, query, backend) for _ in range(args.repeat)]
            times = sorted(r["seconds"] for r in runs)
            result = runs[0]
            result["seconds"] = times[len(times) // 2]
            result["range"] = f"{times[0]:.2f}-{times[-1]:.2f}"
            index = site / ("pagefind" if backend == "pagefind" else "search/search_index.json")
            result["index_bytes"] = _dir_bytes(index) if index.is_dir() else index.stat().st_size
            result["query"] = query
            rows.append(result)
    print(
        "| backend | query | pages matched | time to first results s, median (range) | bytes fetched by the query | "
        "requests | index on disk |\n|---|---|---|---|---|---|---|"
    )
    for r in rows:
        print(
            f"| {r['backend']} | {r['query']} | {r['matched']:,} | {r['seconds']:.2f} ({r['range']}) | {r['bytes']:,} | "
            f"{r['requests']} | {r['index_bytes']:,} |"
        )
    lunr = [r for r in rows if r["backend"] == "lunr"]
    for r in rows:
        if r["backend"] == "pagefind" and lunr:
            print(
                f"\nPagefind fetched {r['bytes'] / lunr[0]['index_bytes']:.1%} of the lunr index size for "
                f"'{r['query']}' ({r['bytes']:,} of {lunr[0]['index_bytes']:,} bytes)"
            )
    return 0


def browser_serve(size: int, work: Path, repeat: int) -> dict:
    """`aligncat serve` on a catalog of `size` records with a record page open in headless Chromium: seconds
    from saving an edit to the record until the page has reloaded by itself and shows it (each of `repeat`
    edits), and the first build's time."""
    import socket

    from playwright.sync_api import sync_playwright

    cat = work / f"cat{size}"
    if not cat.exists():
        generate_catalog(cat, size)
    target = sorted((cat / "papers").glob("*.yaml"))[len(list((cat / "papers").glob("*.yaml"))) // 2]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    project = _bench_project(work)
    shutil.rmtree(project / ".aligncat-build" / "serve-mkdocs", ignore_errors=True)
    log_path = work / f"serve{size}.log"
    log = open(log_path, "w")  # noqa: SIM115
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(Path(PYTHON).parent / "aligncat"), "serve", str(cat), "--project", str(project), "--dev-addr",
         f"127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        while "serving the site of" not in log_path.read_text():
            if proc.poll() is not None or time.perf_counter() - t0 > 900:
                raise RuntimeError("aligncat serve did not start:\n" + log_path.read_text()[-2000:])
            time.sleep(0.2)
        first = time.perf_counter() - t0
        times: list[float] = []
        cpus: list[float] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"http://127.0.0.1:{port}/records/{target.stem}/")
            for n in range(repeat):
                page.wait_for_timeout(1500)  # let the previous reload settle
                marker = f"Edit number {n} for the serve benchmark"
                text = target.read_text(encoding="utf-8")
                text = re.sub(r"^summary: (Edit number \d+ for the serve benchmark\. )?", f"summary: {marker}. ",
                              text, count=1, flags=re.M)
                cpu0 = _proc_cpu(proc.pid)
                saved = time.perf_counter()
                target.write_text(text, encoding="utf-8")
                page.wait_for_function(f"() => document.body.innerText.includes({marker!r})", timeout=120_000)
                times.append(time.perf_counter() - saved)
                cpus.append(_proc_cpu(proc.pid) - cpu0)
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    times.sort()
    cpus.sort()
    return {"size": size, "first": first, "median": times[len(times) // 2], "min": times[0], "max": times[-1],
            "cpu": cpus[len(cpus) // 2], "load": os.getloadavg()[0],
            "errors": errors, "log": [ln for ln in log_path.read_text().splitlines() if "rebuilt in" in ln]}


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cmd_serve(args: argparse.Namespace) -> int:
    work = Path(args.work or tempfile.mkdtemp(prefix="aligncat-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print("| records | first build s | save to reloaded page s, median (range) | serve's CPU s per edit, median | "
          "load average | console errors | rebuilds (as serve reports them) |")
    print("|---|---|---|---|---|---|---|")
    for size in (int(x.replace("k", "000")) for x in args.sizes.split(",")):
        r = browser_serve(size, work, args.repeat)
        print(f"| {size:,} | {r['first']:.1f} | {r['median']:.2f} ({r['min']:.2f}-{r['max']:.2f}) | {r['cpu']:.2f} | "
              f"{r['load']:.1f} | {len(r['errors'])} | {'; '.join(x.split('rebuilt in ')[-1] for x in r['log'])} |",
              flush=True)
    return 0


STAGES = ("parse", "validate", "warm", "pipeline", "mkdocs", "build", "zensical", "own-floor")


def cmd_generate(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    generate_catalog(Path(args.out), args.records, args.seed)
    print(
        f"wrote {args.records:,} records to {args.out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    sizes = [int(s.replace("k", "000")) for s in args.sizes.split(",")]
    stages = args.stages.split(",")
    unknown = set(stages) - set(STAGES)
    if unknown:
        raise SystemExit(f"unknown stage(s) {', '.join(sorted(unknown))}; choose from {', '.join(STAGES)}")
    work = Path(args.work or tempfile.mkdtemp(prefix="aligncat-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    for size in sizes:
        print(f"benchmarking {size:,} records in {work} ...", file=sys.stderr)
        bench_size(size, stages, work, rows)
        print(print_table(rows), file=sys.stderr)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, PyYAML {yaml.__version__}")
    print(print_table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps([r.__dict__ for r in rows], indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="write a synthetic catalog")
    g.add_argument("--records", type=int, required=True)
    g.add_argument("--out", required=True)
    g.add_argument("--seed", type=int, default=7)
    g.set_defaults(fn=cmd_generate)
    r = sub.add_parser("run", help="time every stage against its floor and print a table")
    r.add_argument("--sizes", default="1000,10000,50000", help="comma-separated record counts (1k = 1000)")
    r.add_argument(
        "--stages",
        default="parse,validate,warm,pipeline,mkdocs,build",
        help="comma-separated, from: " + ", ".join(STAGES),
    )
    r.add_argument(
        "--work", help="folder for catalogs, caches and sites (reused: catalogs are generated once)"
    )
    r.add_argument("--json", help="also write the rows as JSON here")
    r.set_defaults(fn=cmd_run)
    sr = sub.add_parser("search", help="time a search in headless Chromium and count the bytes it fetches")
    sr.add_argument("--site", help="a built site with the Pagefind backend")
    sr.add_argument("--lunr-site", help="the same catalog built with the lunr backend, to compare")
    sr.add_argument(
        "--query",
        default="preference",
        help="comma-separated queries, each timed in a fresh browser (e.g. a word most pages hold and a rare one)",
    )
    sr.add_argument("--repeat", type=int, default=5, help="runs per query (the median is printed)")
    sr.set_defaults(fn=cmd_search)
    sv = sub.add_parser("serve", help="time a saved edit until the open page (headless Chromium) shows it")
    sv.add_argument("--sizes", default="120,1000")
    sv.add_argument("--repeat", type=int, default=5)
    sv.add_argument("--work", help="folder for catalogs and the project copy (catalogs are generated once)")
    sv.set_defaults(fn=cmd_serve)
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
