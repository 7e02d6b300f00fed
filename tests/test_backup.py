"""``clipai backup`` and ``clipai restore``: a round trip, and retention applies to what comes back."""

import sqlite3
from datetime import timedelta

import pytest

from clipai.backup import postgres_lines
from clipai.services import conversations
from clipai.services.errors import ServiceError
from tests.fixtures.app import START


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args, input=None: runner.invoke(args=list(args), input=input)


def start_conversation(app, text="my printer is on fire"):
    with app.app_context():
        return conversations.post_visitor_message(None, text, "m-1", locale="en", address_key="a").conversation.id


def texts(app, conversation_id):
    with app.app_context():
        return [message.text for message in conversations.history(conversation_id)[1]]


def test_round_trip_brings_back_what_was_erased_after_the_backup(run, app, tmp_path):
    conversation_id = start_conversation(app)
    backup = tmp_path / "clipai-backup.sqlite3"
    made = run("backup", str(backup))
    assert made.exit_code == 0, made.output
    assert backup.stat().st_mode & 0o077 == 0  # only the owner may read a copy of the conversations
    with app.app_context():
        conversations.erase(conversation_id)
    restored = run("restore", str(backup), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "erased 0 conversation(s)" in restored.output
    assert texts(app, conversation_id) == ["my printer is on fire"]


def test_restore_erases_what_is_past_retention(run, app, tmp_path, clock):
    conversation_id = start_conversation(app)
    backup = tmp_path / "old.sqlite3"
    assert run("backup", str(backup)).exit_code == 0
    clock.now = START + timedelta(days=app.config["CHAT_RETENTION_DAYS"])
    restored = run("restore", str(backup), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "erased 1 conversation(s) past their erase date" in restored.output
    with app.app_context(), pytest.raises(ServiceError):
        conversations.conversation(conversation_id)


def test_restore_asks_first_and_keeps_the_database_when_refused(run, app, tmp_path):
    conversation_id = start_conversation(app)
    backup = tmp_path / "b.sqlite3"
    run("backup", str(backup))
    with app.app_context():
        conversations.erase(conversation_id)
    refused = run("restore", str(backup), input="n\n")
    assert refused.exit_code != 0 and "Aborted" in refused.output
    with app.app_context(), pytest.raises(ServiceError):
        conversations.conversation(conversation_id)


def test_backup_never_overwrites_a_file(run, tmp_path):
    existing = tmp_path / "taken.sqlite3"
    existing.write_bytes(b"keep me")
    result = run("backup", str(existing))
    assert result.exit_code != 0 and "exists" in result.output
    assert existing.read_bytes() == b"keep me"


@pytest.mark.parametrize("content", [b"not a database at all", None, "empty-sqlite"])
def test_restore_refuses_what_is_not_a_clipai_backup(run, app, tmp_path, content):
    conversation_id = start_conversation(app)
    bogus = tmp_path / "bogus.sqlite3"
    if content == "empty-sqlite":
        sqlite3.connect(bogus).execute("CREATE TABLE t (x)").connection.close()
    elif content is not None:
        bogus.write_bytes(content)
    result = run("restore", str(bogus), "--yes")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert ("not a SQLite database" in result.output or "does not exist" in result.output
            or "holds no ClipAI schema" in result.output)
    assert texts(app, conversation_id) == ["my printer is on fire"]


@pytest.mark.parametrize("settings", [{"DATABASE_URL": "postgresql+psycopg://clipai:secret@db.internal:5432/clipai"}])
def test_postgres_backup_prints_the_pg_dump_line_without_the_password(settings, tmp_path):
    from clipai import create_app

    app = create_app(settings | {"TESTING": True, "SECRET_KEY": "k", "ASYNC_MODE": "threading"})
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "site.dump")])
    assert result.exit_code != 0
    assert f"pg_dump --format=custom --no-owner --file={tmp_path / 'site.dump'} " \
           "'postgresql://clipai@db.internal:5432/clipai'" in result.output
    assert "secret" not in result.output


def test_postgres_restore_lines_end_with_the_retention_purge():
    _, lines = postgres_lines("postgresql+psycopg://clipai@127.0.0.1/clipai", "site.dump")
    assert lines == ["pg_restore --clean --if-exists --no-owner --dbname='postgresql://clipai@127.0.0.1/clipai' site.dump",
                     "clipai db upgrade", "clipai chat purge"]
