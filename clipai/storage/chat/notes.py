"""SQL for operators' internal notes (``conversation_notes``): never part of a visitor's reads."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from clipai.storage.schema import conversation_notes


@dataclass(frozen=True)
class Note:
    id: int
    conversation_id: int
    operator_id: int | None
    operator_alias: str
    text: str
    redacted: tuple[str, ...]
    after_message_id: int
    transfer_to: int | None
    transfer_alias: str | None
    created_at: datetime


_COLUMNS = tuple(conversation_notes.c[name] for name in Note.__dataclass_fields__)


def _note(row) -> Note:
    values = row._asdict()
    values["redacted"] = tuple(kind for kind in values["redacted"].split(",") if kind)
    return Note(**values)


def insert_note(conn, *, conversation_id: int, operator_id: int, operator_alias: str, text: str,
                redacted: tuple[str, ...], after_message_id: int, now: datetime,
                transfer_to: int | None = None, transfer_alias: str | None = None) -> Note:
    values = {"conversation_id": conversation_id, "operator_id": operator_id, "operator_alias": operator_alias,
              "text": text, "redacted": ",".join(redacted), "after_message_id": after_message_id,
              "transfer_to": transfer_to, "transfer_alias": transfer_alias, "created_at": now}
    note_id = conn.execute(insert(conversation_notes).values(**values)).inserted_primary_key[0]
    return Note(id=note_id, **{**values, "redacted": tuple(redacted)})


def notes_of(conn, conversation_id: int) -> list[Note]:
    """Every note of the conversation, oldest first."""
    query = select(*_COLUMNS).where(conversation_notes.c.conversation_id == conversation_id).order_by(
        conversation_notes.c.id)
    return [_note(row) for row in conn.execute(query)]
