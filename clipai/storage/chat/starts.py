"""SQL for the first messages of the resend window (``conversation_starts``)."""

from datetime import datetime

from sqlalchemy import delete, insert, select

from clipai.storage.schema import conversation_starts


def remember_start(conn, *, key_hash: str, conversation_id: int, now: datetime, window_start: datetime) -> None:
    """Record which conversation a first message started; forget those older than the window."""
    conn.execute(delete(conversation_starts).where(conversation_starts.c.created_at < window_start))
    conn.execute(insert(conversation_starts).values(key_hash=key_hash, conversation_id=conversation_id,
                                                   created_at=now))


def started_conversation(conn, key_hash: str, window_start: datetime) -> int | None:
    """The conversation that first message started within the window, or None."""
    query = select(conversation_starts.c.conversation_id).where(
        conversation_starts.c.key_hash == key_hash, conversation_starts.c.created_at >= window_start
    )
    return conn.execute(query).scalar()
