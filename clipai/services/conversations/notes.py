"""Operators' internal notes on a conversation, and transfers to another operator with a note.

Notes are not messages: they live in their own table, so the visitor's history, the unread count
and the visitor's room never see them. They are redacted like a visitor's message.
"""

from flask_babel import lazy_gettext as _l

from clipai import clock, signals
from clipai.services import accounts
from clipai.services.conversations.posting import redact_in
from clipai.services.conversations.transactions import app, read, write
from clipai.services.conversations.validation import NOT_FOUND, clean_text, invalid, require_id
from clipai.services.errors import ServiceError
from clipai.storage import chat as store
from clipai.storage.chat import Conversation, Note

NO_SUCH_OPERATOR = _l("There is no operator with that id.")
TRANSFER_TO_SELF = _l("Choose another operator: the conversation cannot be transferred to you.")


def notes(conversation_id) -> list[Note]:
    """The conversation's notes, oldest first, or ``not_found``."""
    conversation_id = require_id(conversation_id)

    def work(conn):
        if store.conversation_state(conn, conversation_id) is None:
            raise ServiceError("not_found", NOT_FOUND)
        return store.notes_of(conn, conversation_id)

    return read(work)


def _insert_note(conn, conversation_id: int, operator, text: str, **transfer) -> Note:
    state = store.conversation_state(conn, conversation_id)
    if state is None:
        raise ServiceError("not_found", NOT_FOUND)
    redaction = redact_in(state.locale, text) if text else None
    return store.insert_note(
        conn, conversation_id=conversation_id, operator_id=operator.id, operator_alias=operator.alias,
        text=redaction.text if redaction else "", redacted=tuple(redaction.kinds) if redaction else (),
        after_message_id=store.last_message_id(conn, conversation_id), now=clock.now(), **transfer)


def add_note(conversation_id, operator, text, *, origin_sid: str | None = None) -> Note:
    """Store an operator's note and tell the other operators; the visitor hears nothing."""
    conversation_id = require_id(conversation_id)
    text = clean_text(text)
    note = write(lambda conn: _insert_note(conn, conversation_id, operator, text))
    signals.note_added.send(app(), note=note, origin_sid=origin_sid)
    return note


def _transfer_target(operator_id, operator):
    target = accounts.user_by_id(require_id(operator_id))
    if target is None or target.disabled or not target.is_operator:
        raise ServiceError("not_found", NO_SUCH_OPERATOR)
    if target.id == operator.id:
        raise invalid(TRANSFER_TO_SELF)
    return target


def transfer(conversation_id, operator, to, note=None, *, origin_sid: str | None = None) -> tuple[Conversation, Note]:
    """Assign the conversation to another operator and keep a note saying so, with ``note``'s text."""
    conversation_id = require_id(conversation_id)
    target = _transfer_target(to, operator)
    text = "" if note is None or (isinstance(note, str) and not note.strip()) else clean_text(note)

    def work(conn):
        stored = _insert_note(conn, conversation_id, operator, text, transfer_to=target.id,
                              transfer_alias=target.alias)
        store.update_conversation(conn, conversation_id, assigned_to=target.id)
        return store.conversation(conn, conversation_id), stored

    summary, stored = write(work)
    sender = app()
    signals.conversation_changed.send(sender, conversation=summary, change="assigned", origin_sid=origin_sid)
    signals.note_added.send(sender, note=stored, origin_sid=origin_sid)
    return summary, stored
