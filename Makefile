# Everything a user or CI needs; `make help` lists the targets.
# One virtualenv (.venv), one project-local Airflow home (.airflow, SQLite),
# one local object store (data/store) unless DEFENCE_NEWS_STORE=s3.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SEED_PORT ?= 8765

export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export DEFENCE_NEWS_LOCAL_ROOT ?= $(CURDIR)/data/store
export DEFENCE_NEWS_UI_CACHE ?= $(CURDIR)/data/ui-tables

.PHONY: help install run demo test lint format airflow seed-site bench-parse bench-fetch bench-scale \
	bench-discovery bench-events bench-ui eval-events eval-real train-events clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(STAMP)  ## create .venv with the pinned dependencies and the project

$(AIRFLOW_HOME)/airflow.db: $(STAMP)
	$(BIN)/airflow db migrate > /dev/null
	$(BIN)/airflow pools set defence_news_http 4 "Outbound HTTP of the defence-news ingest" > /dev/null

run: $(AIRFLOW_HOME)/airflow.db  ## run both DAGs once over the configured sources
	$(BIN)/python -m defence_news run

demo: $(AIRFLOW_HOME)/airflow.db  ## the same job over the offline seed site (no internet needed)
	$(BIN)/python -m defence_news run --seed-site

test: $(STAMP)  ## lint, format check and the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

airflow: $(AIRFLOW_HOME)/airflow.db  ## Airflow standalone with the UI on http://localhost:8080
	@echo "Admin password: printed below, and kept in $(AIRFLOW_HOME)/simple_auth_manager_passwords.json.generated"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/airflow standalone  # it starts its components by name

seed-site: $(STAMP)  ## serve the offline seed site on 127.0.0.1:$(SEED_PORT)
	$(BIN)/python -m defence_news.seedsite --port $(SEED_PORT)

bench-parse: $(STAMP)  ## article extraction: body F1, docs/s and metadata beside trafilatura
	$(BIN)/python benchmarks/bench_parse.py

bench-fetch: $(STAMP)  ## polite fetching of 2,000 local pages over 20 hosts
	$(BIN)/python benchmarks/bench_fetch.py

bench-discovery: $(STAMP)  ## feeds and sitemaps: the libraries beside the hand-written reader
	$(BIN)/python benchmarks/bench_discovery.py

bench-scale: $(STAMP)  ## 5,000 synthetic articles: Airflow beside the one-process CLI, memory, XCom, objects
	$(BIN)/python benchmarks/bench_scale.py

bench-events: $(STAMP)  ## event extraction speed and memory, beside the extractor before issue 8
	$(BIN)/python benchmarks/bench_events.py

bench-ui: $(STAMP)  ## every UI page and API call over 100,000 events and 30 days of health
	$(BIN)/python benchmarks/bench_ui.py

eval-events: $(STAMP)  ## the written passages (regression): P/R/F1, status, country pairs
	$(BIN)/python benchmarks/eval_events.py

eval-real: $(STAMP)  ## real published articles: rules alone vs rules + learning, dev and blind
	$(BIN)/python benchmarks/eval_real.py --baseline

train-events: $(STAMP)  ## train the extractor's learned decisions on the real-text dev split
	$(BIN)/python benchmarks/train_events.py

clean:  ## remove the venv, Airflow home and local outputs
	rm -rf $(VENV) $(AIRFLOW_HOME) data
