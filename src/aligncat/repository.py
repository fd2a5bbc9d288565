"""Repository links (used by render): where a record's file lives, how to edit it, how to report an error.

Every address is built from settings that `model.https_url` / `model.setting_url` parsed and wrote again, and
every part added here is percent-encoded, so no setting or record text is ever pasted into a link. GitHub's
address forms are used when the repository is on github.com (`blob/<branch>/<path>`, `edit/<branch>/<path>`,
`issues/new?template=...`); another host gets the file link only through `edit_base`.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from .model import CatalogInfo, branch_name, https_url

REPORT_TEMPLATE = (
    "report-an-error.yml"  # .github/ISSUE_TEMPLATE/<this>: its field ids are what the link fills
)
# Environment variables a CI job sets when catalog.yaml leaves a setting out (the deploy workflow knows where the
# site is published and which repository and commit it builds); catalog.yaml wins when it names one.
ENVIRONMENT = {
    "site_url": "ALIGNCAT_SITE_URL",
    "repository": "ALIGNCAT_REPOSITORY",
    "branch": "ALIGNCAT_BRANCH",
}


def with_environment(info: CatalogInfo, environ: dict[str, str] | None = None) -> CatalogInfo:
    """The settings with what catalog.yaml leaves out taken from ALIGNCAT_SITE_URL / _REPOSITORY / _BRANCH,
    parsed as catalog.yaml's own values are (a value that is not a plain https address is ignored)."""
    env = os.environ if environ is None else environ
    changes: dict[str, str] = {}
    if not info.site_url and (url := https_url(env.get(ENVIRONMENT["site_url"]))):
        changes["site_url"] = url if url.endswith("/") else url + "/"
    if not info.repository and (repo := https_url(env.get(ENVIRONMENT["repository"]))):
        changes["repository"] = repo.rstrip("/")
        if branch := branch_name(env.get(ENVIRONMENT["branch"])):
            changes["branch"] = branch
    return replace(info, **changes) if changes else info


@dataclass(frozen=True)
class BuildInfo:
    """Which commit of which repository a site was built from (the footer names both)."""

    commit: str | None = None  # full hash
    dirty: bool = False  # the work tree had changes not yet committed


def build_info(root: Path, environ: dict[str, str] | None = None) -> BuildInfo:
    """The commit the catalog folder is at: $GITHUB_SHA in a GitHub workflow, else `git rev-parse HEAD` (None
    outside a git work tree or without git)."""
    env = os.environ if environ is None else environ
    sha = env.get("GITHUB_SHA", "")
    if len(sha) == 40 and all(c in "0123456789abcdef" for c in sha):
        return BuildInfo(sha)
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return BuildInfo()
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return BuildInfo()
    sha = head.stdout.strip()
    if len(sha) != 40 or any(c not in "0123456789abcdef" for c in sha):
        return BuildInfo()
    return BuildInfo(sha, dirty=bool(status.stdout.strip()))


def _on_github(info: CatalogInfo) -> bool:
    return bool(info.repository) and urlsplit(info.repository).hostname == "github.com"


def _path(rel: str) -> str:
    return quote(rel, safe="/")


def source_url(info: CatalogInfo, rel: str) -> str | None:
    """Where a reader sees a file of the repository (`rel` from its root), on the site's branch."""
    if _on_github(info):
        return f"{info.repository.rstrip('/')}/blob/{_path(info.branch)}/{_path(rel)}"
    return None


def edit_url(info: CatalogInfo, rel: str) -> str | None:
    """Where a contributor edits a file of the repository: `edit_base` + path, or GitHub's edit form."""
    if info.edit_base:
        return info.edit_base + _path(rel)
    if _on_github(info):
        return f"{info.repository.rstrip('/')}/edit/{_path(info.branch)}/{_path(rel)}"
    return None


def report_url(info: CatalogInfo, record_id: str, rel: str, page_url: str | None) -> str | None:
    """GitHub's new-issue form for .github/ISSUE_TEMPLATE/report-an-error.yml, with the record filled in."""
    if not _on_github(info):
        return None
    fields = {
        "template": REPORT_TEMPLATE,
        "title": f"[error] {record_id}: ",
        "record": record_id,
        "file": rel,
    }
    if page_url:
        fields["page"] = page_url
    return f"{info.repository.rstrip('/')}/issues/new?{urlencode(fields, quote_via=quote)}"


def issue_form_url(info: CatalogInfo, template: str) -> str | None:
    """GitHub's new-issue form for .github/ISSUE_TEMPLATE/<template>."""
    if not _on_github(info):
        return None
    return f"{info.repository.rstrip('/')}/issues/new?{urlencode({'template': template}, quote_via=quote)}"


def folder_url(info: CatalogInfo, rel: str) -> str | None:
    """Where a reader browses a folder of the repository (`rel` from its root), on the site's branch."""
    if _on_github(info):
        return f"{info.repository.rstrip('/')}/tree/{_path(info.branch)}/{_path(rel)}"
    return None


def commit_url(info: CatalogInfo, commit: str) -> str | None:
    if _on_github(info):
        return f"{info.repository.rstrip('/')}/commit/{commit}"
    return None
