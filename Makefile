# Single entry point for every check CI runs. `make help` lists the targets.
# PYTHON only creates the venvs; every other target runs the venv's interpreter and tools, so
# `make setup demo` and `make setup check` work in one invocation on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(abspath $(VENV)/bin):$(PATH)

.PHONY: help setup setup-system setup-interop official-names update-api check-api generate check-generated sync check-sync lint breaking typecheck test demo bench check

help:
	@echo "setup setup-system update-api check-api generate check-generated sync check-sync lint breaking typecheck test demo bench check"

# System programs the tests run for real (Debian packages), installed with apt-get only when missing.
SYSTEM_PACKAGES := redis-server:redis-server chromium:chromium chromedriver:chromium-driver

setup:  ## create .venv with the package, emulator and dev tools, plus the official SDKs for interop tests
	$(MAKE) --no-print-directory setup-system
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,emulator]'
	$(MAKE) --no-print-directory setup-interop

setup-system:  ## apt-get install the programs tests start (redis-server, chromium, chromedriver) when missing
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

setup-interop:  ## test-only clients: official Node SDK (npm) and official Python SDK (own venv)
	cd tests/interop/clients && npm ci --no-audit --no-fund --loglevel=error
	test -x .interop/venv/bin/python || $(PYTHON) -m venv .interop/venv
	.interop/venv/bin/python -m pip install -q scalekit-sdk-python==2.21.0

official-names:  ## re-record the official Python SDK's public method names (tests/fixtures/official_python_sdk_methods.json)
	.interop/venv/bin/python tools/official_names.py

# UPSTREAM=scalekit-sdk-python==X.Y.Z (or UPSTREAM=latest) moves the pin; empty re-derives at the pin.
UPSTREAM ?=
UPDATE_API_FLAGS ?=
update-api:  ## derive proto/, the contract and the parity fixture from the pinned upstream release
	$(PY) tools/update_api.py $(if $(UPSTREAM),--upstream $(UPSTREAM)) $(UPDATE_API_FLAGS)

check-api:  ## fail when proto/, the contract or the fixture differ from what the pinned release gives
	$(PY) tools/update_api.py --check

generate:  ## proto/ -> generated/ (buf with local plugins only)
	buf generate
	$(PY) tools/finish_generated.py generated

check-generated:  ## regenerate and fail when generated/ differs from what is committed
	@tmp=$$(mktemp -d) && cp -r generated "$$tmp/before" && \
	  $(MAKE) --no-print-directory generate >/dev/null && \
	  if ! diff -r "$$tmp/before" generated >"$$tmp/diff"; then \
	    echo "generated/ is stale: run 'make generate' and commit the result"; head -40 "$$tmp/diff"; \
	    rm -rf "$$tmp"; exit 1; fi; rm -rf "$$tmp"; echo "generated/ is current"

sync:  ## regenerate scalekit_py/services/_sync/ from services/_async/
	$(PY) tools/unasync.py

check-sync:  ## fail when services/_sync/ is not what tools/unasync.py generates
	$(PY) tools/unasync.py --check

lint:  ## ruff (hand-written code) + buf lint
	$(PY) -m ruff check scalekit_py tests benchmarks examples tools
	$(PY) -m ruff format --check scalekit_py tests benchmarks examples tools
	buf lint

breaking:  ## buf breaking against the previous commit (skipped when there is none)
	@if git rev-parse -q --verify HEAD~1 >/dev/null 2>&1 && [ -n "$$(git ls-tree HEAD~1 proto)" ]; then \
	  buf breaking --against '.git#ref=HEAD~1'; \
	else echo "breaking: no previous commit with proto/, skipped"; fi

typecheck:  ## mypy --strict on hand-written code and tests
	$(PY) -m mypy

test:  ## the test suite (runs against in-process emulators)
	$(PY) -m pytest -q

demo:  ## start the emulator and run the admin example against it
	$(PY) examples/admin_demo.py

bench:  ## every benchmark; results are printed (see docs/BENCHMARKS.md)
	$(PY) -m pip install -q -e '.[bench,emulator]'
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

check: check-api check-generated check-sync lint breaking typecheck test  ## everything CI needs
