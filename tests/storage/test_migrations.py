"""Migrations run on SQLite and on PostgreSQL; SQLite connections are configured for durability."""


from dataclasses import replace
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from clipai import storage
from clipai.services.policy import verify as policy_verify
from clipai.storage import build_engine, migrations
from clipai.storage import policy as policy_store
from clipai.storage.policy import PolicyVersion

EXPECTED_TABLES = {"users", "auth_tokens", "policy_versions", "policy_texts", "policy_withdrawals", "conversations",
                   "conversation_starts", "messages", "canned_replies"}


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
    storage.dispose(app)
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


def _publish_raw(conn, number: int, effective_from: datetime, previous: PolicyVersion | None) -> PolicyVersion:
    draft = PolicyVersion(number=number, published_at=datetime(2019, 1, 1, tzinfo=UTC), effective_from=effective_from,
                          summary="A change.", controlling_locale="en", sha256="",
                          prev_sha256=previous.sha256 if previous else None, withdrawn_at=None,
                          texts={"en": f"# Policy {number}\n"})
    version = replace(draft, sha256=policy_verify.content_sha256(draft))
    policy_store.insert_version(conn, version)
    return version


def _withdraw_raw(engine, number: int, at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE policy_versions SET withdrawn_at = :at WHERE number = :n"),
                     {"at": at.replace(tzinfo=None).isoformat(" ", "microseconds"), "n": number})


def test_past_withdrawals_get_their_record_and_the_downgrade_restores_0005(each_database_url):
    """0006 records the withdrawals made before it (whose versions may have taken effect since) so
    that ``verify`` passes, refuses withdrawing a version in force; its downgrade restores 0002's rule."""
    engine = build_engine(each_database_url)
    migrations.upgrade(engine, "0005")
    withdrawn = datetime(2020, 3, 1, tzinfo=UTC)
    with engine.begin() as conn:
        first = _publish_raw(conn, 1, datetime(2020, 1, 1, tzinfo=UTC), None)
        _publish_raw(conn, 2, datetime(2020, 6, 1, tzinfo=UTC), first)
    _withdraw_raw(engine, 2, withdrawn)
    migrations.upgrade(engine)
    with engine.connect() as conn:
        versions, records = policy_store.list_versions_with_texts(conn), policy_store.list_withdrawals(conn)
    assert [(record.number, record.withdrawn_at) for record in records] == [(2, withdrawn)]
    assert policy_verify.find_chain_breaks(versions) + policy_verify.find_withdrawal_breaks(versions, records) == []
    with pytest.raises(DBAPIError, match="immutable"):
        _withdraw_raw(engine, 1, datetime(2019, 6, 1, tzinfo=UTC))
    with engine.begin() as connection:
        command.downgrade(migrations.alembic_config(connection), "0005")
    assert "policy_withdrawals" not in inspect(engine).get_table_names()
    _withdraw_raw(engine, 1, datetime(2019, 6, 1, tzinfo=UTC))  # 0002 allowed it; summaries stay immutable
    with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
        conn.execute(text("UPDATE policy_versions SET summary = 'Rewritten.' WHERE number = 2"))
    engine.dispose()


def test_aliases_derived_from_account_names_become_neutral_in_accounts_and_messages(each_database_url):
    """0008: visitors saw "op1" for an operator added without --alias; chosen aliases stay."""
    engine = build_engine(each_database_url)
    migrations.upgrade(engine, "0007")
    at = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    with engine.begin() as conn:
        for user_id, username, alias in [(1, "op1", "op1"), (2, "olga.k", "olga"), (3, "ana.m", "Ana")]:
            conn.execute(text("INSERT INTO users (id, username, password_hash, alias, is_operator, is_maintainer, "
                              "disabled, created_at) VALUES (:id, :u, 'x', :a, true, false, false, :at)"),
                         {"id": user_id, "u": username, "a": alias, "at": at})
        conn.execute(text("INSERT INTO conversations (id, token_hash, locale, status, answered, visitor_seen_up_to, "
                          "operator_seen_up_to, created_at, last_activity_at, erase_after, unread) VALUES "
                          "(1, 't', 'en', 'open', true, 0, 0, :at, :at, :at, 0)"), {"at": at})
        for message_id, operator_id, alias in [(1, 1, "op1"), (2, 2, "olga"), (3, 3, "Ana")]:
            conn.execute(text("INSERT INTO messages (id, conversation_id, author, operator_id, operator_alias, text, "
                              "redacted, created_at) VALUES (:id, 1, 'operator', :op, :a, 'hi', '', :at)"),
                         {"id": message_id, "op": operator_id, "a": alias, "at": at})
    migrations.upgrade(engine)
    with engine.connect() as conn:
        aliases = conn.execute(text("SELECT alias FROM users ORDER BY id")).scalars().all()
        shown = conn.execute(text("SELECT operator_alias FROM messages ORDER BY id")).scalars().all()
    engine.dispose()
    assert aliases == shown == ["Support", "Support", "Ana"]
