"""Migrations run on SQLite and on PostgreSQL; SQLite connections are configured for durability."""


import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from clipai.storage import build_engine, migrations

EXPECTED_TABLES = {"users", "auth_tokens", "policy_versions", "policy_texts", "conversations", "messages", "canned_replies"}


def test_migrations_build_the_schema_on_sqlite(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert migrations.pending(engine)
    migrations.upgrade(engine)
    assert EXPECTED_TABLES <= set(inspect(engine).get_table_names())
    assert not migrations.pending(engine)
    engine.dispose()


@pytest.mark.postgres
def test_migrations_build_the_schema_on_postgresql(postgres_url):
    engine = build_engine(postgres_url)
    migrations.upgrade(engine)
    assert EXPECTED_TABLES <= set(inspect(engine).get_table_names())
    assert not migrations.pending(engine)
    engine.dispose()


def test_sqlite_connections_are_durable(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000
        assert pragma("secure_delete") == 1
        assert pragma("wal_autocheckpoint") == 4000
    engine.dispose()


def test_nothing_is_written_at_start_up(tmp_path, app_config):
    from clipai import create_app

    database = tmp_path / "untouched.sqlite3"
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{database}"})
    app.test_client().get("/")
    app.extensions["clipai.engine"].dispose()
    assert not database.exists() or inspect(create_engine(f"sqlite:///{database}")).get_table_names() == []


def test_a_broken_psycopg_pipeline_counts_as_a_disconnect():
    # psycopg reports a connection dropped during executemany this way; SQLAlchemy must then
    # discard the connection instead of rolling it back (which fails and logs a traceback).
    from types import SimpleNamespace

    import psycopg

    from clipai.storage import _broken_pipeline_is_a_disconnect

    broken = SimpleNamespace(original_exception=psycopg.OperationalError("cannot exit pipeline mode while busy"),
                             is_disconnect=False)
    other = SimpleNamespace(original_exception=psycopg.OperationalError("deadlock detected"), is_disconnect=False)
    _broken_pipeline_is_a_disconnect(broken), _broken_pipeline_is_a_disconnect(other)
    assert broken.is_disconnect and not other.is_disconnect


def test_unread_counts_are_carried_into_their_column_and_back(each_database_url):
    """0005 counts each conversation's visitor messages after the operators' read mark into
    ``conversations.unread`` and drops the index that counted them; its downgrade restores it."""
    engine = build_engine(each_database_url)
    migrations.upgrade(engine, "0004")
    when = "2030-01-01 00:00:00"
    with engine.begin() as conn:
        ids = [conn.execute(text(
            "INSERT INTO conversations (token_hash, resume_code_hash, locale, status, answered, visitor_seen_up_to, "
            "operator_seen_up_to, created_at, last_activity_at, erase_after) VALUES (:token, :token, 'en', 'open', "
            "false, 0, 0, :when, :when, :when) RETURNING id"), {"token": token, "when": when}).scalar_one()
            for token in ("a", "b")]
        authors = ["visitor", "visitor", "operator", "visitor", "visitor"]
        messages = [conn.execute(text(
            "INSERT INTO messages (conversation_id, author, text, redacted, created_at) "
            "VALUES (:id, :author, 'hi', '', :when) RETURNING id"), {"id": ids[0], "author": author, "when": when}
        ).scalar_one() for author in authors]
        conn.execute(text("UPDATE conversations SET operator_seen_up_to = :seen WHERE id = :id"),
                     {"seen": messages[1], "id": ids[0]})
    migrations.upgrade(engine)
    with engine.connect() as conn:
        unread = dict(conn.execute(text("SELECT id, unread FROM conversations")).all())
    assert unread == {ids[0]: 2, ids[1]: 0}
    assert "ix_messages_conversation_id_author_id" not in {i["name"] for i in inspect(engine).get_indexes("messages")}
    with engine.begin() as connection:
        command.downgrade(migrations.alembic_config(connection), "0004")
    assert "unread" not in {column["name"] for column in inspect(engine).get_columns("conversations")}
    assert "ix_messages_conversation_id_author_id" in {i["name"] for i in inspect(engine).get_indexes("messages")}
    engine.dispose()
