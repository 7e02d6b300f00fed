"""SQL for counts over conversations: what /metrics and the operators' reports read (never text)."""

from sqlalchemy import func, select

from clipai.storage.schema import conversations


def count_waiting(conn) -> int:
    """Open conversations no operator has answered yet."""
    query = select(func.count()).select_from(conversations).where(
        conversations.c.status == "open", conversations.c.answered.is_(False))
    return conn.execute(query).scalar_one()
