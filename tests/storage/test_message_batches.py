"""A batch of messages is written on the database driver: the same outcome on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from clipai.storage import build_engine, chat, migrations

NOW = datetime(2030, 1, 1, 12, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def engine(each_database_url):
    engine = build_engine(each_database_url)
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


def add_conversations(conn, count: int) -> list[int]:
    return [chat.insert_conversation(conn, token_hash=f"{i:064d}", resume_code_hash=f"{i:064x}", locale="en",
                                     now=NOW, erase_after=NOW) for i in range(count)]


def row(conversation_id: int, client_msg_id: str, text: str = "hello", redacted=()) -> dict:
    return {"conversation_id": conversation_id, "author": "visitor", "text": text, "redacted": redacted,
            "client_msg_id": client_msg_id, "created_at": NOW}


def test_new_messages_get_ids_in_order_and_read_back_as_written(engine):
    with engine.begin() as conn:
        first, second = add_conversations(conn, 2)
        written = chat.insert_new_messages(conn, [row(first, "a", "one", ("email",)), row(second, "a", "two"),
                                                  row(first, "b", "three")])
    assert [m.id for m in written] == sorted(m.id for m in written)
    with engine.connect() as conn:
        stored = chat.messages_after(conn, first, 0)
    assert [(m.id, m.text, m.redacted, m.client_msg_id) for m in stored] == [
        (written[0].id, "one", ("email",), "a"), (written[2].id, "three", (), "b")]
    assert stored[0].created_at == NOW == written[0].created_at


def test_a_message_stored_before_is_left_out_and_found_by_its_key(engine):
    with engine.begin() as conn:
        [conversation_id] = add_conversations(conn, 1)
        [earlier] = chat.insert_new_messages(conn, [row(conversation_id, "resent", "first try")])
    with engine.begin() as conn:
        outcome = chat.insert_new_messages(conn, [row(conversation_id, "resent", "second try"),
                                                  row(conversation_id, "new")])
        stored = chat.stored_messages(conn, "visitor", {(conversation_id, "resent")})
    assert outcome[0] is None and outcome[1].client_msg_id == "new"
    assert stored[(conversation_id, "resent")] == earlier
    with engine.connect() as conn:
        assert [m.text for m in chat.messages_after(conn, conversation_id, 0)] == ["first try", "hello"]


def test_states_and_activities_of_many_conversations(engine):
    later = NOW + timedelta(minutes=5)
    with engine.begin() as conn:
        open_one, closed_one = add_conversations(conn, 2)
        chat.update_conversation(conn, closed_one, status="closed")
        assert chat.states_by_ids(conn, [open_one, closed_one, 10_000]) == {
            open_one: chat.ConversationState(open_one, "en", "open"),
            closed_one: chat.ConversationState(closed_one, "en", "closed")}
        chat.record_activities(conn, [(open_one, later, later + timedelta(days=30), False),
                                      (closed_one, later, later + timedelta(days=30), True)])
    with engine.connect() as conn:
        summaries = chat.conversations_by_ids(conn, [open_one, closed_one])
    assert {s.status for s in summaries.values()} == {"open"}
    assert {s.last_activity_at for s in summaries.values()} == {later}
    assert {s.erase_after for s in summaries.values()} == {later + timedelta(days=30)}


def test_a_failing_batch_raises_sqlalchemys_error_and_leaves_nothing(engine):
    """The group commit tells a conflict (IntegrityError, redo one by one) from other failures by
    SQLAlchemy's classes, on either database."""
    with engine.begin() as conn:
        [conversation_id] = add_conversations(conn, 1)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        chat.insert_new_messages(conn, [row(conversation_id, "kept-out"), row(conversation_id + 1, "no-such")])
    with engine.connect() as conn:
        assert chat.messages_after(conn, conversation_id, 0) == []


def test_only_new_visitor_messages_count_as_unread(engine):
    with engine.begin() as conn:
        first, second = add_conversations(conn, 2)
        chat.insert_new_messages(conn, [row(first, "a"), row(first, "b"), row(second, "a")])
    with engine.begin() as conn:
        operator_reply = {**row(first, "reply"), "author": "operator", "operator_id": None, "operator_alias": "Ana"}
        chat.insert_new_messages(conn, [row(first, "a"), operator_reply, row(first, "c")])  # "a" is a resend
        chat.insert_new_messages(conn, [row(second, "alone", "alone")])
    with engine.connect() as conn:
        summaries = chat.conversations_by_ids(conn, [first, second])
    assert (summaries[first].unread, summaries[second].unread) == (3, 2)
