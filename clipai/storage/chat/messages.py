"""SQL that reads messages; writing them is the batch's (clipai.storage.chat.batch)."""

import functools

from sqlalchemy import bindparam, func, select, text

from clipai.storage.chat.records import ID_CHUNK, MESSAGE_COLUMNS, Message, message_of
from clipai.storage.schema import messages

_MESSAGE_BY_ID = select(*MESSAGE_COLUMNS).where(messages.c.id == bindparam("b_message_id"))
# Built once: building the statement at each call cost as much as running it (docs/benchmarks.md, 44).
_MESSAGES_BY_IDS = select(*MESSAGE_COLUMNS).where(messages.c.id.in_(bindparam("b_ids", expanding=True)))
_MESSAGE_BY_CLIENT_ID = select(*MESSAGE_COLUMNS).where(
    messages.c.conversation_id == bindparam("b_conversation_id"),
    messages.c.author == bindparam("b_author"),
    messages.c.client_msg_id == bindparam("b_client_msg_id"),
)


def message_by_id(conn, message_id: int) -> Message | None:
    return message_of(conn.execute(_MESSAGE_BY_ID, {"b_message_id": message_id}).first())


def messages_by_ids(conn, message_ids) -> dict[int, Message]:
    ids = list(message_ids)
    found = {}
    for start in range(0, len(ids), ID_CHUNK):
        rows = conn.execute(_MESSAGES_BY_IDS, {"b_ids": ids[start:start + ID_CHUNK]})
        found.update({row.id: message_of(row) for row in rows})
    return found


def message_by_client_id(conn, conversation_id: int, author: str, client_msg_id: str) -> Message | None:
    params = {"b_conversation_id": conversation_id, "b_author": author, "b_client_msg_id": client_msg_id}
    return message_of(conn.execute(_MESSAGE_BY_CLIENT_ID, params).first())


def messages_after(conn, conversation_id: int, after: int, limit: int | None = None) -> list[Message]:
    """Messages with an id above ``after``, oldest first."""
    query = (
        select(*MESSAGE_COLUMNS)
        .where(messages.c.conversation_id == conversation_id, messages.c.id > after)
        .order_by(messages.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [message_of(row) for row in conn.execute(query)]


def last_message_id(conn, conversation_id: int) -> int:
    query = select(func.max(messages.c.id)).where(messages.c.conversation_id == conversation_id)
    return conn.execute(query).scalar_one_or_none() or 0


def search_messages(conn, needle: str, limit: int) -> list[Message]:
    """Newest messages whose text contains ``needle`` (case-insensitive for ASCII at least)."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        select(*MESSAGE_COLUMNS)
        .where(messages.c.text.ilike(f"%{escaped}%", escape="\\"))
        .order_by(messages.c.id.desc())
        .limit(limit)
    )
    return [message_of(row) for row in conn.execute(query)]


def count_unread(conn, conversation_id: int, after: int) -> int:
    """Visitor messages after ``after``: for a new read mark, a short range of the conversation's index."""
    query = select(func.count()).select_from(messages).where(
        messages.c.conversation_id == conversation_id, messages.c.id > after, messages.c.author == "visitor")
    return conn.execute(query).scalar_one()


@functools.lru_cache(maxsize=ID_CHUNK)
def _stored_by_keys(count: int):
    """Messages of one author under ``count`` (conversation, client id) pairs: one index lookup
    per pair. (``conversation_id IN (...) AND client_msg_id IN (...)`` looks up every combination
    of the two lists; SQLite does not use an index for row values compared with a list.)"""
    pairs = " OR ".join(f"(conversation_id = :c{i} AND client_msg_id = :m{i})" for i in range(count))
    names = ", ".join(column.name for column in MESSAGE_COLUMNS)
    return text(f"SELECT {names} FROM messages WHERE author = :author AND ({pairs})").columns(*MESSAGE_COLUMNS)


def stored_messages(conn, author: str, keys) -> dict:
    """The messages of ``author`` stored under ``keys`` (``(conversation_id, client_msg_id)``), by key."""
    keys = sorted(set(keys))
    stored = {}
    for start in range(0, len(keys), ID_CHUNK):
        chunk = keys[start:start + ID_CHUNK]
        pairs = {name: value for i, (cid, client_msg_id) in enumerate(chunk)
                 for name, value in ((f"c{i}", cid), (f"m{i}", client_msg_id))}
        for row in conn.execute(_stored_by_keys(len(chunk)), {"author": author, **pairs}):
            stored[(row.conversation_id, row.client_msg_id)] = message_of(row)
    return stored
