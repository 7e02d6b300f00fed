"""Messages and conversations as the widget and the console receive them."""

from clipai.clock import iso
from clipai.services import attachments
from clipai.storage.chat import CannedReply, Conversation, Message, Note, Rating


def for_visitor(message: Message) -> dict:
    """A message as the visitor's widget receives it: operators by alias only."""
    payload = {
        "id": message.id,
        "author": message.author,
        "text": message.text,
        "created_at": iso(message.created_at),
        "redacted": list(message.redacted),
    }
    if message.attachments:
        payload["attachments"] = attachments.payloads(message)
    if message.author == "operator":
        payload["alias"] = message.operator_alias
    elif message.author == "visitor" and message.client_msg_id:
        payload["client_msg_id"] = message.client_msg_id
    return payload


def for_operators(message: Message) -> dict:
    """A message as the console receives it."""
    payload = {**for_visitor(message), "conversation_id": message.conversation_id}
    if message.author == "operator":
        payload["operator_id"] = message.operator_id
    if message.client_msg_id:
        payload["client_msg_id"] = message.client_msg_id
    return payload


def status_of(conversation: Conversation) -> str:
    """``waiting`` (open, no operator reply yet), ``open`` or ``closed``."""
    if conversation.status == "open" and not conversation.answered:
        return "waiting"
    return conversation.status


def summary(conversation: Conversation) -> dict:
    """A conversation as the console lists it."""
    assigned = None
    if conversation.assigned_to is not None:
        assigned = {"id": conversation.assigned_to, "alias": conversation.assigned_alias}
    return {
        "id": conversation.id,
        "status": status_of(conversation),
        "locale": conversation.locale,
        "assigned_to": assigned,
        "answered": conversation.answered,
        "created_at": iso(conversation.created_at),
        "last_activity_at": iso(conversation.last_activity_at),
        "erase_after": iso(conversation.erase_after),
        "unread": conversation.unread,
        "visitor_seen_up_to": conversation.visitor_seen_up_to,
        "operator_seen_up_to": conversation.operator_seen_up_to,
        "last_message": for_operators(conversation.last_message) if conversation.last_message else None,
        "tags": list(conversation.tags),
        "rating": rating_payload(conversation.rating),
    }


def rating_payload(rating: Rating | None) -> dict | None:
    """The visitor's rating as the console and the visitor's widget receive it."""
    if rating is None:
        return None
    return {"stars": rating.stars, "comment": rating.comment, "redacted": list(rating.redacted),
            "rated_at": iso(rating.rated_at)}


def note_payload(note: Note) -> dict:
    """An internal note as the console receives it (never sent to a visitor)."""
    transfer = {"id": note.transfer_to, "alias": note.transfer_alias} if note.transfer_alias is not None else None
    return {
        "id": note.id,
        "conversation_id": note.conversation_id,
        "author": "note",
        "operator_id": note.operator_id,
        "alias": note.operator_alias,
        "text": note.text,
        "redacted": list(note.redacted),
        "after_message_id": note.after_message_id,
        "transfer_to": transfer,
        "created_at": iso(note.created_at),
    }


def canned_payload(reply: CannedReply) -> dict:
    return {"id": reply.id, "shortcut": reply.shortcut, "text": reply.text}
