"""Retention: conversations are deleted a fixed number of days after their last activity."""

import logging

from flask import current_app

from clipai import clock, signals, storage
from clipai.services import attachments
from clipai.storage import chat as chat_store

log = logging.getLogger(__name__)


def scrub_database_file() -> None:
    """Make sure deleted text is gone from the database files, not just unreachable.

    ``secure_delete`` (on for every SQLite connection) zeroes freed content; the WAL checkpoint
    writes those pages into the main file and truncates the WAL that still held old copies.
    """
    result = chat_store.checkpoint_wal(storage.engine())
    if result and result[0]:
        log.warning("WAL checkpoint was blocked by a reader; erased text may linger until the next one")


def purge_expired() -> int:
    """Delete every conversation whose erase date has passed (and images never sent); return how many
    conversations were deleted."""
    with storage.transaction() as conn:
        expired = chat_store.expired_conversation_ids(conn, clock.now())
        chat_store.delete_conversations(conn, expired)
    if attachments.purge_unsent() or expired:
        scrub_database_file()
    app = current_app._get_current_object()
    for conversation_id in expired:
        signals.conversation_erased.send(app, conversation_id=conversation_id, reason="retention")
    return len(expired)


def purge_periodically(app, sleep) -> None:
    """Purge now and then every ``CHAT_PURGE_INTERVAL_SECONDS``, for as long as the server runs."""
    while True:
        try:
            with app.app_context():
                erased = purge_expired()
            if erased:
                log.info("retention: erased %d conversation(s)", erased)
        except Exception:  # the next round tries again; the server must keep serving
            log.exception("retention: purge failed")
        sleep(int(app.config["CHAT_PURGE_INTERVAL_SECONDS"]))
