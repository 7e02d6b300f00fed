"""What the chat's SQL returns: messages, conversation summaries and states, canned replies."""

from dataclasses import dataclass
from datetime import datetime

from clipai.storage.schema import conversations, messages

ID_CHUNK = 500  # stay far below SQLite's limit on bound parameters


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
    attachments: tuple = ()  # the message's images (Attachment), when a service read them


@dataclass(frozen=True)
class Attachment:
    """An image of a conversation, without its bytes."""

    id: int
    conversation_id: int
    message_id: int | None
    author: str
    content_type: str
    width: int
    height: int


@dataclass(frozen=True)
class Rating:
    """A visitor's rating of a closed conversation (``conversation_ratings``)."""

    stars: int
    comment: str
    redacted: tuple[str, ...]
    rated_at: datetime


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
    tags: tuple[str, ...] = ()
    rating: Rating | None = None


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


MESSAGE_COLUMNS = (
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
STATE_COLUMNS = (conversations.c.id, conversations.c.locale, conversations.c.status)


def message_of(row) -> Message | None:
    if row is None:
        return None
    kinds = tuple(kind for kind in row.redacted.split(",") if kind)
    return Message(row.id, row.conversation_id, row.author, row.operator_id, row.operator_alias, row.text, kinds,
                   row.client_msg_id, row.created_at)


def state_of(row) -> ConversationState | None:
    return ConversationState(row.id, row.locale, row.status) if row else None
