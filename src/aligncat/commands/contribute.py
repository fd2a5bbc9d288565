"""Command line: contributing (`new`, `import bibtex|markdown`, `fmt`, `readme`), thin shells over the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..model import KINDS
from .options import catalog_option

CATALOG_OPT = catalog_option(dest="catalog_dir")
RESOURCE_TYPES = (
    "blog-post",
    "tool",
    "book",
    "instrument",
    "model",
    "leaderboard",
    "website",
    "report",
    "theory",
)


def _load(catalog_dir: Path):
    """The catalog for duplicate checks and taxonomy lookups; records with errors do not stop an import."""
    from ..pipeline import load_catalog

    if not (catalog_dir / "catalog.yaml").exists():
        raise click.UsageError(f"{catalog_dir} is not a catalog folder (no catalog.yaml); pass -C/--catalog DIR")
    return load_catalog(catalog_dir, checks=False)


def _read_input(path: str) -> tuple[str, str]:
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8"), str(p)
    except FileNotFoundError:
        raise click.UsageError(f"no file {path}") from None
    except UnicodeDecodeError as e:
        raise click.UsageError(
            f"{path} is not UTF-8 text ({e.reason} at byte {e.start}); convert it first"
        ) from None


def _finish(entries, catalog_dir: Path, *, dry_run: bool) -> None:
    from ..importers.common import FAILED, report_lines, validate_before_writing, write_entries

    validate_before_writing(entries, catalog_dir)  # nothing `aligncat validate` would reject is written
    write_entries(entries, dry_run=dry_run)
    for line in report_lines(entries, dry_run=dry_run):
        click.echo(line)
    if any(e.outcome in FAILED for e in entries):
        sys.exit(1)


def register(group: click.Group) -> None:
    @group.command("new")
    @click.argument("kind", type=click.Choice(KINDS), required=False)
    @CATALOG_OPT
    @click.option("--title", help="The work's full title.")
    @click.option("--year", type=int, help="Year of first public release.")
    @click.option(
        "--author", "authors", multiple=True, help="'Family, Given' or an organisation (repeatable)."
    )
    @click.option("--venue", help="Where it was published, e.g. 'NeurIPS 2022'.")
    @click.option("--category", "categories", multiple=True, help="A taxonomy category id (repeatable).")
    @click.option("--tag", "tags", multiple=True, help="A tag id (repeatable).")
    @click.option("--url", help="The paper's (or resource's) web page.")
    @click.option("--summary", help="One to three sentences in your own words.")
    @click.option(
        "--resource-type", type=click.Choice(RESOURCE_TYPES), help="For resources: what sort it is."
    )
    @click.option("--id", "record_id", help="The record id (default: family name, year and title words).")
    @click.option(
        "--bibtex", "bibtex_file", help="Fill the record from the first entry of a .bib FILE ('-': stdin)."
    )
    @click.option("--arxiv", "arxiv_id", help="Fill the record from arXiv (network lookup, 15 s time-out).")
    @click.option(
        "--force", is_flag=True, help="Overwrite an existing record file, and skip the duplicate check."
    )
    @click.option("--dry-run", is_flag=True, help="Print the record instead of writing it.")
    def new(
        kind,
        catalog_dir,
        title,
        year,
        authors,
        venue,
        categories,
        tags,
        url,
        summary,
        resource_type,
        record_id,
        bibtex_file,
        arxiv_id,
        force,
        dry_run,
    ) -> None:
        """Scaffold a valid record of KIND: from flags, prompts, a BibTeX entry or an arXiv id.

        \b
        Examples:
          aligncat new paper --title "..." --year 2023 --author "Ouyang, Long" --category def-instructions
          aligncat new --arxiv 2203.02155 --category def-preferences-feedback
          aligncat new dataset --bibtex entry.bib
        """
        from ..importers.common import IMPORTED
        from ..importers.scaffold import build_record, check_flags, known_duplicate, parse_author, scaffold
        from ..yamlio import record_yaml

        cat = _load(catalog_dir)
        problems = check_flags(cat, year=year, categories=categories, tags=tags, url=url, record_id=record_id)
        if problems:
            raise click.UsageError("; ".join(problems))
        data: dict = {}
        source = "flags"
        if bibtex_file:
            from ..importers.bibtex import parse_bibtex

            text, name = _read_input(bibtex_file)
            parsed = [e for e in parse_bibtex(text, name, kind=kind or "paper") if e.outcome != "not an entry"]
            if not parsed:
                raise click.UsageError(f"{name} holds no BibTeX entry")
            if parsed[0].data is None:
                raise click.UsageError(f"{parsed[0].source}: {parsed[0].reason}")
            data, source = parsed[0].data, parsed[0].source
        elif arxiv_id:
            from ..importers.arxiv import LookupError_, fetch_arxiv, parse_arxiv_atom
            from ..importers.common import arxiv_from

            clean = arxiv_from(arxiv_id if "arxiv" in arxiv_id.lower() else f"arXiv:{arxiv_id}")
            if not clean:
                raise click.UsageError(f"'{arxiv_id}' is not an arXiv id; write it like 2203.02155")
            # the catalog first: no network lookup for a work it already holds
            dup = None if force else known_duplicate(cat, arxiv=clean, title=title, year=year,
                                                      authors=[parse_author(a) for a in authors])
            if dup is not None:
                click.echo(f"error: duplicate of '{dup.record_id}' ({dup.reason}); pass --force to add it anyway",
                           err=True)
                sys.exit(1)
            try:
                data = parse_arxiv_atom(fetch_arxiv(clean), clean)
            except LookupError_ as e:
                click.echo(f"error: {e}", err=True)
                sys.exit(1)
            source = f"arXiv {clean}"
        interactive = sys.stdin.isatty() and not bibtex_file and not arxiv_id
        kind = kind or data.get("kind")
        if not kind:
            if not interactive:
                raise click.UsageError(f"name the KIND: aligncat new {'|'.join(KINDS)} ...")
            kind = click.prompt("kind", type=click.Choice(KINDS), default="paper")
        title = title or data.get("title") or (click.prompt("title") if interactive else None)
        year = year or data.get("year") or (click.prompt("year", type=int) if interactive else None)
        if not title or not year:
            raise click.UsageError("a record needs --title and --year (or --bibtex FILE / --arxiv ID)")
        problems = check_flags(cat, year=year)
        if problems:
            raise click.UsageError("; ".join(problems))
        if kind == "resource" and not resource_type and interactive:
            resource_type = click.prompt("resource type", type=click.Choice(RESOURCE_TYPES))
        data = build_record(data, kind=kind, title=title, year=year, authors=authors, venue=venue,
                            categories=categories, tags=tags, url=url, summary=summary,
                            resource_type=resource_type, record_id=record_id)
        entry = scaffold(data, source, cat, catalog_dir, force=force, exact_id=bool(record_id))
        if entry.outcome != IMPORTED:
            click.echo(f"error: {entry.reason}", err=True)
            sys.exit(1)
        text = record_yaml(entry.data)
        if dry_run:
            click.echo(text, nl=False)
        else:
            from ..atomic import write_atomic

            write_atomic(entry.path, text)
            click.echo(f"wrote {entry.path}")
        if entry.dropped:
            click.echo(f"left out, as it would not validate: {'; '.join(entry.dropped)}", err=True)
        if "summary" not in entry.data and not dry_run:
            click.echo("next: add a summary in your own words, and relations to other records", err=True)

    @group.group("import")
    def import_group() -> None:
        """Bring records in from a BibTeX file or an awesome-list README; every entry is accounted for."""

    @import_group.command("bibtex")
    @click.argument("files", nargs=-1, required=True, metavar="FILE...")
    @CATALOG_OPT
    @click.option(
        "--kind",
        type=click.Choice(KINDS),
        default="paper",
        show_default=True,
        help="Kind of the records made (an entry's note 'Dataset' or 'Benchmark' overrides it).",
    )
    @click.option(
        "--category", "categories", multiple=True, help="File every imported record under this category."
    )
    @click.option("--force", is_flag=True, help="Overwrite existing files and import duplicates anyway.")
    @click.option("--dry-run", is_flag=True, help="Report what would happen; write nothing.")
    def import_bibtex(files, catalog_dir, kind, categories, force, dry_run) -> None:
        """Import every entry of one or more BibTeX FILEs ('-' for stdin) as records.

        Several files are read as one bibliography: @string macros and crossref parents may sit in any of them
        (e.g. `aligncat import bibtex abbrev.bib refs.bib crossref.bib`). Each entry is imported, reported as a
        duplicate of an existing record (which one and why: same arXiv id, DOI, ACL or OpenReview id, or a title
        match with the same year and first author), reported as not a work (a @proceedings volume), or reported
        unusable or invalid with the reason and the fix. Every record is checked as `aligncat validate` would
        before it is written. Exits 1 when any entry was unusable, invalid or blocked.
        """
        from ..importers.bibtex import parse_bibtex_files
        from ..importers.common import resolve_entries

        cat = _load(catalog_dir)
        unknown = [c for c in categories if c not in cat.taxonomy.categories]
        if unknown:
            raise click.UsageError(f"no category {', '.join(unknown)}; see catalog/taxonomy.yaml")
        entries = parse_bibtex_files([_read_input(f) for f in files], kind=kind)
        for e in entries:
            if e.data is not None and categories:
                e.data["categories"] = list(categories)
        resolve_entries(entries, cat, catalog_dir, force=force)
        _finish(entries, catalog_dir, dry_run=dry_run)

    @import_group.command("markdown")
    @click.argument("file")
    @CATALOG_OPT
    @click.option(
        "--map",
        "mappings",
        multiple=True,
        metavar="HEADING=CATEGORY",
        help="File entries under HEADING in CATEGORY (repeatable); other headings match category titles.",
    )
    @click.option("--kind", type=click.Choice(KINDS), default="paper", show_default=True)
    @click.option("--force", is_flag=True, help="Overwrite existing files and import duplicates anyway.")
    @click.option("--dry-run", is_flag=True, help="Report what would happen; write nothing.")
    def import_markdown(file, catalog_dir, mappings, kind, force, dry_run) -> None:
        """Import an awesome-list README: list items, entry paragraphs and table rows become records.

        Repeats merge into one record filed under every category they were listed in. Every list item or table
        row with a link is reported: imported, a duplicate of which record, unusable with the reason and line,
        or not an entry (a table of contents, a news line). Formats read: docs/importing.md."""
        from ..importers.common import resolve_entries
        from ..importers.markdown import items_to_entries, read_markdown

        cat = _load(catalog_dir)
        mapping = {}
        for m in mappings:
            heading, sep, category = m.rpartition("=")
            if not sep or not heading:
                raise click.UsageError(f"--map wants HEADING=CATEGORY, got '{m}'")
            if category not in cat.taxonomy.categories:
                raise click.UsageError(f"--map {m}: no category '{category}' in the taxonomy")
            mapping[heading.strip()] = category
        text, name = _read_input(file)
        items, skipped = read_markdown(text)
        entries = items_to_entries(
            items, name, taxonomy=cat.taxonomy, mapping=mapping, kind=kind, skipped=skipped,
            tag_ids=set(cat.tags),
        )
        if not entries:
            raise click.UsageError(
                f"{name}: found no entries (list items, entry paragraphs or table rows with a title and a link)"
            )
        resolve_entries(entries, cat, catalog_dir, force=force)
        _finish(entries, catalog_dir, dry_run=dry_run)

    @group.command("fmt")
    @click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
    @click.option("--check", is_flag=True, help="Change nothing; exit 1 if any file is not canonical.")
    @catalog_option(dest="catalog_dir")
    def fmt(paths, check, catalog_dir) -> None:
        """Rewrite catalog YAML in canonical key order and style (PATHS: files or folders; default: the catalog
        folder, -C/--catalog).

        Comments, quotes and values are kept; each file is written atomically.
        """
        from ..fmt import format_paths

        targets = list(paths) or [catalog_dir]
        results = format_paths(targets, check=check)
        errors = [r for r in results if r.error]
        changed = [r for r in results if r.changed]
        for r in errors:
            click.echo(str(r.error), err=True)
        for r in changed:
            click.echo(f"{'would reformat' if check else 'reformatted'} {r.path}")
        click.echo(
            f"{len(results)} files, {len(changed)} {'not canonical' if check else 'reformatted'}, "
            f"{len(errors)} unreadable",
            err=True,
        )
        if check and changed:
            cmd = (
                "aligncat fmt "
                + " ".join(str(r.path) for r in changed[:20])
                + (" ..." if len(changed) > 20 else "")
            )
            click.echo(
                f"to fix, run: {cmd if len(changed) <= 20 else 'aligncat fmt ' + ' '.join(map(str, targets))}",
                err=True,
            )
        sys.exit(1 if errors or (check and changed) else 0)

    @group.command("readme")
    @CATALOG_OPT
    @click.option(
        "--update",
        "update",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Replace the list between the aligncat:readme marks of this file.",
    )
    def readme(catalog_dir, update) -> None:
        """Print the catalog as an awesome-list README section (each work once, anchors that resolve)."""
        from ..atomic import write_atomic
        from ..cli import load_or_exit
        from ..export import export
        from ..export.awesome_md import BEGIN_MARK, END_MARK, replace_between_marks

        text = export(load_or_exit(catalog_dir), "awesome-md")
        if not update:
            click.echo(text, nl=False)
            return
        try:
            current = update.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise click.UsageError(f"no file {update}") from None
        new_text = replace_between_marks(current, text)
        if new_text is None:
            raise click.UsageError(
                f"{update} has no list marks; add these two lines where the list goes:\n"
                f"{BEGIN_MARK}\n{END_MARK}"
            )
        if new_text != current:
            write_atomic(update, new_text)
        click.echo(f"{'updated' if new_text != current else 'unchanged'}: {update}", err=True)
