"""Socket.IO settings shared by every feature namespace."""

from flask import current_app, has_request_context, request
from flask_babel import force_locale
from socketio.exceptions import ConnectionRefusedError as SocketIOConnectionRefused

from clipai.i18n import match_locale


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
        "message_queue": config["MESSAGE_QUEUE"] or None,
        "channel": f"{config['RATELIMIT_KEY_PREFIX']}-socketio",
        "max_http_buffer_size": config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"],
        "ping_interval": config["SOCKETIO_PING_INTERVAL"],
        "ping_timeout": config["SOCKETIO_PING_TIMEOUT"],
        "cookie": None,
        "logger": False,
        "engineio_logger": False,
        "manage_session": False,
        "always_connect": False,
    }


def locale_for_event(requested) -> str:
    """The locale for a socket event: the one the client asked for when supported."""
    return match_locale(requested) or current_app.config["BABEL_DEFAULT_LOCALE"]


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
    "ConnectionRefused", "ack_error", "ack_ok", "allowed_origins", "force_locale", "locale_for_event",
    "sender_sid", "socketio_options",
]
