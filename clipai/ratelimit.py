"""Rate limits for Socket.IO events (Flask-Limiter only sees HTTP), on the same storage.

Keys are never raw addresses: callers pass a conversation id, an account id or
``security.hashed_client_address()``.

``memory://`` (the embedded default, for HTTP and events alike) is served by the runtime's
swept memory storage (:mod:`clipai.runtime.memory_limits`).
"""

import functools
import logging
import math
import time
from dataclasses import dataclass

from flask import current_app
from limits import parse_many
from limits.strategies import MovingWindowRateLimiter

from clipai.runtime.memory_limits import SweptMemoryStorage, storage_for

log = logging.getLogger(__name__)
EXTENSION_KEY = "clipai.event_limits"


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
        self.primary = MovingWindowRateLimiter(storage_for(storage_uri))
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


def event_limiter(app) -> "EventLimiter":
    """The app's limiter for Socket.IO events."""
    return app.extensions[EXTENSION_KEY]


def init_app(app):
    app.extensions[EXTENSION_KEY] = EventLimiter(
        app.config["RATELIMIT_STORAGE_URI"], app.config["RATELIMIT_KEY_PREFIX"] + "-events"
    )
