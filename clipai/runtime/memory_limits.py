"""limits' memory storage without a timer thread per hit: a fifth of the server's time under load.

The app uses it for ``memory://`` explicitly (:func:`storage_for`, :func:`limiter_storage_uri`);
``limits.storage.storage_from_string("memory://")`` keeps giving limits' own class to other code.
"""

import time

from limits.storage import MemoryStorage, storage_from_string

SWEEP_INTERVAL_SECONDS = 1.0
MEMORY_URI = "memory://"
SWEPT_MEMORY_URI = "clipai-swept-memory://"


class SweptMemoryStorage(MemoryStorage):
    """limits' memory storage, with expired entries swept inline at most once a second.

    limits' own starts a timer thread 10 ms after every hit, which then walks every key: under
    load that is a new thread (a greenlet under gevent or eventlet) a hundred times a second and
    a fifth of the server's time. The verdicts never depended on the sweep (every read checks
    times itself); the sweep only frees memory, and once a second is soon enough for that. It
    also drops the keys whose entries all expired, which limits' own sweep keeps as empty lists.
    """

    # A scheme of its own (limits registers every storage class under its STORAGE_SCHEME), so
    # that memory:// keeps meaning limits' class for everyone else in the process.
    STORAGE_SCHEME = [SWEPT_MEMORY_URI.removesuffix("://")]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        self.swept_at = time.monotonic()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the timer of the base class
        now = time.monotonic()
        if now - self.swept_at >= SWEEP_INTERVAL_SECONDS:
            self.swept_at = now
            self._MemoryStorage__expire_events()
            # limits' sweep empties a key's list but keeps the key: one per socket, forever.
            for key in [key for key, events in self.events.items() if not events]:
                with self.locks[key]:
                    if not self.events.get(key):
                        self.events.pop(key, None)
                self.locks.pop(key, None)


def limiter_storage_uri(uri: str) -> str:
    """The storage URI to give limits for a configured one: the swept storage for ``memory://``."""
    return SWEPT_MEMORY_URI if uri == MEMORY_URI else uri


def storage_for(uri: str):
    """The limits storage for a configured URI (``memory://`` gets :class:`SweptMemoryStorage`)."""
    return storage_from_string(limiter_storage_uri(uri))


def init_limiter(limiter, app) -> None:
    """Bind Flask-Limiter to ``app`` on the swept storage when the app limits in memory.

    Flask-Limiter builds its storage once, in ``init_app``, from ``RATELIMIT_STORAGE_URI`` (its
    public way to choose one); the setting is handed to it translated and then put back, so the
    app (``/healthz``, the event limiter) keeps reading what was configured.
    """
    configured = app.config["RATELIMIT_STORAGE_URI"]
    app.config["RATELIMIT_STORAGE_URI"] = limiter_storage_uri(configured)
    try:
        limiter.init_app(app)
    finally:
        app.config["RATELIMIT_STORAGE_URI"] = configured
