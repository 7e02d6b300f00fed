"""SQL for the images attached to chat messages (``attachments``)."""

from datetime import datetime

from sqlalchemy import and_, bindparam, delete, func, insert, select, update

from clipai.storage.chat.records import ID_CHUNK, Attachment
from clipai.storage.schema import attachments

_COLUMNS = (attachments.c.id, attachments.c.conversation_id, attachments.c.message_id, attachments.c.author,
            attachments.c.content_type, attachments.c.width, attachments.c.height)


def _attachment(row) -> Attachment | None:
    return Attachment(*row) if row is not None else None


def insert_attachment(conn, *, conversation_id: int, author: str, content_type: str, width: int, height: int,
                      data: bytes, now: datetime) -> Attachment:
    result = conn.execute(insert(attachments).values(
        conversation_id=conversation_id, author=author, content_type=content_type, width=width, height=height,
        data=data, created_at=now))
    return Attachment(result.inserted_primary_key[0], conversation_id, None, author, content_type, width, height)


def count_unsent(conn, conversation_id: int, author: str) -> int:
    query = select(func.count()).select_from(attachments).where(
        attachments.c.conversation_id == conversation_id, attachments.c.author == author,
        attachments.c.message_id.is_(None))
    return conn.execute(query).scalar_one()


def attachment_with_data(conn, attachment_id: int) -> tuple[Attachment, bytes] | None:
    row = conn.execute(select(*_COLUMNS, attachments.c.data).where(attachments.c.id == attachment_id)).first()
    return (_attachment(row[:-1]), bytes(row[-1])) if row is not None else None


def claim(conn, attachment_ids: list[int], *, conversation_id: int, author: str, message_id: int) -> int:
    """Tie unsent images of that conversation and author to a message; return how many were tied."""
    query = update(attachments).where(
        attachments.c.id.in_(bindparam("b_ids", expanding=True)), attachments.c.conversation_id == conversation_id,
        attachments.c.author == author, attachments.c.message_id.is_(None),
    ).values(message_id=message_id)
    return conn.execute(query, {"b_ids": list(attachment_ids)}).rowcount


def attachments_of_messages(conn, conversation_id: int, message_ids) -> dict[int, tuple[Attachment, ...]]:
    """The images of those messages of one conversation, by message id, in upload order."""
    ids = sorted(set(message_ids))
    found: dict[int, list] = {}
    for start in range(0, len(ids), ID_CHUNK):
        query = select(*_COLUMNS).where(
            and_(attachments.c.conversation_id == conversation_id,
                 attachments.c.message_id.in_(ids[start:start + ID_CHUNK]))).order_by(attachments.c.id)
        for row in conn.execute(query):
            found.setdefault(row.message_id, []).append(_attachment(row))
    return {message_id: tuple(items) for message_id, items in found.items()}


def delete_unsent_before(conn, before: datetime) -> int:
    """Delete images uploaded before ``before`` and never sent; return how many went."""
    query = delete(attachments).where(attachments.c.message_id.is_(None), attachments.c.created_at < before)
    return conn.execute(query).rowcount


def delete_unsent(conn, attachment_id: int, author: str) -> int:
    """Delete one image of ``author`` that no message sent yet; return 1 when it went."""
    query = delete(attachments).where(attachments.c.id == attachment_id, attachments.c.author == author,
                                      attachments.c.message_id.is_(None))
    return conn.execute(query).rowcount


def delete_of_conversations(conn, conversation_ids: list[int]) -> None:
    conn.execute(delete(attachments).where(attachments.c.conversation_id.in_(conversation_ids)))
