"""SQL for counts over conversations: what /metrics and the operators' reports read (never text)."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from clipai.storage.schema import conversation_ratings, conversations, messages


def count_waiting(conn) -> int:
    """Open conversations no operator has answered yet."""
    query = select(func.count()).select_from(conversations).where(
        conversations.c.status == "open", conversations.c.answered.is_(False))
    return conn.execute(query).scalar_one()


@dataclass(frozen=True)
class ConversationFacts:
    """What a report needs of one conversation: no text, no token, no identifier beyond the row."""

    locale: str
    created_at: datetime
    answered: bool
    first_reply_at: datetime | None
    closed_at: datetime | None
    stars: int | None = None  # the visitor's rating (1-5), if they gave one; never its comment


def conversation_facts(conn, start: datetime, end: datetime) -> list[ConversationFacts]:
    """Conversations created in ``[start, end)``, with the time of their first operator reply and their rating."""
    first_reply = (select(func.min(messages.c.created_at))
                   .where(messages.c.conversation_id == conversations.c.id, messages.c.author == "operator")
                   .scalar_subquery())
    query = (select(conversations.c.locale, conversations.c.created_at, conversations.c.answered,
                    first_reply.label("first_reply_at"), conversations.c.status, conversations.c.closed_at,
                    conversation_ratings.c.stars)
             .select_from(conversations.outerjoin(
                 conversation_ratings, conversation_ratings.c.conversation_id == conversations.c.id))
             .where(conversations.c.created_at >= start, conversations.c.created_at < end))
    return [ConversationFacts(row.locale, row.created_at, bool(row.answered), _instant(row.first_reply_at),
                              row.closed_at if row.status == "closed" else None, row.stars)
            for row in conn.execute(query)]


def _instant(value) -> datetime | None:
    """A scalar subquery's result comes back untyped on SQLite: read it like the column it is."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)
