"""Fixtures for several real processes serving one site: PostgreSQL, Redis, clients, nginx.

Everything runs on 127.0.0.1; every wait is bounded (``WAIT``) and every loop counted. With
``CI=true`` a missing PostgreSQL, Redis or nginx fails the test instead of skipping it.
"""

import functools
import secrets
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
import redis

from tests.fixtures import unavailable
from tests.fixtures import live
from tests.fixtures.live_server import PROJECT_ROOT, free_port

WAIT = 15  # seconds: an upper bound for a loaded 2-core machine, never a measured timing
SHARED_REDIS_URL = "redis://127.0.0.1:6379/0"


def missing(what: str, error=None):
    """Fail under CI, skip elsewhere."""
    unavailable(f"{what} is not available: {error}" if error else f"{what} is not available")


# Poll ``condition`` until it is truthy or this suite's longer bound passes.
eventually = functools.partial(live.eventually, timeout=WAIT, step=0.05)


# --- PostgreSQL and Redis --------------------------------------------------------------------


def postgres_session(url: str) -> psycopg.Connection:
    """A plain psycopg connection to the test database (the test's own, never terminated by it)."""
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def terminate_server_connections(session: psycopg.Connection, url: str) -> int:
    """Cut every other connection to the database, as a PostgreSQL restart would."""
    database = url.rsplit("/", 1)[1]
    rows = session.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (database,),
    ).fetchall()
    return len(rows)


@pytest.fixture
def shared_redis():
    """The machine's Redis on 6379 (tests use their own key prefix and channel)."""
    client = redis.Redis.from_url(SHARED_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as error:
        missing("Redis on 127.0.0.1:6379", error)
    yield SHARED_REDIS_URL
    client.close()


class OwnRedis:
    """A redis-server of this test on a free loopback port, to stop and start at will."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        assert eventually(lambda: self._answers(client)), "redis-server did not start"
        client.close()
        return self

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except redis.RedisError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(WAIT)
        self.process = None


@pytest.fixture
def own_redis(tmp_path):
    """A private redis-server (not started yet): ``own_redis.start()`` / ``own_redis.stop()``."""
    if shutil.which("redis-server") is None:
        missing("redis-server")
    server = OwnRedis(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def key_prefix():
    """A Redis key prefix (and Socket.IO channel prefix) unique to the test."""
    return f"clipai-scaleout-{secrets.token_hex(4)}"


# --- accounts and clients --------------------------------------------------------------------


def operator_token(database_url: str, username: str = "olga.k", alias: str = "Olga") -> str:
    """Create an operator account in that database and return a bearer token for it."""
    _, token = live.create_account(database_url, username, alias=alias, password="a-long-password")
    return token


@pytest.fixture
def peers(peers):
    """The shared ``peers`` fixture (tests/conftest.py), with this suite's longer bound."""
    return functools.partial(peers, wait=WAIT)


def say(peer, text, client_msg_id=None):
    return peer.say(text, client_msg_id)


def reply(peer, conversation_id, text, client_msg_id=None):
    return peer.say(text, client_msg_id, conversation_id=conversation_id)


def scaleout_settings(key_prefix: str, message_queue: str, limiter_storage: str | None = None, **extra) -> dict:
    """Settings several processes of one site share (the live_server fixture adds the rest)."""
    return {
        "MESSAGE_QUEUE": message_queue,
        "RATELIMIT_STORAGE_URI": limiter_storage or message_queue,
        "RATELIMIT_KEY_PREFIX": key_prefix,
        **extra,
    }


@pytest.fixture
def kit():
    """The helpers above, for test modules (``--import-mode=importlib`` cannot import conftest)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        WAIT=WAIT, PROJECT_ROOT=PROJECT_ROOT, eventually=eventually, free_port=free_port, missing=missing,
        operator_token=operator_token, say=say, reply=reply,
        settings=scaleout_settings, postgres_session=postgres_session,
        terminate_server_connections=terminate_server_connections,
    )
