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
    with engine.begin() as conn:
        conversation_id = add_conversation(conn, "a" * 64)
        chat.insert_message(conn, conversation_id=conversation_id, author="visitor", text="kept", created_at=NOW)
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
