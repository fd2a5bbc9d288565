"""CLI, site stage: `aligncat build` (render, then a strict MkDocs/Zensical build) and `aligncat serve`."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import click

SITE_MARK = ".aligncat-site"  # left in a built site folder, so a rebuild knows the folder is ours to replace


def _check_site_dir(site_dir: Path, force: bool) -> None:
    """Refuse to replace a folder that holds something other than an earlier build, unless --force."""
    if site_dir.exists() and not site_dir.is_dir():
        raise click.UsageError(f"{site_dir} is a file, not a folder; give another --site-dir")
    if site_dir.is_dir() and any(site_dir.iterdir()) and not (site_dir / SITE_MARK).exists() and not force:
        raise click.UsageError(
            f"{site_dir} already holds files that aligncat did not build, and a build replaces "
            "its whole content; choose another --site-dir, or add --force to replace them"
        )


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

        root = (project or find_project_root()).resolve()
        target = (site_dir or root / "site").resolve()
        _check_site_dir(target, force)
        cat = load_or_exit(catalog)
        start = time.perf_counter()
        try:
            result = build_site(cat, target, engine=engine, project_root=root)
        except SiteError as exc:
            raise click.ClickException(str(exc)) from exc
        (target / SITE_MARK).write_text("built by aligncat; `aligncat build` may replace this folder\n")
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
        from ..site import BUILD_DIR, SiteError, find_project_root, render_site

        root = (project or find_project_root()).resolve()
        cat = load_or_exit(catalog)
        work = root / BUILD_DIR / f"serve-{engine}"
        preview_dir = work / "site"
        try:
            result = render_site(cat, work, project_root=root, site_dir=preview_dir, engine=engine)
        except SiteError as exc:
            raise click.ClickException(str(exc)) from exc
        # The pages aligncat generated (their raw HTML goes through Markdown unparsed), as the watcher last
        # rendered them.
        generated = [result.generated]
        watcher = _start_watcher(catalog, root, work, preview_dir, engine, generated)
        try:
            if engine == "mkdocs":
                import mkdocs.commands.serve as mkserve

                from ..site import mkdocs_build

                # Every rebuild of the preview as `aligncat build` runs it: the fast path for generated pages,
                # and the pages an edit did not change reused from the previous rebuild.
                plain_build = mkserve.build
                mkserve.build = lambda cfg, **kw: mkdocs_build(
                    plain_build, cfg, generated[0], work / "page-cache", **kw
                )
                try:
                    mkserve.serve(
                        config_file=str(result.config_file),
                        dev_addr=dev_addr,
                        livereload=True,
                        watch=[str(root / "docs"), str(root / "mkdocs.yml")],
                    )
                finally:
                    mkserve.build = plain_build
            else:
                import shutil

                exe = shutil.which("zensical", path=str(Path(sys.executable).parent)) or shutil.which(
                    "zensical"
                )
                if exe is None:
                    raise click.ClickException("Zensical is not installed: pip install 'aligncat[zensical]'")
                _run_until_stopped([exe, "serve", "-f", str(result.config_file), "-a", dev_addr])
        finally:
            watcher.set()


def _run_until_stopped(cmd: list[str]) -> None:
    """Run the engine's own server until it ends or aligncat is stopped (Ctrl-C, or a SIGTERM from a process
    manager): either way the server is stopped too, never left running without its watcher."""
    import signal
    import subprocess

    child = subprocess.Popen(cmd)

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        child.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _start_watcher(
    catalog_dir: Path, root: Path, work: Path, preview_dir: Path, engine: str, generated: list | None = None
) -> threading.Event:
    """Re-render the pages when a catalog or docs/ file changes; the engine's own watcher then rebuilds."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    from ..diagnostics import format_diagnostics
    from ..load import load_catalog
    from ..site import SiteError, render_site

    stop = threading.Event()
    changed = threading.Event()

    class OnChange(FileSystemEventHandler):
        def on_any_event(self, event):
            # Only writes count: reading the files (which rendering does) raises "opened"/"closed" events too.
            if event.event_type not in ("created", "modified", "deleted", "moved") or event.is_directory:
                return
            if not Path(str(event.src_path)).name.startswith("."):
                changed.set()

    observer = Observer()
    observer.schedule(OnChange(), str(catalog_dir), recursive=True)
    if (root / "docs").is_dir():
        observer.schedule(OnChange(), str(root / "docs"), recursive=True)
    observer.daemon = True
    observer.start()

    def loop() -> None:
        last_errors = ""
        while not stop.is_set():
            if not changed.wait(0.5):
                continue
            time.sleep(0.3)  # let an editor finish writing (several events for one save)
            changed.clear()
            cat = load_catalog(catalog_dir)
            if cat.errors:
                text = format_diagnostics(cat.errors)
                if text != last_errors:  # one save fires several events: say it once
                    click.echo(text, err=True)
                    click.echo("the catalog has errors: the preview keeps the last good pages", err=True)
                last_errors = text
                continue
            last_errors = ""
            try:
                result = render_site(cat, work, project_root=root, site_dir=preview_dir, engine=engine)
            except SiteError as exc:
                click.echo(f"error: {exc}", err=True)
                continue
            if generated is not None:
                generated[0] = result.generated
            if result.written:
                click.echo(f"re-rendered: {result.written} files changed", err=True)
        observer.stop()

    threading.Thread(target=loop, daemon=True).start()
    return stop
