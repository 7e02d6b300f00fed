"""The /chat namespace as visitors use it, through the Flask-SocketIO test client."""

import sqlite3
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from clipai import signals, storage
from clipai.services import conversations, retention
from clipai.services.errors import ServiceError

CHAT = "/chat"
START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def visitor(socket_client):
    """Connect a visitor: ``visitor()`` fresh, ``visitor(token=…, last_seen=…)`` to resume."""

    def connect(headers=None, **auth):
        return socket_client(CHAT, auth=auth or None, headers=headers)

    return connect


@pytest.fixture
def reply(app, operator):
    """Post an operator reply through the service, as the console would."""

    def reply(conversation_id, text="How can I help?"):
        with app.app_context():
            return conversations.post_operator_message(conversation_id, operator, text, uuid.uuid4().hex).message

    return reply


def send(client, text="Hello, I need help", client_msg_id=None):
    payload = {"text": text, "client_msg_id": client_msg_id or uuid.uuid4().hex}
    return client.emit("message", payload, namespace=CHAT, callback=True)


def call(client, event, payload=None):
    return client.emit(event, {} if payload is None else payload, namespace=CHAT, callback=True)


def received(client, name=None):
    """Events the client got since the last call, as ``(name, payload)``; only ``name`` when given."""
    found = []
    for item in client.get_received(CHAT):
        args = item["args"]
        payload = args if item["name"] == "message" else (args[0] if args else None)
        found.append((item["name"], payload))
    return [payload for event, payload in found if event == name] if name else found


def started(client):
    """A visitor who sent a first message: return the ack's conversation block."""
    ack = send(client)
    assert ack["ok"], ack
    received(client)
    return ack["conversation"]


def error_code(ack):
    assert ack["ok"] is False, ack
    return ack["error"]["code"]


# --- connecting ----------------------------------------------------------------------------


def test_fresh_visitor_connects_and_hears_whether_support_is_online(visitor):
    client = visitor()
    assert client.is_connected(CHAT)
    assert received(client) == [("status", {"operators_online": 0, "opens_at": None, "reply_seconds": None})]


def test_bad_token_is_refused(visitor):
    assert not visitor(token="not-a-real-token").is_connected(CHAT)


def test_token_of_another_type_is_refused(visitor):
    assert not visitor(token=12345).is_connected(CHAT)


def test_token_resumes_the_conversation(visitor):
    conversation = started(visitor())
    client = visitor(token=conversation["token"])
    assert client.is_connected(CHAT)
    assert received(client, "message") == []  # no last_seen: the widget asks for history itself


def test_resume_code_resumes_the_conversation(visitor):
    conversation = started(visitor())
    other_device = visitor(token=conversation["resume_code"].lower())
    assert other_device.is_connected(CHAT)
    assert call(other_device, "history", {"after": 0})["conversation"]["id"] == conversation["id"]


@pytest.mark.parametrize("settings", [{"CHAT_RESUME_LIMITS": "2 per hour"}])
def test_guessing_tokens_is_rate_limited(visitor):
    conversation = started(visitor())
    assert not visitor(token="AAAA-BBBB-CC").is_connected(CHAT)
    assert not visitor(token="AAAA-BBBB-CD").is_connected(CHAT)
    assert not visitor(token=conversation["resume_code"]).is_connected(CHAT)  # even the right one, for now


@pytest.mark.parametrize("settings", [{"CHAT_CONNECT_LIMITS": "2 per minute"}])
def test_connections_per_address_are_rate_limited(visitor):
    assert visitor().is_connected(CHAT)
    assert visitor().is_connected(CHAT)
    assert not visitor().is_connected(CHAT)


@pytest.mark.parametrize("settings", [{"CHAT_CONNECT_LIMITS": "1 per minute", "TRUSTED_PROXIES": 1}])
def test_connection_limit_is_per_address(visitor):
    assert visitor(headers={"X-Forwarded-For": "198.51.100.1"}).is_connected(CHAT)
    assert visitor(headers={"X-Forwarded-For": "198.51.100.2"}).is_connected(CHAT)


# --- sending -------------------------------------------------------------------------------


def test_first_message_creates_the_conversation_and_returns_its_token_once(visitor):
    client = visitor()
    received(client)
    ack = send(client, "Hello")
    assert ack["ok"] is True
    assert set(ack) == {"ok", "message", "conversation"}
    assert ack["message"]["author"] == "visitor" and ack["message"]["text"] == "Hello"
    assert ack["message"]["redacted"] == []
    assert set(ack["conversation"]) == {"id", "token", "erase_after", "resume_code"}
    assert len(ack["conversation"]["token"]) >= 43
    second = send(client, "Anyone there?")
    assert set(second) == {"ok", "message"}
    assert second["message"]["id"] > ack["message"]["id"]


def test_erase_date_is_retention_days_after_the_message(visitor):
    conversation = started(visitor())
    assert conversation["erase_after"] == "2030-01-31T12:00:00.000Z"


def test_personal_details_are_removed_and_the_ack_says_which(visitor):
    ack = send(visitor(), "I am jane@example.com, card 4111 1111 1111 1111")
    assert "jane@example.com" not in ack["message"]["text"]
    assert "4111" not in ack["message"]["text"]
    assert ack["message"]["redacted"] == ["email", "card"]


def test_text_is_sent_back_as_plain_text(visitor):
    ack = send(visitor(), "<img src=x onerror=alert(1)>")
    assert ack["message"]["text"] == "<img src=x onerror=alert(1)>"


def test_same_client_msg_id_returns_the_stored_message(visitor):
    client = visitor()
    first = send(client, "once", client_msg_id="c-1")
    again = send(client, "once", client_msg_id="c-1")
    assert again["message"] == first["message"]
    assert again["conversation"] == first["conversation"]  # the lost ack's token comes back too
    assert [m["text"] for m in call(client, "history", {"after": 0})["messages"]] == ["once"]


def test_resending_a_first_message_after_reconnecting_reaches_the_same_conversation(visitor):
    first = send(visitor(), "lost ack", client_msg_id="c-1")
    again = send(visitor(), "lost ack", client_msg_id="c-1")  # new socket, no token yet
    assert again["message"] == first["message"]
    assert again["conversation"]["id"] == first["conversation"]["id"]
    # Only the token's hash is stored: the resend gets a new one, and the lost one stops working.
    resumed = visitor(token=again["conversation"]["token"])
    assert [m["text"] for m in call(resumed, "history", {"after": 0})["messages"]] == ["lost ack"]
    assert not visitor(token=first["conversation"]["token"]).is_connected(CHAT)


def test_the_same_id_with_another_text_starts_another_conversation(visitor):
    first = send(visitor(), "my question", client_msg_id="c-1")
    other = send(visitor(), "someone else's question", client_msg_id="c-1")
    assert other["conversation"]["id"] != first["conversation"]["id"]


def test_a_first_message_resent_after_the_window_starts_a_new_conversation(visitor, clock):
    first = send(visitor(), "lost ack", client_msg_id="c-1")
    clock.now += timedelta(minutes=16)
    again = send(visitor(), "lost ack", client_msg_id="c-1")
    assert again["conversation"]["id"] != first["conversation"]["id"]


def test_resending_after_reconnecting_with_the_token_returns_the_stored_message(visitor):
    client = visitor()
    conversation = started(client)
    first = send(client, "second", client_msg_id="c-2")
    resumed = visitor(token=conversation["token"])
    again = send(resumed, "second", client_msg_id="c-2")
    assert again == {"ok": True, "message": first["message"]}


def test_ids_in_payloads_are_ignored(visitor):
    mine = started(visitor())
    theirs = started(visitor())
    client = visitor(token=mine["token"])
    ack = client.emit("message", {"text": "hi", "client_msg_id": "x-1", "conversation_id": theirs["id"]},
                      namespace=CHAT, callback=True)
    assert ack["message"]["id"] and "conversation" not in ack
    other = visitor(token=theirs["token"])
    assert [m["text"] for m in call(other, "history", {"after": 0})["messages"]] == ["Hello, I need help"]


@pytest.mark.parametrize(
    "payload, code",
    [
        ("just a string", "invalid"),
        (["a", "list"], "invalid"),
        ({"client_msg_id": "c-1"}, "invalid"),
        ({"text": 5, "client_msg_id": "c-1"}, "invalid"),
        ({"text": "hi"}, "invalid"),
        ({"text": "hi", "client_msg_id": "with space"}, "invalid"),
        ({"text": "hi", "client_msg_id": {"not": "a string"}}, "invalid"),
        ({"text": "bell\x07", "client_msg_id": "c-1"}, "invalid"),
        ({"text": "half \ud83d surrogate", "client_msg_id": "c-1"}, "invalid"),
        ({"text": "", "client_msg_id": "c-1"}, "empty"),
        ({"text": " \n\t ", "client_msg_id": "c-1"}, "empty"),
        ({"text": "\u200b\u200c\u200d", "client_msg_id": "c-1"}, "empty"),
        ({"text": "x" * 2001, "client_msg_id": "c-1"}, "too_long"),
    ],
)
def test_refusals_carry_a_stable_code_and_a_message(visitor, payload, code):
    ack = visitor().emit("message", payload, namespace=CHAT, callback=True)
    assert error_code(ack) == code
    assert isinstance(ack["error"]["message"], str) and ack["error"]["message"]


def test_refused_first_message_creates_no_conversation(app, visitor):
    send(visitor(), "")
    with app.app_context():
        assert conversations.list_conversations() == []


@pytest.mark.parametrize("settings", [{"CHAT_MESSAGE_LIMITS": "2 per minute"}])
def test_messages_per_conversation_are_rate_limited(visitor):
    client = visitor()
    started(client)
    assert send(client)["ok"] and send(client)["ok"]
    ack = send(client)
    assert error_code(ack) == "rate_limited"
    assert 1 <= ack["error"]["retry_after"] <= 60


@pytest.mark.parametrize("settings", [{"CHAT_NEW_CONVERSATION_LIMITS": "1 per hour"}])
def test_new_conversations_past_the_address_budget_get_a_challenge_not_a_refusal(visitor):
    assert send(visitor())["ok"]
    ack = send(visitor())
    assert error_code(ack) == "challenge_required" and ack["error"]["challenge"]["signature"]


def test_database_failure_is_unavailable_and_nothing_is_broadcast(visitor, socket_client, make_token, failing_commit):
    client = visitor()
    conversation = started(client)
    other_tab = visitor(token=conversation["token"])
    _, token = make_token()
    console = socket_client("/console", auth={"token": token})
    received(other_tab), console.get_received("/console")

    failing_commit()
    assert error_code(send(client, "lost")) == "unavailable"
    assert received(other_tab) == [] and console.get_received("/console") == []


def test_resuming_while_the_database_is_down_is_refused(visitor, monkeypatch):
    conversation = started(visitor())

    @contextmanager
    def unreachable():
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("unable to open database file"))
        yield  # pragma: no cover

    monkeypatch.setattr(storage, "reading", unreachable)
    assert not visitor(token=conversation["token"]).is_connected(CHAT)
    assert visitor().is_connected(CHAT)  # a fresh visitor needs no database to connect


def test_unexpected_failure_is_unavailable(visitor, monkeypatch):
    client = visitor()

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(conversations, "post_visitor_message", broken)
    assert error_code(send(client)) == "unavailable"


# --- delivery ------------------------------------------------------------------------------


def test_other_tabs_of_the_visitor_receive_the_message_but_not_the_sender(visitor):
    client = visitor()
    conversation = started(client)
    other_tab = visitor(token=conversation["token"])
    received(other_tab)
    ack = send(client, "from tab one")
    assert received(other_tab, "message") == [ack["message"]]
    assert received(client, "message") == []


def test_operator_reply_reaches_the_visitor_under_the_alias(visitor, reply, operator):
    client = visitor()
    conversation = started(client)
    message = reply(conversation["id"], "How can I help?")
    [delivered] = received(client, "message")
    assert delivered["id"] == message.id and delivered["author"] == "operator"
    assert delivered["alias"] == "Olga" and operator.username not in str(delivered)
    assert set(delivered) == {"id", "author", "text", "created_at", "redacted", "alias"}


def test_an_operator_added_without_alias_reaches_visitors_as_support_not_by_account_name(app, visitor, make_user):
    op1, _ = make_user(username="op1")
    client = visitor()
    conversation = started(client)
    with app.app_context():
        conversations.post_operator_message(conversation["id"], op1, "Hi", uuid.uuid4().hex)
    [delivered] = received(client, "message")
    assert delivered["alias"] == "Support" and "op1" not in str(delivered)


def test_replies_reach_only_their_own_conversation(visitor, reply):
    mine, theirs = visitor(), visitor()
    started(mine)
    other = started(theirs)
    reply(other["id"], "for the other visitor")
    assert received(mine, "message") == []


def test_reconnect_with_last_seen_delivers_exactly_the_missed_messages_in_order(visitor, reply):
    client = visitor()
    conversation = started(client)
    seen = send(client, "my second message")["message"]["id"]
    client.disconnect(CHAT)
    missed = [reply(conversation["id"], f"answer {number}") for number in range(3)]
    back = visitor(token=conversation["token"], last_seen=seen)
    assert [m["id"] for m in received(back, "message")] == [message.id for message in missed]
    assert received(back, "message") == []


def test_reconnect_delivers_messages_from_other_tabs_too(visitor):
    client = visitor()
    conversation = started(client)
    first = send(client, "one")["message"]["id"]
    second = send(client, "two")["message"]
    back = visitor(token=conversation["token"], last_seen=first)
    assert received(back, "message") == [second]


def test_reconnect_with_a_bad_last_seen_delivers_nothing(visitor):
    conversation = started(visitor())
    back = visitor(token=conversation["token"], last_seen="everything")
    assert back.is_connected(CHAT) and received(back, "message") == []


def test_history_returns_messages_after_a_point_and_the_conversation(visitor, reply):
    client = visitor()
    conversation = started(client)
    answer = reply(conversation["id"])
    ack = call(client, "history", {"after": 0})
    assert [m["author"] for m in ack["messages"]] == ["visitor", "operator"]
    assert ack["messages"][1]["id"] == answer.id and ack["more"] is False
    assert ack["conversation"]["id"] == conversation["id"] and ack["conversation"]["status"] == "open"
    assert call(client, "history", {"after": answer.id})["messages"] == []


def test_history_of_a_fresh_visitor_is_empty(visitor):
    assert call(visitor(), "history", {"after": 0}) == {"ok": True, "messages": [], "more": False}


@pytest.mark.parametrize("after", [-1, "0", 1.5, True])
def test_history_needs_a_message_id(visitor, after):
    client = visitor()
    started(client)
    assert error_code(call(client, "history", {"after": after})) == "invalid"


# --- typing, seen, status ------------------------------------------------------------------


def test_visitor_typing_reaches_operators(visitor, socket_client, make_token):
    client = visitor()
    conversation = started(client)
    _, token = make_token()
    console = socket_client("/console", auth={"token": token})
    console.get_received("/console")
    assert call(client, "typing", {"active": True}) == {"ok": True}
    typing = [e["args"][0] for e in console.get_received("/console") if e["name"] == "typing"]
    assert typing == [{"conversation_id": conversation["id"], "author": "visitor", "active": True}]


def test_typing_before_the_first_message_goes_nowhere(visitor):
    assert call(visitor(), "typing", {"active": True}) == {"ok": True}


def test_typing_needs_a_boolean(visitor):
    client = visitor()
    started(client)
    assert error_code(call(client, "typing", {"active": "yes"})) == "invalid"


def test_operator_typing_reaches_the_visitor(app, visitor, operator):
    client = visitor()
    conversation = started(client)
    with app.app_context():
        conversations.operator_typing(conversation["id"], operator, True)
    assert received(client, "typing") == [{"active": True, "author": "operator", "alias": "Olga"}]


def test_visitor_seen_is_recorded_for_operators(app, visitor, reply):
    client = visitor()
    conversation = started(client)
    answer = reply(conversation["id"])
    assert call(client, "seen", {"up_to": answer.id}) == {"ok": True}
    with app.app_context():
        assert conversations.conversation(conversation["id"]).visitor_seen_up_to == answer.id


def test_operator_seen_reaches_the_visitor(app, visitor):
    client = visitor()
    conversation = started(client)
    message_id = send(client, "read me")["message"]["id"]
    with app.app_context():
        conversations.mark_seen(conversation["id"], "operator", message_id)
    assert received(client, "seen") == [{"up_to": message_id}]


def test_status_follows_operators_coming_and_going(visitor, socket_client, make_token):
    client = visitor()
    received(client)
    _, token = make_token()
    console = socket_client("/console", auth={"token": token})
    assert [status["operators_online"] for status in received(client, "status")] == [1]
    console.emit("presence", {"status": "away"}, namespace="/console", callback=True)
    assert [status["operators_online"] for status in received(client, "status")] == [0]


# --- close, reopen, erase ------------------------------------------------------------------


def test_visitor_close_tells_other_tabs_and_stops_operator_replies(app, visitor, operator):
    client = visitor()
    conversation = started(client)
    other_tab = visitor(token=conversation["token"])
    received(other_tab)
    assert call(client, "close") == {"ok": True}
    assert received(other_tab, "closed") == [{"reason": "closed"}]
    with app.app_context(), pytest.raises(ServiceError) as refused:
        conversations.post_operator_message(conversation["id"], operator, "late", "o-1")
    assert refused.value.code == "closed"


def test_operator_close_reaches_the_visitor(app, visitor):
    client = visitor()
    conversation = started(client)
    with app.app_context():
        conversations.close(conversation["id"])
    assert received(client, "closed") == [{"reason": "closed"}]


def test_visitor_message_reopens_a_closed_conversation(app, visitor):
    client = visitor()
    conversation = started(client)
    call(client, "close")
    assert send(client, "one more question")["ok"]
    with app.app_context():
        assert conversations.conversation(conversation["id"]).status == "open"


def test_erase_deletes_the_conversation_at_once(app, visitor):
    client = visitor()
    conversation = started(client)
    other_tab = visitor(token=conversation["token"])
    received(other_tab)
    assert call(client, "erase") == {"ok": True}
    assert received(other_tab, "closed") == [{"reason": "erased"}]
    assert not visitor(token=conversation["token"]).is_connected(CHAT)
    with app.app_context():
        assert conversations.list_conversations() == []


def test_after_erasing_the_next_message_starts_a_new_conversation(visitor):
    client = visitor()
    old = started(client)
    call(client, "erase")
    ack = send(client, "fresh start")
    assert ack["conversation"]["id"] != old["id"]


def test_retention_purge_tells_connected_visitors(app, visitor, clock):
    client = visitor()
    old = started(client)
    clock.now = START + timedelta(days=31)
    with app.app_context():
        retention.purge_expired()
    assert received(client, "closed") == [{"reason": "erased"}]
    assert send(client, "hello again")["conversation"]["id"] != old["id"]


def test_close_and_erase_before_any_message_are_harmless(visitor):
    client = visitor()
    assert call(client, "close") == {"ok": True}
    assert call(client, "erase") == {"ok": True}


@pytest.mark.parametrize("settings", [{"CHAT_EVENT_LIMITS": "2 per minute"}])
def test_other_events_are_rate_limited(visitor):
    client = visitor()
    assert call(client, "typing", {"active": True})["ok"]
    assert call(client, "typing", {"active": False})["ok"]
    ack = call(client, "typing", {"active": True})
    assert error_code(ack) == "rate_limited" and ack["error"]["retry_after"] >= 1


def test_server_start_launches_the_periodic_purge(app, monkeypatch):
    from clipai.extensions import socketio

    started_tasks = []
    monkeypatch.setattr(socketio, "start_background_task", lambda target, *args: started_tasks.append(target))
    signals.server_starting.send(app)
    signals.server_starting.send(app)
    assert started_tasks == [retention.purge_periodically]


# --- language of the answers ---------------------------------------------------------------


@pytest.fixture
def locale_probe(monkeypatch):
    """From now on every message is refused with the name of the language the answer was written in."""
    from flask_babel import LazyString, get_locale

    def refuse(text):
        raise ServiceError("invalid", LazyString(lambda: str(get_locale())))

    def install():
        monkeypatch.setattr(conversations.validation, "clean_text", refuse)

    return install


def test_errors_are_in_the_language_the_widget_asks_for(visitor, locale_probe):
    locale_probe()
    assert send(visitor(locale="de-AT"))["error"]["message"] == "de"


def test_errors_fall_back_to_the_browser_language(visitor, locale_probe):
    locale_probe()
    client = visitor(headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert send(client)["error"]["message"] == "fr"


def test_errors_fall_back_to_the_conversation_language(visitor, locale_probe):
    conversation = send(visitor(locale="ru"))["conversation"]
    locale_probe()
    client = visitor(token=conversation["token"], headers={"Accept-Language": "es"})
    assert send(client)["error"]["message"] == "ru"


@pytest.mark.parametrize("settings", [{"CHAT_EVENT_LIMITS": "3/minute"}])
def test_tries_to_start_a_conversation_are_limited_per_socket(visitor):
    client = visitor()
    answers = [error_code(send(client, "   ")) for _ in range(4)]  # refused before anything is stored
    assert answers == ["empty", "empty", "empty", "rate_limited"]
