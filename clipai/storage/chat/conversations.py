"""SQL for support conversations: creating, finding, summarising, updating and deleting them."""

from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, update

from clipai.storage.chat.attachments import delete_of_conversations as delete_attachments
from clipai.storage.chat.messages import message_by_id, messages_by_ids
from clipai.storage.chat.ratings import RATING_COLUMNS, rating_of, with_ratings
from clipai.storage.chat.tags import split_tags, tagged, tags_column
from clipai.storage.chat.records import ID_CHUNK, STATE_COLUMNS, Conversation, ConversationState, Message, state_of
from clipai.storage.schema import conversations, messages, users


def insert_conversation(conn, *, token_hash: str, resume_code_hash: str, locale: str, now: datetime,
                        erase_after: datetime) -> int:
    result = conn.execute(
        insert(conversations).values(
            token_hash=token_hash,
            resume_code_hash=resume_code_hash,
            locale=locale,
            status="open",
            answered=False,
            visitor_seen_up_to=0,
            operator_seen_up_to=0,
            created_at=now,
            last_activity_at=now,
            erase_after=erase_after,
        )
    )
    return result.inserted_primary_key[0]


def state_by_token_hash(conn, token_hash: str) -> ConversationState | None:
    return state_of(conn.execute(select(*STATE_COLUMNS).where(conversations.c.token_hash == token_hash)).first())


def state_by_resume_code_hash(conn, code_hash: str) -> ConversationState | None:
    query = select(*STATE_COLUMNS).where(conversations.c.resume_code_hash == code_hash)
    return state_of(conn.execute(query).first())


def update_conversation(conn, conversation_id: int, **values) -> int:
    query = update(conversations).where(conversations.c.id == conversation_id).values(**values)
    return conn.execute(query).rowcount


def seen_up_to(conn, conversation_id: int, column: str) -> int | None:
    query = select(conversations.c[column]).where(conversations.c.id == conversation_id)
    return conn.execute(query).scalar_one_or_none()


def _summary_query():
    last_id = select(func.max(messages.c.id)).where(messages.c.conversation_id == conversations.c.id).scalar_subquery()
    return select(
        conversations.c.id,
        conversations.c.locale,
        conversations.c.status,
        conversations.c.assigned_to,
        users.c.alias.label("assigned_alias"),
        conversations.c.answered,
        conversations.c.visitor_seen_up_to,
        conversations.c.operator_seen_up_to,
        conversations.c.created_at,
        conversations.c.last_activity_at,
        conversations.c.erase_after,
        conversations.c.unread,
        last_id.label("last_message_id"),
        tags_column(conversations.c.id),
        *RATING_COLUMNS,
    ).select_from(with_ratings(conversations.outerjoin(users, users.c.id == conversations.c.assigned_to),
                               conversations.c.id))


def _conversation(row, last_message: Message | None) -> Conversation:
    return Conversation(
        row.id, row.locale, row.status, row.assigned_to, row.assigned_alias, bool(row.answered),
        row.visitor_seen_up_to, row.operator_seen_up_to, row.created_at, row.last_activity_at, row.erase_after,
        int(row.unread or 0), last_message, split_tags(row.tags), rating_of(row),
    )


_SUMMARY_BY_ID = _summary_query().where(conversations.c.id == bindparam("b_conversation_id"))


def conversation(conn, conversation_id: int, last_message: Message | None = None) -> Conversation | None:
    """Return the summary of one conversation; ``last_message`` saves a query when it is known."""
    row = conn.execute(_SUMMARY_BY_ID, {"b_conversation_id": conversation_id}).first()
    if row is None:
        return None
    if row.last_message_id is not None and (last_message is None or last_message.id != row.last_message_id):
        last_message = message_by_id(conn, row.last_message_id)
    return _conversation(row, last_message if row.last_message_id is not None else None)


def _with_last_messages(conn, rows, known: dict | None = None) -> list[Conversation]:
    known = known or {}
    missing = [row.last_message_id for row in rows if row.last_message_id is not None
               and row.last_message_id not in known]
    last = {**known, **messages_by_ids(conn, missing)} if missing else known
    return [_conversation(row, last.get(row.last_message_id)) for row in rows]


def list_conversations(conn, *, status: str | None = None, answered: bool | None = None, tag: str | None = None,
                       limit: int = 200) -> list[Conversation]:
    """Summaries, newest activity first, filtered by stored status, whether an operator answered, and tag."""
    query = _summary_query()
    if tag is not None:
        query = query.where(conversations.c.id.in_(tagged(tag)))
    if status is not None:
        query = query.where(conversations.c.status == status)
    if answered is not None:
        query = query.where(conversations.c.answered.is_(answered))
    query = query.order_by(conversations.c.last_activity_at.desc(), conversations.c.id.desc()).limit(limit)
    return _with_last_messages(conn, conn.execute(query).all())


_SUMMARIES_BY_IDS = _summary_query().where(conversations.c.id.in_(bindparam("b_ids", expanding=True)))


def conversations_by_ids(conn, conversation_ids, known_messages: dict | None = None) -> dict[int, Conversation]:
    """Summaries by id; ``known_messages`` (id -> Message) saves reading last messages again."""
    found = {}
    ids = list(conversation_ids)
    for start in range(0, len(ids), ID_CHUNK):
        rows = conn.execute(_SUMMARIES_BY_IDS, {"b_ids": ids[start:start + ID_CHUNK]}).all()
        found.update({item.id: item for item in _with_last_messages(conn, rows, known_messages)})
    return found


def expired_conversation_ids(conn, now: datetime) -> list[int]:
    return list(conn.execute(select(conversations.c.id).where(conversations.c.erase_after <= now)).scalars())


def delete_conversations(conn, conversation_ids) -> int:
    """Delete conversations, their images and messages; return how many conversations went."""
    ids = list(conversation_ids)
    deleted = 0
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start:start + ID_CHUNK]
        delete_attachments(conn, chunk)
        conn.execute(delete(messages).where(messages.c.conversation_id.in_(chunk)))
        deleted += conn.execute(delete(conversations).where(conversations.c.id.in_(chunk))).rowcount
    return deleted


# --- the database file ---------------------------------------------------------------------


def checkpoint_wal(engine) -> tuple | None:
    """On SQLite, copy the WAL into the database and truncate it, so deleted text leaves the disk."""
    if engine.dialect.name != "sqlite":
        return None
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        row = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
        return tuple(row) if row else None
    finally:
        raw.close()
