"""SQL for the operators' tags on conversations (``conversation_tags``)."""

from sqlalchemy import delete, func, insert, select

from clipai.storage.schema import conversation_tags


def add_tag(conn, conversation_id: int, tag: str) -> None:
    conn.execute(insert(conversation_tags).values(conversation_id=conversation_id, tag=tag))


def remove_tag(conn, conversation_id: int, tag: str) -> bool:
    query = delete(conversation_tags).where(conversation_tags.c.conversation_id == conversation_id,
                                            conversation_tags.c.tag == tag)
    return conn.execute(query).rowcount > 0


def tags_of(conn, conversation_id: int) -> tuple[str, ...]:
    query = select(conversation_tags.c.tag).where(conversation_tags.c.conversation_id == conversation_id).order_by(
        conversation_tags.c.tag)
    return tuple(conn.execute(query).scalars())


def tagged(tag: str):
    """A subquery of the ids of the conversations with that tag (for filtering a list)."""
    return select(conversation_tags.c.conversation_id).where(conversation_tags.c.tag == tag)


def tags_column(conversation_id_column):
    """The conversation's tags joined by commas (a tag has none), for a summary's query."""
    return select(func.aggregate_strings(conversation_tags.c.tag, ",")).where(
        conversation_tags.c.conversation_id == conversation_id_column).scalar_subquery().label("tags")


def split_tags(joined: str | None) -> tuple[str, ...]:
    return tuple(sorted(joined.split(","))) if joined else ()
