"""Anonymity and browser-security rules that hold for every response."""

import hashlib
import hmac
import ipaddress
import logging
import time
import traceback
from pathlib import Path

from flask import current_app, request
from flask.sessions import SessionInterface

log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parent.parent

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self' {websocket}; media-src 'self'; manifest-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class NullSessionInterface(SessionInterface):
    """Give every request a read-only empty session, so Flask can never set a cookie."""

    def open_session(self, app, request):
        return self.make_null_session(app)

    def save_session(self, app, session, response):
        return None


class NoCookieMiddleware:
    """Drop any ``Set-Cookie`` header a lower layer might add, and say so in the log."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start_without_cookies(status, headers, exc_info=None):
            kept = [(name, value) for name, value in headers if name.lower() != "set-cookie"]
            if len(kept) != len(headers):
                log.error("a Set-Cookie header was dropped for %s", environ.get("PATH_INFO"))
            return start_response(status, kept, exc_info)

        return self.wsgi_app(environ, start_without_cookies)


def add_security_headers(response):
    """Set the strict headers every page, API answer and asset carries."""
    host = request.host
    websocket = f"ws://{host} wss://{host}"
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY.format(websocket=websocket))
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


# What another site loads to show the chat (chat/embed.js): public files and the widget's markup.
EMBEDDABLE_ENDPOINTS = frozenset({"static", "chat.static", "chat.embed_script", "chat.embed_widget"})


def origin_list(origins) -> list[str]:
    """A list of origins from a list or a comma-separated string."""
    if isinstance(origins, str):
        origins = [origin.strip() for origin in origins.split(",") if origin.strip()]
    return [origin.rstrip("/") for origin in origins or []]


def allow_embedding(response):
    """Let the sites in ``EMBED_ORIGINS`` load the chat's files: CORS for them, CORP for scripts and styles."""
    origins = origin_list(current_app.config.get("EMBED_ORIGINS"))
    if not origins or request.endpoint not in EMBEDDABLE_ENDPOINTS:
        return response
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if origin in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


def client_address(environ) -> str:
    """Return the client address, trusting ``X-Forwarded-For`` only from configured proxies."""
    trusted = int(current_app.config.get("TRUSTED_PROXIES") or 0)
    address = environ.get("REMOTE_ADDR") or ""
    forwarded = [part.strip() for part in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if trusted and len(forwarded) >= trusted:
        address = forwarded[-trusted]
    return address


def address_group(address: str) -> str:
    """Group an address the way a person holds addresses: IPv4 alone, IPv6 by its /64."""
    try:
        parsed = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return "unknown"
    if parsed.version == 6 and parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def hashed_address(address: str, secret: str, rotation_hours: int, now: float | None = None) -> str:
    """Return a keyed hash of the address group; the key changes every rotation period."""
    period = int((time.time() if now is None else now) // (rotation_hours * 3600))
    key = hmac.new(secret.encode(), f"address-key:{period}".encode(), hashlib.sha256).digest()
    return hmac.new(key, address_group(address).encode(), hashlib.sha256).hexdigest()[:32]


def hashed_client_address(environ=None) -> str:
    """Rate-limit key for the current request (or for ``environ``'s): never the address itself."""
    config = current_app.config
    return hashed_address(
        client_address(request.environ if environ is None else environ),
        config["SECRET_KEY"], int(config["ADDRESS_HASH_ROTATION_HOURS"]),
    )


def hash_token(token: str) -> str:
    """Return the SHA-256 of a bearer or conversation token, the only form that is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class ClientGarbageLogFilter(logging.Filter):
    """Log a malformed Socket.IO packet as one short warning, at most ``per_minute`` times a minute.

    python-engineio logs every packet it cannot decode with a full traceback at ERROR level, so a
    client sending garbage could fill the log. Errors that pass through our own code keep their
    traceback: those are bugs, not garbage.
    """

    OWN_CODE = (str(PROJECT_ROOT / "clipai"), str(PROJECT_ROOT / "blueprints"))

    def __init__(self, per_minute: int = 10):
        super().__init__()
        self.per_minute, self.window, self.logged, self.suppressed = per_minute, 0, 0, 0

    def filter(self, record) -> bool:
        if not record.exc_info or not record.getMessage().endswith("handler error") or self._through_own_code(record):
            return True
        window = int(time.monotonic() // 60)
        if window != self.window:
            self.window, self.logged = window, 0
        if self.logged >= self.per_minute:
            self.suppressed += 1
            return False
        self.logged += 1
        error = record.exc_info[1]
        record.msg, record.args = "socket.io: ignored a malformed packet (%s)%s", (
            type(error).__name__, f"; {self.suppressed} more were not logged" if self.suppressed else "")
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = None
        self.suppressed = 0
        return True

    def _through_own_code(self, record) -> bool:
        frames = traceback.extract_tb(record.exc_info[2])
        return any(frame.filename.startswith(self.OWN_CODE) for frame in frames)


def quiet_client_garbage(logger_name: str = "engineio.server") -> None:
    """Install :class:`ClientGarbageLogFilter` on the engine.io logger once per process."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(item, ClientGarbageLogFilter) for item in logger.filters):
        logger.addFilter(ClientGarbageLogFilter())


def init_app(app):
    app.session_interface = NullSessionInterface()
    app.after_request(add_security_headers)
    app.after_request(allow_embedding)  # runs first: its CORP wins over the default's setdefault
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    quiet_client_garbage()
