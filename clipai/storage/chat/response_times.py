"""SQL for how quickly support answers: first visitor message and first operator reply after it."""

from datetime import datetime

from sqlalchemy import and_, func, select

from clipai.storage.schema import conversations, messages


def first_responses(conn, since: datetime) -> list[tuple[datetime, datetime]]:
    """(first visitor message, first operator message after it) of conversations started since ``since``.

    Conversations nobody has answered yet are left out.
    """
    first = (select(messages.c.conversation_id, func.min(messages.c.id).label("first_id"))
             .join(conversations, conversations.c.id == messages.c.conversation_id)
             .where(conversations.c.created_at >= since, messages.c.author == "visitor")
             .group_by(messages.c.conversation_id).subquery())
    asked, reply = messages.alias("asked"), messages.alias("reply")
    answered_at = func.min(reply.c.created_at)
    query = (select(asked.c.created_at, answered_at.label("answered_at"))
             .select_from(first.join(asked, asked.c.id == first.c.first_id)
                          .join(reply, and_(reply.c.conversation_id == first.c.conversation_id,
                                            reply.c.author == "operator", reply.c.id > first.c.first_id)))
             .group_by(first.c.conversation_id, asked.c.created_at))
    return [(row.created_at, row.answered_at) for row in conn.execute(query)]
