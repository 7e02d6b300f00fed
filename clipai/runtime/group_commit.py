"""Group commit: the writes that arrive together share one transaction, so one commit serves them all.

With ``synchronous=FULL`` every SQLite commit waits for the disk (about 2 ms here), which would cap
the chat at a few hundred messages a second. Instead, the first writer to arrive becomes the
leader: it runs every pending write in one transaction, commits once, then announces each write
in commit order and hands the lead to the next writer waiting. While it writes (SQLite calls run
in a thread pool under eventlet and gevent), new writers queue up and form the next batch, so
batches grow with the load and a lone writer still commits at once.

A write is ``work(conn)``: it may raise a ServiceError, but only before it wrote anything (so
the batch can keep the other writes). Consecutive writes whose ``work`` has the same ``bulk``
attribute are written by one ``bulk(conn, works) -> results`` call instead, with a few
statements for all of them. Any database error fails the whole batch: each of its
writers gets that error, and nothing of it is announced.
"""

import functools
import logging
import threading

from sqlalchemy.exc import IntegrityError

from clipai.services.errors import ServiceError

log = logging.getLogger(__name__)

MAX_BATCH = 1000  # bounds one transaction's length, hence the wait of the writers behind it


class _Write:
    __slots__ = ("work", "announce", "result", "error", "done", "lead", "wake")

    def __init__(self, work, announce, wake):
        self.work, self.announce = work, announce
        self.result = self.error = None
        self.done = self.lead = False
        self.wake = wake


@functools.cache
def wake_class(async_mode: str):
    """The cheapest ``threading.Event`` look-alike that wakes one waiting writer in that mode.

    Under gevent, monkey-patching already made ``threading.Event`` gevent's native event. Under
    eventlet it is a green ``Condition`` in Python; eventlet's own event wakes a waiter for about
    half the cost (docs/benchmarks.md).
    """
    if async_mode != "eventlet":
        return threading.Event
    from eventlet.event import Event

    class EventletWake:
        __slots__ = ("event",)

        def __init__(self):
            self.event = Event()

        def set(self):
            if not self.event.ready():
                self.event.send()

        def wait(self):
            self.event.wait()

        def clear(self):
            if self.event.ready():
                self.event.reset()

    return EventletWake


class GroupCommit:
    """Batch concurrent writes into shared transactions opened by ``transaction()``."""

    def __init__(self, transaction, max_batch: int = MAX_BATCH, wake=threading.Event, on_batch=None):
        self.transaction = transaction  # a callable returning a context manager that yields a connection
        self.on_batch = on_batch  # called with each batch's size, after it ran (for /metrics)
        self.max_batch = max_batch
        self.wake = wake  # makes the event a waiting writer is woken by (see wake_class)
        self.pending: list[_Write] = []
        self.leading = False
        self.lock = threading.Lock()

    def submit(self, work, announce=None):
        """Run ``work(conn)`` in the next shared transaction and return its result after the commit.

        ``announce(result)`` runs after the commit, in commit order, unless the write failed, in
        whichever thread leads: it must carry what it needs (such as the sender's socket id) itself.
        """
        write = _Write(work, announce, self.wake())
        with self.lock:
            self.pending.append(write)
            write.lead = not self.leading
            self.leading = True
        while not write.done:
            if write.lead:
                write.lead = False
                self._commit_batch()
            else:
                write.wake.wait()
                write.wake.clear()
        if write.error is not None:
            raise write.error
        return write.result

    def _commit_batch(self):
        with self.lock:
            batch, self.pending = self.pending[:self.max_batch], self.pending[self.max_batch:]
        try:
            self._run(batch)
            if self.on_batch is not None:
                self.on_batch(len(batch))
        finally:
            with self.lock:
                successor = self.pending[0] if self.pending else None
                self.leading = successor is not None
            for write in batch:
                write.done = True
                write.wake.set()
            if successor is not None:
                successor.lead = True
                successor.wake.set()

    def _run(self, batch):
        failure = self._run_together(batch)
        if isinstance(failure, IntegrityError) and len(batch) > 1:
            # Rare: another process stored one of these first. Redo them one by one, so only
            # that write sees the conflict.
            for write in batch:
                write.error = write.result = None
                self._run_together([write])

    def _run_together(self, batch) -> Exception | None:
        """Run the writes in one transaction and announce them; return what failed the batch."""
        try:
            with self.transaction() as conn:
                for run in _runs(batch):
                    self._run_writes(conn, run)
        except BaseException as error:  # the transaction rolled back: no write of the batch holds
            for write in batch:
                write.error, write.result = error, None
            if not isinstance(error, Exception):
                raise
            return error
        for write in batch:
            if write.error is None and write.announce is not None:
                try:
                    write.announce(write.result)
                except Exception:
                    log.exception("group commit: announcing a stored write failed")
        return None

    @staticmethod
    def _run_writes(conn, run):
        if len(run) > 1:
            results = run[0].work.bulk(conn, [write.work for write in run])
            for write, result in zip(run, results, strict=True):
                write.result = result
            return
        write = run[0]
        try:
            write.result = write.work(conn)
        except ServiceError as refusal:
            write.error = refusal


def _runs(batch):
    """Consecutive writes that one ``bulk`` call can write go together, in order."""
    runs = []
    for write in batch:
        bulk = getattr(write.work, "bulk", None)
        if runs and bulk is not None and getattr(runs[-1][0].work, "bulk", None) == bulk:
            runs[-1].append(write)
        else:
            runs.append([write])
    return runs
