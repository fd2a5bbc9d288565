"""Command line: a thin shell over the library (load -> validate -> graph -> render/export)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import click

from . import __version__
from .catalog import Catalog
from .commands.options import catalog_option
from .diagnostics import format_diagnostics, summary_line
from .model import KINDS

# The older form, a positional CATALOG: kept for other code that still decorates with it.
CATALOG_ARG = catalog_option(positional=True)


def _progress(label: str):
    """A progress bar on a terminal for long loads; silent in pipes and CI."""

    def wrap(items: list) -> Iterable:
        if len(items) < 500 or not sys.stderr.isatty():
            return items
        return _bar(items, label)

    return wrap


def _bar(items: list, label: str) -> Iterable:
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield from bar


def load_or_exit(catalog_dir: Path, *, quiet: bool = False, allow_invalid: bool = False,
                 use_cache: bool = True) -> Catalog:
    """Load the catalog (unchanged records from the on-disk cache); print its errors and exit 1 if it has any."""
    from .pipeline import load_catalog_cached

    catalog = load_catalog_cached(catalog_dir, use_cache=use_cache, progress=_progress("reading records"))
    if catalog.errors and not allow_invalid:
        click.echo(format_diagnostics(catalog.diagnostics, base=catalog_dir), err=True)
        click.echo(summary_line(catalog.diagnostics, catalog.files_read), err=True)
        click.echo("fix the errors above first (run `aligncat validate` to see them again)", err=True)
        sys.exit(1)
    return catalog


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="aligncat")
def main() -> None:
    """aligncat: validate, explore, export and publish a catalog of a survey's resources."""


@main.command()
@catalog_option(positional=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for tools, github for pull-request annotations.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--no-cache", is_flag=True,
              help="Read and check every file afresh, without the on-disk cache of unchanged records "
                   "($XDG_CACHE_HOME/aligncat; ALIGNCAT_NO_CACHE=1 does the same).")
def validate(catalog: Path, fmt: str, strict: bool, no_cache: bool) -> None:
    """Check every file of the catalog folder and report every problem with file:line:col and a fix.

    Exits 0 when the catalog is valid, 1 when any error (or, with --strict, any warning) was found.
    """
    from .pipeline import validate_catalog_cached

    # Only the diagnostics are needed here: the rules run over each record's facts (no frozen records, no graph),
    # and the cache skips every file whose bytes did not change.
    result = validate_catalog_cached(catalog, use_cache=not no_cache, progress=_progress("validating"))
    diags = result.diagnostics
    out = format_diagnostics(diags, fmt, base=catalog)
    if fmt == "json":
        click.echo(out)
    else:
        if out:
            click.echo(out)
        click.echo(summary_line(diags, result.files_read) + f", {result.records} valid records",
                   err=fmt == "github")
    failed = bool(result.errors) or (strict and bool(diags))
    sys.exit(1 if failed else 0)


def selection_options(fn):
    """The options that select a slice of the catalog, shared by every command that exports."""
    opts = [
        click.option("--category", "categories", multiple=True, help="Only records under this category (repeatable)."),
        click.option("--tag", "tags", multiple=True, help="Only records with this tag (repeatable: any of them)."),
        click.option("--kind", "kinds", multiple=True,
                     type=click.Choice(KINDS), help="Only this kind."),
        click.option("--id", "ids", multiple=True, help="Only this record (repeatable)."),
        click.option("--year-from", type=int, help="Only records from this year on."),
        click.option("--year-to", type=int, help="Only records up to this year."),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


def _list_formats(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from .export import available_formats

    for name, f in sorted(available_formats().items()):
        click.echo(f"{name:<12} {f.description}".rstrip())
    ctx.exit(0)


@main.command("export")
@click.option("--list", "list_formats", is_flag=True, expose_value=False, is_eager=True, callback=_list_formats,
              help="List the formats and exit.")
@click.argument("fmt", metavar="FORMAT")
@catalog_option(positional=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of standard output.")
@selection_options
def export_cmd(fmt: str, catalog: Path, output: Path | None, **selection) -> None:
    """Write the catalog, or a slice of it, as FORMAT (`aligncat export --list` names the formats; docs/cli.md
    lists them too)."""
    from .atomic import write_atomic
    from .export import Selection, available_formats, export

    formats = available_formats()
    if fmt not in formats:
        names = ", ".join(sorted(formats))
        raise click.UsageError(f"unknown format '{fmt}'; choose one of: {names}")
    cat = load_or_exit(catalog)
    sel = Selection(**{k: tuple(v) if isinstance(v, tuple) else v for k, v in selection.items()})
    unknown = [c for c in sel.categories if c not in cat.taxonomy.categories]
    if unknown:
        raise click.UsageError(f"no category {', '.join(map(repr, unknown))} in the taxonomy")
    text = export(cat, fmt, sel)
    if output:
        write_atomic(output, text)
        click.echo(f"wrote {output} ({len(sel.apply(cat))} records, {fmt})", err=True)
    else:
        click.echo(text, nl=False)


@main.command()
@catalog_option(positional=True)
def stats(catalog: Path) -> None:
    """Print counts of records by kind, goal level and perspective, category, tag and year."""
    cat = load_or_exit(catalog, allow_invalid=True)
    recs = cat.records.values()
    click.echo(f"{cat.info.title}: {len(recs)} records, "
               f"{sum(len(r.relations) for r in recs)} relations, {len(cat.errors)} errors")
    for title, rows in cat.counts():
        click.echo(f"\n{title}")
        width = max(len(k) for k, _ in rows)
        for k, v in rows:
            click.echo(f"  {k:<{width}}  {v:>5}")


from .commands import register_all  # noqa: E402  (after the core commands, so `--help` lists them first)

register_all(main)

if __name__ == "__main__":  # pragma: no cover
    main()
