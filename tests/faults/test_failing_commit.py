"""A commit that fails: the sender hears ``unavailable``, nobody else hears anything, nothing is stored.

The failure is real, made by SQLite itself: foreign keys are deferred to COMMIT and a trigger adds a
row that breaks one, so every statement succeeds and only the COMMIT fails.
"""

import pytest
from sqlalchemy import event, text

from clipai import storage

CHAT, CONSOLE = "/chat", "/console"
POISON = """
CREATE TRIGGER poison_commit AFTER INSERT ON messages WHEN NEW.conversation_id <> 999999999
BEGIN
    INSERT INTO messages (conversation_id, author, text, redacted, created_at)
    VALUES (999999999, 'system', 'orphan', '', '2030-01-01 00:00:00');
END
"""


@pytest.fixture
def failing_commits(app):
    """While active, every transaction that stores a message fails at COMMIT."""
    engine = storage.engine(app)

    def defer_foreign_keys(connection):
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")

    def set_poisoned(on: bool):
        with app.app_context(), storage.transaction() as conn:
            conn.execute(text(POISON if on else "DROP TRIGGER IF EXISTS poison_commit"))

    event.listen(engine, "begin", defer_foreign_keys)
    yield set_poisoned
    event.remove(engine, "begin", defer_foreign_keys)


def stored(app, sql="SELECT count(*) FROM messages"):
    with app.app_context(), storage.reading() as conn:
        return conn.execute(text(sql)).scalar_one()


def heard(client, namespace) -> list:
    return [item["name"] for item in client.get_received(namespace) if item["name"] in ("message", "conversation")]


@pytest.fixture
def operator(socket_client, make_token):
    _, token = make_token(roles=("operator",))
    client = socket_client(CONSOLE, auth={"token": token})
    client.get_received(CONSOLE)
    return client


def test_first_message_whose_commit_fails_creates_nothing_and_tells_nobody(app, socket_client, operator,
                                                                          failing_commits):
    failing_commits(True)
    visitor = socket_client(CHAT)
    ack = visitor.emit("message", {"text": "Hello", "client_msg_id": "c-1"}, namespace=CHAT, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unavailable"
    assert stored(app) == 0 and stored(app, "SELECT count(*) FROM conversations") == 0
    assert heard(operator, CONSOLE) == []
    failing_commits(False)
    retry = visitor.emit("message", {"text": "Hello", "client_msg_id": "c-1"}, namespace=CHAT, callback=True)
    assert retry["ok"] and stored(app) == 1


def test_visitor_message_whose_commit_fails_is_unavailable_and_never_broadcast(app, socket_client, operator,
                                                                              failing_commits):
    visitor = socket_client(CHAT)
    token = visitor.emit("message", {"text": "Hello", "client_msg_id": "c-1"}, namespace=CHAT,
                         callback=True)["conversation"]["token"]
    other_tab = socket_client(CHAT, auth={"token": token})
    other_tab.get_received(CHAT)
    operator.get_received(CONSOLE)
    failing_commits(True)
    ack = visitor.emit("message", {"text": "Are you there?", "client_msg_id": "c-2"}, namespace=CHAT, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unavailable"
    assert stored(app) == 1 and heard(operator, CONSOLE) == [] and heard(other_tab, CHAT) == []
    failing_commits(False)
    retry = visitor.emit("message", {"text": "Are you there?", "client_msg_id": "c-2"}, namespace=CHAT,
                         callback=True)
    assert retry["ok"] and stored(app) == 2
    assert heard(operator, CONSOLE) == ["message", "conversation"] and heard(other_tab, CHAT) == ["message"]


def test_operator_reply_whose_commit_fails_is_unavailable_and_never_reaches_the_visitor(app, socket_client, operator,
                                                                                       failing_commits):
    visitor = socket_client(CHAT)
    conversation_id = visitor.emit("message", {"text": "Hello", "client_msg_id": "c-1"}, namespace=CHAT,
                                   callback=True)["conversation"]["id"]
    visitor.get_received(CHAT)
    failing_commits(True)
    ack = operator.emit("message", {"conversation_id": conversation_id, "text": "Hi!", "client_msg_id": "o-1"},
                        namespace=CONSOLE, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unavailable"
    assert heard(visitor, CHAT) == [] and stored(app) == 1
    assert "Hi!" not in repr(visitor.emit("history", {}, namespace=CHAT, callback=True))
