# kembar — everyday commands. `make run` and `make test` work on a fresh machine with
# Python 3.11 and make; everything else is installed into .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KEMBAR := $(BIN)/kembar
STAMP := $(VENV)/.installed

.PHONY: install run test test-fast bench messages serve-demo clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The demo's logins are public: KEMBAR_DEMO=1 only offers the second factor to the admin and
# oversight logins that a real installation makes set one up (KEMBAR_DEMO=0 make run to try that).
# "Find partners" needs a model: the first run imports the real twinning links when
# ../shared/data/twin_cities.csv is there and learns from them and the demo (`kembar match-train`
# rebuilds it later).
TWIN_CITIES ?= ../shared/data/twin_cities.csv
run: install
	$(KEMBAR) migrate --no-input
	$(KEMBAR) load-gazetteer
	$(KEMBAR) demo
	@test -f var/matching-model.pkl || { test ! -f $(TWIN_CITIES) || $(KEMBAR) import-links $(TWIN_CITIES) --no-progress; $(KEMBAR) match-train; }
	export KEMBAR_DEMO=$${KEMBAR_DEMO:-1}; $(KEMBAR) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; $(KEMBAR) runserver 127.0.0.1:8000

# The background jobs (e-mail, …) of the queue TASKS_BACKEND names; `make run` starts one itself.
.PHONY: worker
worker: install
	$(KEMBAR) worker

# Production server: gunicorn (kembar/gunicorn_conf.py: BIND or PORT, WEB_CONCURRENCY) with DEBUG
# off and static files from whitenoise. SECRET_KEY comes from the environment; without one (a
# trial on this machine) a random key is kept in var/secret_key. Run `kembar migrate` first.
.PHONY: serve check-deploy audit
serve: install
	@mkdir -p var
	@test -n "$$SECRET_KEY" || test -s var/secret_key || (umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key)
	export DEBUG=0 SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" && \
	$(KEMBAR) collectstatic --no-input -v0 && \
	exec $(BIN)/gunicorn --config python:kembar.gunicorn_conf kembar.wsgi:application

# Django's deployment checklist under production settings; any warning fails.
check-deploy: install
	DEBUG=0 SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	ALLOWED_HOSTS=kembar.example.org KEMBAR_SITE_URL=https://kembar.example.org $(KEMBAR) check --deploy --fail-level WARNING

# Known vulnerabilities in the installed dependencies (pip-audit, PyPI's advisory data); fails
# only on an advisory that has a fix.
audit: install
	$(BIN)/python scripts/audit.py

# Two passes: the tests that roll back run on both cores (pytest-xdist, one database each),
# then the browser tests, which run a live server and flush their database: apart from the
# others, and also on both cores, each worker with its own database, live server and Chromium
# (docs/development.md#tests).
test: install
	$(BIN)/pytest -n 2 -m "not browser"
	$(BIN)/pytest -n 2 -m browser

# Style, formatting and the import layers (docs/development.md); mypy on the modules listed in
# pyproject.toml [tool.mypy], widened one at a time.
.PHONY: lint typecheck
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

test-fast: install
	$(BIN)/pytest -n 2 -m "not browser and not realdata"

bench: install
	$(BIN)/python -m benchmarks.run

# One catalogue per language of settings.LANGUAGES (a new language needs no change here).
messages: LANGUAGE_FLAGS = $(shell $(BIN)/python -c 'import os, django; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kembar.settings"); django.setup(); from django.conf import settings; print(" ".join("-l " + code for code, _ in settings.LANGUAGES))')
messages: install
	cd kembar && ../$(KEMBAR) makemessages $(LANGUAGE_FLAGS) --no-location --ignore 'static/*' && ../$(KEMBAR) compilemessages -v0

clean:
	rm -rf $(VENV) var staticfiles

# API fuzzing and load with nothing lost (docs/operations.md); schemathesis and locust
# come from the `hardening` extra, installed into the same .venv on first use.
.PHONY: fuzz fuzz-short load
HARDENING := $(VENV)/.hardening
$(HARDENING): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,hardening]'
	touch $(HARDENING)

fuzz: $(HARDENING)
	$(BIN)/python -m hardening.fuzz

fuzz-short: $(HARDENING)
	$(BIN)/python -m hardening.fuzz --short

load: $(HARDENING)
	$(BIN)/python -m loadtest.run

# Two app servers, a worker on the Redis queue and nginx (TLS, self-signed) on loopback, sharing
# PostgreSQL, the Redis cache and the media folder; Ctrl-C stops them all (docs/operations.md).
# nginx comes from Debian's packages, installed on first use when missing.
.PHONY: cluster cluster-load
cluster: install
	$(BIN)/python -m loadtest.cluster

# `make load` through the cluster: also checks caches across servers and that jobs ran once.
cluster-load: $(HARDENING)
	LOAD_CLUSTER=1 $(BIN)/python -m loadtest.run

# The twelve findings of the outside test replayed against a live `make serve`
# (hardening/replay.py); fails when one is back. HARDENING_ARGS passes options, e.g. "--only 4".
.PHONY: hardening
hardening: install
	$(BIN)/python -m hardening.replay $(HARDENING_ARGS)
