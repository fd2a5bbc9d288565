"""CLI, site stage: `aligncat build` (render, then a strict MkDocs/Zensical build) and `aligncat serve`."""

from __future__ import annotations

import time
from pathlib import Path

import click


def register(group: click.Group) -> None:
    from ..cli import load_or_exit
    from .options import catalog_option

    engine_option = click.option(
        "--engine",
        type=click.Choice(["mkdocs", "zensical"]),
        default="mkdocs",
        show_default=True,
        help="Static site engine (Zensical reads the same mkdocs.yml).",
    )
    project_option = click.option(
        "--project",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder holding mkdocs.yml, docs/ and node_modules/ (default: found upward "
        "from the working folder).",
    )

    @group.command("build")
    @catalog_option(positional=True)
    @engine_option
    @project_option
    @click.option(
        "--site-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Where the site goes (default: site/ in the project folder).",
    )
    @click.option(
        "--force", is_flag=True, help="Replace a --site-dir that holds files aligncat did not build."
    )
    def build_cmd(
        catalog: Path, engine: str, project: Path | None, site_dir: Path | None, force: bool
    ) -> None:
        """Render the catalog folder into pages and build the static site with a strict build.

        The generated pages go to .aligncat-build/<engine>/docs (never committed); the site to site/.
        A broken link or a missing page fails the build. With MkDocs, pages that did not change since the
        last build are reused (set ALIGNCAT_NO_CACHE=1 to build every page afresh).
        """
        from ..site import SiteError, build_site, find_project_root
        from ..site.build import check_site_dir

        root = (project or find_project_root()).resolve()
        target = (site_dir or root / "site").resolve()
        try:
            check_site_dir(target, force)
        except SiteError as exc:
            raise click.UsageError(str(exc)) from exc
        cat = load_or_exit(catalog)
        start = time.perf_counter()
        try:
            result = build_site(cat, target, engine=engine, project_root=root, force=force)
        except SiteError as exc:
            raise click.ClickException(str(exc)) from exc
        pages = sum(1 for _ in result.docs_dir.rglob("*.md"))  # generated and hand-written
        click.echo(
            f"built {pages} pages from {len(cat.records)} records into {target} with {engine} "
            f"in {time.perf_counter() - start:.1f} s"
            + (f" ({result.reused} of them unchanged since the last build, reused)" if result.reused else ""),
            err=True,
        )

    @group.command("serve")
    @catalog_option(positional=True)
    @engine_option
    @project_option
    @click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
    def serve_cmd(catalog: Path, engine: str, project: Path | None, dev_addr: str) -> None:
        """Preview the site of the catalog folder at --dev-addr, rebuilding when a record or docs/ page changes.

        A record change that breaks the catalog is reported here and the last good pages stay up.
        """
        from ..site import SiteError, find_project_root
        from ..site.serve import serve

        root = (project or find_project_root()).resolve()
        cat = load_or_exit(catalog)
        say = lambda text: click.echo(text, err=True)  # noqa: E731
        try:
            serve(
                cat,
                catalog,
                root,
                engine=engine,
                dev_addr=dev_addr,
                say=say,
                ready=lambda url: click.echo(
                    f"serving the site of {catalog} at {url} (Ctrl-C stops)", err=True
                ),
            )
        except SiteError as exc:
            raise click.ClickException(str(exc)) from exc
