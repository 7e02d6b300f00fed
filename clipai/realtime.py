"""Socket.IO settings shared by every feature namespace."""

from flask import current_app
from flask_babel import force_locale

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


__all__ = ["force_locale", "locale_for_event", "socketio_options", "allowed_origins"]
