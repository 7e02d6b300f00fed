"""Extension singletons, bound to each app by ``create_app``."""

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_socketio import SocketIO

from clipai.realtime import SOCKET_EVENT_KEY
from clipai.security import hashed_client_address


def _default_http_limit() -> str:
    # Read per request: Flask-Limiter keeps the first app's static settings for good.
    return current_app.config["RATELIMIT_DEFAULT"]


def _limit_key() -> str:
    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}:{hashed_client_address()}"


LIFECYCLE_EVENTS = frozenset({"connect", "disconnect", "connect_error"})


class ClientEventGuardSocketIO(SocketIO):
    """Flask-SocketIO that drops client events named like lifecycle events, or not named by a string.

    python-socketio hands an EVENT packet named ``disconnect`` to ``Namespace.on_disconnect`` (and
    ``connect`` to ``on_connect``): a client could make the server forget its session while the
    socket stayed connected and in its rooms, so revoking the token no longer reached it.

    It also marks each connection's environ, so that :class:`clipai.realtime.RealtimeFlask` runs
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


babel = Babel()
socketio = ClientEventGuardSocketIO()
limiter = Limiter(
    key_func=_limit_key,
    default_limits=[_default_http_limit],
    headers_enabled=False,
    in_memory_fallback_enabled=True,
    strategy="fixed-window",
)
