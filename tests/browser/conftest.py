"""Playwright in Debian's Chromium against the real server (see tests/conftest.py ``live_server``)."""

import pytest

from clipai import create_app
from clipai.services import accounts

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
