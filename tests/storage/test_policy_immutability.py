"""The database itself refuses to change or delete published policy rows (SQLite and PostgreSQL)."""

import itertools
import os
import secrets
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from clipai.storage import build_engine, migrations
from clipai.storage import policy as policy_store
from clipai.storage.policy import PolicyVersion

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
NUMBERS = itertools.count(1)


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory):
    engine = build_engine(f"sqlite:///{tmp_path_factory.mktemp('immutability') / 'db.sqlite3'}")
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def postgresql_engine():
    """A uniquely named database, migrated, dropped afterwards."""
    name = f"clipai_policy_{secrets.token_hex(5)}"
    try:
        with psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL is not reachable: {error}")
    engine = build_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    try:
        migrations.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request):
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def version(engine) -> int:
    """Insert a published version with two texts; return its number."""
    number = next(NUMBERS)
    now = datetime(2030, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        policy_store.insert_version(conn, PolicyVersion(
            number=number, published_at=now, effective_from=now, summary="Original.", controlling_locale="en",
            sha256=secrets.token_hex(32), prev_sha256=None, withdrawn_at=None,
            texts={"en": "# Policy\n", "ru": "# Политика\n"},
        ))
    return number


def refused(engine, sql: str, **params) -> bool:
    """Run ``sql`` in its own transaction; return True when the database refused it."""
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    except DBAPIError as error:
        assert "immutable" in str(error.orig)
        return True
    return False


def stored(engine, number: int):
    with engine.connect() as conn:
        return policy_store.version_by_number(conn, number)


@pytest.mark.parametrize(
    "assignment",
    [
        "summary = 'Rewritten.'",
        "effective_from = published_at",
        "sha256 = 'f00d'",
        "prev_sha256 = 'f00d'",
        "controlling_locale = 'ru'",
        "number = number + 1000",
    ],
)
def test_updating_a_published_version_is_refused(engine, version, assignment):
    assert refused(engine, f"UPDATE policy_versions SET {assignment} WHERE number = :n", n=version)
    assert stored(engine, version).summary == "Original."


def test_deleting_a_published_version_is_refused(engine, version):
    assert refused(engine, "DELETE FROM policy_versions WHERE number = :n", n=version)
    assert stored(engine, version) is not None


def test_updating_a_policy_text_is_refused(engine, version):
    assert refused(engine, "UPDATE policy_texts SET markdown = 'We sell data.' WHERE version_number = :n", n=version)
    assert stored(engine, version).texts["en"] == "# Policy\n"


def test_deleting_a_policy_text_is_refused(engine, version):
    assert refused(engine, "DELETE FROM policy_texts WHERE version_number = :n", n=version)
    assert set(stored(engine, version).texts) == {"en", "ru"}


def test_withdrawn_at_can_be_set_once(engine, version):
    withdrawn = datetime(2030, 1, 2, tzinfo=UTC)
    with engine.begin() as conn:
        assert policy_store.mark_withdrawn(conn, version, withdrawn)
    assert stored(engine, version).withdrawn_at == withdrawn
    assert refused(engine, "UPDATE policy_versions SET withdrawn_at = NULL WHERE number = :n", n=version)
    assert refused(engine, "UPDATE policy_versions SET withdrawn_at = effective_from WHERE number = :n", n=version)


def test_withdrawing_cannot_smuggle_in_another_change(engine, version):
    assert refused(
        engine, "UPDATE policy_versions SET withdrawn_at = effective_from, summary = 'Sneaky.' WHERE number = :n",
        n=version,
    )
    assert stored(engine, version).withdrawn_at is None


def test_publishers_can_take_the_numbering_lock(engine, version):
    with engine.begin() as conn:
        policy_store.lock_for_publishing(conn)
        assert policy_store.latest_version(conn).number >= version
