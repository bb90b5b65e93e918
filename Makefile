# The two commands that matter: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
WORKPHONE_HOME ?= $(CURDIR)/data
export WORKPHONE_HOME
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

demo: setup
	$(BIN)/workphone simulate --world report-2025 --scale small --out $(WORKPHONE_HOME)
	$(BIN)/workphone ingest
	@echo
	@echo "Raw captures:  $(WORKPHONE_HOME)/raw"
	@echo "Ground truth:  $(WORKPHONE_HOME)/ground_truth"
	@echo "Lake:          $(WORKPHONE_HOME)/lake"
	@echo "Warehouse:     $(WORKPHONE_HOME)/warehouse.duckdb (ops.quarantine, ops.ingested_files)"

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(WORKPHONE_HOME)
