"""Shared fixtures: a fresh app and SQLite database per test, factories for accounts."""

import os
import secrets
from datetime import UTC, datetime

import pytest

from clipai import create_app
from clipai.extensions import socketio
from clipai.services import accounts
from clipai.storage import migrations

IN_CI = os.environ.get("CI") == "true"


START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


class Clock:
    """The ``CLOCK`` setting in tests: a test moves time by assigning ``clock.now``."""

    def __init__(self, now=START):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def settings():
    """Extra settings; a test overrides them with ``@pytest.mark.parametrize("settings", [...])``."""
    return {}


@pytest.fixture
def app_config(tmp_path, clock, settings):
    """Settings for a test app; tests extend this dict before ``app`` is built."""
    return {
        **settings,
        "CLOCK": clock,
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "ASYNC_MODE": "threading",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "RATELIMIT_KEY_PREFIX": f"clipai-test-{secrets.token_hex(4)}",
        "ALLOWED_ORIGINS": ["http://localhost"],
        "CONSOLE_ACTIVITY_SECONDS": 0,  # summaries at once, so the test client holds them after each emit
        **settings,
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


# --- the real server on a loopback port ----------------------------------------------------

import json  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    """A ``wsgi.py`` process serving on 127.0.0.1; ``url`` is its base address."""

    port: int
    env: dict
    log_path: Path
    process: subprocess.Popen | None = None
    command: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0):
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=PROJECT_ROOT, env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.log()}")

    def stop(self, sig=None):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig or subprocess.signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if getattr(self, "log_file", None):
            self.log_file.close()

    def kill(self):
        self.stop(subprocess.signal.SIGKILL)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def server_environment(database_url: str, async_mode: str, port: int, extra: dict) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLIPAI_")}
    settings = {
        "DATABASE_URL": database_url,
        "ASYNC_MODE": async_mode,
        "SECRET_KEY": "live-test-secret",
        "ALLOWED_ORIGINS": [f"http://127.0.0.1:{port}", f"http://localhost:{port}"],
        "RATELIMIT_KEY_PREFIX": f"clipai-live-{secrets.token_hex(4)}",
        # Every test client comes from 127.0.0.1: tests of the handshake limit set their own.
        "SOCKETIO_HANDSHAKE_LIMITS": "10000/minute",
        **extra,
    }
    for name, value in settings.items():
        env[f"CLIPAI_{name}"] = value if isinstance(value, str) else json.dumps(value)
    env.update(HOST="127.0.0.1", PORT=str(port), PYTHONUNBUFFERED="1")
    return env


def _live_server(async_mode, settings, database_url, port, tmp_path) -> LiveServer:
    env = server_environment(database_url, async_mode, port, settings)
    if async_mode == "gevent":
        env["CLIPAI_ASYNC_MODE"] = "gevent"
        command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
    else:
        command = [sys.executable, "wsgi.py"]
    return LiveServer(port=port, env=env, log_path=tmp_path / f"server-{port}.log", command=command)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures can tell whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def live_server(tmp_path, request):
    """Start real servers: ``live_server(async_mode="eventlet", settings={...})``.

    The database (SQLite in tmp_path unless ``DATABASE_URL`` is given) is migrated first.
    With ``async_mode="gevent"`` the server runs under gunicorn's gevent worker. When the test
    fails, the end of each server's log is printed with the failure.
    """
    servers = []

    def start(async_mode="eventlet", settings=None, database_url=None, port=None):
        settings = dict(settings or {})
        database_url = database_url or settings.pop("DATABASE_URL", None) or f"sqlite:///{tmp_path / 'live.sqlite3'}"
        setup_app = create_app({"DATABASE_URL": database_url, "ASYNC_MODE": "threading", "SECRET_KEY": "x"})
        migrations.upgrade(setup_app.extensions["clipai.engine"])
        setup_app.extensions["clipai.engine"].dispose()
        for attempt in range(3):
            server = _live_server(async_mode, settings, database_url, port or free_port(), tmp_path)
            servers.append(server)
            try:
                return server.start()
            except RuntimeError:
                # Another program may take a free port between our probe and the server's bind.
                if port or "Address already in use" not in server.log() or attempt == 2:
                    raise

    yield start
    for server in servers:
        server.stop()
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed:
        for server in servers:
            print(f"--- {server.url} ({' '.join(server.command[-2:])}), end of its log ---\n{server.log()[-4000:]}")


# --- Debian's Chromium through Playwright ---------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WAIT_MS = 15000  # upper bound for anything the page should show; never a timing assertion


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run (Playwright allows one sync instance per thread).

    Skips without Chromium, but fails instead under CI.
    """
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if IN_CI:
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


# --- hostile and faulty clients against the real server (tests/adversarial, tests/faults) -----

import importlib.util  # noqa: E402

LIVE_MODULE = "clipai_hardening_live"


def load_live_helpers():
    """Import ``tests/adversarial/live.py`` once (tests/ is not a package, so it is loaded by path)."""
    if LIVE_MODULE not in sys.modules:
        spec = importlib.util.spec_from_file_location(LIVE_MODULE, Path(__file__).parent / "adversarial" / "live.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[LIVE_MODULE] = module
        spec.loader.exec_module(module)
    return sys.modules[LIVE_MODULE]


@pytest.fixture(scope="session")
def live():
    """Helpers for the real server: ``Peer``, ``RawSocket``, ``create_account``, database probes."""
    return load_live_helpers()


@pytest.fixture
def peers(live):
    """Make Socket.IO peers (``peers(url, namespace, auth=…, headers=…)``), all closed afterwards."""
    made = []

    def make(*args, **kwargs):
        peer = live.Peer(*args, **kwargs)
        made.append(peer)
        return peer

    yield make
    for peer in made:
        peer.close()


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'live.sqlite3'}"


@pytest.fixture
def start_server(live_server, database_url):
    """Start the real server on this test's database: ``start_server(settings={...}, async_mode=…)``.

    Servers are killed at the end (the shared fixture's SIGTERM would wait for a graceful drain).
    """
    started = []

    def start(settings=None, async_mode="eventlet", port=None):
        server = live_server(async_mode=async_mode, settings=settings, database_url=database_url, port=port)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


# --- PostgreSQL -------------------------------------------------------------------------------

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def postgres_url():
    """A freshly created PostgreSQL database, dropped (with its connections) afterwards.

    Skips when the server is unreachable, but fails instead under CI.
    """
    from sqlalchemy import create_engine, text

    name = f"clipai_test_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is not available: {error}")
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not available: {error}")
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def each_database_url(request, tmp_path):
    """A fresh, empty database of each kind the site runs on: SQLite in tmp_path, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return request.getfixturevalue("postgres_url")
