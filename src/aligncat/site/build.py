"""Site stage, build: render the catalog's docs folder and build the static site from it, atomically.

The site is built into a folder beside the target (`.site.aligncat-new` next to `site/`) and renamed into place
only when the strict build (and the search index) succeeded: a build that fails or is killed leaves the previous
site as it was, and its half-built folder is cleared by the next build. Two builds of one site (or from one build
folder) at once are refused with a message naming the other build's process: each holds an exclusive lock
(`fcntl.flock`, released by the system when a process ends however it ends, so a killed build never blocks the
next).
"""

from __future__ import annotations

import os
import shutil
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..load import Catalog
from ..render import Page
from .docs import BUILD_DIR, RenderResult, SiteError, find_project_root, render_site
from .engines import run_engine

SITE_MARK = ".aligncat-site"  # left in a built site folder, so a rebuild knows the folder is ours to replace


class BuildLocked(SiteError):
    """Another build holds the site's or the build folder's lock."""


@contextmanager
def _locked(lock_file: Path, what: str):
    import fcntl

    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise BuildLocked(
                f"{what} is being built by another aligncat build (process {other}); wait for it to finish "
                f"and build again (the lock is {lock_file}, released when that process ends)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def check_site_dir(site_dir: Path, force: bool = False) -> None:
    """Refuse to replace a folder that holds something other than an earlier build, unless `force`."""
    if site_dir.exists() and not site_dir.is_dir():
        raise SiteError(f"{site_dir} is a file, not a folder; give another --site-dir")
    if site_dir.is_dir() and any(site_dir.iterdir()) and not (site_dir / SITE_MARK).exists() and not force:
        raise SiteError(
            f"{site_dir} already holds files that aligncat did not build, and a build replaces "
            "its whole content; choose another --site-dir, or add --force to replace them"
        )


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def build_site(
    catalog: Catalog,
    site_dir: str | Path,
    *,
    engine: str = "mkdocs",
    project_root: str | Path | None = None,
    build_dir: str | Path | None = None,
    force: bool = False,
    site_url: str | None = None,
) -> RenderResult:
    """Render the catalog and build the static site into `site_dir` with the chosen engine, atomically: the
    previous site stays in place until the new one is whole (see the module's docstring). `site_url`, when
    given, is where the site will be served instead of catalog.yaml's `site_url` (docs.render_site)."""
    root = Path(project_root).resolve() if project_root else find_project_root()
    work = (Path(build_dir) if build_dir else root / BUILD_DIR / engine).resolve()
    target = Path(site_dir).resolve()
    check_site_dir(target, force)
    with ExitStack() as stack:
        stack.enter_context(_locked(work.parent / f".{work.name}.lock", str(work)))
        stack.enter_context(_locked(target.parent / f".{target.name}.aligncat-lock", str(target)))
        return _build_locked(catalog, target, work, root, engine, site_url)


def _build_locked(
    catalog: Catalog, target: Path, work: Path, root: Path, engine: str, site_url: str | None = None
) -> RenderResult:
    staging = target.parent / f".{target.name}.aligncat-new"
    old = target.parent / f".{target.name}.aligncat-old"
    for leftover in (staging, old):  # from a build that failed or was killed: we hold the lock, so not in use
        _remove(leftover)
    # Zensical only writes inside the folder of its config file: build there, then copy the site beside the target.
    engine_site = work / "site" if engine == "zensical" else staging
    result = render_site(
        catalog, work, project_root=root, site_dir=engine_site, engine=engine, site_url=site_url
    )
    # The pages are on disk now: keep their paths and titles only, so the engine's own copy of every page is the
    # only one in memory (~400 MB fewer at 10,000 records).
    result.pages = [Page(p.path, b"", p.title) for p in result.pages]
    try:
        # Zensical rebuilds differentially from its cache; a clean build when the settings changed, when a page
        # went away (its old output would stay) or when there is no earlier output.
        clean = result.config_changed or result.removed > 0 or not (engine_site / "index.html").is_file()
        result.reused = run_engine(result.config_file, engine, generated=result.generated, clean=clean)
    except SiteError as exc:
        raise SiteError(
            f"{exc}\n(hand-written pages are in {root / 'docs'}; generated pages come from the "
            "catalog's records)"
        ) from exc
    if result.search_backend == "pagefind":
        from .search import SearchError, index_site

        try:
            index_site(engine_site)
        except SearchError as exc:
            raise SiteError(str(exc)) from exc
    if engine_site != staging:
        shutil.copytree(engine_site, staging)
    (staging / SITE_MARK).write_text("built by aligncat; `aligncat build` may replace this folder\n")
    # The new site is whole: put it in place. Between the two renames the address briefly holds nothing, never a
    # mixture of two builds.
    if target.exists() or target.is_symlink():
        os.replace(target, old)
    os.replace(staging, target)
    _remove(old)
    return result
