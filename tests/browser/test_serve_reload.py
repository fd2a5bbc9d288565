"""`aligncat serve`: a page open in the browser reloads by itself when a record is saved, with no console error
and no Content Security Policy violation (the preview's CSP allows MkDocs' reload script by a nonce; a built site
has none)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MINI_CATALOG = REPO / "tests" / "data" / "mini_catalog"

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample}));
"""


def start_serve(catalog: Path, log_path: Path, timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """Run `aligncat serve` on a free port; return the process and the URL it says it serves."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(log_path, "w")  # noqa: SIM115  (the process writes it until stopped)
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "aligncat"),
            "serve",
            str(catalog),
            "--project",
            str(REPO),
            "--dev-addr",
            f"127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(r"serving the site of .* at (http://\S+) ", log_path.read_text())
        if match:
            return proc, match.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("aligncat serve did not say where it serves:\n" + log_path.read_text())


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_an_open_page_reloads_by_itself_when_a_record_is_saved(tmp_path, page) -> None:
    catalog = tmp_path / "cat"
    shutil.copytree(MINI_CATALOG, catalog)
    proc, url = start_serve(catalog, tmp_path / "serve.log")
    assert url == url.rstrip("/") + "/" and url.startswith("http://127.0.0.1:")
    try:
        page.add_init_script(WATCH)
        page.goto(url + "records/beta2020-method/")
        assert "Learning from Toy Preferences" in page.inner_text("h1")
        policy = page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        # The preview knows its own address: its scripts are named by it, file by file, never 'self'.
        script_src = policy.split("script-src", 1)[1].split(";", 1)[0].split()
        assert "'self'" not in script_src and url + "assets/aligncat/aligncat.js" in script_src, script_src
        assert page.evaluate("() => [...document.scripts].filter(s => s.nonce).length") == 1
        page.evaluate("() => { window.__same_document = true; }")
        record = catalog / "papers" / "beta2020-method.yaml"
        record.write_text(record.read_text().replace("Learning from Toy Preferences", "Learning from Edits"))
        page.wait_for_function(
            "() => document.querySelector('h1') && document.querySelector('h1').innerText.includes('Edits')",
            timeout=30_000,
        )
        assert page.evaluate("() => window.__same_document === undefined")  # it was reloaded, not patched
        assert page.evaluate("() => window.__csp") == []
        assert page.console_errors == []
        assert page.external_requests == []
        # A nonce of this preview only: a page served again carries the same one (the pages are files).
        assert nonce in page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
    finally:
        stop(proc)
    assert "serving the site of" in (tmp_path / "serve.log").read_text()


def test_a_built_site_allows_no_reload_script(toy_site) -> None:
    for path in sorted(toy_site.rglob("*.html")):
        assert "'nonce-" not in path.read_text(encoding="utf-8"), path
