# gongxin build and test harness (GNU make).
#
#   make demo   set up, load a demo data set once, serve it on http://127.0.0.1:8000
#   make test   install, system packages, lint, the whole test suite (what CI runs)
#   make help   list every target

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV = .venv
BIN = $(VENV)/bin
INSTALL_STAMP = $(VENV)/.installed

VAR = var
DEMO_STAMP = $(VAR)/.demo-loaded
DEMO_SUBJECTS ?= 2000
DEMO_SEED ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000
# the suite runs on every core the machine has (pytest-xdist: one PostgreSQL server per worker;
# the Spark tests stay together on one worker); `make test PYTEST_ARGS=` runs it in one process
PYTEST_ARGS ?= -n auto --dist loadgroup

# bench/ may not exist yet in a fresh clone (git keeps no empty folders)
LINT_PATHS = $(wildcard src tests bench)

PIP_FLAGS = --disable-pip-version-check --progress-bar off

heading = @printf '\n==> %s\n' $(1)

CONSTRAINTS = constraints.txt

.PHONY: help install assets system-deps lint test demo bench clean lock

help: ## list the targets
	@echo "gongxin make targets:"
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "} {printf "  %-12s %s\n", $$1, $$2}'
	@echo "variables: PYTHON=$(PYTHON) (interpreter for the virtualenv, Python >= 3.11)"

install: $(INSTALL_STAMP) ## create .venv and install gongxin with its dev tools at the versions of constraints.txt

$(INSTALL_STAMP): pyproject.toml $(CONSTRAINTS)
	$(call heading,"install: $(VENV) ($(PYTHON))")
	@if [ ! -x $(BIN)/python ]; then \
		if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
			echo "error: '$(PYTHON)' is missing or older than Python 3.11; run e.g. make $(MAKECMDGOALS) PYTHON=/path/to/python3.11" >&2; \
			exit 1; \
		fi; \
		echo "$(PYTHON) -m venv $(VENV)"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install $(PIP_FLAGS) --upgrade pip
	$(BIN)/python -m pip install $(PIP_FLAGS) -c $(CONSTRAINTS) -e ".[dev]"
	@touch $@

lock: ## re-pin constraints.txt to the versions installed in .venv (after changing dependencies)
	$(call heading,"lock: $(CONSTRAINTS)")
	@{ echo "# Pinned versions of every dependency (runtime and dev), as CI tested them."; \
	   echo "# make install uses them (pip install -c $(CONSTRAINTS)); make lock rewrites this file."; \
	   $(BIN)/python -m pip freeze --disable-pip-version-check --exclude-editable --exclude gongxin; \
	} > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)

assets: ## the front-end libraries the app serves itself (Swagger UI, ECharts), from package-lock.json via npm
	bash scripts/assets.sh

system-deps: ## install missing Debian packages (PostgreSQL, Chromium, CJK fonts, poppler)
	$(call heading,"system-deps")
	bash scripts/system-deps.sh

lint: install ## ruff check, ruff format --check, mypy
	$(call heading,"lint: ruff check")
	$(BIN)/ruff check $(LINT_PATHS)
	$(call heading,"lint: ruff format --check")
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(call heading,"lint: mypy")
	$(BIN)/mypy

test: install assets system-deps ## lint, then the whole pytest suite (PostgreSQL tests included)
	@$(MAKE) lint
	$(call heading,"test: pytest")
	$(BIN)/pytest $(PYTEST_ARGS)

demo: install assets ## initialise, load the demo data once (var/), serve on http://127.0.0.1:8000
	$(call heading,"demo: gongxin init")
	$(BIN)/gongxin init
	@$(MAKE) $(DEMO_STAMP)
	$(call heading,"demo: gongxin worker --once (every scheduled job once)")
	$(BIN)/gongxin worker --once
	$(call heading,"demo: gongxin serve on http://$(HOST):$(PORT)")
	GONGXIN_PUBLIC_BASE_URL=$${GONGXIN_PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} \
	  $(BIN)/gongxin serve --host $(HOST) --port $(PORT)

$(DEMO_STAMP):
	$(call heading,"demo: gongxin demo --subjects $(DEMO_SUBJECTS) --seed $(DEMO_SEED)")
	$(BIN)/gongxin demo --subjects $(DEMO_SUBJECTS) --seed $(DEMO_SEED)
	@mkdir -p $(@D)
	@touch $@

bench: install ## run the ingest benchmark
	$(call heading,"bench: ingest")
	$(BIN)/python bench/ingest.py

clean: ## remove var/, node_modules, the copied front-end libraries, test artefacts and tool caches (keeps .venv)
	rm -rf $(VAR) node_modules src/gongxin/web/static/vendor test-artifacts .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist
	find . -path ./.venv -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
