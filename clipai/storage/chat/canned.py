"""SQL for the operators' canned replies."""

from datetime import datetime

from sqlalchemy import delete, insert, select, update

from clipai.storage.chat.records import CannedReply
from clipai.storage.schema import canned_replies


def list_canned(conn) -> list[CannedReply]:
    query = select(canned_replies.c.id, canned_replies.c.shortcut, canned_replies.c.text).order_by(
        canned_replies.c.shortcut
    )
    return [CannedReply(*row) for row in conn.execute(query)]


def canned_by_shortcut(conn, shortcut: str) -> CannedReply | None:
    query = select(canned_replies.c.id, canned_replies.c.shortcut, canned_replies.c.text).where(
        canned_replies.c.shortcut == shortcut
    )
    row = conn.execute(query).first()
    return CannedReply(*row) if row else None


def save_canned(conn, *, shortcut: str, text: str, now: datetime) -> CannedReply:
    """Insert the canned reply, or replace the text of the one with that shortcut."""
    existing = canned_by_shortcut(conn, shortcut)
    if existing:
        conn.execute(update(canned_replies).where(canned_replies.c.id == existing.id).values(text=text))
        return CannedReply(existing.id, shortcut, text)
    result = conn.execute(insert(canned_replies).values(shortcut=shortcut, text=text, created_at=now))
    return CannedReply(result.inserted_primary_key[0], shortcut, text)


def delete_canned(conn, canned_id: int) -> int:
    return conn.execute(delete(canned_replies).where(canned_replies.c.id == canned_id)).rowcount
