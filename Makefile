# Two commands do everything on a fresh machine with Python 3.11+ (and Node.js/npm for the site's scripts):
#   make serve   build the site from catalog/ and serve it with live reload on http://127.0.0.1:8000
#   make test    run the whole test suite (browser tests need /usr/bin/chromium; .ci/run installs it)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.aligncat-installed

.PHONY: install serve build test validate bench clean
.DEFAULT_GOAL := help

help:
	@echo "make serve  - build the site from catalog/ and serve it at http://127.0.0.1:8000 (live reload)"
	@echo "make test   - run the whole test suite"
	@echo "make build  - build the site into site/"
	@echo "make validate - check catalog/"

$(STAMP): pyproject.toml $(wildcard package-lock.json)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi
	touch $(STAMP)

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
