"""Site stage, serve: the live preview. It builds the site once, serves it, and on every change to the catalog
(its records and template overrides), the hand-written docs/ pages or mkdocs.yml renders the pages again and
rebuilds what changed; the open pages then reload by themselves.

With MkDocs, one MkDocs live-reload server (mkdocs_engine.LiveReloadServer) watches those folders and runs the
rebuild: the catalog is loaded, `render_site` rewrites only the docs files whose content changed, and the MkDocs
build reuses every page that did not change (mkdocs_engine.PageCache). The page's Content Security Policy allows
MkDocs' reload script by a nonce drawn for this preview (never in a built site: `aligncat build` sets none). With
Zensical, its own server watches the generated docs and a watcher here renders them again.

A change that breaks the catalog is reported (file and line) and the last good pages stay up. Each running preview
renders into a folder of its own under the build folder (`serve-<engine>`, or `serve-<engine>-2`, ... when other
previews of the project are running), held by a lock for as long as it runs.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import format_diagnostics
from ..load import Catalog, load_catalog
from .build import BuildLocked, _locked
from .docs import BUILD_DIR, SiteError, render_site
from .render_memo import RenderMemo

Say = Callable[[str], None]
MAX_PREVIEWS = 32  # previews of one project at once, each in its own folder


@dataclass
class Preview:
    """A running preview's state: the folders it renders into and the pages it last generated."""

    catalog_dir: Path
    project_root: Path
    engine: str = "mkdocs"
    say: Say = print
    nonce: str | None = None
    site_url: str | None = None  # the preview's own address: links and the CSP's script sources name it
    generated: frozenset[str] = field(default_factory=frozenset)
    last_errors: str = ""
    # record pages and related works of the last render, by their inputs: a save re-renders only what it can change
    memo: RenderMemo = field(default_factory=RenderMemo)
    folder: str = ""  # its folder in the build folder (claim_folder): serve-<engine>, or -2, -3, ... beside others

    @property
    def work(self) -> Path:
        return self.project_root / BUILD_DIR / (self.folder or f"serve-{self.engine}")

    def claim_folder(self, stack: ExitStack) -> None:
        """Take the first folder no other running preview of this project holds (serve-<engine>, then
        serve-<engine>-2, ...), locked until `stack` closes: two previews at once (two catalogs, two ports) each
        render into their own, where they wrote each other's pages and Content Security Policy."""
        for n in range(1, MAX_PREVIEWS + 1):
            name = f"serve-{self.engine}" + (f"-{n}" if n > 1 else "")
            try:
                stack.enter_context(_locked(self.project_root / BUILD_DIR / f".{name}.lock", name))
            except BuildLocked:
                continue
            self.folder = name
            return
        raise SiteError(
            f"{MAX_PREVIEWS} previews of {self.project_root} are running already; stop one and serve again"
        )

    @property
    def site_dir(self) -> Path:
        return self.work / "site"

    def render(self, catalog: Catalog) -> int:
        result = render_site(
            catalog,
            self.work,
            project_root=self.project_root,
            site_dir=self.site_dir,
            engine=self.engine,
            livereload_nonce=self.nonce,
            site_url=self.site_url,
            memo=self.memo,
        )
        self.generated = result.generated
        return result.written

    def reload(self) -> bool:
        """Load the catalog again and render its pages; False (and the problems said once) when it has errors."""
        catalog = load_catalog(self.catalog_dir)
        if catalog.errors:
            text = format_diagnostics(catalog.errors)
            if text != self.last_errors:  # one save fires several events: say it once
                self.say(text)
                self.say("the catalog has errors: the preview keeps the last good pages")
            self.last_errors = text
            return False
        self.last_errors = ""
        try:
            written = self.render(catalog)
        except SiteError as exc:
            self.say(f"error: {exc}")
            return False
        if written:
            self.say(f"re-rendered: {written} files changed")
        return True

    def watched(self) -> list[Path]:
        paths = [self.catalog_dir, self.project_root / "docs", self.project_root / "mkdocs.yml"]
        return [p for p in paths if p.exists()]


def serve(
    catalog: Catalog,
    catalog_dir: Path,
    project_root: Path,
    *,
    engine: str = "mkdocs",
    dev_addr: str = "127.0.0.1:8000",
    say: Say = print,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the catalog's site at `dev_addr` until interrupted, rebuilding on every change (see the module's
    docstring). `ready` is called with the URL once the first build is served (the CLI prints it)."""
    preview = Preview(
        catalog_dir.resolve(),
        project_root.resolve(),
        engine,
        say,
        secrets.token_urlsafe(18) if engine == "mkdocs" else None,
        f"http://{dev_addr}/",
    )
    with ExitStack() as stack:
        preview.claim_folder(stack)
        preview.render(catalog)
        if engine == "mkdocs":
            from .mkdocs_engine import serve_mkdocs

            serve_mkdocs(preview, dev_addr, ready=ready)
        else:
            _serve_zensical(preview, dev_addr, ready)


def _serve_zensical(preview: Preview, dev_addr: str, ready: Callable[[str], None] | None) -> None:
    import shutil
    import sys

    exe = shutil.which("zensical", path=str(Path(sys.executable).parent)) or shutil.which("zensical")
    if exe is None:
        raise SiteError("Zensical is not installed: pip install 'aligncat[zensical]'")
    stop = watch(preview)
    try:
        if ready is not None:
            ready(f"http://{dev_addr}/")
        run_until_stopped([exe, "serve", "-f", str(preview.work / "mkdocs.yml"), "-a", dev_addr])
    finally:
        stop.set()


def watch(preview: Preview) -> threading.Event:
    """Render the pages again when a watched file changes (for an engine that watches the docs folder itself)."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

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
    for path in preview.watched():
        observer.schedule(OnChange(), str(path if path.is_dir() else path.parent), recursive=path.is_dir())
    observer.daemon = True
    observer.start()

    def loop() -> None:
        while not stop.is_set():
            if not changed.wait(0.5):
                continue
            time.sleep(0.3)  # let an editor finish writing (several events for one save)
            changed.clear()
            preview.reload()
        observer.stop()

    threading.Thread(target=loop, daemon=True).start()
    return stop


def run_until_stopped(cmd: list[str]) -> None:
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
