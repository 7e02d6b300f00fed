"""Garbage collection for a process holding thousands of connections.

Full collections walked every connection's objects: 100-800 ms stalls at 10,000 connections, a
relay p99 of 297 ms at 200 msg/s; freezing long-lived objects brought it to ~9 ms (docs/benchmarks.md).
The one full collection left waits for a quiet moment (change 47).
"""

import gc
import time

GC_CHECK_SECONDS = 1.0


class Freezer:
    """When to freeze long-lived objects out of full garbage collections, and when to collect them.

    ``gc.freeze()`` moves every object into a generation that collections skip, so a process
    holding 20,000 connections does not walk them all on each full collection (hundreds of
    milliseconds). Freezing happens soon after start, after each burst of ``burst`` new
    connections, and every ``interval`` seconds (one by default: then the young generations stay
    small, and with 20,000 connections held their collections stay short, where they took 50-180
    ms each while every visitor was sent a broadcast).

    Frozen objects that became cyclic garbage stay until everything is unfrozen and collected once.
    That walk stops the process: about 70 ms, plus 0.12 ms per connection held (2.3 s with 19,900
    visitors, every chat stalled; docs/benchmarks.md, change 47). Connections leave no cycles
    behind (the test in tests/test_garbage_collection.py), so little waits for it, and it runs
    when it is cheap: at least ``full_interval`` seconds after the last one, once the process
    holds at most ``quiet`` connections; and at the latest after ``full_latest`` seconds, busy or
    not, so that what does wait is freed within a day.
    """

    def __init__(self, interval: float, full_interval: float, burst: int, now: float, *,
                 quiet: int, full_latest: float):
        self.interval, self.full_interval, self.burst = interval, full_interval, burst
        self.quiet, self.full_latest = quiet, full_latest
        self.frozen_at = self.collected_at = now
        self.connections_then = 0

    def step(self, now: float, connections: int) -> str | None:
        """``"collect"``, ``"freeze"`` or None, for the time and connection count now."""
        self.connections_then = min(self.connections_then, connections)  # growth counts from the low point
        if self.collection_due(now - self.collected_at, connections):
            action = "collect"
            self.collected_at = now
        elif now - self.frozen_at >= self.interval or connections - self.connections_then >= self.burst:
            action = "freeze"
        else:
            return None
        self.frozen_at, self.connections_then = now, connections
        return action

    def collection_due(self, since_last: float, connections: int) -> bool:
        if since_last >= self.full_latest:
            return True
        return since_last >= self.full_interval and connections <= self.quiet


def set_collection_thresholds(thresholds) -> None:
    """Collect the young generations less often than Python's default (every 700 allocations).

    Under a chat load the server allocates a few hundred objects per message, so the default
    collected the youngest generation every few messages and the middle one every few dozen:
    7-10 % of the server's time (docs/benchmarks.md). With 10,000 a collection still takes only
    a few milliseconds.
    """
    gc.set_threshold(*(int(value) for value in thresholds))


def freeze_young() -> None:
    """Take every object allocated so far out of the young collections, at once.

    ``gc.freeze()`` splices the generations' lists onto the frozen one, so its cost does not grow
    with the number of objects. Work that allocates faster than :class:`Freezer`'s once-a-second
    freeze keeps up with calls it as it goes: with 19,900 visitors held and a ``status`` broadcast
    to all of them, young collections under eventlet found 48,000-82,000 objects and took 28-55 ms
    each (docs/benchmarks.md, change 42). Frozen objects are still freed when their last
    reference goes; what becomes cyclic garbage waits for the periodic full collection, as after
    the Freezer's own freezes.
    """
    gc.freeze()


def manage_garbage_collection(app):
    """Run :class:`Freezer`'s decisions for this process, checking once a second."""
    from clipai.extensions import socketio  # the extension imports the rooms, which use freeze_young

    config = app.config
    socketio.sleep(min(config["GC_FREEZE_INTERVAL_SECONDS"], 10))
    gc.collect(1)
    gc.freeze()
    freezer = Freezer(config["GC_FREEZE_INTERVAL_SECONDS"], config["GC_FULL_COLLECTION_INTERVAL_SECONDS"],
                      config["GC_FREEZE_AFTER_CONNECTIONS"], time.monotonic(),
                      quiet=config["GC_FULL_COLLECTION_QUIET_CONNECTIONS"],
                      full_latest=config["GC_FULL_COLLECTION_LATEST_SECONDS"])
    while True:
        socketio.sleep(GC_CHECK_SECONDS)
        action = freezer.step(time.monotonic(), len(socketio.server.eio.sockets))
        if action == "collect":
            gc.unfreeze()
            gc.collect()
        if action:
            gc.freeze()  # no young collection first: that walk was itself a 20-50 ms stall
