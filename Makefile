# ClipAI site. `make run` serves it, `make test` tests it; both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The async mode is the ASYNC_MODE setting (clipai/config.py decides; gevent by default, measured
# faster: README, docs/benchmarks.md); `make run ASYNC_MODE=eventlet` overrides it. It picks the
# server: eventlet's own through wsgi.py, otherwise gunicorn's gevent worker.
ASYNC_MODE ?=
# Python packages come only from the hashed locks (README "Upgrading dependencies"): serving's
# alone for `make run`, serving's plus the test tools for `make test` and `make bench`.
SERVE_LOCK := requirements/serve.txt
TEST_LOCK := requirements/test.txt
SERVE_STAMP := $(VENV)/.installed-serve
TEST_STAMP := $(VENV)/.installed-test
UV_VERSION := 0.13.9
# One target platform and index, so `make lock` gives the same files on any machine.
LOCK_OPTIONS := --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--default-index https://pypi.org/simple --custom-compile-command "make lock" --quiet
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
SOCKETIO_JS := clipai/static/vendor/socket.io.min.js
# altcha-lib's browser ES modules (protocol v1: the solver and its Web Worker), served from our origin.
ALTCHA_DIR := clipai/static/vendor/altcha
ALTCHA_JS := $(ALTCHA_DIR)/index.js
VENDOR_JS := $(SOCKETIO_JS) $(ALTCHA_JS)
# The bench's outside anchor, a bare Node.js Socket.IO relay, has its own package.json and lock;
# npm ci writes this file last, so it stands for the whole install.
BENCH_NODE := bench/node
BENCH_NODE_STAMP := $(BENCH_NODE)/node_modules/.package-lock.json

.PHONY: run test bench setup install install-test lock catalogs check-translations clean

# The server sets the database up itself before it answers (SETUP_ON_START, what `clipai setup`
# does): one Python start instead of two.
run: install catalogs
	@mode="$(ASYNC_MODE)"; mode="$${mode:-$$($(BIN)/python -c 'from clipai.config import async_mode; print(async_mode())')}"; \
	export HOST=$(HOST) PORT=$(PORT) CLIPAI_SETUP_ON_START=true; \
	if [ "$$mode" = eventlet ]; then \
		CLIPAI_ASYNC_MODE=eventlet exec $(BIN)/python wsgi.py; \
	else \
		CLIPAI_ASYNC_MODE=gevent exec $(BIN)/gunicorn -c deploy/gunicorn.conf.py wsgi:app; \
	fi

test: test-js install-test catalogs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser scripts' pure logic, with Node's own test runner: no npm package, no bundler.
# The modules are plain .js files served as they are, so Node is told they are ES modules.
.PHONY: test-js
test-js:
	node --experimental-detect-module --disable-warning=MODULE_TYPELESS_PACKAGE_JSON --test tests/js/*.test.mjs

bench: install-test catalogs $(BENCH_NODE_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

setup: install catalogs
	$(BIN)/clipai setup

install: $(SERVE_STAMP) $(VENDOR_JS)

install-test: $(TEST_STAMP) $(VENDOR_JS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Every hash is checked and every dependency must be locked. The venv's first pip (23.2) installs
# exactly the lock's pins (--no-deps): resolving, it refused a locked package that another one asks
# for with an extra once a newer release of it existed (cachecontrol for pip-audit). The lock's own
# pip then resolves the lock again, which fails if a dependency, an extra's included, is missing
# from it. The project is linked in last, with the locked setuptools (an editable install cannot
# carry a hash), and `pip check` proves its own dependencies are there.
define install_locked
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r $(1)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(1)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
endef

$(SERVE_STAMP): $(SERVE_LOCK) pyproject.toml | $(BIN)/python
	$(call install_locked,$(SERVE_LOCK))
	touch $@

# The test lock holds every package of the serve lock at the same version: it satisfies both.
$(TEST_STAMP): $(TEST_LOCK) $(SERVE_LOCK) pyproject.toml | $(BIN)/python
	$(call install_locked,$(TEST_LOCK))
	touch $@ $(SERVE_STAMP)

# Regenerate both locks from pyproject.toml (needs PyPI). Versions already locked stay unless
# UPGRADE says otherwise: `make lock UPGRADE=--upgrade` or `UPGRADE="--upgrade-package flask"`.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml requirements/installer.in $(LOCK_OPTIONS) $(UPGRADE) -o $(SERVE_LOCK)
	$(BIN)/uv pip compile pyproject.toml requirements/installer.in --extra test -c $(SERVE_LOCK) \
		$(LOCK_OPTIONS) $(UPGRADE) -o $(TEST_LOCK)

$(SOCKETIO_JS): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(dir $@)
	cp node_modules/socket.io-client/dist/socket.io.min.js $@

$(ALTCHA_JS): $(SOCKETIO_JS)
	mkdir -p $(ALTCHA_DIR)
	cp node_modules/altcha-lib/dist/esm/v1/index.js node_modules/altcha-lib/dist/esm/v1/helpers.js \
		node_modules/altcha-lib/dist/esm/v1/worker.js node_modules/altcha-lib/LICENSE.txt $(ALTCHA_DIR)/

$(BENCH_NODE_STAMP): $(BENCH_NODE)/package.json $(BENCH_NODE)/package-lock.json
	npm ci --prefix $(BENCH_NODE) --no-audit --no-fund --silent
	touch $@

catalogs: $(MO_FILES)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(SERVE_STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ -l $*

check-translations: install
	$(BIN)/clipai translate check

clean:
	rm -rf $(VENV) node_modules $(BENCH_NODE)/node_modules $(SOCKETIO_JS) $(ALTCHA_DIR) translations/*/LC_MESSAGES/*.mo
