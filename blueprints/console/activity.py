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

The flushes keep a fixed schedule, one every interval while there is activity. A flush reads and
sends ``SLICE`` conversations at a time, its slices spread over the first half of the interval
(at most ``MAX_PAUSE`` apart), so a summary goes out within one and a half intervals of the
activity. Sent in one go, a hundred summaries queued ahead of the chat's own messages on every
console's connection: the relay's p99 at 1,000 chat messages a second was 11-15 ms, and 5-8 ms
spread out (docs/benchmarks.md, change 41). While the database is unreachable a flush stops at
its first failed slice, and the rest waits for the next one.
"""

import logging
import threading
import time

from clipai.extensions import socketio
from clipai.services.errors import ServiceError

log = logging.getLogger(__name__)
SLICE = 5  # summaries read and sent together
SPREAD = 0.5  # a flush's slices go out within this share of the interval
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
        self.clock = time.monotonic

    def touch(self, conversation_id: int) -> None:
        """Note new activity in that conversation; its summary goes out within 1.5 intervals."""
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
        """Flush once every interval, counted from the first touch (a flush's pauses fall inside
        it), until an interval passes without activity."""
        due_at = self.clock() + self.interval
        while True:
            socketio.sleep(max(0.0, due_at - self.clock()))
            with self.lock:
                due, self.pending = self.pending, set()
                if not due:
                    self.flushing = False
                    return
            self.flush(due)
            due_at = max(due_at + self.interval, self.clock())  # a flush that overran is not made up for

    def flush(self, conversation_ids: set[int]) -> None:
        ids = sorted(conversation_ids)
        slices = [set(ids[start:start + SLICE]) for start in range(0, len(ids), SLICE)]
        pause = min(MAX_PAUSE, self.interval * SPREAD / max(len(slices), 1))
        for index, part in enumerate(slices):
            if index:
                socketio.sleep(pause)
            if not self._send_slice(part):  # the database is unreachable: the rest waits too
                with self.lock:
                    self.pending.update(*slices[index:])
                return

    def _send_slice(self, conversation_ids: set[int]) -> bool:
        """Send the summaries of those conversations; False when the database did not answer."""
        try:
            with self.app.app_context():
                self.send_summaries(conversation_ids)
        except ServiceError:
            return False
        except Exception:
            log.exception("console: sending conversation summaries failed")
        return True
