"""Configuration: defaults in code, then ``instance/config.py``, then ``CLIPAI_*`` variables."""

import json
import os
import runpy
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = PROJECT_ROOT / "instance"  # what Flask picks for this package run from its checkout
COMMAND_ASYNC_MODE = "threading"  # the clipai command needs no event loop (nor eventlet imported)
LOCALES = ("en", "ru", "de", "es", "fr", "ar")
RTL_LOCALES = frozenset({"ar"})


class Defaults:
    """Settings every deployment starts from."""

    ENABLED_FEATURES = ["blueprints.pages", "blueprints.policy", "blueprints.chat", "blueprints.console"]
    DATABASE_URL = None  # None: SQLite file in the instance folder
    # Decided here and nowhere else: ASYNC_MODE like any setting (this default, instance/config.py,
    # CLIPAI_ASYNC_MODE), read by wsgi.py through async_mode() before it monkey-patches. make run
    # and deploy/gunicorn.conf.py set CLIPAI_ASYNC_MODE for the server they start; the clipai
    # command runs COMMAND_ASYNC_MODE; tests pass threading.
    ASYNC_MODE = "gevent"  # measured faster than eventlet here; "eventlet" stays supported
    MESSAGE_QUEUE = None
    ALLOWED_ORIGINS = None  # None: this machine on the port being served (PORT, 5000 by default)
    # Other sites of the owner that show the chat with <script src=".../chat/embed.js" async>:
    # admitted by the Socket.IO origin check and CORS for what the embed loads (docs/chat.md "Embedding").
    EMBED_ORIGINS = []
    TRUSTED_PROXIES = 0
    SUPPORT_EMAIL = "support@clipai.pro"
    SITE_URL = None  # None: this machine on the port being served; canonical and hreflang links use it

    LANGUAGES = list(LOCALES)
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")

    MAX_CONTENT_LENGTH = 4 * 1024 * 1024  # request bodies; the largest policy draft (6 × 100,000 characters) fits
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = "clipai"
    RATELIMIT_HEADERS_ENABLED = False  # Retry-After is set on 429 answers only
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_DEFAULT = "600 per minute"
    LOGIN_LIMITS = "10 per minute;50 per hour"  # per hashed address, every attempt
    LOGIN_USERNAME_LIMITS = "10 per minute;50 per hour"  # per username, from all addresses together
    LOGIN_LOCKED_USERNAME_LIMITS = "20 per hour"  # then: addresses that have not failed on it
    ADDRESS_HASH_ROTATION_HOURS = 24

    TOKEN_LIFETIME_HOURS = 12
    REVOCATION_CHECK_SECONDS = 0.5  # every process re-checks its console sockets' tokens this often
    OPERATOR_ALIAS = "Support"  # what visitors see for an operator created without --alias
    CHAT_RETENTION_DAYS = 30
    CHAT_MAX_MESSAGE_LENGTH = 2000
    CHAT_MESSAGE_LIMITS = "20 per minute;300 per hour"
    # New conversations per hashed address: free up to this budget, then each needs an invisible
    # proof of work (ALTCHA, ~CHAT_CHALLENGE_MAX_NUMBER / 2 SHA-256 hashes in the browser), up to
    # the ceiling CHAT_CHALLENGED_CONVERSATION_LIMITS; docs/chat.md "Shared networks".
    CHAT_NEW_CONVERSATION_LIMITS = "30 per hour"
    CHAT_CHALLENGED_CONVERSATION_LIMITS = "600 per hour"
    CHAT_CHALLENGE_MAX_NUMBER = 50_000
    CHAT_CHALLENGE_SECONDS = 300  # a challenge's lifetime; a used solution is remembered this long
    CHAT_CONNECT_LIMITS = "60 per minute"
    CHAT_PURGE_INTERVAL_SECONDS = 3600
    # Support's hours, e.g. {"timezone": "Europe/Berlin", "weekly": {"mon": ["09:00-17:00"], …},
    # "holidays": ["2026-12-25"]}; None: always open. Checked at start-up (clipai/services/office_hours.py).
    OFFICE_HOURS = None
    CHAT_RESUME_LIMITS = "10 per hour"  # failed token / resume-code attempts per hashed address
    CHAT_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024  # one image as uploaded; deploy/nginx allows it on the upload route
    CHAT_ATTACHMENT_MAX_PIXELS = 40_000_000  # checked from the header, before anything is decoded
    CHAT_ATTACHMENTS_PER_MESSAGE = 4
    CHAT_UPLOAD_LIMITS = "20 per minute;200 per hour"  # per conversation (visitors) or per operator
    CHAT_UNSENT_UPLOAD_MINUTES = 30  # an image uploaded but not sent is deleted after this
    CHAT_EVENT_LIMITS = "120 per minute"  # typing, seen, history, close, erase per visitor
    CONSOLE_EVENT_LIMITS = "300 per minute;6000 per hour"  # every console event, per operator account
    CONSOLE_ACTIVITY_SECONDS = 0.5  # new messages' conversation summaries: one per conversation per interval
    SOCKETIO_MAX_HTTP_BUFFER_SIZE = 32 * 1024  # deploy/nginx/clipai.conf's /socket.io/ body limit matches
    SOCKETIO_HANDSHAKE_LIMITS = "60 per minute"  # new engine.io sessions, per hashed address
    SOCKETIO_PING_INTERVAL = 25
    SOCKETIO_PING_TIMEOUT = 20
    SOCKETIO_SEND_TIMEOUT = 20  # a connection whose writer took nothing for this long is cut (docs/chat.md)
    GC_FREEZE_INTERVAL_SECONDS = 1  # young objects frozen within a second: short collections (docs/benchmarks.md, 36)
    GC_FREEZE_AFTER_CONNECTIONS = 1000  # also freeze after this many new Socket.IO connections
    # Unfreeze and collect everything: it stops the process for ~70 ms plus ~0.12 ms per connection
    # (2.3 s at 20,000), so at most every INTERVAL and only while QUIET; at the latest after LATEST.
    GC_FULL_COLLECTION_INTERVAL_SECONDS = 600
    GC_FULL_COLLECTION_QUIET_CONNECTIONS = 100
    GC_FULL_COLLECTION_LATEST_SECONDS = 86_400
    # Young-generation thresholds of the servers' garbage collector (Python's default: 700, 10, 10).
    GC_THRESHOLDS = (10_000, 10, 10)
    ALERT_CHANNELS = []  # webhook, slack, email: see docs/configuration.md (Alerts)
    ALERT_MIN_INTERVAL_SECONDS = 300  # per channel: at most one alert per this interval (and process)
    ALERT_QUIET_HOURS = None  # e.g. "22:00-07:00" in ALERT_TIMEZONE: no alerts then
    ALERT_TIMEZONE = "UTC"
    ALERT_ATTEMPTS = 4  # tries per alert and channel
    ALERT_BACKOFF_SECONDS = 2.0  # wait before the second try; doubles after each failure
    ALERT_TIMEOUT_SECONDS = 10.0  # per HTTP request or SMTP session
    ALERT_LOCALE = "en"  # the language of alert texts
    METRICS_TOKEN = None  # a long random secret: /metrics answers "Authorization: Bearer <it>" from anywhere
    LOG_LEVEL = "INFO"  # the servers' log: DEBUG, INFO, WARNING, ERROR
    LOG_FORMAT = "plain"  # "json": one JSON object per line
    # The server prepares the database (``clipai setup``) before it answers: ``make run`` sets it.
    # Leave it off where several processes start together (they would all migrate at once).
    SETUP_ON_START = False
    PAGE_CACHE_SECONDS = 1.0  # public answers (policy pages) served again without running Flask; 0 turns it off


def configured_settings(instance_path: Path) -> dict:
    """Every setting as configured: defaults, then ``instance/config.py``, then ``CLIPAI_*`` variables."""
    settings = {name: getattr(Defaults, name) for name in dir(Defaults) if name.isupper()}
    settings.update(_instance_settings(instance_path / "config.py"))
    settings.update(_environment_settings())
    return settings


def async_mode(instance_path: Path = INSTANCE_PATH) -> str:
    """The configured async mode, which a server needs before it imports anything to monkey-patch."""
    return configured_settings(instance_path)["ASYNC_MODE"]


def load_config(app, test_config=None, forced_async_mode=None):
    """Fill ``app.config`` from the configured settings, then the test's (tests only)."""
    app.config.update(configured_settings(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    if forced_async_mode:
        app.config["ASYNC_MODE"] = forced_async_mode
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = read_secret_key(Path(app.instance_path))
    port = os.environ.get("PORT", "5000")
    if not app.config["ALLOWED_ORIGINS"]:
        app.config["ALLOWED_ORIGINS"] = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    if not app.config["SITE_URL"]:
        app.config["SITE_URL"] = f"http://127.0.0.1:{port}"
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'clipai.sqlite3'}"


def _instance_settings(config_file: Path) -> dict:
    """The upper-case names ``instance/config.py`` sets (as Flask's ``from_pyfile`` reads them)."""
    if not config_file.is_file():
        return {}
    return {name: value for name, value in runpy.run_path(str(config_file)).items() if name.isupper()}


def _environment_settings():
    """Read ``CLIPAI_<NAME>`` variables; JSON values are decoded, anything else is a string."""
    settings = {}
    for name, raw in os.environ.items():
        if not name.startswith("CLIPAI_"):
            continue
        try:
            settings[name.removeprefix("CLIPAI_")] = json.loads(raw)
        except ValueError:
            settings[name.removeprefix("CLIPAI_")] = raw
    return settings


def read_secret_key(instance_path: Path) -> str:
    """Return the secret key kept in the instance folder, or a process-local one if there is none."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    return secrets.token_hex(32)


def ensure_secret_key(instance_path: Path) -> bool:
    """Generate the instance secret key once; return True when a new one was written."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return False
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file.write_text(secrets.token_hex(32) + "\n")
    key_file.chmod(0o600)
    return True
