"""How quickly support usually answers: the median first response of the last 14 days.

Shown to visitors ("Usually replies within …") only when enough conversations were answered for
a median to mean something. Computed at most once per ``CACHE_SECONDS`` per process.
"""

import statistics
import time
from datetime import timedelta

from flask import current_app

from clipai import clock
from clipai.services.conversations.transactions import read
from clipai.storage import chat as store

WINDOW = timedelta(days=14)
MIN_CONVERSATIONS = 5
CACHE_SECONDS = 60
CACHE_KEY = "clipai.chat.response_time"


def median_first_response(pairs) -> float | None:
    """The median seconds from first visitor message to first operator reply, or None with too few."""
    if len(pairs) < MIN_CONVERSATIONS:
        return None
    return statistics.median((answered - asked).total_seconds() for asked, answered in pairs)


def usual_reply_seconds() -> int | None:
    """The median first-response time in whole seconds (cached briefly), or None when unknown."""
    cache = current_app.extensions.get(CACHE_KEY)
    if cache and time.monotonic() - cache[0] < CACHE_SECONDS:
        return cache[1]
    since = clock.now() - WINDOW
    median = median_first_response(read(lambda conn: store.first_responses(conn, since)))
    value = None if median is None else max(1, round(median))
    current_app.extensions[CACHE_KEY] = (time.monotonic(), value)
    return value
