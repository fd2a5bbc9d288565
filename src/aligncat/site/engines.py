"""Site stage, engines: run a strict build of a generated docs folder with MkDocs (in this process) or Zensical (its
own command), and say what failed.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from collections.abc import Collection

from .docs import ENGINES, SiteError


class _Collect(logging.Handler):
    """Keeps the engine's warnings and errors, so a failed build can say what failed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_engine(
    config_file: Path,
    engine: str = "mkdocs",
    *,
    strict: bool = True,
    generated: Collection[str] | None = None,
    clean: bool = True,
    page_cache: bool = True,
) -> int:
    """Build the rendered docs with MkDocs (in this process) or Zensical (its own command); raise on failure.

    `generated` names the docs files aligncat generated: with MkDocs their raw HTML blocks go through Markdown
    untouched and unparsed (mkdocs_plugin.RawHtmlPassThrough). `clean=False` lets Zensical reuse its cache
    of the previous build (its differential build: only changed pages are rendered again). With MkDocs,
    `page_cache` reuses the pages that did not change since the previous build (mkdocs_cache.PageCache; off with
    ALIGNCAT_NO_CACHE=1); it returns how many pages it reused. The error lists the engine's warnings (a broken
    link names the page it is in)."""
    if engine == "mkdocs":
        try:
            from mkdocs.commands.build import build
            from mkdocs.config import load_config
            from mkdocs.exceptions import MkDocsException

        except ImportError as exc:
            raise SiteError(
                "MkDocs is not installed; install the site extra: pip install 'aligncat[site]'"
            ) from exc
        collect = _Collect()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(collect)
        try:
            cfg = load_config(config_file=str(config_file), strict=strict)
            folder = config_file.parent / "page-cache" if page_cache else None
            from .mkdocs_engine import mkdocs_build

            return mkdocs_build(build, cfg, generated, folder)
        except MkDocsException as exc:
            details = "\n".join(f"  {m}" for m in collect.messages)
            raise SiteError(f"mkdocs build failed: {exc}\n{details}".rstrip()) from exc
        finally:
            logger.removeHandler(collect)
    if engine == "zensical":
        exe = shutil.which("zensical", path=str(Path(sys.executable).parent)) or shutil.which("zensical")
        if exe is None:
            raise SiteError("Zensical is not installed; install the extra: pip install 'aligncat[zensical]'")
        cmd = [exe, "build", *(["--clean"] if clean else []), "-f", str(config_file)]
        cmd += ["--strict"] if strict else []
        proc = subprocess.run(
            cmd, capture_output=True, text=True, cwd=config_file.parent, env={**os.environ, "NO_COLOR": "1"}
        )
        if proc.returncode != 0:
            output = _ANSI.sub("", proc.stdout + proc.stderr)
            output = output.split("Traceback (most recent call last)")[
                0
            ].strip()  # Zensical's own stack: noise
            raise SiteError(f"zensical build failed (exit {proc.returncode}):\n{output}")
        return 0
    raise SiteError(f"unknown engine '{engine}'; choose one of: {', '.join(ENGINES)}")
