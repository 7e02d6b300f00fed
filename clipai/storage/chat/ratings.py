"""SQL for visitors' ratings of closed conversations (``conversation_ratings``)."""

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select

from clipai.storage.chat.records import ID_CHUNK, Rating
from clipai.storage.schema import conversation_ratings


def save_rating(conn, conversation_id: int, *, stars: int, comment: str, redacted: tuple[str, ...],
                now: datetime) -> Rating:
    """Record the conversation's rating, replacing an earlier one."""
    conn.execute(delete(conversation_ratings).where(conversation_ratings.c.conversation_id == conversation_id))
    conn.execute(insert(conversation_ratings).values(conversation_id=conversation_id, stars=stars, comment=comment,
                                                     redacted=",".join(redacted), rated_at=now))
    return Rating(stars, comment, tuple(redacted), now)


_RATINGS_BY_IDS = select(conversation_ratings).where(
    conversation_ratings.c.conversation_id.in_(bindparam("b_ids", expanding=True)))


def ratings_by_conversation(conn, conversation_ids) -> dict[int, Rating]:
    found = {}
    ids = list(conversation_ids)
    for start in range(0, len(ids), ID_CHUNK):
        for row in conn.execute(_RATINGS_BY_IDS, {"b_ids": ids[start:start + ID_CHUNK]}):
            kinds = tuple(kind for kind in row.redacted.split(",") if kind)
            found[row.conversation_id] = Rating(row.stars, row.comment, kinds, row.rated_at)
    return found
