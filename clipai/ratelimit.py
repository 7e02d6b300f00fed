"""Rate limits for Socket.IO events (Flask-Limiter only sees HTTP), on the same storage.

Keys are never raw addresses: callers pass a conversation id, an account id or
``security.hashed_client_address()``.

``memory://`` (the embedded default, for HTTP and events alike) is served by
:class:`SweptMemoryStorage`, registered here for that scheme in place of limits' own.
"""

import functools
import logging
import math
import time
from dataclasses import dataclass

from flask import current_app
from limits import parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)
EXTENSION_KEY = "clipai.event_limits"
SWEEP_INTERVAL_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """limits' memory storage, with expired entries swept inline at most once a second.

    limits' own starts a timer thread 10 ms after every hit, which then walks every key: under
    load that is a new thread (a greenlet under gevent or eventlet) a hundred times a second and
    a fifth of the server's time. The verdicts never depended on the sweep (every read checks
    times itself); the sweep only frees memory, and once a second is soon enough for that. It
    also drops the keys whose entries all expired, which limits' own sweep keeps as empty lists.
    """

    STORAGE_SCHEME = ["memory"]

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


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


@functools.lru_cache(maxsize=64)
def _parsed(limits: str) -> tuple:
    return tuple(parse_many(limits))


class EventLimiter:
    """Moving-window limits in the configured storage, falling back to memory while it is down."""

    def __init__(self, storage_uri: str, prefix: str):
        self.prefix = prefix
        self.primary = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.fallback = MovingWindowRateLimiter(SweptMemoryStorage())

    def hit(self, limits: str, *keys: str) -> Verdict:
        """Count one event against every limit in ``limits`` (e.g. ``"20/minute;300/hour"``)."""
        for item in _parsed(limits):
            if not self._hit(item, keys):
                return Verdict(False, self._retry_after(item, keys))
        return Verdict(True)

    def peek(self, limits: str, *keys: str) -> Verdict:
        """Return the verdict one more event would get, without counting it."""
        for item in _parsed(limits):
            if not self._test(item, keys):
                return Verdict(False, self._retry_after(item, keys))
        return Verdict(True)

    def _test(self, item, keys) -> bool:
        try:
            return self.primary.test(item, self.prefix, *keys)
        except Exception:  # storage unreachable: answer from this process
            return self.fallback.test(item, self.prefix, *keys)

    def _hit(self, item, keys) -> bool:
        try:
            return self.primary.hit(item, self.prefix, *keys)
        except Exception:  # storage unreachable: keep limiting in this process
            log.warning("rate-limit storage unavailable; limiting in memory")
            return self.fallback.hit(item, self.prefix, *keys)

    def _retry_after(self, item, keys) -> int:
        try:
            reset_at = self.primary.get_window_stats(item, self.prefix, *keys).reset_time
        except Exception:
            reset_at = self.fallback.get_window_stats(item, self.prefix, *keys).reset_time
        return max(1, math.ceil(reset_at - time.time()))


def hit(limits: str, *keys: str) -> Verdict:
    """Count an event for the current app; see :meth:`EventLimiter.hit`."""
    return current_app.extensions[EXTENSION_KEY].hit(limits, *keys)


def peek(limits: str, *keys: str) -> Verdict:
    """Check an event for the current app without counting it; see :meth:`EventLimiter.peek`."""
    return current_app.extensions[EXTENSION_KEY].peek(limits, *keys)


def init_app(app):
    app.extensions[EXTENSION_KEY] = EventLimiter(
        app.config["RATELIMIT_STORAGE_URI"], app.config["RATELIMIT_KEY_PREFIX"] + "-events"
    )
