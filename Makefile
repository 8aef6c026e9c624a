# cityforum — two commands on a fresh machine: `make run` and `make test`.
# Every target installs what it needs first and is quiet when nothing is missing.

PYTHON      ?= python3.11
VENV        := .venv
BIN         := $(VENV)/bin
PORT        ?= 8000
STAMP       := $(VENV)/.installed
OS_STAMP    := var/.os-packages
LOCALES     := $(wildcard src/cityforum/locale/*/LC_MESSAGES/django.po)
MO_FILES    := $(LOCALES:.po=.mo)

# Debian packages: gettext (compile catalogues), PostgreSQL server binaries (tests),
# redis-server (the shared cache, limits and job queue of several app servers; the tests
# start their own on a free port),
# Chromium (browser tests), Pango and fonts (PDF reports with WeasyPrint), poppler-utils
# (pdftotext and pdftoppm: the tests read the PDFs back), Node.js and npm (install axe-core, the
# accessibility checker the browser tests inject into Chromium). npm is asked for only when no
# `npm` command exists: NodeSource's nodejs package bundles it and conflicts with Debian's.
OS_PACKAGES := gettext postgresql redis-server chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 poppler-utils nodejs
# axe-core, pinned by package-lock.json; reinstalled when the lock changes.
AXE         := node_modules/axe-core/axe.min.js

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run demo demo-screenshots test test-sqlite test-postgres test-browser bench lint messages clean help
.DEFAULT_GOAL := help

help:
	@echo "make run      install, prepare var/cityforum.sqlite3, serve http://127.0.0.1:$(PORT)"
	@echo "make demo     install, build a demonstration forum (var/demo.sqlite3) from public data, serve it"
	@echo "make test     install, make lint, then the whole suite (SQLite, PostgreSQL, Chromium)"
	@echo "make bench    benchmarks; writes docs/benchmarks.md"
	@echo "make lint     ruff, mypy on analysis/, import-linter (docs/architecture.md)"
	@echo "make messages refresh the translation catalogues (.po)"

install: $(OS_STAMP) $(STAMP) $(MO_FILES) $(AXE)

$(OS_STAMP):
	@missing=""; for p in $(OS_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing OS packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@mkdir -p var && touch $@

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[test]"
	@touch $@

# npm ci extracts files with their 1985 timestamps: touch the target so the rule settles.
$(AXE): package.json package-lock.json | $(OS_STAMP)
	@npm ci --no-audit --no-fund --silent
	@touch $@

src/cityforum/locale/%/LC_MESSAGES/django.mo: src/cityforum/locale/%/LC_MESSAGES/django.po
	@msgfmt --check -o $@ $<

run: install
	@$(BIN)/cityforum init
	@echo "cityforum is serving on http://127.0.0.1:$(PORT)  (Ctrl-C to stop)"
	@PORT=$(PORT) $(BIN)/cityforum serve --port $(PORT)

# A look at a forum in use: var/demo.sqlite3 rebuilt from public consultations (never the
# forum's own database), served on 127.0.0.1 with a banner on every page; the demo accounts and
# their passwords are printed before it serves (and shown at /en/demo/about/).
demo: install
	@$(BIN)/cityforum demo --port $(PORT)

# The demo's key pages, photographed by the browser test that crawls the small demo.
demo-screenshots: install
	@CITYFORUM_DEMO_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/browser/test_demo_site.py

# The suite: first the lint (ruff, mypy, the import-linter contracts of
# docs/architecture.md: CI runs only `make test`, so a new import circle fails it), then
# everything on SQLite (analysis and browser tests included), and every database test again
# on a PostgreSQL server and a Redis server (the shared state of several app servers: cache,
# rate limits, jobs) that the tests start from the system binaries.
# The two passes run side by side: most of the suite waits on servers, subprocesses and
# disks rather than computing, so together they take little longer than the longer one.
# The PostgreSQL pass prints as it goes; the SQLite pass's output follows when it ends.
test: install lint
	@mkdir -p var; \
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=15 > var/test-sqlite.log 2>&1 & lite=$$!; \
	$(BIN)/python -m pytest -q --durations=15 --postgres --redis --ignore=tests/analysis --ignore=tests/browser --ignore=tests/demo; pg=$$?; \
	wait $$lite; sqlite=$$?; \
	echo "=== SQLite pass (var/test-sqlite.log) ==="; cat var/test-sqlite.log; \
	echo "=== SQLite pass: exit $$sqlite; PostgreSQL + Redis pass: exit $$pg ==="; \
	test $$sqlite -eq 0 && test $$pg -eq 0

test-sqlite: install
	@$(BIN)/python -m pytest -q

test-postgres: install
	@$(BIN)/python -m pytest -q --postgres --redis --ignore=tests/analysis --ignore=tests/browser --ignore=tests/demo

test-browser: install
	@$(BIN)/python -m pytest -q tests/browser

bench: install
	@$(BIN)/python -m pip install -q --disable-pip-version-check -r bench/requirements.txt
	@$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -r bench/requirements-nodeps.txt
	@$(BIN)/python bench/run.py

lint: install
	@$(BIN)/ruff check src tests bench
	@$(BIN)/mypy
	@$(BIN)/lint-imports

messages: install
	@cd src/cityforum && ../../$(BIN)/django-admin makemessages -l fr -l en -l es --no-obsolete \
	  --settings=cityforum.settings.test --pythonpath=../ -i "analysis/*" >/dev/null

clean:
	rm -rf $(VENV) var/static src/cityforum/locale/*/LC_MESSAGES/*.mo
