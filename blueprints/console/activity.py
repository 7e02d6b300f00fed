"""A conversation's new activity reaches operators as one ``conversation`` event per interval.

Every stored message reaches the console at once as a ``message`` event, from which the console
updates its list (last message, last activity, unread badge). The conversation's summary as the
server counts it (unread count, erase date) follows as a ``conversation`` event: one per
conversation every ``CONSOLE_ACTIVITY_SECONDS``, however many messages arrived meanwhile, instead of
one per message. Under load that saves a summary read and a broadcast per message
(before and after in docs/benchmarks.md).

Summaries are read when they are sent, so each carries the conversation's latest state, also when
another process changed it meanwhile. Changes other than new messages (created, reopened,
answered, closed, assigned, seen, erased) are not delayed: the relays send them at once.
``CONSOLE_ACTIVITY_SECONDS = 0`` sends every summary at once.

The summaries of one interval are read and sent ``SLICE`` conversations at a time, the slices
spread over the first half of the next interval (at most ``MAX_PAUSE`` apart). Sent in one go, a
hundred summaries queued ahead of the chat's own messages on every console's connection: the
relay's p99 at 1,000 chat messages a second was 11-15 ms, and 5-8 ms spread out
(docs/benchmarks.md, change 41).
"""

import logging
import threading

from clipai.extensions import socketio
from clipai.services.errors import ServiceError

log = logging.getLogger(__name__)
SLICE = 5  # summaries read and sent together
SPREAD = 0.5  # an interval's slices go out within this share of the next interval
MAX_PAUSE = 0.02  # seconds between two slices at most: a few slices need not wait long


class ActivityFeed:
    """Collect the conversations with new messages and send their summaries once per interval."""

    def __init__(self, app, interval: float, send_summaries):
        self.app = app
        self.interval = interval
        self.send_summaries = send_summaries  # called with a set of conversation ids, in an app context
        self.pending: set[int] = set()
        self.flushing = False  # a background task is sleeping towards the next flush
        self.lock = threading.Lock()

    def touch(self, conversation_id: int) -> None:
        """Note new activity in that conversation; its summary goes out within the interval."""
        if self.interval <= 0:
            self.send_summaries({conversation_id})
            return
        with self.lock:
            self.pending.add(conversation_id)
            if self.flushing:
                return
            self.flushing = True
        socketio.start_background_task(self._flush_while_active)

    def _flush_while_active(self) -> None:
        while True:
            socketio.sleep(self.interval)
            with self.lock:
                due, self.pending = self.pending, set()
                if not due:
                    self.flushing = False
                    return
            self.flush(due)

    def flush(self, conversation_ids: set[int]) -> None:
        ids = sorted(conversation_ids)
        slices = [set(ids[start:start + SLICE]) for start in range(0, len(ids), SLICE)]
        pause = min(MAX_PAUSE, self.interval * SPREAD / max(len(slices), 1))
        for index, part in enumerate(slices):
            if index:
                socketio.sleep(pause)
            self._send_slice(part)

    def _send_slice(self, conversation_ids: set[int]) -> None:
        try:
            with self.app.app_context():
                self.send_summaries(conversation_ids)
        except ServiceError:  # the database is unreachable: try again at the next interval
            with self.lock:
                self.pending |= conversation_ids
        except Exception:
            log.exception("console: sending conversation summaries failed")
