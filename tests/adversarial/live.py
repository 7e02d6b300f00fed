"""Clients and probes for attacking the real server on loopback (shared by tests/adversarial and tests/faults).

Loaded by the conftest files of both folders (see ``load``); tests reach it through fixtures.
"""

import json
import queue
import select
import socket
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import socketio
import websocket

from clipai import create_app
from clipai.security import hash_token
from clipai.services import accounts

TIMED_OUT = "<timed out>"
WAIT = 10  # seconds: an upper bound for a loaded 2-core machine, never a measured timing


def eventually(condition, timeout: float = WAIT, step: float = 0.02):
    """Poll ``condition`` until it is truthy (return its value) or ``timeout`` passes (return it falsy)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


class Peer:
    """A python-socketio client on one namespace that keeps every event it receives, in order."""

    def __init__(self, url, namespace, auth=None, transports=("websocket",), headers=None, reconnection=False,
                 connect=True, wait=WAIT, http_session=None):
        self.url, self.namespace, self.auth, self.wait = url, namespace, auth, wait
        self.transports, self.headers = list(transports), dict(headers or {})
        self.events = queue.Queue()
        self.connect_errors = []
        self.sio = socketio.Client(reconnection=reconnection, reconnection_delay=0.2, reconnection_delay_max=1,
                                   randomization_factor=0, http_session=http_session)
        self.sio.on("*", self._record, namespace=namespace)
        self.sio.on("connect", lambda: self.events.put(("__connect__", None)), namespace=namespace)
        self.sio.on("disconnect", lambda *_: self.events.put(("__disconnect__", None)), namespace=namespace)
        self.sio.on("connect_error", self.connect_errors.append, namespace=namespace)
        self.websockets = []
        self._remember_websockets()
        if connect:
            self.connect()

    def _remember_websockets(self):
        """Keep every WebSocket the client opens: after a ping timeout it drops one without closing it."""
        connect_websocket = self.sio.eio._connect_websocket

        def remembering(*args, **kwargs):
            result = connect_websocket(*args, **kwargs)
            if getattr(self.sio.eio, "ws", None) is not None:
                self.websockets.append(self.sio.eio.ws)
            return result

        self.sio.eio._connect_websocket = remembering

    def connect(self):
        self.sio.connect(self.url, namespaces=[self.namespace], transports=self.transports, auth=self.auth,
                         headers=self.headers, wait_timeout=self.wait)
        return self

    def _record(self, event, *args):
        self.events.put((event, args[0] if args else None))

    @property
    def connected(self) -> bool:
        return self.sio.connected and self.namespace in self.sio.namespaces

    def call(self, event, payload=None, timeout=None):
        return self.sio.call(event, {} if payload is None else payload, namespace=self.namespace,
                             timeout=timeout or self.wait)

    def emit(self, event, payload=None, callback=None):
        self.sio.emit(event, payload, namespace=self.namespace, callback=callback)

    def emit_recorded(self, event, payload):
        """Emit without waiting; the ack arrives in the event queue as ``("__ack__", ack)``."""
        self.emit(event, payload, callback=lambda ack=None: self.events.put(("__ack__", ack)))

    def say(self, text, client_msg_id=None, conversation_id=None):
        """Send a chat message (an operator's when ``conversation_id`` is given) and return the ack."""
        payload = {"text": text, "client_msg_id": client_msg_id or uuid.uuid4().hex}
        if conversation_id is not None:
            payload["conversation_id"] = conversation_id
        return self.call("message", payload)

    def next_event(self, name, timeout=None):
        """Wait for the next ``name`` event; return its payload and the events received before it."""
        skipped = []
        deadline = time.monotonic() + (timeout or self.wait)
        while True:
            event, payload = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if event == name:
                return payload, skipped
            skipped.append((event, payload))

    def next_matching(self, name, predicate, timeout=None):
        """Wait for a ``name`` event whose payload satisfies ``predicate``."""
        deadline = time.monotonic() + (timeout or self.wait)
        while True:
            payload, _ = self.next_event(name, timeout=max(0.01, deadline - time.monotonic()))
            if predicate(payload):
                return payload

    def drain(self) -> list:
        """Every event received so far, as ``(name, payload)``."""
        found = []
        while True:
            try:
                found.append(self.events.get_nowait())
            except queue.Empty:
                return found

    def close(self):
        try:
            if self.sio.connected:
                self.sio.disconnect()
        except Exception:  # the server may already be gone
            pass
        # After a server-side cut the client library can leave its sockets open: close them here.
        for ws in [*self.websockets, getattr(self.sio.eio, "ws", None)]:
            if ws is not None:
                try:
                    ws.shutdown()
                except Exception:
                    pass
        http = getattr(self.sio.eio, "http", None)
        if http is not None:
            http.close()


class RawSocket:
    """An engine.io v4 WebSocket spoken by hand, to send frames no well-behaved client would."""

    def __init__(self, url, headers=None, timeout=WAIT):
        ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(ws_url, timeout=timeout, header=[f"{k}: {v}" for k, v in
                                                                               (headers or {}).items()])
        opening = self.ws.recv()
        assert opening.startswith("0"), opening
        self.handshake = json.loads(opening[1:])

    def send(self, frame):
        if isinstance(frame, bytes):
            self.ws.send_binary(frame)
        else:
            self.ws.send(frame)

    def recv(self, timeout=WAIT, answer_pings=True):
        """The next frame other than a ping (pings are answered unless told otherwise); None when the
        socket closed, ``TIMED_OUT`` when nothing else came within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return TIMED_OUT
            self.ws.settimeout(remaining)
            try:
                frame = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                return TIMED_OUT
            except (websocket.WebSocketException, ConnectionError, OSError):
                return None
            if frame == "":
                return None
            if frame == "2":
                if answer_pings:
                    self.ws.send("3")
                continue
            return frame

    def closed_by_server(self, timeout=WAIT) -> bool:
        """Read, answering nothing, until the server closes the socket (True) or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.recv(timeout=max(0.05, deadline - time.monotonic()), answer_pings=False) is None:
                return True
        return False

    def open_namespace(self, namespace, auth=None, raw_auth=None):
        """Send a CONNECT for ``namespace``; return the server's CONNECT or CONNECT_ERROR answer.

        ``raw_auth`` is sent as it is, instead of ``auth`` as JSON. Events the server emits from its
        connect handler can arrive before that answer; they are skipped.
        """
        self.send(f"40{namespace}," + (raw_auth if raw_auth is not None else json.dumps(auth or {})))
        while True:
            frame = self.recv()
            if frame is None or frame == TIMED_OUT or frame.startswith((f"40{namespace},", f"44{namespace},")):
                return frame

    def close(self):
        try:
            self.ws.close(timeout=1)
        except Exception:
            pass
        self.ws.shutdown()  # close() leaves the socket open when the server hung up first


def app_for(database_url: str):
    """A throwaway app on the live server's database, for setting up and inspecting it."""
    return create_app({"DATABASE_URL": database_url, "ASYNC_MODE": "threading", "SECRET_KEY": "x"})


def create_account(database_url, username, roles=("operator",), alias=None, password=None):
    """Create an account in the live server's database; return ``(password, bearer token)``."""
    password = password or f"{username}-password-0"
    app = app_for(database_url)
    with app.app_context():
        user = accounts.create_user(username, password, list(roles), alias or username.title())
        token, _ = accounts.issue_token(user)
    app.extensions["clipai.engine"].dispose()
    return password, token


def hash_of(token: str) -> str:
    """The form in which the server stores a token."""
    return hash_token(token)


def database_path(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite:///"))


def database_bytes(database_url: str) -> bytes:
    """The bytes of the SQLite file and of its -wal and -shm companions."""
    path = database_path(database_url)
    return b"".join(candidate.read_bytes() for candidate in
                    (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
                    if candidate.exists())


def query(database_url: str, sql: str, *params) -> list:
    with sqlite3.connect(database_path(database_url), timeout=30) as conn:
        return conn.execute(sql, params).fetchall()


def integrity(database_url: str) -> str:
    return query(database_url, "PRAGMA integrity_check")[0][0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class GapProxy:
    """A loopback TCP proxy whose network can be cut: while cut, no byte passes either way and new
    connections are dropped, as when a visitor's Wi-Fi goes away without closing anything."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.cut = threading.Event()
        self.closed = threading.Event()
        self.sockets = []
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self):
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                continue
            if self.cut.is_set():
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                thread = threading.Thread(target=self._pump, args=(source, target), daemon=True)
                self.threads.append(thread)
                thread.start()

    def _pump(self, source, target):
        try:
            while not self.closed.is_set():
                readable, _, _ = select.select([source], [], [], 0.1)
                if not readable or self.cut.is_set():
                    continue  # while cut, bytes wait in the kernel as if the network dropped them
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.closed.set()
        for thread in self.threads:
            thread.join(2)
        for sock in (self.listener, *self.sockets):
            sock.close()


