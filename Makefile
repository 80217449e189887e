# Two commands a new user runs: `make demo` (the main job, offline) and `make test`.
# Each creates .venv from the pinned requirements on first run; nothing else needs installing by hand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --disable-pip-version-check -q -c constraints.txt
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test test-long synth plan deploy checkov bench bench-synth clean venv

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

# --- infrastructure (CDK for Terraform, synthesized by plain Python; no cdktf CLI, no AWS credentials) ---
CHECKOV_VENV := .venv-checkov
# The stack folder is named after [project] name of the config (OPSAGENT_CONFIG_FILE or ops-agent.toml).
STACK = $(shell $(BIN)/python -c 'import os, tomllib; print(tomllib.load(open(os.environ.get("OPSAGENT_CONFIG_FILE", "ops-agent.toml"), "rb")).get("project", {}).get("name", "ops-agent"))')
STACK_DIR = cdktf.out/stacks/$(STACK)

synth: $(VENV)/.dev-installed
	$(BIN)/python main.py

plan: synth
	cd $(STACK_DIR) && terraform init -input=false && terraform plan -input=false -out=tfplan

deploy: synth
	cd $(STACK_DIR) && terraform init -input=false && terraform apply -input=false

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements-checkov.txt
	touch $@

checkov: synth $(CHECKOV_VENV)/.installed
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml -d $(STACK_DIR)

# Benchmarks: every script under bench/ (each in its own process; a failing one does not stop the others),
# results and the machine they ran on written to docs/performance.md. Takes ~11 min on 2 cores (the first run also
# generates the large snapshot into .cache/bench/, ~1.5 min more).
bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run_all.py

bench-synth: $(VENV)/.dev-installed
	$(BIN)/python bench/synth.py
