"""Raw HTTP on loopback for the transport tests: requests no well-behaved client sends, read by hand."""

import socket
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

WAIT = 10  # seconds: an upper bound for a loaded 2-core machine, never a measured timing


def send_raw(port: int, data: bytes, source: str = "127.0.0.1") -> socket.socket:
    """Connect from ``source`` (any 127.0.0.0/8 address works on loopback) and send ``data`` as it is."""
    conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    conn.bind((source, 0))
    conn.settimeout(WAIT)
    conn.connect(("127.0.0.1", port))
    conn.sendall(data)
    return conn


def read_answer(conn: socket.socket, deadline: float) -> tuple[int | None, bool]:
    """Read until the server closes the connection or ``deadline`` (monotonic) passes.

    Returns the status code of the first answer (None when none came) and whether the server closed.
    """
    received = b""
    while True:
        conn.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = conn.recv(65536)
        except TimeoutError:
            return status_of(received), False
        except ConnectionResetError:
            return status_of(received), True
        if not chunk:
            return status_of(received), True
        received += chunk


def status_of(received: bytes) -> int | None:
    parts = received.split(b" ", 2)
    return int(parts[1]) if received.startswith(b"HTTP/") and len(parts) > 1 and parts[1].isdigit() else None


def serving_pid(server) -> int:
    """The process that serves requests: wsgi.py itself, or gunicorn's one worker."""
    pid = server.process.pid
    if "gunicorn" not in server.command[0]:
        return pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def descriptor_count(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


@pytest.fixture
def wire():
    """The helpers above, for test modules (``--import-mode=importlib`` cannot import conftest)."""
    return SimpleNamespace(WAIT=WAIT, send_raw=send_raw, read_answer=read_answer, serving_pid=serving_pid,
                           descriptor_count=descriptor_count)


@pytest.fixture
def issue_operator_token(database_url):
    """``issue_operator_token()`` creates an operator in the live server's (migrated) database and
    returns its bearer token."""
    from clipai import create_app, storage
    from clipai.services import accounts

    def issue(username="olga.k", alias="Olga"):
        app = create_app({"DATABASE_URL": database_url, "ASYNC_MODE": "threading", "SECRET_KEY": "x"})
        with app.app_context():
            user = accounts.create_user(username, "a-long-password", ["operator"], alias=alias)
            token, _ = accounts.issue_token(user)
        storage.dispose(app)
        return token

    return issue
