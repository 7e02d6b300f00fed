"""Retention: conversations go a fixed number of days after their last activity, leaving no text behind."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clipai import signals
from clipai.services import conversations, retention
from clipai.services.errors import ServiceError

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SECRET_TEXT = "zebra-7f3a-unforgettable-sentence"


@pytest.fixture
def start(app_ctx):
    def start(text="hello", client_msg_id="m-1"):
        return conversations.post_visitor_message(None, text, client_msg_id, locale="en", address_key="a")

    return start


def database_bytes(app) -> bytes:
    path = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    return b"".join(candidate.read_bytes() for candidate in path.parent.glob(path.name + "*"))


def test_conversation_is_kept_until_its_erase_date(start, clock):
    conversation_id = start().conversation.id
    clock.now = START + timedelta(days=30) - timedelta(seconds=1)
    assert retention.purge_expired() == 0
    assert conversations.conversation(conversation_id).id == conversation_id


def test_conversation_is_purged_on_its_erase_date(start, clock):
    conversation_id = start().conversation.id
    clock.now = START + timedelta(days=30)
    assert retention.purge_expired() == 1
    with pytest.raises(ServiceError):
        conversations.conversation(conversation_id)


def test_activity_postpones_the_purge(start, clock):
    conversation_id = start().conversation.id
    clock.now = START + timedelta(days=20)
    conversations.post_visitor_message(conversation_id, "still here", "m-2", locale="en", address_key="a")
    clock.now = START + timedelta(days=31)
    assert retention.purge_expired() == 0
    clock.now = START + timedelta(days=50)
    assert retention.purge_expired() == 1


def test_only_expired_conversations_are_purged(start, clock):
    old = start(client_msg_id="a").conversation.id
    clock.now = START + timedelta(days=10)
    recent = start(client_msg_id="b").conversation.id
    clock.now = START + timedelta(days=31)
    assert retention.purge_expired() == 1
    assert [item.id for item in conversations.list_conversations()] == [recent]
    assert old != recent


def test_purge_announces_each_erased_conversation(start, clock):
    conversation_id = start().conversation.id
    erased = []

    def receiver(sender, conversation_id, reason):
        erased.append((conversation_id, reason))

    signals.conversation_erased.connect(receiver)
    try:
        clock.now = START + timedelta(days=31)
        retention.purge_expired()
    finally:
        signals.conversation_erased.disconnect(receiver)
    assert erased == [(conversation_id, "retention")]  # the console says why it vanished


def test_purged_text_is_gone_from_the_database_files(app, start, clock):
    start(text=f"My secret: {SECRET_TEXT}")
    assert SECRET_TEXT.encode() in database_bytes(app)
    clock.now = START + timedelta(days=31)
    retention.purge_expired()
    assert SECRET_TEXT.encode() not in database_bytes(app)


def test_erased_text_is_gone_from_the_database_files(app, start):
    conversations.erase(start(text=f"Erase me: {SECRET_TEXT}").conversation.id)
    assert SECRET_TEXT.encode() not in database_bytes(app)


def test_purge_command_reports_how_many_were_erased(app, clock):
    with app.app_context():
        conversations.post_visitor_message(None, "old", "m-1", locale="en", address_key="a")
    clock.now = START + timedelta(days=31)
    result = app.test_cli_runner().invoke(args=["chat", "purge"])
    assert result.exit_code == 0
    assert "Erased 1 conversation(s)." in result.output


def test_periodic_purge_runs_every_interval(app, start, clock):
    start()
    clock.now = START + timedelta(days=31)
    pauses = []

    def sleep(seconds):
        pauses.append(seconds)
        if len(pauses) == 2:
            raise KeyboardInterrupt  # end the endless loop after two rounds

    with pytest.raises(KeyboardInterrupt):
        retention.purge_periodically(app, sleep)
    assert pauses == [app.config["CHAT_PURGE_INTERVAL_SECONDS"]] * 2
    with app.app_context():
        assert conversations.list_conversations() == []


def test_periodic_purge_survives_a_failing_round(app, monkeypatch):
    pauses = []

    def failing():
        raise RuntimeError("database went away")

    def sleep(seconds):
        pauses.append(seconds)
        raise KeyboardInterrupt

    monkeypatch.setattr(retention, "purge_expired", failing)
    with pytest.raises(KeyboardInterrupt):
        retention.purge_periodically(app, sleep)
    assert len(pauses) == 1
