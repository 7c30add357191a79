# Two commands matter (see README): `make mock` and `make test`.
# Both create .venv and install the pinned dependencies first (idempotent).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: mock test test-long lint bench install clean

# The first install takes 1-2 minutes: say so, and let pip show each package as it goes.
$(STAMP): pyproject.toml constraints.txt
	@echo "==> installing into $(VENV) (first run only, 1-2 min; later runs start at once)"
	@echo "==> [1/3] creating $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> [2/3] upgrading pip"
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@echo "==> [3/3] installing the mock, the harness and the pinned dependencies"
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -c constraints.txt -e '.[test]'
	@echo "==> installed"
	touch $(STAMP)

install: $(STAMP)

## Run the mock on its defaults (127.0.0.1:8080, seed 42).
mock: $(STAMP)
	$(VENV)/bin/mock-server $(ARGS)

## Run the project's tests (the default, CI-sized run).
test: $(STAMP)
	bash scripts/ensure-system-deps.sh
	bash scripts/ensure-node-tools.sh
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -n 2 $(ARGS)

## Long fuzz / load variants and the slow HTTP suites (opt-in; `make test` deselects them).
test-long: $(STAMP)
	bash scripts/ensure-system-deps.sh
	$(PY) -m pytest -m long $(ARGS)

SPECS    := specs/glue-returns.openapi.yaml specs/sendcloud-returns-v2.openapi.yaml
SPECTRAL := .node-tools/node_modules/.bin/spectral

## Our own contract lint, then Spectral's OAS ruleset (pinned, installed into .node-tools/).
lint: $(STAMP)
	$(VENV)/bin/mock-server lint $(SPECS)
	bash scripts/ensure-node-tools.sh
	$(SPECTRAL) lint --ruleset .spectral.yaml --fail-severity warn $(SPECS)

## Side-by-side benchmark against Prism (installs wrk and Prism itself).
bench: $(STAMP)
	$(PY) -m bench $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
