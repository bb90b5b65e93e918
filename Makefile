# The two commands that matter: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
WORKPHONE_HOME ?= $(CURDIR)/data
export WORKPHONE_HOME
STAMP := $(VENV)/.installed

.PHONY: setup demo dashboard test lint clean

setup: $(STAMP)

$(STAMP): requirements.lock requirements-nodeps.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -r requirements-nodeps.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m speech_analytics.model_store
	touch $(STAMP)

demo: setup
	$(BIN)/workphone simulate --world report-2025 --scale small --out $(WORKPHONE_HOME)
	$(BIN)/workphone run
	@echo
	@echo "Raw captures:  $(WORKPHONE_HOME)/raw"
	@echo "Ground truth:  $(WORKPHONE_HOME)/ground_truth"
	@echo "Recordings:    $(WORKPHONE_HOME)/raw/devices/recordings"
	@echo "Lake:          $(WORKPHONE_HOME)/lake (transcripts: lake/transcripts, lake/transcriptions)"
	@echo "Warehouse:     $(WORKPHONE_HOME)/warehouse.duckdb (ops.quarantine, ops.ingested_files,"
	@echo "               speech.utterances, speech.transcriptions, compliance.compliance_findings,"
	@echo "               compliance.alerts, conversation.conversation_features, ...)"
	@echo "Marts:         $(WORKPHONE_HOME)/warehouse.duckdb, schemas staging, intermediate, marts"
	@echo "               (marts.fct_calls, marts.fct_conversations, marts.rpt_channel_efficiency,"
	@echo "               marts.rpt_script_compliance, ...; dbt artifacts in $(WORKPHONE_HOME)/dbt/target)"
	@echo "Alerts:        $(WORKPHONE_HOME)/alerts/alerts.jsonl"
	@echo "Search index:  $(WORKPHONE_HOME)/search.duckdb (every transcript and chat, for the dashboard)"
	@echo
	$(BIN)/workphone kpi
	@echo
	$(BIN)/workphone dashboard users --init --force

dashboard: setup
	$(BIN)/workphone dashboard

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(WORKPHONE_HOME)
