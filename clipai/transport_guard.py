"""The Socket.IO endpoint's doors: oversize bodies and handshake floods stop before engine.io, and
connections whose client stopped reading are closed.

python-engineio answers a long-polling ``POST`` larger than ``max_http_buffer_size`` by closing
the session with ``Socket.close(wait=True)``, which waits until the session's queue is drained by
a long-polling ``GET`` that a hostile client never sends: the request never got an answer and its
connection stayed open for good (issue 15). Here such a request is answered ``413`` at once, and
the connection is shut down after the answer, so the server neither waits for a body that is not
coming nor keeps the descriptor. New engine.io sessions are limited per hashed client address.

engine.io queues every packet for a connection without bound, and its writer waits on the socket
for as long as the client takes to read: under gevent a client that stopped reading (and answered
pings blind) made the server keep every later packet for it, for as long as it liked
(docs/chat.md). :class:`StalledClients` closes a connection whose writer has taken nothing from its
queue for ``SOCKETIO_SEND_TIMEOUT`` seconds; a real browser reconnects and catches up.

Under gunicorn's gevent worker the WebSocket is simple-websocket's, which (up to 1.1.0 at least)
writes a frame with one ``socket.send`` and ignores how much of it went out: when the client's
buffers were nearly full, the rest of a large frame (a history answer) was lost and the stream
broken. :class:`WholeSends` hands it a socket whose ``send`` sends everything.
"""

import io
import logging
import math
import socket
import threading
import time
import weakref
from urllib.parse import parse_qs

from flask import request

from clipai import ratelimit, signals
from clipai.errors import CODES, MESSAGES, api_error_response
from clipai.extensions import socketio
from clipai.security import hashed_client_address

# Flask-SocketIO's default path, which socketio_options() keeps.
SOCKETIO_PREFIX = "/socket.io/"
HANDSHAKE_LIMIT_KEY = "socketio-handshake"

log = logging.getLogger(__name__)


class TransportGuard:
    """WSGI middleware in front of engine.io: refuses oversize bodies (413) and too many handshakes (429)."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.max_body = int(app.config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"])
        self.handshake_limits = app.config["SOCKETIO_HANDSHAKE_LIMITS"]
        # A session that began with long-polling and then upgraded: its WebSocket's connection, for as
        # long as the WebSocket lasts (python-socketio only keeps the environ of the first request).
        self.upgraded: dict[str, object] = {}

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(SOCKETIO_PREFIX):
            return self.wsgi_app(environ, start_response)
        if not body_fits(environ, self.max_body):
            close_session(session_id(environ))
            body = self.refusal(environ, start_response, 413)
            return ClosingBody(body, connection_socket(environ))
        if is_handshake(environ):
            retry_after = self.handshake_refused(environ)
            if retry_after:
                return self.refusal(environ, start_response, 429, retry_after=retry_after)
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            return self.websocket(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def websocket(self, environ, start_response):
        """Whole frames under gunicorn, and the connection of an upgraded session known while it lasts."""
        if "gunicorn.socket" in environ:
            environ["gunicorn.socket"] = WholeSends(environ["gunicorn.socket"])
        sid = session_id(environ)
        if sid is None or sid in self.upgraded:  # a new session, or a second upgrade engine.io refuses
            return self.wsgi_app(environ, start_response)
        self.upgraded[sid] = sock = connection_socket(environ)
        try:
            return self.wsgi_app(environ, start_response)  # returns when the WebSocket ends
        finally:
            if self.upgraded.get(sid) is sock:
                del self.upgraded[sid]

    def handshake_refused(self, environ) -> int:
        """Count a new session against the client's limit; seconds to wait when it is spent, else 0.

        An app context is enough. A request context would match ``/socket.io/`` against the site's
        routes and keep the ``NotFound`` with its traceback: a reference cycle per handshake, which
        only a full garbage collection frees once the freezer has frozen it (docs/benchmarks.md, change 47).
        """
        with self.app.app_context():
            verdict = ratelimit.hit(self.handshake_limits, HANDSHAKE_LIMIT_KEY, hashed_client_address(environ))
        return 0 if verdict.allowed else verdict.retry_after

    def refusal(self, environ, start_response, status: int, retry_after: int = 0):
        """The API's error body (``{error: {code, message}}``), in the client's language."""
        with self.app.request_context(environ):  # for the language: Accept-Language, the locale selector
            # /socket.io/ matches no route. The NotFound kept on the request, with its traceback,
            # would make a reference cycle per refusal (change 47); a flood of refusals, many.
            request.routing_exception = None
            extra = {"retry_after": retry_after} if retry_after else {}
            response, _ = api_error_response(status, CODES[status], MESSAGES[status], **extra)
            response.status_code = status
            if retry_after:
                response.headers["Retry-After"] = str(retry_after)
        return response(environ, start_response)


def query_value(environ, name: str) -> str | None:
    """A parameter of the request's query string (the first, if repeated), None when absent."""
    return parse_qs(environ.get("QUERY_STRING", "")).get(name, [None])[0]


def session_id(environ) -> str | None:
    """The engine.io session a request belongs to (its ``sid``), None for a new one."""
    return query_value(environ, "sid")


def is_handshake(environ) -> bool:
    """A request that would open a new engine.io session."""
    return environ.get("REQUEST_METHOD") != "OPTIONS" and session_id(environ) is None


def close_session(sid: str | None) -> None:
    """Close the session an oversize body was sent to, as engine.io does, but without waiting.

    engine.io waits until the closing packet has been fetched; here the packet is queued for the
    client's pending long-poll (which then ends the session for the client) and nothing waits.
    """
    session = socketio.server.eio.sockets.pop(sid, None) if sid else None
    if session is not None:
        session.close(wait=False)


def body_fits(environ, limit: int) -> bool:
    """Whether the request body is at most ``limit`` bytes, without waiting for a declared one.

    A declared length is trusted as declared (the server already refused malformed ones). A
    chunked body declares none: it is read up to ``limit + 1`` bytes and, when it fits, handed
    on as bytes with its length, which is all engine.io reads.
    """
    declared = environ.get("CONTENT_LENGTH")
    if declared:
        return declared.isdigit() and int(declared) <= limit
    if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return True
    body = environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        return False
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
    return True


def connection_socket(environ):
    """The client connection's socket, where the WSGI server tells it (as simple-websocket finds it)."""
    if "gunicorn.socket" in environ:
        return environ["gunicorn.socket"]
    if "eventlet.input" in environ:
        return environ["eventlet.input"].get_socket()
    return environ.get("werkzeug.socket")


class ClosingBody:
    """A response body that shuts its connection down once the server has sent it.

    The servers keep an HTTP/1.1 connection open after an answer and first read (discard) the
    request's unread body: for a body that is never sent, that wait is the leak. A ``Connection:
    close`` header from the app does not stop it (gunicorn drops the header, eventlet keeps its own
    decision), so the socket is shut down instead: the server's next read ends at once and it closes.
    """

    def __init__(self, body, sock):
        self.body, self.sock = body, sock

    def __iter__(self):
        return iter(self.body)

    def close(self):
        if hasattr(self.body, "close"):
            self.body.close()
        if self.sock is not None:
            shut_down(self.sock)


class WholeSends:
    """A connection's socket whose ``send`` sends all it is given, one caller at a time.

    simple-websocket takes gunicorn's socket from the environ and writes each frame with a single
    ``send``; a partial write lost the end of the frame. Everything else is the socket's own.
    """

    def __init__(self, sock):
        self.sock = sock
        self.sending = threading.Lock()  # monkey-patched under gevent: a frame's writes stay together

    def send(self, data, flags=0) -> int:
        with self.sending:
            self.sock.sendall(data, flags)
        return len(data)

    def __getattr__(self, name):
        return getattr(self.sock, name)


class StalledClients:
    """Closes a connection whose writer has taken nothing from its queue for ``timeout`` seconds.

    engine.io's writer takes every queued packet at once whenever it is free, then sends them one
    by one, waiting as long as the client takes to read. So while the packet at the head of a
    connection's queue stays the same, the writer is still busy with earlier packets: when that
    lasts ``timeout`` seconds, the client reads nothing, or far too slowly. This is checked each
    time a packet is sent to the connection (nothing grows otherwise). A WebSocket's connection is
    shut down, which ends engine.io's reader and writer and then the session (the disconnect
    handlers run as for any lost connection); a long-polling session is closed. Reconnecting, a
    visitor's page asks for what it missed (``last_seen``), so nothing stored is lost.
    """

    def __init__(self, app, server, timeout: float, upgraded: dict, clock=time.monotonic):
        self.app, self.server, self.timeout, self.clock = app, server, timeout, clock
        self.upgraded = upgraded  # TransportGuard's: sid -> the WebSocket connection of an upgraded session
        self.head_since = weakref.WeakKeyDictionary()  # engine.io socket -> (since when, its queue's head)
        send_packet = server.eio.send_packet

        def guarded_send_packet(sid, pkt):
            self.check(sid)
            send_packet(sid, pkt)

        server.eio.send_packet = guarded_send_packet

    def check(self, sid) -> None:
        connection = self.server.eio.sockets.get(sid)
        if connection is None:
            return
        waiting = connection.queue.queue  # the deque inside the queue of every async mode
        if not waiting:
            if self.head_since:
                self.head_since.pop(connection, None)
            return
        now, head = self.clock(), waiting[0]
        since, seen = self.head_since.get(connection, (now, None))
        if seen is not head:
            self.head_since[connection] = (now, head)
        elif now - since > self.timeout and not connection.closed:
            self.head_since[connection] = (math.inf, head)  # once
            self.cut(sid, connection, now - since)

    def cut(self, sid, connection, waited: float) -> None:
        log.warning("Closed a Socket.IO connection whose client had not read what was sent to it for %.0f s "
                    "(%d packets waiting); it catches up when it reconnects", waited, len(connection.queue.queue))
        signals.connection_stalled.send(self.app)
        sock = self.websocket_of(sid) if connection.upgraded else None
        if sock is None or not shut_down(sock):
            self.server.start_background_task(close_session, sid)

    def websocket_of(self, sid):
        """The connection an engine.io session's WebSocket runs on; None when it is not known.

        A session that began as a WebSocket has it in its first request's environ, which
        python-socketio keeps. Never the connection of a long-polling request: behind a proxy it
        may carry other visitors' requests next.
        """
        if sid in self.upgraded:
            return self.upgraded[sid]
        environ = self.server.environ.get(sid) or {}
        return connection_socket(environ) if query_value(environ, "transport") == "websocket" else None


def shut_down(sock) -> bool:
    """End a connection both ways: whatever waits to read or write on it fails at once.

    False when it was already closed.
    """
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # the client is already gone
        return False
    return True


def init_app(app):
    guard = TransportGuard(app, app.wsgi_app)
    app.wsgi_app = guard
    StalledClients(app, socketio.server, app.config["SOCKETIO_SEND_TIMEOUT"], guard.upgraded)
