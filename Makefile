# netintel — two commands do everything:
#   make demo   install, start a local Neo4j, generate + load demo data, serve the UI
#   make test   install, start a Neo4j for tests, run pytest
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NETINTEL := $(VENV)/bin/netintel
DEMO_PERSONS ?= 3000
DEMO_SEED ?= 42
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# the demo database and the test database are separate Neo4j instances
DEMO_ENV := NETINTEL_HOME=$(CURDIR)/.netintel/demo
TEST_ENV := NETINTEL_HOME=$(CURDIR)/.netintel/test NETINTEL_BOLT_PORT=7688 NETINTEL_HTTP_PORT=7475 \
            NETINTEL_NEO4J_HEAP=1g NETINTEL_NEO4J_PAGECACHE=512m

.PHONY: demo test install system-deps neo4j-start neo4j-stop lint bench clean serve

$(VENV)/.installed: pyproject.toml
	@command -v java >/dev/null || { echo "Java 17+ is required (apt-get install openjdk-17-jre-headless)"; exit 1; }
	@command -v mvn >/dev/null || { echo "Maven is required (apt-get install maven)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Debian packages for browser tests and Thai fonts in PNG/PDF exports (skipped when present)
system-deps:
	@bash scripts/system-deps.sh

demo: install
	$(DEMO_ENV) $(NETINTEL) neo4j start
	$(DEMO_ENV) $(NETINTEL) generate --out demo-data --seed $(DEMO_SEED) --persons $(DEMO_PERSONS)
	$(DEMO_ENV) $(NETINTEL) ingest demo-data
	$(DEMO_ENV) $(NETINTEL) stats
	$(DEMO_ENV) $(NETINTEL) analyse duplicates --write --format csv > /dev/null
	$(DEMO_ENV) $(NETINTEL) demo-admin
	$(DEMO_ENV) $(NETINTEL) serve --host 127.0.0.1 --port 8000

test: install system-deps
	$(TEST_ENV) $(NETINTEL) neo4j start
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

neo4j-stop:
	-$(DEMO_ENV) $(NETINTEL) neo4j stop
	-$(TEST_ENV) $(NETINTEL) neo4j stop

lint: install
	$(VENV)/bin/ruff check core ingest graph analytics views api cli viz tests bench scripts
	$(VENV)/bin/mypy

bench: install
	$(TEST_ENV) $(NETINTEL) neo4j start
	$(TEST_ENV) $(PY) bench/ingest.py
	$(TEST_ENV) $(PY) bench/analytics.py
	$(TEST_ENV) $(PY) bench/api.py

clean: neo4j-stop
	rm -rf .netintel demo-data rejects
