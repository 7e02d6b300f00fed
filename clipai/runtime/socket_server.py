"""The Socket.IO server: its options (explicit async mode, JSON-first packets, the message queue),
the Flask-SocketIO subclass that guards client events and marks them for RealtimeFlask, and the
WSGI middleware in front of engine.io."""

import socketio
from flask_socketio import SocketIO

from clipai.logs import library_logger
from clipai.runtime.events import SOCKET_EVENT_KEY
from clipai.runtime.message_queue import message_queue
from clipai.runtime.packets import JsonPacket
from clipai.security import origin_list

LIFECYCLE_EVENTS = frozenset({"connect", "disconnect", "connect_error"})


def allowed_origins(config) -> list[str]:
    """The site's own origins and the sites that embed its chat."""
    return origin_list(config["ALLOWED_ORIGINS"]) + origin_list(config.get("EMBED_ORIGINS"))


def socketio_options(config) -> dict:
    """Keyword arguments for ``socketio.init_app``: explicit async mode, origins, errors-only logging.

    python-engineio picks eventlet whenever it is installed, so the mode is always given.

    ``async_handlers=False``: each connection's events are handled one after another, in the order
    sent, by the task that reads the connection (other connections go on meanwhile). Started as a
    task each, a visitor's messages sent before the first ack each started a conversation of their
    own, and acks came back out of order; the extra hand-over per event also cost a third of the
    chat's median delay at 1,000 msg/s (docs/benchmarks.md, change 45).
    """
    return {
        "async_mode": config["ASYNC_MODE"],
        "cors_allowed_origins": allowed_origins(config),
        "client_manager": message_queue(config),
        "max_http_buffer_size": config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"],
        "ping_interval": config["SOCKETIO_PING_INTERVAL"],
        "ping_timeout": config["SOCKETIO_PING_TIMEOUT"],
        "cookie": None,
        "logger": library_logger("socketio.server"),
        "engineio_logger": library_logger("engineio.server"),
        "manage_session": False,
        "always_connect": False,
        "serializer": JsonPacket,
        "async_handlers": False,
    }



class ClientEventGuardSocketIO(SocketIO):
    """Flask-SocketIO that drops client events named like lifecycle events, or not named by a string.

    python-socketio hands an EVENT packet named ``disconnect`` to ``Namespace.on_disconnect`` (and
    ``connect`` to ``on_connect``): a client could make the server forget its session while the
    socket stayed connected and in its rooms, so revoking the token no longer reached it.

    It also marks each connection's environ, so that :class:`clipai.runtime.events.RealtimeFlask` runs
    the connection's events outside the HTTP request cycle.
    """

    def init_app(self, app, **kwargs):
        super().init_app(app, **kwargs)
        self.sockio_mw = app.wsgi_app = FlaskSocketIOMiddleware(self.sockio_mw)
        handle_event = self.server._handle_event

        def handle_client_event(eio_sid, namespace, id, data):
            name = data[0] if isinstance(data, list) and data else None
            if not isinstance(name, str) or name in LIFECYCLE_EVENTS:
                return None
            return handle_event(eio_sid, namespace, id, data)

        self.server._handle_event = handle_client_event

    def _handle_event(self, handler, message, namespace, sid, *args):
        # Mark the connection's environ: RealtimeFlask then builds the event's request context
        # without URL routing or HTTP teardown hooks.
        environ = self.server.get_environ(sid, namespace=namespace)
        if environ is not None:
            environ[SOCKET_EVENT_KEY] = True
        return super()._handle_event(handler, message, namespace, sid, *args)


class GunicornInput:
    """``environ["eventlet.input"]`` for a connection gunicorn serves: how eventlet's WebSocket finds the socket."""

    __slots__ = ("socket",)

    def __init__(self, socket):
        self.socket = socket

    def get_socket(self):
        return self.socket


class FlaskSocketIOMiddleware(socketio.WSGIApp):
    """Flask-SocketIO's middleware, without a new class for every request served by gunicorn.

    Flask-SocketIO hands requests to python-engineio's ``WSGIApp``, which under gunicorn defines an
    ``Input`` class inside each call (python-engineio 4.15.1). A class is a reference cycle. A
    WebSocket's class lives as long as the connection, so the garbage-collection freezer freezes
    it, and once the connection closed only a full collection frees it: 8 objects, 2.5 KB per
    closed connection (docs/benchmarks.md, change 47). This does what both do, with one class for all.
    """

    def __init__(self, flask_socketio_middleware):
        # Flask-SocketIO's own middleware tells the Flask app and where it serves Socket.IO.
        self.flask_app = flask_socketio_middleware.flask_app
        super().__init__(flask_socketio_middleware.engineio_app, flask_socketio_middleware.wsgi_app,
                         socketio_path=flask_socketio_middleware.engineio_path.strip("/"))

    def __call__(self, environ, start_response):
        environ = environ.copy()
        environ["flask.app"] = self.flask_app  # where Flask-SocketIO finds the app for each event
        if "gunicorn.socket" in environ:
            environ["eventlet.input"] = GunicornInput(environ["gunicorn.socket"])
        path = environ.get("PATH_INFO")
        if path is not None and path.startswith(self.engineio_path):
            return self.engineio_app.handle_request(environ, start_response)
        return self.wsgi_app(environ, start_response)
