"""Playwright in Debian's Chromium against the real server (see tests/conftest.py ``live_server``)."""

import os
from pathlib import Path

import pytest

from clipai import create_app
from clipai.services import accounts

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WAIT_MS = 15000  # upper bound for anything the page should show; never a timing assertion


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session; fails instead of skipping under CI."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium):
    """Open isolated browser contexts (separate storage, like separate people); closed afterwards."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = chromium.new_context(**options)
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def chat_server(live_server):
    """The real server (eventlet, as in production) with a fresh SQLite database."""
    return live_server()


@pytest.fixture
def make_operator(chat_server):
    """Create an account in the live server's database and return ``(username, password)``."""

    def make(username, alias, roles=("operator",)):
        password = f"{username}-password-0"
        app = create_app({"DATABASE_URL": chat_server.env["CLIPAI_DATABASE_URL"], "ASYNC_MODE": "threading",
                          "SECRET_KEY": "x"})
        with app.app_context():
            accounts.create_user(username, password, roles, alias)
        app.extensions["clipai.engine"].dispose()
        return username, password

    return make


def page_errors(page) -> list:
    """Collect uncaught script errors of ``page`` into the returned list."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
