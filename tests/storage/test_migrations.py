"""Migrations run on SQLite and on PostgreSQL; SQLite connections are configured for durability."""

import os
import secrets

import pytest
from sqlalchemy import create_engine, inspect, text

from clipai.storage import build_engine, migrations

EXPECTED_TABLES = {"users", "auth_tokens", "policy_versions", "policy_texts", "conversations", "messages", "canned_replies"}
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def postgres_url():
    """Create a uniquely named PostgreSQL database and drop it afterwards."""
    name = f"clipai_test_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL is not reachable: {error}")
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
    engine.dispose()


def test_nothing_is_written_at_start_up(tmp_path, app_config):
    from clipai import create_app

    database = tmp_path / "untouched.sqlite3"
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{database}"})
    app.test_client().get("/")
    app.extensions["clipai.engine"].dispose()
    assert not database.exists() or inspect(create_engine(f"sqlite:///{database}")).get_table_names() == []
