"""``memory://`` rate limits: the same verdicts as limits' own storage, without a thread per hit."""

import time

from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from clipai import ratelimit
from clipai.extensions import limiter
from clipai.runtime.memory_limits import SweptMemoryStorage


def test_the_apps_memory_limits_get_the_swept_storage(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"  # as configured, for /healthz too
    assert isinstance(limiter.storage, SweptMemoryStorage)  # HTTP limits
    assert isinstance(ratelimit.event_limiter(app).primary.storage, SweptMemoryStorage)  # events


def test_importing_clipai_leaves_memory_uris_to_limits_own_storage(app):
    assert type(storage_from_string("memory://")) is MemoryStorage  # other code in the process is unchanged


def test_verdicts_are_unchanged():
    storage = SweptMemoryStorage()
    moving, fixed = MovingWindowRateLimiter(storage), FixedWindowRateLimiter(storage)
    limit = parse("3/minute")
    assert [moving.hit(limit, "chat", "a") for _ in range(4)] == [True, True, True, False]
    assert [fixed.hit(limit, "http", "a") for _ in range(4)] == [True, True, True, False]
    assert moving.hit(limit, "chat", "b")  # another key has its own window


def test_hits_start_no_timer_thread():
    storage = SweptMemoryStorage()
    first_timer = storage.timer
    limiter = MovingWindowRateLimiter(storage)
    for key in range(200):
        limiter.hit(parse("5/second"), "chat", str(key))
    assert storage.timer is first_timer  # limits' own storage would have started a new one


def test_expired_entries_are_swept_at_the_next_hit_after_a_second():
    storage = SweptMemoryStorage()
    storage.acquire_entry("old", limit=5, expiry=1)
    storage.events["old"][0].expiry = time.time() - 1  # its window has passed
    storage.acquire_entry("new", limit=5, expiry=60)
    assert "old" in storage.events  # swept at most once a second
    storage.swept_at -= 1.0
    storage.acquire_entry("new", limit=5, expiry=60)
    assert "old" not in storage.events and len(storage.events["new"]) == 2
