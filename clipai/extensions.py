"""Extension singletons, bound to each app by ``create_app``."""

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter

from clipai.runtime.socket_server import ClientEventGuardSocketIO
from clipai.security import hashed_client_address


def _default_http_limit() -> str:
    # Read per request: Flask-Limiter keeps the first app's static settings for good.
    return current_app.config["RATELIMIT_DEFAULT"]


def _limit_key() -> str:
    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}:{hashed_client_address()}"


babel = Babel()
socketio = ClientEventGuardSocketIO()
limiter = Limiter(
    key_func=_limit_key,
    default_limits=[_default_http_limit],
    headers_enabled=False,
    in_memory_fallback_enabled=True,
    strategy="fixed-window",
)
