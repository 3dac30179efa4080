# backupops.veeam — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL := build/backupops-veeam-$(VERSION).tar.gz
COLLECTIONS := $(CURDIR)/.collections
INSTALLED := $(COLLECTIONS)/ansible_collections/backupops/veeam
SANITY_ROOT := $(CURDIR)/build/sanity/ansible_collections/backupops/veeam
SOURCES := $(shell find plugins meta roles playbooks -type f 2>/dev/null | grep -v __pycache__) galaxy.yml README.md

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PYTHONPATH := $(COLLECTIONS):$(CURDIR)
export PATH := $(BIN):$(PATH)

.PHONY: help venv install units functional integration sanity lint changelog-lint test demo sim clean constraints

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or later is needed, found %s" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

venv: $(VENV)/.installed ## create .venv with the pinned tools

$(INSTALLED)/.installed: $(VENV)/.installed $(SOURCES)
	@mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build/ .
	$(BIN)/ansible-galaxy collection install --force -p $(COLLECTIONS) $(TARBALL)
	touch $@

install: $(INSTALLED)/.installed ## build the collection and install it into .collections

units: install ## unit tests of pure logic
	@echo "== unit tests"
	$(BIN)/python -m pytest -q tests/unit

functional: install ## the simulator, the clients and the modules against the simulator over HTTPS
	@echo "== functional tests (against the simulator, over HTTPS)"
	$(BIN)/python -m pytest -q -n 2 tests/functional

integration: install ## playbooks against the simulator
	@echo "== integration tests (playbooks against the simulator)"
	@if [ -d tests/integration ]; then $(BIN)/python -m pytest -q tests/integration; else echo "no tests/integration yet"; fi

sanity: install ## ansible-test sanity, offline, on a copy of the collection under ansible_collections/
	@echo "== ansible-test sanity"
	$(BIN)/python tests/sanity/install_offline_get_pip.py
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)
	git ls-files -co --exclude-standard | grep -v '^tests/output/' | while read -r file; do \
	  [ -e "$$file" ] && mkdir -p "$(SANITY_ROOT)/$$(dirname "$$file")" && cp -p "$$file" "$(SANITY_ROOT)/$$file"; done; true
	@# The copy gets its own git repository: ansible-test lists files with git, and inside our work tree
	@# the copy would sit under the ignored build/ folder and look empty.
	cd $(SANITY_ROOT) && git init -q && git add -A && \
	  $(BIN)/ansible-test sanity --venv --python 3.11 --color no

lint: install ## ansible-lint, production profile
	@echo "== ansible-lint (production profile)"
	$(BIN)/ansible-lint --offline

changelog-lint: venv ## antsibull-changelog lint of the fragments
	@echo "== changelog fragments"
	$(BIN)/antsibull-changelog lint

test: venv install units functional integration sanity lint changelog-lint ## everything CI runs
	@echo "== all tests passed"

demo: install ## start the simulator and run the demo playbooks against it
	@bash tests/demo/run_demo.sh

sim: install ## run the simulator in the foreground (same settings as the demo)
	$(BIN)/python -m tests.simulator --cert-dir .sim/certs --state .sim/state.json --vbr-servers 2

constraints: ## re-pin constraints.txt from a fresh venv
	rm -rf build/constraints-venv && $(PYTHON) -m venv build/constraints-venv
	build/constraints-venv/bin/python -m pip install --quiet -r requirements-dev.txt
	(echo "# Full pin set of the dev venv (pip freeze), so CI is reproducible. Regenerate: make constraints"; \
	  build/constraints-venv/bin/python -m pip freeze) > constraints.txt

clean: ## remove build output, the installed collection and the demo's state (keeps .venv)
	rm -rf build .collections .sim tests/output
