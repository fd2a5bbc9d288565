"""Site stage, MkDocs engine: the one module that uses MkDocs' private functions, for speed. It reuses unchanged
pages between two builds (`aligncat build`, and every rebuild of `aligncat serve`) and runs the live preview.

The private names it uses, read from MkDocs 1.6.1 and Material 9.x (`PRIVATE_API`; tests/test_site_fast.py fails
when an installed MkDocs no longer has one):

- `mkdocs.commands.build._populate_page` and `_build_page`: MkDocs' two passes over each page, wrapped during one
  build (`mkdocs_build`) so that `PageCache` can skip the work for a page that did not change;
- `MkDocsConfig._current_page` and `Page._title_from_render`: set as MkDocs' own passes set them;
- `mkdocs.livereload.LiveReloadServer._inject_js_into_html`: the live preview gives the reload script the page's
  CSP nonce (`serve_mkdocs`);
- the search plugin's `search_index.entries` (a public attribute of Material's plugin, listed for completeness).

Everything else (the plugin, the docs folder) uses MkDocs' public events only. Over 500 lines for that reason:
every use of MkDocs' private API stays in this one module (the page cache mirrors MkDocs' two passes).

MkDocs has no incremental build that keeps a strict build and a whole search index (`--dirty` warns, which fails a
strict build, and writes a search index of the changed pages only). After one record changed, most pages of the
site are byte for byte what the previous build wrote, yet MkDocs converts every page's Markdown, lets the search
plugin parse its HTML and renders the theme's templates for it again.

`PageCache` keeps, per page, what MkDocs made of it: the page's HTML file, its search index entries and what other
pages need from it (its title, its anchor ids, its links to other pages' anchors). A page is reused only when all
of this is the same as last time:

- the site: the settings of the generated mkdocs.yml as loaded (but where the site is written), the theme's and the
  overrides' template files, the navigation with its titles, and aligncat's code and the versions of MkDocs,
  Material, Python-Markdown, PyMdown Extensions and Pygments;
- the page: its Markdown (after the plugins' changes), metadata, URL, title, neighbours in the navigation and
  edit/canonical URLs, and every file its Markdown links resolved to (or did not find), with that file's URL:
  so adding or removing a record rebuilds the pages that link to it, not the whole site.

Anything else runs as MkDocs runs it. The cache is used only when every plugin of the build is one it knows
(Material's search and aligncat's own): another plugin could add to a page what the cache cannot see. A page that
logged a warning while its Markdown was converted is not kept (the warning must come again), and MkDocs still
checks every page's links to anchors at the end of each build. tests/test_site_fast.py checks that a build from
the cache writes every page and the search index exactly as a build without it does.

Each page is one file under `<build folder>/page-cache/`: a JSON header (never code: nothing in the file is run)
and the page's HTML compressed, sealed with an HMAC under the user's own key (the validate cache's, outside the
project): a file this user's aligncat did not write, for example one a pull request added, or a damaged one, is
ignored and replaced. Pages not used by a successful build are removed from it. `ALIGNCAT_NO_CACHE=1` turns it
off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
import zlib
from collections.abc import Callable, Collection
from pathlib import Path, PurePath
from typing import Any

from .. import __version__
from ..atomic import write_atomic

FORMAT = 1
# (module, attribute) pairs of MkDocs' private API used here; see the docstring.
PRIVATE_API = (
    ("mkdocs.commands.build", "_populate_page"),
    ("mkdocs.commands.build", "_build_page"),
    ("mkdocs.livereload", "LiveReloadServer._inject_js_into_html"),
    ("mkdocs.structure.pages", "Page._title_from_render"),
    ("mkdocs.config.defaults", "MkDocsConfig._current_page"),
)
KNOWN_PLUGINS = frozenset({"search", "material/search", "aligncat-raw-html"})
MAX_PAGE_BYTES = 64 * 1024 * 1024  # a cached page larger than this is not believed


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _code_stamp() -> str:
    """aligncat's code that shapes the pages' HTML, and the engine's versions."""
    import markdown
    import material
    import mkdocs

    versions = [
        FORMAT,
        __version__,
        mkdocs.__version__,
        getattr(material, "__version__", ""),
        markdown.__version__,
    ]
    for name in ("pymdownx", "pygments"):  # Markdown extensions and highlighting a site may use
        try:
            versions.append(getattr(__import__(name), "__version__", ""))
        except ImportError:
            versions.append(None)
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps(versions).encode())
    here = Path(__file__).parent
    for name in ("mkdocs_engine.py", "plugin.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()


# Settings that never show in a page: where the files are read from and written to, and serve's own.
_NOT_IN_PAGES = frozenset({"site_dir", "config_file_path", "dev_addr", "watch", "plugins", "strict"})


def _config_stamp(config) -> str:
    """The loaded settings (so `!ENV` values count as they are), objects by their settings or type."""

    def plain(value):
        if hasattr(value, "keys") and hasattr(value, "__getitem__"):
            return {str(k): value[k] for k in value.keys()}
        return type(value).__qualname__

    values = {k: v for k, v in config.items() if k not in _NOT_IN_PAGES}
    return json.dumps(values, sort_keys=True, default=plain)


def _theme_stamp(config) -> list:
    """Every template file of the theme (its folders and the overrides) with its size and time."""
    out = []
    for folder in config.theme.dirs:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith((".html", ".xml", ".js", ".json", ".yml")):
                    st = os.stat(os.path.join(dirpath, name))
                    out.append((os.path.join(dirpath, name), st.st_size, st.st_mtime_ns))
    return out


def _nav_stamp(items) -> list:
    out = []
    for item in items:
        out.append(
            (type(item).__name__, item.title, getattr(item, "url", None), _nav_stamp(item.children or []))
        )
    return out


def _link_target(file) -> list | None:
    return None if file is None else [file.url, str(file.inclusion)]


def _links_hold(deps: dict, files) -> bool:
    """Whether every file a cached page's links were looked up as is still found as then, at the same URL."""
    lookup = files.get_file_from_path
    return all(_link_target(lookup(path)) == want for path, want in deps.items())


def _read_markdown(page, config, files) -> None:
    """The page's Markdown as the plugins leave it (MkDocs' read_source and page_markdown event)."""
    page.read_source(config)
    page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)


def _neighbour(page) -> tuple | None:
    return None if page is None else (page.url, page.title)


class PageCache:
    """Page outputs of the previous MkDocs build, reused while nothing they depend on changed."""

    def __init__(self, folder: Path, config) -> None:
        self.folder = folder
        self.config = config
        self.search = config.plugins.get("material/search") or config.plugins.get("search")
        self.enabled = set(config.plugins) <= KNOWN_PLUGINS and not config.hooks
        # The build folder is inside the project, where a pull request could put files: every entry is sealed
        # with this user's key (the validate cache's, kept outside the project), so only pages this user's
        # aligncat built are ever reused.
        self._key = b""
        if self.enabled:
            from ..cache import _secret_key, default_cache_dir

            self._key = _secret_key(default_cache_dir(), create=True) or b""
            self.enabled = bool(self._key)
        self._site: str | None = None
        self._nav: str | None = None
        self.keys: dict[str, str] = {}  # src_uri -> key of its Markdown and the site
        self.found: dict[str, dict] = {}  # src_uri -> cached header (its output not read yet)
        self.unsafe: set[str] = set()  # pages that logged a warning while their Markdown was converted
        self.deps: dict[str, dict] = {}  # src_uri -> the files its links were looked up as
        self.used: set[str] = set()
        self.files = None  # MkDocs' Files of this build (links are resolved against all of them)
        self.reused = 0

    def _index_entries(self) -> list | None:
        """Material's search index entries when its plugin indexes pages: a reused page hands it the entries kept
        with it."""
        if self.search is None or not self.search.config.enabled:
            return None
        return self.search.search_index.entries

    # --- keys ---------------------------------------------------------------------------------------------------

    def _site_key(self) -> str:
        if self._site is None:
            h = hashlib.blake2b(digest_size=16)
            h.update(_code_stamp().encode())
            h.update(_config_stamp(self.config).encode())
            h.update(json.dumps(_theme_stamp(self.config)).encode())
            self._site = h.hexdigest()
        return self._site

    def page_key(self, page) -> str:
        h = hashlib.blake2b(digest_size=16)
        h.update(self._site_key().encode())
        h.update(json.dumps([page.file.src_uri, page.meta], sort_keys=True, default=repr).encode())
        h.update(page.markdown.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def output_key(self, page, nav) -> str:
        if self._nav is None:
            self._nav = json.dumps(_nav_stamp(nav.items))
        parts = [
            self.keys[page.file.src_uri],
            self._nav,
            page.url,
            page.title,
            page.edit_url,
            page.canonical_url,
            _neighbour(page.previous_page),
            _neighbour(page.next_page),
            page.is_homepage,
        ]
        return hashlib.blake2b(json.dumps(parts, default=repr).encode(), digest_size=16).hexdigest()

    # --- the files ----------------------------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.page"

    def _read(self, key: str) -> tuple[dict, bytes] | None:
        try:
            with open(self._path(key), "rb") as fh:
                raw = fh.read(MAX_PAGE_BYTES + 1)
        except OSError:
            return None
        if len(raw) > MAX_PAGE_BYTES:
            return None
        mac, sep, sealed = raw.partition(b"\n")
        expected = hmac.new(self._key, sealed, hashlib.sha256).hexdigest().encode()
        if not sep or not hmac.compare_digest(mac, expected):
            return None  # not written by this user's aligncat (or damaged): never believed
        head, sep, body = sealed.partition(b"\n")
        try:
            header = json.loads(head)
            if not sep or header.get("format") != FORMAT or header.get("key") != key:
                return None
            if (
                not isinstance(header["entries"], list)
                or not isinstance(header["anchors"], list)
                or not isinstance(header["deps"], dict)
            ):
                return None
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        return header, body

    def _write(self, key: str, header: dict, output: bytes) -> None:
        sealed = (
            json.dumps({**header, "format": FORMAT, "key": key}).encode() + b"\n" + zlib.compress(output, 1)
        )
        mac = hmac.new(self._key, sealed, hashlib.sha256).hexdigest().encode()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self._path(key), mac + b"\n" + sealed, durable=False)
        except OSError:
            pass  # a cache that cannot be written costs speed, never the build

    def prune(self) -> None:
        """After a successful build: drop the pages it did not use."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        keep = {f"{k}.page" for k in self.used}
        for name in names:
            if name.endswith(".page") and name not in keep:
                try:
                    os.unlink(self.folder / name)
                except OSError:
                    pass

    # --- MkDocs' two passes -------------------------------------------------------------------------------------

    def populate(self, original: Callable, page, config, files, dirty: bool = False) -> None:
        """MkDocs' _populate_page: read the page and run its Markdown events; reuse what the cache has, else render."""
        if dirty or not self.enabled:
            return original(page, config, files, dirty)
        self.files = files
        config._current_page = page
        try:
            page = config.plugins.on_pre_page(page, config=config, files=files)
            _read_markdown(page, config, files)
            key = self.page_key(page)
            self.keys[page.file.src_uri] = key
            found = self._read(key)
            # Every file its links were looked up as (anchor links included) is still there at the same URL.
            if found is not None and _links_hold(found[0]["deps"], files):
                header = found[0]
                # What other pages read from this one before it is built: its title and anchors.
                page._title_from_render = header["title"]
                page.present_anchor_ids = set(header["anchors"])
                links = header["links"]
                page.links_to_anchors = (
                    None
                    if links is None
                    else {files.get_file_from_path(src): anchors for src, anchors in links.items()}
                )
                page.markdown = ""  # read again only if the page must be rendered after all (None: no title)
                self.found[page.file.src_uri] = header
                return
            self._render(page, config, files)
        except Exception as e:
            logging.getLogger("mkdocs.commands.build").error(f"Error reading page '{page.file.src_uri}': {e}")
            raise
        finally:
            config._current_page = None

    def _render(self, page, config, files) -> None:
        counter = _Warnings()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(counter)
        # Every file the page's links are looked up as (MkDocs resolves a link with files.get_file_from_path).
        deps: dict[str, list | None] = {}
        lookup = files.get_file_from_path

        def recording(path: str):
            found = lookup(path)
            deps[PurePath(path).as_posix()] = _link_target(found)
            return found

        files.get_file_from_path = recording
        try:
            page.render(config, files)
        finally:
            del files.get_file_from_path
            logger.removeHandler(counter)
        self.deps[page.file.src_uri] = deps
        if counter.count:
            self.unsafe.add(page.file.src_uri)
        page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=files)

    def build(
        self,
        original: Callable,
        page,
        config,
        doc_files,
        nav,
        env,
        dirty: bool = False,
        excluded: bool = False,
    ) -> None:
        """MkDocs' _build_page: write the cached HTML when page and site are unchanged, else build and keep it."""
        src = page.file.src_uri
        if dirty or not self.enabled or src not in self.keys:
            return original(page, config, doc_files, nav, env, dirty, excluded)
        key = self.keys[src]
        out_key = self.output_key(page, nav)
        header = self.found.pop(src, None)
        # A draft (`serve` shows it marked) is never reused nor kept; it may have been found in the first pass.
        if header is not None and header["output"] == out_key and not excluded:
            found = self._read(key)
            if found is not None:
                try:
                    output = zlib.decompress(found[1])
                except zlib.error:
                    output = None
                if output is not None:
                    index = self._index_entries()
                    if index is not None:
                        index.extend(header["entries"])
                    from mkdocs import utils

                    utils.write_file(output, page.file.abs_dest_path)
                    self.used.add(key)
                    self.reused += 1
                    return
        if page.content is None:  # reused at first, but its output depends on something that changed
            config._current_page = page
            try:
                _read_markdown(page, config, self.files)
                self._render(page, config, self.files)
            finally:
                config._current_page = None
        index = self._index_entries()
        before = len(index) if index is not None else 0
        original(page, config, doc_files, nav, env, dirty, excluded)
        if src in self.unsafe or excluded:
            return
        try:
            output = Path(page.file.abs_dest_path).read_bytes()
        except OSError:
            return
        entries = index[before:] if index is not None else []
        links = (
            None
            if page.links_to_anchors is None
            else {f.src_uri: anchors for f, anchors in page.links_to_anchors.items()}
        )
        header: dict[str, Any] = {
            "output": out_key,
            "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links": links,
            "entries": entries,
            "deps": self.deps.get(src, {}),
        }
        self._write(key, header, output)
        self.used.add(key)


def mkdocs_build(
    build: Callable, cfg, generated: Collection[str] | None, cache_folder: Path | None, **kw
) -> int:
    """One MkDocs build (`build` is mkdocs.commands.build.build) of aligncat's pages, as `aligncat build` and
    `aligncat serve` run it: the generated pages' raw HTML through Markdown unparsed (RawHtmlPassThrough) and,
    with a `cache_folder`, the pages that did not change since the previous build reused (mkdocs_cache.PageCache).
    Returns how many pages it reused."""
    from ..cache import cache_disabled_by_env
    from .plugin import RawHtmlPassThrough

    if generated:
        cfg.plugins["aligncat-raw-html"] = RawHtmlPassThrough(generated)
    if cache_folder is None or cache_disabled_by_env():
        build(cfg, **kw)
        return 0
    import mkdocs.commands.build as mk

    cache = PageCache(cache_folder, cfg)
    populate, build_page = mk._populate_page, mk._build_page
    mk._populate_page = lambda *a, **k: cache.populate(populate, *a, **k)
    mk._build_page = lambda *a, **k: cache.build(build_page, *a, **k)
    try:
        build(cfg, **kw)
    finally:
        mk._populate_page, mk._build_page = populate, build_page
    if cache.enabled:
        cache.prune()
    return cache.reused


# --- the live preview ---------------------------------------------------------------------------------------


def serve_mkdocs(preview, dev_addr: str, ready=None) -> None:
    """Serve `preview` (site.serve.Preview) with MkDocs' live-reload server, rebuilding on every watched change.

    Uses, besides its public `LiveReloadServer(builder, host, port, root)`, `watch`, `serve` and `shutdown`, one
    private method, `LiveReloadServer._inject_js_into_html` (MkDocs 1.6.1), to give the reload script it adds to
    every page the preview's CSP nonce."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException
    from mkdocs.livereload import LiveReloadServer

    host, _, port = dev_addr.rpartition(":")
    nonce = (preview.nonce or "").encode()
    config_file = preview.work / "mkdocs.yml"

    class Server(LiveReloadServer):
        def _inject_js_into_html(self, content, epoch):
            try:
                body_end = content.rindex(b"</body>")
            except ValueError:
                body_end = len(content)
            out = super()._inject_js_into_html(content, epoch)
            if nonce and out[body_end : body_end + 8] == b"<script>":
                out = out[:body_end] + b'<script nonce="' + nonce + b'">' + out[body_end + 8 :]
            return out

    server = Server(
        builder=lambda: None, host=host or "127.0.0.1", port=int(port), root=str(preview.site_dir)
    )

    def build_once() -> bool:
        collect = logging.getLogger("mkdocs")
        try:
            cfg = load_config(config_file=str(config_file), site_dir=str(preview.site_dir))
            cfg.site_url = server.url
            mkdocs_build(build, cfg, preview.generated, preview.work / "page-cache", serve_url=server.url)
        except (MkDocsException, Abort) as exc:
            collect.error(f"the preview was not rebuilt: {exc}")
            return False
        return True

    def builder() -> None:
        started = time.perf_counter()
        if preview.reload() and build_once():
            preview.say(f"rebuilt in {time.perf_counter() - started:.1f} s")

    server.builder = builder
    build_once()
    for path in preview.watched():
        server.watch(str(path))
    if ready is not None:
        ready(server.url)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
