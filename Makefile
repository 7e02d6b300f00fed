# ClipAI site. `make run` serves it, `make test` tests it; both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
SOCKETIO_JS := clipai/static/vendor/socket.io.min.js

.PHONY: run test bench setup install catalogs check-translations clean

run: setup
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python wsgi.py

test: install catalogs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install catalogs
	$(BIN)/python -m bench $(BENCH_ARGS)

setup: install catalogs
	$(BIN)/clipai setup

install: $(STAMP) $(SOCKETIO_JS)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(SOCKETIO_JS): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(dir $@)
	cp node_modules/socket.io-client/dist/socket.io.min.js $@

catalogs: $(MO_FILES)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ -l $*

check-translations: install
	$(BIN)/clipai translate check

clean:
	rm -rf $(VENV) node_modules $(SOCKETIO_JS) translations/*/LC_MESSAGES/*.mo
