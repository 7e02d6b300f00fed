"""Migrations run on SQLite and on PostgreSQL; SQLite connections are configured for durability."""


import pytest
from sqlalchemy import create_engine, inspect

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
