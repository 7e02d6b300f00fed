# ClipAI site. `make run` serves it, `make test` tests it; both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# gevent under gunicorn measured faster than eventlet on this site (README, docs/benchmarks.md);
# `make run ASYNC_MODE=eventlet` serves with eventlet's own server instead.
ASYNC_MODE ?= gevent
STAMP := $(VENV)/.installed
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
SOCKETIO_JS := clipai/static/vendor/socket.io.min.js

.PHONY: run test bench setup install catalogs check-translations clean

run: setup
ifeq ($(ASYNC_MODE),eventlet)
	HOST=$(HOST) PORT=$(PORT) CLIPAI_ASYNC_MODE=eventlet $(BIN)/python wsgi.py
else
	HOST=$(HOST) PORT=$(PORT) CLIPAI_ASYNC_MODE=gevent $(BIN)/gunicorn -c deploy/gunicorn.conf.py wsgi:app
endif

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
