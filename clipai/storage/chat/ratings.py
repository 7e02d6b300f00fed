"""SQL for visitors' ratings of closed conversations (``conversation_ratings``)."""

from datetime import datetime

from sqlalchemy import delete, insert

from clipai.storage.chat.records import Rating
from clipai.storage.schema import conversation_ratings


def save_rating(conn, conversation_id: int, *, stars: int, comment: str, redacted: tuple[str, ...],
                now: datetime) -> Rating:
    """Record the conversation's rating, replacing an earlier one."""
    conn.execute(delete(conversation_ratings).where(conversation_ratings.c.conversation_id == conversation_id))
    conn.execute(insert(conversation_ratings).values(conversation_id=conversation_id, stars=stars, comment=comment,
                                                     redacted=",".join(redacted), rated_at=now))
    return Rating(stars, comment, tuple(redacted), now)


RATING_COLUMNS = (
    conversation_ratings.c.stars.label("rating_stars"),
    conversation_ratings.c.comment.label("rating_comment"),
    conversation_ratings.c.redacted.label("rating_redacted"),
    conversation_ratings.c.rated_at.label("rating_rated_at"),
)


def with_ratings(from_clause, conversation_id_column):
    """``from_clause`` joined to the ratings, so a summary's query reads RATING_COLUMNS."""
    return from_clause.outerjoin(conversation_ratings, conversation_ratings.c.conversation_id == conversation_id_column)


def rating_of(row) -> Rating | None:
    """The rating in a summary row read with RATING_COLUMNS, or None."""
    if row.rating_stars is None:
        return None
    kinds = tuple(kind for kind in row.rating_redacted.split(",") if kind)
    return Rating(row.rating_stars, row.rating_comment, kinds, row.rating_rated_at)
