"""The chat's hot path: many messages at once, on the database driver.

Through SQLAlchemy Core, building and processing each row's parameters cost three times what
running the statements did, so these few statements go to the driver as plain SQL, with each
column's own bind processing applied here (the SQL is the same on SQLite and PostgreSQL, only the
placeholder differs).
"""

import functools
from collections import Counter

from sqlalchemy.exc import DBAPIError

from clipai.storage.chat.records import ID_CHUNK, ConversationState, Message
from clipai.storage.schema import conversations, messages

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
    for start in range(0, len(ids), ID_CHUNK):
        chunk = tuple(ids[start:start + ID_CHUNK])
        sql = f"SELECT id, locale, status FROM conversations WHERE id IN ({_marks(placeholder, len(chunk))})"
        for row_id, locale, status in conn.exec_driver_sql(sql, chunk):
            states[row_id] = ConversationState(row_id, locale, status)
    return states


def conversation_state(conn, conversation_id: int) -> ConversationState | None:
    """The hot-path columns of one conversation, or None when it does not exist."""
    return states_by_ids(conn, (conversation_id,)).get(conversation_id)


def insert_new_messages(conn, rows: list[dict]) -> list[Message | None]:
    """Insert messages with a few statements: the one way messages are written, one or many.

    Each row has ``conversation_id``, ``author``, ``text``, ``client_msg_id``, ``created_at`` and
    optionally ``redacted``, ``operator_id`` and ``operator_alias``. Returns, in order, each new message, or None where the same
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
    for start in range(0, len(bound), ID_CHUNK):
        chunk = bound[start:start + ID_CHUNK]
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


def record_activities(conn, activities, *, answered: bool = False) -> None:
    """Move the last activity (and so the erase date) of many conversations, reopening some.

    ``activities`` holds ``(conversation_id, now, erase_after, reopen)``; ``answered`` marks them
    all answered by an operator.
    """
    placeholder, _, processors = _driver(conn.dialect)
    assignments = f"last_activity_at = {placeholder}, erase_after = {placeholder}"
    if answered:
        assignments += ", answered = TRUE"
    for reopen, status in ((False, ""), (True, ", status = 'open'")):
        rows = [_bound((now, erase_after, cid), processors) for cid, now, erase_after, reopens in activities
                if reopens == reopen]
        if rows:
            conn.exec_driver_sql(f"UPDATE conversations SET {assignments}{status} WHERE id = {placeholder}", rows)
