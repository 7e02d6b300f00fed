"""Conversation ids are never handed out twice, also in databases created before migration 0003."""

from datetime import UTC, datetime

from sqlalchemy import text

from clipai.storage import build_engine, chat, migrations

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def add_conversation(conn, token_hash: str) -> int:
    return chat.insert_conversation(conn, token_hash=token_hash, resume_code_hash=token_hash[::-1], locale="en",
                                    now=NOW, erase_after=NOW)


def test_migration_keeps_conversations_and_messages(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    migrations.upgrade(engine, "0002")
    with engine.begin() as conn:  # the tables as revision 0002 had them, so plain SQL
        conversation_id = conn.execute(text(
            "INSERT INTO conversations (token_hash, resume_code_hash, locale, status, answered, visitor_seen_up_to, "
            "operator_seen_up_to, created_at, last_activity_at, erase_after) VALUES ('a', 'b', 'en', 'open', 0, 0, 0, "
            ":now, :now, :now) RETURNING id"), {"now": "2030-01-01 00:00:00.000000"}).scalar_one()
        conn.execute(text("INSERT INTO messages (conversation_id, author, text, redacted, created_at) "
                          "VALUES (:id, 'visitor', 'kept', '', '2030-01-01 00:00:00.000000')"), {"id": conversation_id})
    migrations.upgrade(engine)
    with engine.connect() as conn:
        assert [message.text for message in chat.messages_after(conn, conversation_id, 0)] == ["kept"]
    engine.dispose()


def test_erasing_the_newest_conversation_does_not_free_its_id(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    migrations.upgrade(engine)
    with engine.begin() as conn:
        first = add_conversation(conn, "a" * 64)
        chat.delete_conversations(conn, [first])
        second = add_conversation(conn, "b" * 64)
        assert second != first
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()
