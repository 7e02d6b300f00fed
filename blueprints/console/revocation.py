"""Every process cuts the console sockets whose right ended, wherever it was ended.

A right ends in the database: a sign-out, a disabled account, a new password, a removed operator
role, an expired token. The process that ends it cuts its own sockets at once (``tokens_revoked``),
but a ``clipai users`` command holds no socket and another process cannot reach this one's memory.
So each process with console sockets asks the database every ``REVOCATION_CHECK_SECONDS`` which of
their tokens are still in force, in one query, and cuts the rest. The watch runs only while the
process holds console sockets.
"""

import logging
import threading

from clipai.extensions import socketio

log = logging.getLogger(__name__)


class RevocationWatch:
    """A background task that calls ``namespace.drop_revoked()`` while the namespace has sockets."""

    def __init__(self, namespace):
        self.namespace = namespace
        self.running = False
        self.failing = False  # the last check failed: say so once, not twice a second
        self.lock = threading.Lock()

    def start(self, app) -> None:
        """Start the watch unless it runs already."""
        with self.lock:
            if self.running:
                return
            self.running = True
        socketio.start_background_task(self._watch, app)

    def _watch(self, app) -> None:
        interval = app.config["REVOCATION_CHECK_SECONDS"]
        while self._still_needed():
            socketio.sleep(interval)
            self.check(app)

    def _still_needed(self) -> bool:
        with self.lock:
            self.running = bool(self.namespace.sockets)
            return self.running

    def check(self, app) -> None:
        """Cut the revoked sockets now; a database that does not answer is tried again next time."""
        try:
            with app.app_context():
                cut = self.namespace.drop_revoked()
        except Exception as error:
            if not self.failing:
                log.exception("console: checking the operators' tokens failed; retrying every check")
            else:
                log.debug("console: the token check failed again: %s", type(error).__name__)
            self.failing = True
            return
        self.failing = False
        if cut:
            log.info("console: %d socket(s) cut, their sign-in no longer holds", cut)
