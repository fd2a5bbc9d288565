# Two commands do everything on a fresh machine with Python 3.11+ (and Node.js/npm for the site's scripts):
#   make serve   build the site from catalog/ and serve it with live reload on http://127.0.0.1:8000
#   make test    run the whole test suite (browser tests need /usr/bin/chromium; .ci/run installs it)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.aligncat-installed

.PHONY: install serve build test validate bench clean lock audit
.DEFAULT_GOAL := help

help:
	@echo "make serve  - build the site from catalog/ and serve it at http://127.0.0.1:8000 (live reload)"
	@echo "make test   - run the whole test suite"
	@echo "make build  - build the site into site/"
	@echo "make validate - check catalog/"
	@echo "make lock   - re-resolve requirements/*.lock (with hashes) after changing pyproject.toml's dependencies"
	@echo "make audit  - pip-audit and npm audit over the lock files (says so when it cannot reach the services)"

# Every Python package comes from requirements/dev.lock, pinned and hash-checked; the project itself is installed
# on top without resolving anything (--no-deps) and built with the locked setuptools (--no-build-isolation). A lock
# that no longer covers pyproject.toml stops the install with the command that fixes it (make lock).
$(STAMP): pyproject.toml requirements/dev.lock $(wildcard package-lock.json)
	$(PYTHON) scripts/lock.py check
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi
	touch $(STAMP)

# The one command that updates the lock files: run it after any change to the dependencies in pyproject.toml,
# then commit requirements/. (uv resolves; it is installed, hash-checked, into .venv-tools/.)
lock:
	$(PYTHON) scripts/lock.py lock

audit:
	$(PYTHON) scripts/lock.py audit

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/aligncat serve

build: $(STAMP)
	$(BIN)/aligncat build

validate: $(STAMP)
	$(BIN)/aligncat validate catalog

test: $(STAMP)
	$(BIN)/python -m pytest -n auto

bench: $(STAMP)
	$(BIN)/python scripts/bench.py run

clean:
	rm -rf site .aligncat-build
