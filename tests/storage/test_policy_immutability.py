"""The database itself refuses to change or delete published policy rows (SQLite and PostgreSQL).

"Taken effect" is judged by the database's own clock, so the versions here take effect either long
before or long after any day these tests run on.
"""

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
PUBLISHED = datetime(2019, 1, 1, tzinfo=UTC)
BEFORE_LONG_AGO = datetime(2019, 6, 1, tzinfo=UTC)  # after PUBLISHED, before LONG_AGO
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
FAR_AHEAD = datetime(2100, 1, 1, tzinfo=UTC)


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


def insert_version(engine, effective_from: datetime) -> int:
    """Insert a version with two texts, published in 2019; return its number."""
    number = next(NUMBERS)
    with engine.begin() as conn:
        policy_store.insert_version(conn, PolicyVersion(
            number=number, published_at=PUBLISHED, effective_from=effective_from, summary="Original.",
            controlling_locale="en", sha256=secrets.token_hex(32), prev_sha256=None, withdrawn_at=None,
            texts={"en": "# Policy\n", "ru": "# Политика\n"}, summaries={"ru": "Оригинал."},
        ))
    return number


@pytest.fixture
def version(engine) -> int:
    """An upcoming version (it takes effect in 2100): the one kind that may be withdrawn."""
    return insert_version(engine, FAR_AHEAD)


@pytest.fixture
def version_in_force(engine) -> int:
    """A version that took effect in 2020."""
    return insert_version(engine, LONG_AGO)


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


def test_updating_a_summary_in_another_language_is_refused(engine, version):
    assert refused(engine, "UPDATE policy_summaries SET summary = 'Мы продаём данные.' WHERE version_number = :n",
                   n=version)
    assert stored(engine, version).summaries == {"ru": "Оригинал."}


def test_deleting_a_summary_in_another_language_is_refused(engine, version):
    assert refused(engine, "DELETE FROM policy_summaries WHERE version_number = :n", n=version)
    assert stored(engine, version).summaries == {"ru": "Оригинал."}


def test_withdrawn_at_can_be_set_once(engine, version):
    withdrawn = datetime(2030, 1, 2, tzinfo=UTC)
    with engine.begin() as conn:
        assert policy_store.mark_withdrawn(conn, version, withdrawn)
    assert stored(engine, version).withdrawn_at == withdrawn
    # Neither undone nor moved, not even to another instant before the version takes effect.
    for assignment in ("withdrawn_at = NULL", "withdrawn_at = published_at"):
        assert refused(engine, f"UPDATE policy_versions SET {assignment} WHERE number = :n", n=version)
    assert stored(engine, version).withdrawn_at == withdrawn


def test_withdrawing_a_version_in_force_is_refused(engine, version_in_force):
    # Dated before it took effect, as a withdrawal must be: refused because it has taken effect now.
    assert refused(engine, "UPDATE policy_versions SET withdrawn_at = :at WHERE number = :n",
                   at=BEFORE_LONG_AGO, n=version_in_force)
    assert stored(engine, version_in_force).withdrawn_at is None


def test_a_withdrawal_record_cannot_be_changed_or_deleted(engine, version):
    withdrawn = datetime(2030, 1, 2, tzinfo=UTC)
    with engine.begin() as conn:
        policy_store.mark_withdrawn(conn, version, withdrawn)
        policy_store.insert_withdrawal(conn, version, withdrawn, "ab" * 32)
    assert refused(engine, "UPDATE policy_withdrawals SET sha256 = 'f00d' WHERE version_number = :n", n=version)
    assert refused(engine, "DELETE FROM policy_withdrawals WHERE version_number = :n", n=version)
    with engine.connect() as conn:
        assert [record.sha256 for record in policy_store.list_withdrawals(conn) if record.number == version] == [
            "ab" * 32]


def test_recording_the_withdrawal_of_a_version_in_force_is_refused(engine, version_in_force):
    with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
        policy_store.insert_withdrawal(conn, version_in_force, BEFORE_LONG_AGO, "cd" * 32)


def test_withdrawing_cannot_smuggle_in_another_change(engine, version):
    assert refused(
        engine, "UPDATE policy_versions SET withdrawn_at = published_at, summary = 'Sneaky.' WHERE number = :n",
        n=version,
    )
    assert stored(engine, version).withdrawn_at is None


def test_publishers_can_take_the_numbering_lock(engine, version):
    with engine.begin() as conn:
        policy_store.lock_for_publishing(conn)
        assert policy_store.list_versions(conn)[-1].number >= version
