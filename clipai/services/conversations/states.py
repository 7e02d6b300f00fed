"""A conversation's state: open or closed, assigned, read marks, typing, and erasing it."""

from flask_babel import lazy_gettext as _l

from clipai import clock, signals
from clipai.services import accounts, retention
from clipai.services.conversations.reading import conversation
from clipai.services.conversations.transactions import app, write
from clipai.services.conversations.validation import NOT_FOUND, invalid, require_id, require_position
from clipai.services.errors import ServiceError
from clipai.storage import chat as store
from clipai.storage.chat import Conversation


def _change(conversation_id, change: str, update, origin_sid: str | None) -> Conversation:
    """Apply ``update(conn, state)`` to an existing conversation; announce it when it changed something.

    ``origin_sid`` is the socket whose event asked for the change, which the signal names so
    relays can skip it (its ack has the answer).
    """
    conversation_id = require_id(conversation_id)

    def work(conn):
        state = store.conversation_state(conn, conversation_id)
        if state is None:
            raise ServiceError("not_found", NOT_FOUND)
        changed = update(conn, state)
        return store.conversation(conn, conversation_id), changed

    summary, changed = write(work)
    if changed:
        signals.conversation_changed.send(app(), conversation=summary, change=change, origin_sid=origin_sid)
    return summary


def _set_status(status: str, **values):
    def update(conn, state) -> bool:
        if state.status == status:
            return False
        return store.update_conversation(conn, state.id, status=status, **values) > 0

    return update


def close(conversation_id, *, origin_sid: str | None = None) -> Conversation:
    """Close the conversation (a visitor's next message reopens it)."""
    return _change(conversation_id, "closed", _set_status("closed", closed_at=clock.now()), origin_sid)


def reopen(conversation_id, *, origin_sid: str | None = None) -> Conversation:
    return _change(conversation_id, "reopened", _set_status("open"), origin_sid)


def assign(conversation_id, operator_id, *, origin_sid: str | None = None) -> Conversation:
    """Assign the conversation to an enabled operator, or to nobody with ``None``."""
    if operator_id is not None:
        operator = accounts.user_by_id(require_id(operator_id))
        if operator is None or operator.disabled or not operator.is_operator:
            raise ServiceError("not_found", _l("There is no operator with that id."))
    return _change(conversation_id, "assigned",
                   lambda conn, state: store.update_conversation(conn, state.id, assigned_to=operator_id) > 0,
                   origin_sid)


def mark_seen(conversation_id, by: str, up_to, *, origin_sid: str | None = None) -> Conversation:
    """Record that the visitor or the operators read every message up to ``up_to``."""
    column = {"visitor": "visitor_seen_up_to", "operator": "operator_seen_up_to"}[by]
    up_to = require_position(up_to)

    def update(conn, state) -> bool:
        current = store.seen_up_to(conn, state.id, column)
        seen = min(up_to, store.last_message_id(conn, state.id))
        if seen <= current:
            return False
        values = {column: seen}
        if by == "operator":
            values["unread"] = store.count_unread(conn, state.id, seen)
        return store.update_conversation(conn, state.id, **values) > 0

    return _change(conversation_id, f"{by}_seen", update, origin_sid)


def set_typing(conversation_id: int, author: str, active, alias: str | None = None, *,
               origin_sid: str | None = None) -> None:
    """Tell the other side that someone started or stopped typing (nothing is stored)."""
    if not isinstance(active, bool):
        raise invalid()
    signals.typing_changed.send(app(), conversation_id=conversation_id, author=author, active=active, alias=alias,
                                origin_sid=origin_sid)


def operator_typing(conversation_id, operator, active, *, origin_sid: str | None = None) -> None:
    """An operator typing in an existing conversation; visitors see the alias only."""
    conversation(conversation_id)
    set_typing(conversation_id, "operator", active, alias=operator.alias, origin_sid=origin_sid)


def erase(conversation_id: int, *, origin_sid: str | None = None) -> None:
    """Delete the conversation and its messages now, leaving no text in the database file."""
    write(lambda conn: store.delete_conversations(conn, [conversation_id]))
    retention.scrub_database_file()
    signals.conversation_erased.send(app(), conversation_id=conversation_id, origin_sid=origin_sid)
