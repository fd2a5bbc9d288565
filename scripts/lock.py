"""The Python lock files, with hashes: `make lock` writes them, `make install`, CI and the deploy workflow install
from them, and `python scripts/lock.py check` says whether they still cover what pyproject.toml declares.

    requirements/dev.lock    everything `pip install -e '.[dev]'` needs (tests, site, Zensical, ruff) + setuptools
    requirements/site.lock   what the site needs (`.[site]`) + setuptools: the deploy, catalog and site jobs
    requirements/tools.lock  the tools that make and audit the locks (uv, pip-audit), kept apart in .venv-tools/

Every version is resolved once, for Python 3.11 and newer on every platform (`uv pip compile --universal`), and
site.lock takes dev.lock's versions, so every job runs the same code. Nothing here is ever installed without
`--require-hashes`, except the very first uv when tools.lock does not exist yet.

Usage: python scripts/lock.py [lock | check | audit]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "requirements"
DEV_LOCK = LOCKS / "dev.lock"
SITE_LOCK = LOCKS / "site.lock"
TOOLS_LOCK = LOCKS / "tools.lock"
TOOLS_IN = LOCKS / "tools.in"
TOOLS_VENV = ROOT / ".venv-tools"
PYTHON_FLOOR = "3.11"  # pyproject's requires-python
COMPILE = ["pip", "compile", "--generate-hashes", "--universal", "--python-version", PYTHON_FLOOR, "--quiet",
           "--custom-compile-command", "make lock", "--no-strip-markers"]


def _name(requirement: str) -> str:
    """The normalised project name of a requirement line (PEP 503: lower case, runs of -_. as one -)."""
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not m:
        raise ValueError(f"not a requirement: {requirement!r}")
    return re.sub(r"[-_.]+", "-", m.group(1)).lower()


def declared(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, dict[str, list[str]]]:
    """{lock name: {project name: [requirement texts]}}: what each lock must hold, from pyproject.toml.

    dev.lock holds the dependencies, every extra `dev` pulls in (also through self-references like
    'aligncat[site,test]') and the build system's requirements (the project itself is installed with
    --no-build-isolation, so its build runs on hashed packages too); site.lock the dependencies, the `site` extra
    and the build system's requirements.
    """
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    name = _name(project["project"]["name"])
    extras = project["project"].get("optional-dependencies", {})

    def collect(wanted: list[str], out: dict[str, list[str]], seen: set[str]) -> None:
        for extra in wanted:
            if extra in seen:
                continue
            seen.add(extra)
            for req in extras.get(extra, ()):
                if _name(req) == name:  # 'aligncat[site,test]': those extras too
                    inner = re.search(r"\[([^\]]*)\]", req)
                    collect([e.strip() for e in inner.group(1).split(",")] if inner else [], out, seen)
                else:
                    out.setdefault(_name(req), []).append(req)

    base: dict[str, list[str]] = {}
    for req in project["project"].get("dependencies", ()):
        base.setdefault(_name(req), []).append(req)
    dev = {k: list(v) for k, v in base.items()}
    collect(["dev"], dev, set())
    for req in project.get("build-system", {}).get("requires", ()):
        dev.setdefault(_name(req), []).append(req)
    site = {k: list(v) for k, v in base.items()}
    collect(["site"], site, set())
    for req in project.get("build-system", {}).get("requires", ()):
        site.setdefault(_name(req), []).append(req)
    return {"dev.lock": dev, "site.lock": site}


def pinned(lock: Path) -> dict[str, tuple[str, int]]:
    """{project name: (version, number of hashes)} of a lock file written by uv pip compile."""
    out: dict[str, tuple[str, int]] = {}
    current = None
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if m:
            current = _name(m.group(1))
            out[current] = (m.group(2), 0)
        elif current and "--hash=sha256:" in line:
            version, hashes = out[current]
            out[current] = (version, hashes + 1)
        elif not line.startswith(" "):
            current = None
    return out


def check(root: Path = ROOT) -> list[str]:
    """Every way the locks fail to cover pyproject.toml (empty when they cover it): a declared project that is not
    pinned, a pin without a hash, a pin outside the declared range (when `packaging` is there to say)."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # a bare interpreter (make install, before the venv has anything): names only
        Requirement = None  # noqa: N806
    problems = []
    for lock_name, wants in declared(root / "pyproject.toml").items():
        lock = root / "requirements" / lock_name
        if not lock.exists():
            problems.append(f"requirements/{lock_name} is missing")
            continue
        pins = pinned(lock)
        for project, reqs in sorted(wants.items()):
            if project not in pins:
                problems.append(f"requirements/{lock_name} does not pin {project} ({'; '.join(reqs)})")
                continue
            version, hashes = pins[project]
            if not hashes:
                problems.append(f"requirements/{lock_name} pins {project}=={version} without a hash")
            if Requirement is not None:
                for req in reqs:
                    spec = Requirement(req).specifier
                    if not spec.contains(version, prereleases=True):
                        problems.append(f"requirements/{lock_name} pins {project}=={version}, outside {req!r}")
    return problems


def _tools() -> Path:
    """.venv-tools/bin, with uv and pip-audit installed from tools.lock (hash-checked)."""
    bin_dir = TOOLS_VENV / "bin"
    stamp = TOOLS_VENV / ".installed-from"
    wanted = TOOLS_LOCK.read_text(encoding="utf-8") if TOOLS_LOCK.exists() else TOOLS_IN.read_text(encoding="utf-8")
    if (bin_dir / "uv").exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return bin_dir
    if TOOLS_VENV.exists():
        shutil.rmtree(TOOLS_VENV)
    venv.create(TOOLS_VENV, with_pip=True)
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if TOOLS_LOCK.exists():
        subprocess.run([*pip, "--require-hashes", "-r", str(TOOLS_LOCK)], check=True)
    else:  # the first time only: tools.lock is then written by the uv installed here
        subprocess.run([*pip, "-r", str(TOOLS_IN)], check=True)
    stamp.write_text(wanted, encoding="utf-8")
    return bin_dir


def lock() -> int:
    """Resolve and write every lock file (the one command: `make lock`)."""
    LOCKS.mkdir(exist_ok=True)
    uv = str(_tools() / "uv")
    env = dict(os.environ, UV_NO_CONFIG="1")  # no uv.toml or user config changes what is resolved
    build = [r for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]]
    build_in = LOCKS / ".build.in"
    build_in.write_text("\n".join(build) + "\n", encoding="utf-8")
    rel = lambda p: str(p.relative_to(ROOT))  # noqa: E731  (the files name each other by relative path)
    try:
        steps = [
            [uv, *COMPILE, "pyproject.toml", rel(build_in), "--extra", "dev", "-o", rel(DEV_LOCK)],
            [uv, *COMPILE, "pyproject.toml", rel(build_in), "--extra", "site", "-c", rel(DEV_LOCK), "-o",
             rel(SITE_LOCK)],
            [uv, *COMPILE, rel(TOOLS_IN), "-o", rel(TOOLS_LOCK)],
        ]
        for step in steps:
            print("+", " ".join(step[1:]))
            subprocess.run(step, check=True, cwd=ROOT, env=env)
    finally:
        build_in.unlink(missing_ok=True)
    for path in (DEV_LOCK, SITE_LOCK):  # the temporary input's name is not part of the lock
        path.write_text(path.read_text(encoding="utf-8").replace(rel(build_in), "build-system.requires"),
                        encoding="utf-8")
    problems = check()
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    print(f"wrote {rel(DEV_LOCK)} ({len(pinned(DEV_LOCK))} pins), {rel(SITE_LOCK)} ({len(pinned(SITE_LOCK))}), "
          f"{rel(TOOLS_LOCK)} ({len(pinned(TOOLS_LOCK))})")
    return 1 if problems else 0


def _no_network(output: str) -> bool:
    signs = ("ConnectionError", "Max retries exceeded", "Temporary failure in name resolution", "ENOTFOUND",
             "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT", "getaddrinfo", "Network is unreachable", "network request",
             "Failed to establish a new connection", "ProxyError", "SSLError", "timed out")
    return any(s in output for s in signs)


def audit() -> int:
    """pip-audit over both Python locks and npm audit over package-lock.json; says plainly what it could not
    check. Exit 1 when a known vulnerability is found, 0 otherwise (also when offline: then it says so)."""
    status = 0
    try:
        pip_audit = str(_tools() / "pip-audit")
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"pip-audit: NOT RUN: the audit tools could not be installed ({exc}); the Python locks are unaudited")
        pip_audit = None
    for lock in (DEV_LOCK, SITE_LOCK) if pip_audit else ():
        run = subprocess.run([pip_audit, "--requirement", str(lock), "--require-hashes", "--disable-pip",
                              "--progress-spinner", "off", "--format", "json"],
                             capture_output=True, text=True, cwd=ROOT)
        label = f"pip-audit {lock.relative_to(ROOT)}"
        try:
            report = json.loads(run.stdout)
        except json.JSONDecodeError:
            report = None
        if report is None:
            why = "no network to the vulnerability service" if _no_network(run.stderr) else run.stderr.strip()
            print(f"{label}: NOT AUDITED: {why.splitlines()[-1] if why else 'no answer'}")
            continue
        deps = report.get("dependencies", [])
        found = [(d["name"], d["version"], v["id"], ", ".join(v.get("fix_versions", [])) or "no fix yet")
                 for d in deps for v in d.get("vulns", [])]
        skipped = [d["name"] for d in deps if d.get("skip_reason")]
        for name, version, vid, fix in found:
            print(f"{label}: {name} {version}: {vid} (fixed in: {fix})")
        if deps and len(skipped) == len(deps):
            print(f"{label}: NOT AUDITED: the vulnerability service answered for none of the {len(deps)} packages "
                  f"({deps[0]['skip_reason']}); run `make audit` where PyPI's JSON API can be reached")
        else:
            print(f"{label}: {len(deps) - len(skipped)} of {len(deps)} packages checked, {len(found)} known "
                  "vulnerabilities" + (f"; NOT checked: {', '.join(skipped)}" if skipped else ""))
        status = status or (1 if found else 0)
    npm = shutil.which("npm")
    if npm is None:
        print("npm audit: NOT RUN: npm is not installed; package-lock.json is unaudited")
    else:
        run = subprocess.run([npm, "audit", "--package-lock-only", "--json"], capture_output=True, text=True,
                             cwd=ROOT)
        try:
            report = json.loads(run.stdout or "{}")
        except json.JSONDecodeError:
            report = {}
        meta = report.get("metadata", {}).get("vulnerabilities")
        if meta is None:
            why = report.get("error", {}).get("summary") or run.stderr.strip() or "no answer"
            if _no_network(json.dumps(report) + run.stderr):
                why = "no network to the npm registry"
            elif re.search(r"\b(404|405|501)\b", why):
                why = f"the registry does not offer the audit service ({re.search(r'[0-9]{3}[A-Za-z ]*', why).group().strip()})"
            print(f"npm audit: NOT AUDITED: {why.splitlines()[0]}; run `make audit` where the npm registry's audit "
                  "service can be reached")
        else:
            total = sum(v for k, v in meta.items() if k != "total")
            for name, v in sorted(report.get("vulnerabilities", {}).items()):
                print(f"npm audit: {name}: {v.get('severity')} ({v.get('range')})")
            print(f"npm audit: package-lock.json: {total} known vulnerabilities")
            status = status or (1 if total else 0)
    return status


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "lock"
    if command == "lock":
        return lock()
    if command == "check":
        problems = check()
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        if problems:
            print("the lock files are stale: run `make lock` and commit requirements/", file=sys.stderr)
        return 1 if problems else 0
    if command == "audit":
        return audit()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
