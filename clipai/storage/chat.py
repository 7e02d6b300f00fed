"""SQL for support conversations, their messages and the operators' canned replies."""

import functools
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from clipai.storage.schema import canned_replies, conversations, messages, users

_ID_CHUNK = 500  # stay far below SQLite's limit on bound parameters


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: int
    author: str  # "visitor", "operator" or "system"
    operator_id: int | None
    operator_alias: str | None
    text: str
    redacted: tuple[str, ...]
    client_msg_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class Conversation:
    id: int
    locale: str
    status: str  # "open" or "closed"
    assigned_to: int | None
    assigned_alias: str | None
    answered: bool
    visitor_seen_up_to: int
    operator_seen_up_to: int
    created_at: datetime
    last_activity_at: datetime
    erase_after: datetime
    unread: int = 0
    last_message: Message | None = None


@dataclass(frozen=True)
class ConversationState:
    """The few columns the hot path needs."""

    id: int
    locale: str
    status: str


@dataclass(frozen=True)
class CannedReply:
    id: int
    shortcut: str
    text: str


_MESSAGE_COLUMNS = (
    messages.c.id,
    messages.c.conversation_id,
    messages.c.author,
    messages.c.operator_id,
    messages.c.operator_alias,
    messages.c.text,
    messages.c.redacted,
    messages.c.client_msg_id,
    messages.c.created_at,
)
_STATE_COLUMNS = (conversations.c.id, conversations.c.locale, conversations.c.status)


def _message(row) -> Message | None:
    if row is None:
        return None
    kinds = tuple(kind for kind in row.redacted.split(",") if kind)
    return Message(row.id, row.conversation_id, row.author, row.operator_id, row.operator_alias, row.text, kinds,
                   row.client_msg_id, row.created_at)


def _state(row) -> ConversationState | None:
    return ConversationState(row.id, row.locale, row.status) if row else None


# --- conversations -------------------------------------------------------------------------


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
    return _state(conn.execute(select(*_STATE_COLUMNS).where(conversations.c.token_hash == token_hash)).first())


def state_by_resume_code_hash(conn, code_hash: str) -> ConversationState | None:
    query = select(*_STATE_COLUMNS).where(conversations.c.resume_code_hash == code_hash)
    return _state(conn.execute(query).first())


# The message path's statements are built once: building one costs more than running it.
_STATE_BY_ID = select(*_STATE_COLUMNS).where(conversations.c.id == bindparam("b_conversation_id"))
_UPDATE_BY_ID = update(conversations).where(conversations.c.id == bindparam("b_conversation_id"))


def conversation_state(conn, conversation_id: int) -> ConversationState | None:
    return _state(conn.execute(_STATE_BY_ID, {"b_conversation_id": conversation_id}).first())


@functools.lru_cache(maxsize=_ID_CHUNK)
def _stored_by_keys(count: int):
    """Messages of one author under ``count`` (conversation, client id) pairs: one index lookup
    per pair. (``conversation_id IN (...) AND client_msg_id IN (...)`` looks up every combination
    of the two lists; SQLite does not use an index for row values compared with a list.)"""
    pairs = " OR ".join(f"(conversation_id = :c{i} AND client_msg_id = :m{i})" for i in range(count))
    names = ", ".join(column.name for column in _MESSAGE_COLUMNS)
    return text(f"SELECT {names} FROM messages WHERE author = :author AND ({pairs})").columns(*_MESSAGE_COLUMNS)


def stored_messages(conn, author: str, keys) -> dict:
    """The messages of ``author`` stored under ``keys`` (``(conversation_id, client_msg_id)``), by key."""
    keys = sorted(set(keys))
    stored = {}
    for start in range(0, len(keys), _ID_CHUNK):
        chunk = keys[start:start + _ID_CHUNK]
        pairs = {name: value for i, (cid, client_msg_id) in enumerate(chunk)
                 for name, value in ((f"c{i}", cid), (f"m{i}", client_msg_id))}
        for row in conn.execute(_stored_by_keys(len(chunk)), {"author": author, **pairs}):
            stored[(row.conversation_id, row.client_msg_id)] = _message(row)
    return stored


# --- a batch of messages, on the database driver ---------------------------------------------
# The chat's hot path writes many messages at once. Through SQLAlchemy Core, building and
# processing each row's parameters cost three times what running the statements did, so these
# few statements go to the driver as plain SQL, with each column's own bind processing applied
# here (the SQL is the same on SQLite and PostgreSQL, only the placeholder differs).

_BATCH_COLUMNS = ("conversation_id", "author", "operator_id", "operator_alias", "text", "redacted",
                  "client_msg_id", "created_at")


@functools.lru_cache(maxsize=8)
def _driver(dialect) -> tuple:
    """The dialect's placeholder and the bind processors of the batch's message and activity columns."""
    placeholder = "?" if dialect.paramstyle == "qmark" else "%s"

    def processors(table, names):
        """``(position, processor)`` of the columns that have one (most have none)."""
        found = ((i, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for i, name in enumerate(names))
        return tuple((i, process) for i, process in found if process is not None)

    return (placeholder, processors(messages, _BATCH_COLUMNS),
            processors(conversations, ("last_activity_at", "erase_after", "id")))


def _bound(values, processors) -> tuple:
    if not processors:
        return tuple(values)
    values = list(values)
    for i, process in processors:
        if values[i] is not None:
            values[i] = process(values[i])
    return tuple(values)


def _marks(placeholder: str, count: int) -> str:
    return ", ".join([placeholder] * count)


def states_by_ids(conn, conversation_ids) -> dict[int, ConversationState]:
    """The hot-path columns of the conversations that exist among ``conversation_ids``."""
    placeholder = _driver(conn.dialect)[0]
    ids, states = sorted(set(conversation_ids)), {}
    for start in range(0, len(ids), _ID_CHUNK):
        chunk = tuple(ids[start:start + _ID_CHUNK])
        sql = f"SELECT id, locale, status FROM conversations WHERE id IN ({_marks(placeholder, len(chunk))})"
        for row_id, locale, status in conn.exec_driver_sql(sql, chunk):
            states[row_id] = ConversationState(row_id, locale, status)
    return states


def insert_new_messages(conn, rows: list[dict]) -> list[Message | None]:
    """Insert messages with a few statements; each row has ``insert_message``'s arguments, a
    ``client_msg_id`` included. Returns, in order, each new message, or None where the same
    (conversation, author, client id) was stored before (the row is then left out).
    """
    _, processors, _ = _driver(conn.dialect)
    values = [(row["conversation_id"], row["author"], row.get("operator_id"), row.get("operator_alias"), row["text"],
               ",".join(row.get("redacted", ())), row["client_msg_id"], row["created_at"]) for row in rows]
    bound = [_bound(value, processors) for value in values]
    new_ids = _insert_each(conn, bound) if conn.dialect.name == "sqlite" else _insert_returning(conn, bound)
    _add_unread(conn, Counter(value[0] for value, new_id in zip(values, new_ids, strict=True)
                              if new_id is not None and value[1] == "visitor"))
    return [None if new_id is None else Message(
        new_id, value[0], value[1], value[2], value[3], value[4], tuple(row.get("redacted", ())), value[6], value[7])
        for row, value, new_id in zip(rows, values, new_ids, strict=True)]


_INSERT_NEW_MESSAGES = (f"INSERT INTO messages ({', '.join(_BATCH_COLUMNS)}) VALUES {{values}} "
                        "ON CONFLICT (conversation_id, author, client_msg_id) DO NOTHING")


def _insert_each(conn, bound: list[tuple]) -> list[int | None]:
    """SQLite: one prepared single-row INSERT per message, on the driver's own cursor.

    SQLite runs a multi-row ``VALUES`` three to four times slower per row than the same
    single-row statement run again (17-25 against 5 µs measured, docs/benchmarks.md), and a
    statement run again is prepared once. ``rowcount`` tells a new row from a key stored before.
    """
    sql = _INSERT_NEW_MESSAGES.format(values=f"({_marks('?', len(_BATCH_COLUMNS))})")
    cursor = conn.connection.cursor()
    try:
        new_ids = []
        for row in bound:
            cursor.execute(sql, row)
            new_ids.append(cursor.lastrowid if cursor.rowcount == 1 else None)
        return new_ids
    except conn.dialect.loaded_dbapi.Error as error:  # as SQLAlchemy would raise it, e.g. IntegrityError
        raise DBAPIError.instance(sql, None, error, conn.dialect.loaded_dbapi.Error, hide_parameters=True,
                                  dialect=conn.dialect) from error
    finally:
        cursor.close()


def _insert_returning(conn, bound: list[tuple]) -> list[int | None]:
    """One multi-row ``INSERT … RETURNING`` per chunk: a single round trip to the server.

    Ids are matched to rows by the unique key: the database returns them in no set order.
    """
    placeholder = _driver(conn.dialect)[0]
    row_marks = f"({_marks(placeholder, len(_BATCH_COLUMNS))})"
    new_ids = {}
    for start in range(0, len(bound), _ID_CHUNK):
        chunk = bound[start:start + _ID_CHUNK]
        sql = (_INSERT_NEW_MESSAGES.format(values=", ".join([row_marks] * len(chunk)))
               + " RETURNING id, conversation_id, author, client_msg_id")
        flat = tuple(value for row in chunk for value in row)
        new_ids.update(((cid, author, client_id), new_id)
                       for new_id, cid, author, client_id in conn.exec_driver_sql(sql, flat))
    # popped: a key twice in the rows is stored once
    return [new_ids.pop((row[0], row[1], row[6]), None) for row in bound]


def _add_unread(conn, counts: Counter) -> None:
    """Count new visitor messages as unread: ``counts`` is ``{conversation_id: new messages}``."""
    if counts:
        placeholder = _driver(conn.dialect)[0]
        conn.exec_driver_sql(f"UPDATE conversations SET unread = unread + {placeholder} WHERE id = {placeholder}",
                             [(count, conversation_id) for conversation_id, count in counts.items()])


def count_unread(conn, conversation_id: int, after: int) -> int:
    """Visitor messages after ``after``: for a new read mark, a short range of the conversation's index."""
    query = select(func.count()).select_from(messages).where(
        messages.c.conversation_id == conversation_id, messages.c.id > after, messages.c.author == "visitor")
    return conn.execute(query).scalar_one()


def record_activities(conn, activities) -> None:
    """``record_activity`` for many conversations: ``(conversation_id, now, erase_after, reopen)``."""
    placeholder, _, processors = _driver(conn.dialect)
    assignments = f"last_activity_at = {placeholder}, erase_after = {placeholder}"
    for reopen, status in ((False, ""), (True, ", status = 'open'")):
        rows = [_bound((now, erase_after, cid), processors) for cid, now, erase_after, reopens in activities
                if reopens == reopen]
        if rows:
            conn.exec_driver_sql(f"UPDATE conversations SET {assignments}{status} WHERE id = {placeholder}", rows)


def record_activity(conn, conversation_id: int, *, now: datetime, erase_after: datetime, reopen: bool = False,
                    answered: bool = False) -> None:
    """Move the last activity (and so the erase date); optionally reopen or mark answered."""
    values = {"b_conversation_id": conversation_id, "last_activity_at": now, "erase_after": erase_after}
    if reopen:
        values["status"] = "open"
    if answered:
        values["answered"] = True
    conn.execute(_UPDATE_BY_ID, values)


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
    ).select_from(conversations.outerjoin(users, users.c.id == conversations.c.assigned_to))


def _conversation(row, last_message: Message | None) -> Conversation:
    return Conversation(
        row.id, row.locale, row.status, row.assigned_to, row.assigned_alias, bool(row.answered),
        row.visitor_seen_up_to, row.operator_seen_up_to, row.created_at, row.last_activity_at, row.erase_after,
        int(row.unread or 0), last_message,
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


def list_conversations(conn, *, status: str | None = None, answered: bool | None = None,
                       limit: int = 200) -> list[Conversation]:
    """Summaries, newest activity first, filtered by stored status and by whether an operator answered."""
    query = _summary_query()
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
    for start in range(0, len(ids), _ID_CHUNK):
        rows = conn.execute(_SUMMARIES_BY_IDS, {"b_ids": ids[start:start + _ID_CHUNK]}).all()
        found.update({item.id: item for item in _with_last_messages(conn, rows, known_messages)})
    return found


def expired_conversation_ids(conn, now: datetime) -> list[int]:
    return list(conn.execute(select(conversations.c.id).where(conversations.c.erase_after <= now)).scalars())


def delete_conversations(conn, conversation_ids) -> int:
    """Delete conversations and their messages; return how many conversations went."""
    ids = list(conversation_ids)
    deleted = 0
    for start in range(0, len(ids), _ID_CHUNK):
        chunk = ids[start:start + _ID_CHUNK]
        conn.execute(delete(messages).where(messages.c.conversation_id.in_(chunk)))
        deleted += conn.execute(delete(conversations).where(conversations.c.id.in_(chunk))).rowcount
    return deleted


# --- messages ------------------------------------------------------------------------------


_INSERT_MESSAGE = insert(messages)
_MESSAGE_BY_ID = select(*_MESSAGE_COLUMNS).where(messages.c.id == bindparam("b_message_id"))
_MESSAGE_BY_CLIENT_ID = select(*_MESSAGE_COLUMNS).where(
    messages.c.conversation_id == bindparam("b_conversation_id"),
    messages.c.author == bindparam("b_author"),
    messages.c.client_msg_id == bindparam("b_client_msg_id"),
)


def insert_message(conn, *, conversation_id: int, author: str, text: str, redacted=(), client_msg_id=None,
                   created_at: datetime, operator_id: int | None = None, operator_alias: str | None = None) -> Message:
    result = conn.execute(_INSERT_MESSAGE, {
        "conversation_id": conversation_id,
        "author": author,
        "operator_id": operator_id,
        "operator_alias": operator_alias,
        "text": text,
        "redacted": ",".join(redacted),
        "client_msg_id": client_msg_id,
        "created_at": created_at,
    })
    if author == "visitor":
        _add_unread(conn, Counter({conversation_id: 1}))
    return Message(result.inserted_primary_key[0], conversation_id, author, operator_id, operator_alias, text,
                   tuple(redacted), client_msg_id, created_at)


def message_by_id(conn, message_id: int) -> Message | None:
    return _message(conn.execute(_MESSAGE_BY_ID, {"b_message_id": message_id}).first())


def messages_by_ids(conn, message_ids) -> dict[int, Message]:
    ids = list(message_ids)
    found = {}
    for start in range(0, len(ids), _ID_CHUNK):
        rows = conn.execute(select(*_MESSAGE_COLUMNS).where(messages.c.id.in_(ids[start:start + _ID_CHUNK])))
        found.update({row.id: _message(row) for row in rows})
    return found


def message_by_client_id(conn, conversation_id: int, author: str, client_msg_id: str) -> Message | None:
    params = {"b_conversation_id": conversation_id, "b_author": author, "b_client_msg_id": client_msg_id}
    return _message(conn.execute(_MESSAGE_BY_CLIENT_ID, params).first())


def messages_after(conn, conversation_id: int, after: int, limit: int | None = None) -> list[Message]:
    """Messages with an id above ``after``, oldest first."""
    query = (
        select(*_MESSAGE_COLUMNS)
        .where(messages.c.conversation_id == conversation_id, messages.c.id > after)
        .order_by(messages.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [_message(row) for row in conn.execute(query)]


def last_message_id(conn, conversation_id: int) -> int:
    query = select(func.max(messages.c.id)).where(messages.c.conversation_id == conversation_id)
    return conn.execute(query).scalar_one_or_none() or 0


def search_messages(conn, needle: str, limit: int) -> list[Message]:
    """Newest messages whose text contains ``needle`` (case-insensitive for ASCII at least)."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        select(*_MESSAGE_COLUMNS)
        .where(messages.c.text.ilike(f"%{escaped}%", escape="\\"))
        .order_by(messages.c.id.desc())
        .limit(limit)
    )
    return [_message(row) for row in conn.execute(query)]


# --- canned replies ------------------------------------------------------------------------


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

