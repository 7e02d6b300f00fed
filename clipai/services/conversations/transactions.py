"""How the chat services reach the database: reads, writes, group commits, and their failures.

Every write is one short transaction; messages that arrive together share one (group commit,
clipai.runtime.group_commit), so one fsync serves them all. Signals are sent only after the
commit, in commit order, so a message is never announced before it is stored, and a failed
commit announces nothing. A database failure becomes ``unavailable``, logged without what
visitors wrote.
"""

import logging

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from clipai import signals, storage
from clipai.services.conversations.validation import unavailable
from clipai.runtime.group_commit import GroupCommit, wake_class

log = logging.getLogger(__name__)

GROUP_COMMIT_KEY = "clipai.chat.group_commit"


def app():
    """The app itself, for signals' ``sender`` (the proxy is not a stable sender)."""
    return current_app._get_current_object()


def _log_database_error(error: SQLAlchemyError) -> None:
    # Never the statement's parameters: they hold what visitors wrote.
    original = getattr(error, "orig", None) or error
    first_line = (str(original).splitlines() or [""])[0][:200]
    log.error("chat: database error: %s: %s", type(original).__name__, first_line)


def write(work):
    """Run ``work(conn)`` in one transaction; a database failure becomes ``unavailable``."""

    def run():
        with storage.transaction() as conn:
            return work(conn)

    return _or_unavailable(run)


def group_commit(app=None) -> GroupCommit:
    """The app's group commit (the current app's by default), made on first use."""
    app = app or current_app._get_current_object()
    # Looked up at each call, so a replaced storage.transaction (tests) is the one used.
    extensions = app.extensions  # get first: setdefault alone would build one per call
    return extensions.get(GROUP_COMMIT_KEY) or extensions.setdefault(GROUP_COMMIT_KEY, GroupCommit(
        lambda: storage.transaction(), wake=wake_class(app.config["ASYNC_MODE"]),
        on_batch=lambda size: signals.writes_committed.send(app, size=size)))


def write_together(work, announce):
    """Like ``write``, but in the next group commit; ``announce(result)`` runs after it, in order."""
    return _or_unavailable(lambda: group_commit().submit(work, announce))


def read(work):
    """Run ``work(conn)`` on a reading connection; a database failure becomes ``unavailable``."""

    def run():
        with storage.reading() as conn:
            return work(conn)

    return _or_unavailable(run)


def _or_unavailable(run):
    try:
        return run()
    except SQLAlchemyError as error:
        _log_database_error(error)
        raise unavailable() from None
