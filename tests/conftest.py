"""Shared fixtures: a fresh app and SQLite database per test, factories for accounts."""

import os
import secrets

import pytest

from clipai import create_app
from clipai.extensions import socketio
from clipai.services import accounts
from clipai.storage import migrations

IN_CI = os.environ.get("CI") == "true"


@pytest.fixture
def app_config(tmp_path):
    """Settings for a test app; tests extend this dict before ``app`` is built."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "ASYNC_MODE": "threading",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "RATELIMIT_KEY_PREFIX": f"clipai-test-{secrets.token_hex(4)}",
        "ALLOWED_ORIGINS": ["http://localhost"],
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    with app.app_context():
        migrations.upgrade(app.extensions["clipai.engine"])
    yield app
    app.extensions["clipai.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def make_user(app):
    """Create an account and return ``(user, password)``."""

    def make(username=None, roles=("operator",), alias=None, password=None):
        username = username or f"user{secrets.token_hex(3)}"
        password = password or secrets.token_urlsafe(12)
        with app.app_context():
            user = accounts.create_user(username, password, roles, alias)
        return user, password

    return make


@pytest.fixture
def make_token(app, make_user):
    """Create an account and return ``(user, bearer_token)``."""

    def make(roles=("operator",), **kwargs):
        user, _ = make_user(roles=roles, **kwargs)
        with app.app_context():
            token, _ = accounts.issue_token(user)
        return user, token

    return make


@pytest.fixture
def socket_client(app):
    """Build Socket.IO test clients for a namespace: ``socket_client('/chat', auth={...})``."""
    clients = []

    def connect(namespace, auth=None, headers=None):
        client = socketio.test_client(app, namespace=namespace, auth=auth, headers=headers)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        if client.is_connected():
            client.disconnect()
