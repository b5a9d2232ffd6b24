# Speak Up. `make run` and `make test` are all a newcomer needs; `make help` lists the rest.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
LOAD_STAMP := $(VENV)/.installed-load
export FLASK_APP := portal

.DEFAULT_GOAL := help
.PHONY: help run serve loadtest seed test bench bench-deps catalogues translations lint format db system-test-deps clean

help: ## List the make targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# --no-compile: Python compiles each module the first time it is imported, so compiling every
# file of every package at install (scipy's, numpy's and scikit-learn's thousands) only costs
# time: 25 of the 67 seconds a fresh `.[test]` install took here.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --no-compile -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --no-compile -e ".[test]"
	touch $@ $(RUN_STAMP)

CATALOGUES := portal/translations
BABEL := $(BIN)/pybabel

MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(CATALOGUES)/*/LC_MESSAGES/messages.po))
catalogues: $(MO_FILES) # Compile the message catalogues (the .po files are the source)

# Only when the .po changed, and by renaming, so a running app never reads half a catalogue.
$(CATALOGUES)/%/LC_MESSAGES/messages.mo: $(CATALOGUES)/%/LC_MESSAGES/messages.po | $(RUN_STAMP)
	@$(BABEL) -q compile -i $< -o $@.tmp && mv $@.tmp $@

translations: $(RUN_STAMP) ## Extract new public strings, update every catalogue, compile them
	$(BABEL) extract -F babel.cfg -k _l -k said -o $(CATALOGUES)/messages.pot --project "Speak Up" --no-wrap --sort-by-file --no-location .
	$(BABEL) update -i $(CATALOGUES)/messages.pot -d $(CATALOGUES) --no-wrap --no-fuzzy-matching --ignore-obsolete
	$(BABEL) compile -d $(CATALOGUES) --statistics

db: $(RUN_STAMP) catalogues ## Bring the SQLite database in instance/ up to date
	$(BIN)/flask db upgrade

# The sender (`flask outbox send`) runs beside the server, and Ctrl+C (or SIGTERM to make or
# to the shell) stops both. With MAIL_URL unset, each message is an .eml file in instance/mail/.
run: db ## Set up on first use, then serve the portal on 127.0.0.1:$PORT (default 5000) and send its messages
	@$(BIN)/flask staff demo
	@$(BIN)/flask outbox send & sender=$$!; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT) --with-threads --no-reload --no-debugger & server=$$!; \
	trap 'kill $$server $$sender 2>/dev/null' INT TERM; \
	wait $$server; status=$$?; kill $$server $$sender 2>/dev/null; wait; exit $$status

# The Procfile, as a platform runs it: `release` (migrations) once, then `web` (gunicorn) and
# `worker` (the sender) together until Ctrl+C. honcho runs them and gives `web` the port
# (tools/procfile.py: `honcho start`, relaying each process's output in batches, not by line).
serve: $(RUN_STAMP) catalogues ## Serve as production does: gunicorn on 127.0.0.1:$${PORT:-8000} and the sender, from the Procfile
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python tools/procfile.py -f Procfile release
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/python tools/procfile.py -f Procfile -p $${PORT:-8000} web worker

$(LOAD_STAMP): pyproject.toml $(TEST_STAMP)
	$(BIN)/pip install --quiet --no-compile -e ".[test,load]"
	touch $@

loadtest: $(LOAD_STAMP) catalogues system-test-deps ## Load `make serve` on a throwaway PostgreSQL with locust: LOAD_USERS (50) for LOAD_MINUTES (5)
	$(BIN)/python bench/loadtest.py

system-test-deps: ## Install what the tests need from Debian (PostgreSQL, Redis, Chromium) when missing
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x /usr/bin/redis-server ] || missing="$$missing redis-server"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "Installing for the test suite:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: $(TEST_STAMP) ## Check style with ruff, and the layers (pyproject.toml) with import-linter
	$(BIN)/ruff check portal staff tests bench tools
	$(BIN)/ruff format --check portal staff tests bench tools
	$(BIN)/lint-imports

format: $(TEST_STAMP) ## Format the code with ruff
	$(BIN)/ruff format portal staff tests bench tools
	$(BIN)/ruff check --fix portal staff tests bench tools

# One test worker more than the cores (at most 4). Measured on 2 cores, reading /proc/stat over
# whole runs: the machine is 94-99% busy with 2, 3 or 4 workers (Chromium and the servers the
# tests start keep working while a worker waits on them). Quiet runs of pytest: 2 workers 915 s
# and 980 s, 3 workers 934 s and 941 s, 4 workers 1,052 s. Only less work makes it faster.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 4 ? n + 1 : 4 )))

# Work stealing: each worker starts with an equal share of the tests, and a worker that runs out takes
# half of what another has left. xdist's default (load) hands out runs of consecutive tests, so
# the longest tests, which tests/conftest.py puts first, all went to one worker, which ran on
# alone for minutes after the others had finished.
#
# Python writes a module's bytecode the first time it imports it, and later processes read it.
# Where the environment forbids that (PYTHONDONTWRITEBYTECODE: this machine sets it), every
# process the tests start (pytest's workers, gunicorn, the sender, flask commands) compiled
# portal and its libraries again: 6.6 seconds of CPU to import the app, against 1.5 with them
# compiled once. The tests let Python write it (an empty value, as unset).
test: export PYTHONDONTWRITEBYTECODE :=
test: $(TEST_STAMP) catalogues system-test-deps lint ## Run everything: SQLite, a throwaway PostgreSQL, Chromium
	SPEAKUP_TEST_POSTGRES=required $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --durations=15

seed: db ## Add 100,000 made-up complaints to the local database (to try the tracker at scale)
	$(BIN)/flask tracker seed 100000

bench-deps: ## Install wrk from Debian (the serving benchmark loads pages with it) when missing
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: $(TEST_STAMP) catalogues bench-deps ## Measure the safety matcher, page and tracker timings (figures, not tests)
	$(BIN)/python bench/run.py

clean: ## Remove the virtual environment and caches (keeps instance/ and its database)
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
