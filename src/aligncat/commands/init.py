"""CLI: `aligncat init`, a thin shell over scaffold_catalog (a new catalog project for another survey)."""

from __future__ import annotations

from pathlib import Path

import click


def register(group: click.Group) -> None:
    @group.command("init")
    @click.argument(
        "directory", type=click.Path(file_okay=False, path_type=Path), default=".", required=False
    )
    @click.option("--title", help="The catalog's name (default: from the folder's name).")
    @click.option("--description", help="One paragraph on what the catalog covers.")
    @click.option(
        "--license", "license_", default="CC-BY-4.0", show_default=True, help="Licence of the catalog's data."
    )
    @click.option("--repository", help="The catalog's repository URL, e.g. https://github.com/org/repo.")
    @click.option("--force", is_flag=True, help="Replace files of the same names that are already there.")
    def init(directory: Path, title, description, license_, repository, force) -> None:
        """Start a catalog for another survey in DIRECTORY (default: here).

        \b
        Writes catalog/catalog.yaml, a starter catalog/taxonomy.yaml and catalog/vocabularies/tags.yaml,
        mkdocs.yml, package.json (+ lock) for the site's npm files, requirements.txt, the pull-request and
        deploy workflows, .gitignore and a README. Refuses to replace an existing file unless --force.
        """
        from ..pipeline import load_catalog
        from ..scaffold_catalog import ScaffoldError, Settings, init_project

        name = directory.resolve().name.replace("-", " ").replace("_", " ").strip() or "survey"
        settings = Settings(
            title=title or f"{name[:1].upper()}{name[1:]} catalog",
            description=description or "The works a survey covers, one record per work.",
            license=license_,
            repository=repository,
        )
        try:
            written = init_project(directory, settings, force=force)
        except ScaffoldError as exc:
            raise click.ClickException(str(exc)) from exc
        for p in written:
            click.echo(f"wrote {p}")
        cat = load_catalog(directory / "catalog", checks=False)
        if cat.errors:  # cannot happen with checked settings; said plainly if it ever does
            raise click.ClickException(
                "the new catalog does not validate: " + "; ".join(map(str, cat.errors))
            )
        click.echo(
            f"next: cd {directory} && python -m pip install -r requirements.txt && npm ci, then edit "
            "catalog/taxonomy.yaml, import a list (aligncat import markdown FILE) and run aligncat validate"
        )
