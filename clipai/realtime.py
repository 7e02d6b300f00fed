"""Socket.IO settings shared by every feature namespace, and the Redis message queue.

With ``MESSAGE_QUEUE = "redis://…"`` several processes serve one site: an event emitted in one
process reaches the clients of all of them through a Redis channel. Redis being down never stops
the site: each process keeps delivering to its own clients, and once the channel is back every
client of a process that missed events is disconnected so it reconnects and resyncs from the
database (``last_seen`` / ``history`` with ``after``).
"""

import logging
import time
from functools import cached_property

import redis
import socketio
from flask import Flask, Request, current_app, has_request_context, request
from flask.ctx import RequestContext
from flask_babel import force_locale
from socketio import packet as socketio_packet
from socketio.exceptions import ConnectionRefusedError as SocketIOConnectionRefused


log = logging.getLogger(__name__)
REDIS_KEY = "clipai.redis"
REDIS_TIMEOUT_SECONDS = 1.0
PUBLISH_PAUSE_SECONDS = 1.0  # after a failed publish, deliver locally only for this long
SUBSCRIBE_RETRY_SECONDS = (0.25, 2.0)  # first and longest wait between attempts to resubscribe
RESYNC_BATCH = 200  # clients disconnected at a time after an outage, so they do not all return at once
SOCKET_EVENT_KEY = "clipai.socket_event"  # in the WSGI environ of a Socket.IO connection


def allowed_origins(config) -> list[str]:
    origins = config["ALLOWED_ORIGINS"]
    if isinstance(origins, str):
        origins = [origin.strip() for origin in origins.split(",") if origin.strip()]
    return list(origins)


def socketio_options(config) -> dict:
    """Keyword arguments for ``socketio.init_app``: explicit async mode, origins, no logging."""
    return {
        "async_mode": config["ASYNC_MODE"],
        "cors_allowed_origins": allowed_origins(config),
        "client_manager": message_queue(config),
        "max_http_buffer_size": config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"],
        "ping_interval": config["SOCKETIO_PING_INTERVAL"],
        "ping_timeout": config["SOCKETIO_PING_TIMEOUT"],
        "cookie": None,
        "logger": False,
        "engineio_logger": False,
        "manage_session": False,
        "always_connect": False,
        "serializer": JsonPacket,
    }


class JsonPacket(socketio_packet.Packet):
    """python-socketio's packet, which looks for binary data only when JSON cannot encode it.

    The stock packet walks its whole payload when it is built (a recursive call, a list and a
    ``reduce`` per value) to tell binary events from JSON ones, for a site that only ever sends
    JSON: half the cost of a chat message's packets (docs/benchmarks.md). Here the JSON encoding
    is tried first; bytes make it fail, and only then is the packet sent as a binary one, as before.
    """

    uses_binary_events = False  # no walk when the packet is built

    def encode(self):
        try:
            return super().encode()
        except TypeError:
            binary_type = {socketio_packet.EVENT: socketio_packet.BINARY_EVENT,
                           socketio_packet.ACK: socketio_packet.BINARY_ACK}.get(self.packet_type)
            if binary_type is None or not self.data_is_binary(self.data):
                raise
            self.packet_type = binary_type
            return super().encode()


class EventRequest(Request):
    """A Socket.IO event's request: its connection's HTTP fields are parsed only if read.

    Handlers read what Flask-SocketIO sets on it (``sid``, ``namespace``, ``event``); werkzeug
    would otherwise parse the handshake's method, path, headers and address again for every event.
    """

    HTTP_FIELDS = frozenset({"method", "scheme", "server", "root_path", "path", "query_string", "headers",
                             "remote_addr"})

    def __init__(self, environ):
        self.environ, self.shallow = environ, False

    def __getattr__(self, name):  # only for attributes not set yet
        if name not in self.HTTP_FIELDS:
            raise AttributeError(name)
        Request.__init__(self, self.environ, populate_request=False)
        return getattr(self, name)


class RealtimeFlask(Flask):
    """Flask, with Socket.IO events kept out of the HTTP request cycle.

    Flask-SocketIO runs every event in a request context made from the connection's WSGI
    environ, so ``request.sid`` and ``current_app`` work in handlers. It never runs the
    ``before_request`` or ``after_request`` hooks for an event, and nothing routes an event by URL;
    yet building that context bound and matched the URL map (failing, with a NotFound kept on the
    request), and popping it ran the ``teardown_request`` hooks (Flask-Limiter's), for every event:
    two thirds of the context's cost. Here neither happens for the environs that
    :class:`~clipai.extensions.ClientEventGuardSocketIO` marks as a connection's; their events
    get an :class:`EventRequest` and share one null session instead of opening one each.
    """

    def request_context(self, environ):
        if not environ.get(SOCKET_EVENT_KEY):
            return super().request_context(environ)
        return RequestContext(self, environ, request=EventRequest(environ), session=self.event_session)

    @cached_property
    def event_session(self):
        """The one read-only empty session every Socket.IO event shares: the site keeps none."""
        return self.session_interface.make_null_session(self)

    def create_url_adapter(self, request):
        if request is not None and request.environ.get(SOCKET_EVENT_KEY):
            return None
        return super().create_url_adapter(request)

    def do_teardown_request(self, *args, **kwargs):
        if request.environ.get(SOCKET_EVENT_KEY):
            return
        super().do_teardown_request(*args, **kwargs)


def message_queue(config):
    """The client manager for ``MESSAGE_QUEUE``: None (this process only) or a Redis channel."""
    url = config["MESSAGE_QUEUE"]
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("MESSAGE_QUEUE must be a redis://, rediss:// or unix:// URL")
    return ResilientRedisManager(url, channel=f"{config['RATELIMIT_KEY_PREFIX']}-socketio")


class ResilientRedisManager(socketio.RedisManager):
    """python-socketio's Redis manager, made to survive Redis outages.

    The stock manager already delivers to this process's clients before publishing; here a failed
    publish does not retry on every emit, the subscriber retries within seconds (not up to a
    minute), and when the subscription comes back after an outage this process's clients are
    disconnected so they reconnect and fetch what they missed from the database.
    """

    def __init__(self, url, channel):
        options = {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_keepalive": True}
        super().__init__(url, channel=channel, redis_options=options)
        self.publisher = None
        self.publish_paused_until = 0.0
        self.subscribed = False
        self.missed_events = False  # this process's clients may lack events sent during an outage

    def _publish(self, data):
        if time.monotonic() < self.publish_paused_until:
            return
        try:
            if self.publisher is None:
                self.publisher = self._get_redis_module().Redis.from_url(
                    self.redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS, **self.redis_options)
            self.publisher.publish(self.channel, self.json.dumps(data))
        except Exception as error:  # the emit already reached this process's clients
            self.publisher = None
            self.publish_paused_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
            log.warning("message queue: publish failed (%s); other processes miss events until Redis is back",
                        type(error).__name__)

    def _redis_listen_with_retries(self):
        delay = SUBSCRIBE_RETRY_SECONDS[0]
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                self._subscription_up()
                delay = SUBSCRIBE_RETRY_SECONDS[0]
                yield from self.pubsub.listen()
            except Exception as error:
                self._subscription_down(error)
                self._close_subscriber()
                self.server.sleep(delay)
                delay = min(delay * 2, SUBSCRIBE_RETRY_SECONDS[1])

    def _subscription_up(self):
        self.subscribed = True
        if self.missed_events:
            self.missed_events = False
            log.warning("message queue: Redis is back; clients of this process reconnect to resync")
            self.server.start_background_task(self.resync_clients)

    def _subscription_down(self, error):
        if self.subscribed or not self.missed_events:
            log.warning("message queue: subscription lost (%s); delivering within this process only",
                        type(error).__name__)
        self.subscribed = False
        self.missed_events = True
        self.publish_paused_until = 0.0  # let the next emit find out for itself

    def _close_subscriber(self):
        try:
            self.pubsub.close()
        except Exception:  # the connection is already gone; nothing to release
            pass

    def resync_clients(self):
        """Close every client connection of this process, a batch at a time."""
        close_client_connections(self.server, batch=RESYNC_BATCH)


def close_client_connections(server, batch: int | None = None) -> int:
    """Close the engine.io connections of this process; return how many were closed.

    A transport close, not a Socket.IO disconnect: socket.io-client then reconnects on its own.
    Nothing waits for a connection's queue to drain (a client that vanished never would); its
    writer still sends what was queued — the acks of finished events — before the close.
    ``batch``: pause briefly after that many, so clients do not all come back at the same instant.
    """
    eio = server.eio
    closed = 0
    for sid, connection in list(eio.sockets.items()):
        connection.close(wait=False)
        eio.sockets.pop(sid, None)
        closed += 1
        if batch and closed % batch == 0:
            server.sleep(0.1)
    return closed


def redis_client(url: str):
    """A Redis client for ``url`` with short timeouts, shared by the current app."""
    clients = current_app.extensions.setdefault(REDIS_KEY, {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                            socket_timeout=REDIS_TIMEOUT_SECONDS, socket_keepalive=True)
    return clients[url]


def is_redis_url(url) -> bool:
    return isinstance(url, str) and url.startswith(("redis://", "rediss://", "unix://"))


def redis_answers(url: str) -> bool:
    """True when the Redis server at ``url`` answers a ping."""
    try:
        return bool(redis_client(url).ping())
    except Exception:
        return False


class ConnectionRefused(SocketIOConnectionRefused):
    """Refuse a connection with ``{code, message}``; socket.io-client shows it as ``err.data``."""

    def __init__(self, code: str, message, **details):
        body = {"code": code, "message": str(message), **details}
        super().__init__(body["message"])
        self.error_args = {**body, "data": body}


def ack_ok(**fields) -> dict:
    """An acknowledgement that says the event was done."""
    return {"ok": True, **fields}


def ack_error(code: str, message, **details) -> dict:
    """An acknowledgement that says why the event was refused (``message`` is localized)."""
    return {"ok": False, "error": {"code": code, "message": str(message), **details}}


def sender_sid(namespace: str) -> str | None:
    """The sid whose event is being handled in ``namespace``, so relays can skip it."""
    if has_request_context() and getattr(request, "namespace", None) == namespace:
        return getattr(request, "sid", None)
    return None


__all__ = [
    "SOCKET_EVENT_KEY", "ConnectionRefused", "JsonPacket", "RealtimeFlask", "ResilientRedisManager", "ack_error",
    "ack_ok", "allowed_origins", "close_client_connections", "force_locale", "is_redis_url",
    "message_queue", "redis_answers", "redis_client", "sender_sid", "socketio_options",
]
