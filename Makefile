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

run: install
	$(KEMBAR) migrate --no-input
	$(KEMBAR) load-gazetteer
	$(KEMBAR) demo
	$(KEMBAR) runserver 127.0.0.1:8000

test: install
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not browser and not realdata"

bench: install
	$(BIN)/python -m benchmarks.run

messages: install
	cd kembar && ../$(KEMBAR) makemessages -l id -l en --no-location --ignore 'static/*' && ../$(KEMBAR) compilemessages -v0

clean:
	rm -rf $(VENV) var staticfiles
