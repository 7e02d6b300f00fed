"""Fixtures for the fault suite; the real-server helpers live in tests/adversarial/live.py."""

import importlib.util
import sys
from pathlib import Path

import pytest

LIVE_MODULE = "clipai_hardening_live"


def load_live_helpers():
    """Import ``tests/adversarial/live.py`` once (tests/ is not a package, so it is loaded by path)."""
    if LIVE_MODULE not in sys.modules:
        path = Path(__file__).resolve().parent.parent / "adversarial" / "live.py"
        spec = importlib.util.spec_from_file_location(LIVE_MODULE, path)
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
