# Two commands a new user runs: `make demo` (the main job, offline) and `make test`.
# Each creates .venv from the pinned requirements on first run; nothing else needs installing by hand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --disable-pip-version-check -q -c constraints.txt
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test test-long synth plan deploy checkov bench clean venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt constraints.txt | $(BIN)/python
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(PIP) -r requirements-dev.txt
	touch $@

venv: $(VENV)/.dev-installed

demo: $(VENV)/.runtime-installed
	$(BIN)/python -m agent demo

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n 2 -q

# Longer property-based fuzzing (more examples per test).
test-long: $(VENV)/.dev-installed
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest -n 2 -q tests

clean:
	rm -rf $(VENV) .venv-checkov cdktf.out .cache .pytest_cache .hypothesis
