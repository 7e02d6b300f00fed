"""SQL for the operators' tags on conversations (``conversation_tags``)."""

from sqlalchemy import bindparam, delete, insert, select

from clipai.storage.chat.records import ID_CHUNK
from clipai.storage.schema import conversation_tags


def add_tag(conn, conversation_id: int, tag: str) -> None:
    conn.execute(insert(conversation_tags).values(conversation_id=conversation_id, tag=tag))


def remove_tag(conn, conversation_id: int, tag: str) -> bool:
    query = delete(conversation_tags).where(conversation_tags.c.conversation_id == conversation_id,
                                            conversation_tags.c.tag == tag)
    return conn.execute(query).rowcount > 0


def tags_of(conn, conversation_id: int) -> tuple[str, ...]:
    return tags_by_conversation(conn, [conversation_id]).get(conversation_id, ())


_TAGS_BY_IDS = select(conversation_tags.c.conversation_id, conversation_tags.c.tag).where(
    conversation_tags.c.conversation_id.in_(bindparam("b_ids", expanding=True))).order_by(conversation_tags.c.tag)


def tags_by_conversation(conn, conversation_ids) -> dict[int, tuple[str, ...]]:
    """The tags of each conversation that has any, alphabetically."""
    found: dict[int, list[str]] = {}
    ids = list(conversation_ids)
    for start in range(0, len(ids), ID_CHUNK):
        for row in conn.execute(_TAGS_BY_IDS, {"b_ids": ids[start:start + ID_CHUNK]}):
            found.setdefault(row.conversation_id, []).append(row.tag)
    return {conversation_id: tuple(tags) for conversation_id, tags in found.items()}


def tagged(tag: str):
    """A subquery of the ids of the conversations with that tag (for filtering a list)."""
    return select(conversation_tags.c.conversation_id).where(conversation_tags.c.tag == tag)
