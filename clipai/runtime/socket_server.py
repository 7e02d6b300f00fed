"""The Socket.IO server: its options (explicit async mode, JSON-first packets, the message queue)
and the Flask-SocketIO subclass that guards client events and marks them for RealtimeFlask."""

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


