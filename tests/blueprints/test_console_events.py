"""The /console namespace as operators use it, through the Flask-SocketIO test client."""

import time
import uuid

import pytest

from clipai.services import accounts, conversations
from clipai.services.errors import ServiceError

CONSOLE = "/console"
CHAT = "/chat"


@pytest.fixture
def operator_login(make_token):
    """Create an operator account: return ``(user, token)``."""

    def login(alias="Olga", roles=("operator",)):
        return make_token(roles=roles, alias=alias)

    return login


@pytest.fixture
def console(socket_client, operator_login):
    """Connect an operator console; ``console(token=…)`` for an existing account."""

    def connect(token=None, alias="Olga", locale=None):
        if token is None:
            _, token = operator_login(alias=alias)
        auth = {"token": token}
        if locale:
            auth["locale"] = locale
        client = socket_client(CONSOLE, auth=auth)
        if client.is_connected(CONSOLE):
            client.get_received(CONSOLE)
        return client

    return connect


def call(client, event, payload=None):
    return client.emit(event, {} if payload is None else payload, namespace=CONSOLE, callback=True)


def say(client, text="Hello", client_msg_id=None):
    """A visitor message; returns the ack."""
    payload = {"text": text, "client_msg_id": client_msg_id or uuid.uuid4().hex}
    return client.emit("message", payload, namespace=CHAT, callback=True)


def answer(client, conversation_id, text="How can I help?", client_msg_id=None):
    payload = {"conversation_id": conversation_id, "text": text, "client_msg_id": client_msg_id or uuid.uuid4().hex}
    return call(client, "message", payload)


def received(client, name):
    """Payloads of the ``name`` events the console got since the last call."""
    events = client.get_received(CONSOLE)
    return [(e["args"] if e["name"] == "message" else e["args"][0]) for e in events if e["name"] == name]


def visitor_received(client, name):
    events = client.get_received(CHAT)
    return [(e["args"] if e["name"] == "message" else e["args"][0]) for e in events if e["name"] == name]


def new_conversation(visitor, text="Hello"):
    """A visitor with a conversation: return ``(visitor client, conversation id)``."""
    client = visitor()
    ack = say(client, text)
    client.get_received(CHAT)
    return client, ack["conversation"]["id"]


def error_code(ack):
    assert ack["ok"] is False, ack
    return ack["error"]["code"]


def eventually(condition, timeout=5.0):
    """Wait for something another thread does (a deferred disconnect), without asserting timings."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# --- connecting ----------------------------------------------------------------------------


def test_connect_without_a_token_is_refused(socket_client):
    assert not socket_client(CONSOLE).is_connected(CONSOLE)


def test_connect_with_a_bad_token_is_refused(socket_client):
    assert not socket_client(CONSOLE, auth={"token": "forged"}).is_connected(CONSOLE)


def test_connect_without_the_operator_role_is_refused(socket_client, operator_login):
    _, token = operator_login(roles=("maintainer",))
    assert not socket_client(CONSOLE, auth={"token": token}).is_connected(CONSOLE)


def test_operator_connects_and_sees_who_is_online(socket_client, operator_login):
    user, token = operator_login(alias="Olga")
    client = socket_client(CONSOLE, auth={"token": token})
    assert client.is_connected(CONSOLE)
    assert received(client, "presence") == [{"operators": [{"id": user.id, "alias": "Olga", "status": "online"}]}]


@pytest.mark.parametrize("settings", [{"CHAT_CONNECT_LIMITS": "1 per minute"}])
def test_console_connections_are_rate_limited(console, operator_login):
    _, token = operator_login()
    assert console(token=token).is_connected(CONSOLE)
    assert not console(token=token).is_connected(CONSOLE)


# --- the queue -----------------------------------------------------------------------------


def test_list_shows_every_conversation_with_its_summary(console, visitor):
    _, conversation_id = new_conversation(visitor, "My invoice is wrong")
    ack = call(console(), "list")
    assert ack["ok"] is True
    [summary] = ack["conversations"]
    assert summary["id"] == conversation_id and summary["status"] == "waiting"
    assert summary["unread"] == 1 and summary["assigned_to"] is None and summary["answered"] is False
    assert summary["last_message"]["text"] == "My invoice is wrong"
    assert summary["locale"] == "en"
    assert {"created_at", "last_activity_at", "erase_after"} <= set(summary)


def test_list_filters_by_status(console, visitor):
    operator = console()
    _, waiting = new_conversation(visitor)
    _, answered = new_conversation(visitor)
    _, closed = new_conversation(visitor)
    answer(operator, answered)
    call(operator, "close", {"conversation_id": closed})
    ids = lambda status: [c["id"] for c in call(operator, "list", {"status": status})["conversations"]]  # noqa: E731
    assert ids("waiting") == [waiting] and ids("open") == [answered] and ids("closed") == [closed]


def test_list_with_an_unknown_status_is_invalid(console):
    assert error_code(call(console(), "list", {"status": "all"})) == "invalid"


def test_conversation_locale_comes_from_the_visitor(console, visitor):
    client = visitor(locale="de")
    say(client)
    assert call(console(), "list")["conversations"][0]["locale"] == "de"


def test_history_returns_the_messages(console, visitor):
    client, conversation_id = new_conversation(visitor, "first")
    say(client, "second")
    ack = call(console(), "history", {"conversation_id": conversation_id})
    assert [m["text"] for m in ack["messages"]] == ["first", "second"]
    assert all(m["conversation_id"] == conversation_id for m in ack["messages"])
    after = call(console(), "history", {"conversation_id": conversation_id, "after": ack["messages"][0]["id"]})
    assert [m["text"] for m in after["messages"]] == ["second"]


@pytest.mark.parametrize("conversation_id, code", [(999, "not_found"), ("1", "invalid"), (None, "invalid"),
                                                   (True, "invalid"), (-3, "invalid")])
def test_events_check_the_conversation(console, conversation_id, code):
    operator = console()
    for event, extra in (("history", {}), ("close", {}), ("reopen", {}), ("assign", {}),
                         ("seen", {"up_to": 1}), ("typing", {"active": True})):
        ack = call(operator, event, {"conversation_id": conversation_id, **extra})
        assert error_code(ack) == code, event
    assert error_code(answer(operator, conversation_id)) == code


def test_payload_must_be_an_object(console):
    assert error_code(call(console(), "list", "waiting")) == "invalid"


# --- messages ------------------------------------------------------------------------------


def test_operator_reply_is_stored_acked_and_delivered_to_the_visitor(console, visitor):
    client, conversation_id = new_conversation(visitor)
    ack = answer(console(alias="Olga"), conversation_id, "How can I help?")
    assert ack["ok"] is True and set(ack) == {"ok", "message"}
    assert ack["message"]["author"] == "operator" and ack["message"]["alias"] == "Olga"
    [delivered] = visitor_received(client, "message")
    assert delivered["id"] == ack["message"]["id"] and delivered["text"] == "How can I help?"
    assert "operator_id" not in delivered and "conversation_id" not in delivered


def test_visitors_see_the_alias_never_the_username(console, visitor, operator_login):
    user, token = operator_login(alias="Support Team")
    client, conversation_id = new_conversation(visitor)
    answer(console(token=token), conversation_id)
    [delivered] = visitor_received(client, "message")
    assert delivered["alias"] == "Support Team" and user.username not in str(delivered)


def test_reply_reaches_other_operators_but_not_the_sender(console, visitor):
    _, conversation_id = new_conversation(visitor)
    first, second = console(alias="Olga"), console(alias="Ivan")
    first.get_received(CONSOLE), second.get_received(CONSOLE)
    ack = answer(first, conversation_id)
    assert received(second, "message") == [ack["message"]]
    assert received(first, "message") == []


def test_visitor_message_reaches_every_operator_with_the_updated_summary(console, visitor):
    client, conversation_id = new_conversation(visitor)
    operators = [console(alias="Olga"), console(alias="Ivan")]
    ack = say(client, "Are you there?")
    for operator in operators:
        events = operator.get_received(CONSOLE)
        messages = [e["args"] for e in events if e["name"] == "message"]
        summaries = [e["args"][0] for e in events if e["name"] == "conversation"]
        assert [m["id"] for m in messages] == [ack["message"]["id"]]
        assert messages[0]["conversation_id"] == conversation_id
        assert summaries[-1]["unread"] == 2 and summaries[-1]["last_message"]["text"] == "Are you there?"


@pytest.mark.parametrize("settings", [{"CONSOLE_ACTIVITY_SECONDS": 0.2}])
def test_a_burst_of_messages_sends_each_message_at_once_and_one_summary_after(console, visitor):
    client, conversation_id = new_conversation(visitor)
    operator = console()
    acks = [say(client, f"question {i}") for i in range(5)]
    assert [m["id"] for m in received(operator, "message")] == [ack["message"]["id"] for ack in acks]
    summaries = []
    assert eventually(lambda: summaries.extend(received(operator, "conversation")) or summaries)
    time.sleep(0.5)  # a second interval passes: nothing more arrives for the same burst
    summaries.extend(received(operator, "conversation"))
    assert len(summaries) == 1
    assert summaries[0]["id"] == conversation_id and summaries[0]["unread"] == 6
    assert summaries[0]["last_message"]["text"] == "question 4"


@pytest.mark.parametrize("settings", [{"CONSOLE_ACTIVITY_SECONDS": 0.2}])
def test_a_change_is_not_delayed_and_a_later_summary_never_undoes_it(console, visitor):
    client, conversation_id = new_conversation(visitor)
    operator = console()
    say(client, "one more thing")
    assert call(operator, "close", {"conversation_id": conversation_id})["ok"]
    assert [s["status"] for s in received(operator, "conversation")] == ["closed"]
    time.sleep(0.5)  # the pending summary of the message goes out, read as the conversation is now
    assert [s["status"] for s in received(operator, "conversation")] in ([], ["closed"])


def test_new_conversation_is_announced_to_operators(console, visitor):
    operator = console()
    _, conversation_id = new_conversation(visitor)
    assert conversation_id in [summary["id"] for summary in received(operator, "conversation")]


def test_reply_retry_returns_the_stored_message(console, visitor):
    client, conversation_id = new_conversation(visitor)
    operator = console()
    first = answer(operator, conversation_id, "Once", client_msg_id="o-1")
    visitor_received(client, "message")
    again = answer(operator, conversation_id, "Once", client_msg_id="o-1")
    assert again == first
    assert visitor_received(client, "message") == []


@pytest.mark.parametrize("text, code", [("", "empty"), ("x" * 2001, "too_long"), (7, "invalid"),
                                        ("bell\x07", "invalid")])
def test_reply_refusals(console, visitor, text, code):
    _, conversation_id = new_conversation(visitor)
    assert error_code(answer(console(), conversation_id, text)) == code


def test_reply_to_a_closed_conversation_is_refused(console, visitor):
    _, conversation_id = new_conversation(visitor)
    operator = console()
    call(operator, "close", {"conversation_id": conversation_id})
    assert error_code(answer(operator, conversation_id)) == "closed"


def test_reply_to_an_erased_conversation_is_not_found(console, visitor):
    client, conversation_id = new_conversation(visitor)
    operator = console()
    client.emit("erase", {}, namespace=CHAT, callback=True)
    assert {"id": conversation_id, "status": "erased", "reason": "visitor"} in received(operator, "conversation")
    assert error_code(answer(operator, conversation_id)) == "not_found"


# --- typing and seen -----------------------------------------------------------------------


def test_operator_typing_reaches_the_visitor(console, visitor):
    client, conversation_id = new_conversation(visitor)
    assert call(console(alias="Olga"), "typing", {"conversation_id": conversation_id, "active": True}) == {"ok": True}
    assert visitor_received(client, "typing") == [{"active": True, "author": "operator", "alias": "Olga"}]


def test_visitor_typing_reaches_operators(console, visitor):
    client, conversation_id = new_conversation(visitor)
    operator = console()
    client.emit("typing", {"active": True}, namespace=CHAT, callback=True)
    client.emit("typing", {"active": False}, namespace=CHAT, callback=True)
    assert received(operator, "typing") == [
        {"conversation_id": conversation_id, "author": "visitor", "active": True},
        {"conversation_id": conversation_id, "author": "visitor", "active": False},
    ]


def test_visitor_leaving_while_typing_stops_the_indicator(console, visitor):
    client, conversation_id = new_conversation(visitor)
    operator = console()
    client.emit("typing", {"active": True}, namespace=CHAT, callback=True)
    received(operator, "typing")
    client.disconnect(CHAT)
    assert received(operator, "typing") == [{"conversation_id": conversation_id, "author": "visitor", "active": False}]


def test_seen_clears_unread_for_every_operator_and_tells_the_visitor(console, visitor):
    client, conversation_id = new_conversation(visitor)
    last = say(client, "two")["message"]["id"]
    client.get_received(CHAT)
    first, second = console(), console(alias="Ivan")
    ack = call(first, "seen", {"conversation_id": conversation_id, "up_to": last})
    assert ack["ok"] and ack["conversation"]["unread"] == 0
    assert received(second, "conversation")[-1]["unread"] == 0
    assert visitor_received(client, "seen") == [{"up_to": last}]


def test_visitor_read_receipt_reaches_operators(console, visitor):
    client, conversation_id = new_conversation(visitor)
    operator = console()
    reply = answer(operator, conversation_id)["message"]["id"]
    received(operator, "conversation")
    client.emit("seen", {"up_to": reply}, namespace=CHAT, callback=True)
    assert received(operator, "conversation")[-1]["visitor_seen_up_to"] == reply


# --- close, reopen, assign -----------------------------------------------------------------


def test_close_and_reopen_update_every_operator_and_the_visitor(console, visitor):
    client, conversation_id = new_conversation(visitor)
    first, second = console(), console(alias="Ivan")
    second.get_received(CONSOLE)
    assert call(first, "close", {"conversation_id": conversation_id})["conversation"]["status"] == "closed"
    assert received(second, "conversation")[-1]["status"] == "closed"
    assert visitor_received(client, "closed") == [{"reason": "closed"}]
    assert call(first, "reopen", {"conversation_id": conversation_id})["conversation"]["status"] == "waiting"
    assert received(second, "conversation")[-1]["status"] == "waiting"
    assert answer(first, conversation_id)["ok"]


def test_assign_defaults_to_me(console, visitor, operator_login):
    user, token = operator_login(alias="Olga")
    _, conversation_id = new_conversation(visitor)
    ack = call(console(token=token), "assign", {"conversation_id": conversation_id})
    assert ack["conversation"]["assigned_to"] == {"id": user.id, "alias": "Olga"}


def test_assign_to_another_operator_is_seen_by_all(console, visitor, operator_login):
    ivan, ivan_token = operator_login(alias="Ivan")
    _, conversation_id = new_conversation(visitor)
    olga, ivans_console = console(alias="Olga"), console(token=ivan_token)
    ivans_console.get_received(CONSOLE)
    call(olga, "assign", {"conversation_id": conversation_id, "to": ivan.id})
    assert received(ivans_console, "conversation")[-1]["assigned_to"] == {"id": ivan.id, "alias": "Ivan"}


def test_assign_to_nobody(console, visitor):
    _, conversation_id = new_conversation(visitor)
    operator = console()
    call(operator, "assign", {"conversation_id": conversation_id})
    ack = call(operator, "assign", {"conversation_id": conversation_id, "to": None})
    assert ack["conversation"]["assigned_to"] is None


@pytest.mark.parametrize("to, code", [(999, "not_found"), ("me", "invalid")])
def test_assign_to_someone_unknown_is_refused(console, visitor, to, code):
    _, conversation_id = new_conversation(visitor)
    assert error_code(call(console(), "assign", {"conversation_id": conversation_id, "to": to})) == code


def test_assign_to_an_account_without_the_operator_role_is_refused(console, visitor, operator_login):
    maintainer, _ = operator_login(roles=("maintainer",))
    _, conversation_id = new_conversation(visitor)
    ack = call(console(), "assign", {"conversation_id": conversation_id, "to": maintainer.id})
    assert error_code(ack) == "not_found"


# --- presence ------------------------------------------------------------------------------


def test_presence_changes_reach_every_operator(console, operator_login):
    olga, olga_token = operator_login(alias="Olga")
    ivan, ivan_token = operator_login(alias="Ivan")
    first, second = console(token=olga_token), console(token=ivan_token)
    first.get_received(CONSOLE)
    ack = call(second, "presence", {"status": "away"})
    expected = [{"id": ivan.id, "alias": "Ivan", "status": "away"},
                {"id": olga.id, "alias": "Olga", "status": "online"}]
    assert ack == {"ok": True, "operators": expected}
    assert received(first, "presence") == [{"operators": expected}]


def test_presence_needs_a_known_status(console):
    assert error_code(call(console(), "presence", {"status": "busy"})) == "invalid"


def test_operator_leaving_updates_presence_and_visitors(console, visitor, operator_login):
    _, token = operator_login(alias="Olga")
    client = visitor()
    leaving, staying = console(token=token), console(alias="Ivan")
    staying.get_received(CONSOLE)
    visitor_received(client, "status")
    leaving.disconnect(CONSOLE)
    assert [entry["alias"] for entry in received(staying, "presence")[-1]["operators"]] == ["Ivan"]
    assert [status["operators_online"] for status in visitor_received(client, "status")] == [1]
    staying.disconnect(CONSOLE)
    assert [status["operators_online"] for status in visitor_received(client, "status")] == [0]


def test_visitor_hears_operators_online_right_after_connecting(console, socket_client):
    console()
    client = socket_client(CHAT)
    assert [e["args"][0]["operators_online"] for e in client.get_received(CHAT) if e["name"] == "status"] == [1]


# --- canned replies and search -------------------------------------------------------------


def test_canned_replies_can_be_saved_listed_and_deleted(console):
    operator = console()
    saved = call(operator, "canned_save", {"shortcut": "/hello", "text": "Hello! How can I help?"})
    assert saved["ok"] and saved["canned"]["shortcut"] == "hello"
    assert call(operator, "canned_list") == {"ok": True, "canned": [saved["canned"]]}
    assert call(operator, "canned_delete", {"id": saved["canned"]["id"]}) == {"ok": True}
    assert call(operator, "canned_list") == {"ok": True, "canned": []}
    assert error_code(call(operator, "canned_delete", {"id": saved["canned"]["id"]})) == "not_found"


def test_canned_reply_needs_a_valid_shortcut_and_text(console):
    operator = console()
    assert error_code(call(operator, "canned_save", {"shortcut": "two words", "text": "x"})) == "invalid"
    assert error_code(call(operator, "canned_save", {"shortcut": "ok", "text": " "})) == "empty"


def test_search_finds_messages_across_conversations(console, visitor):
    _, first = new_conversation(visitor, "The export crashes")
    _, second = new_conversation(visitor, "export to PDF?")
    new_conversation(visitor, "unrelated")
    ack = call(console(), "search", {"query": "EXPORT"})
    assert sorted(result["conversation"]["id"] for result in ack["results"]) == [first, second]
    assert all("export" in result["message"]["text"].lower() for result in ack["results"])


def test_search_needs_a_query(console):
    assert error_code(call(console(), "search", {"query": ""})) == "invalid"


# --- authorization on every event ----------------------------------------------------------


def test_signing_out_disconnects_that_tokens_sockets(client, console, operator_login):
    _, token = operator_login()
    operator = console(token=token)
    assert client.delete("/api/auth/token", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    assert eventually(lambda: not operator.is_connected(CONSOLE))


def test_disabling_the_account_disconnects_its_sockets_at_once(app, console, operator_login):
    user, token = operator_login()
    sockets = [console(token=token), console(token=token)]
    other = console(alias="Ivan")
    with app.app_context():
        accounts.disable_user(user.username)
    assert [s.is_connected(CONSOLE) for s in sockets] == [False, False]
    assert other.is_connected(CONSOLE)


def test_new_password_disconnects_old_sessions(app, console, operator_login):
    user, token = operator_login()
    operator = console(token=token)
    with app.app_context():
        accounts.set_password(user.username, "a-brand-new-password")
    assert not operator.is_connected(CONSOLE)


def test_events_while_the_database_is_down_are_unavailable(console, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    operator = console()

    def unreachable(token):
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("unable to open database file"))

    monkeypatch.setattr(accounts, "user_for_token", unreachable)
    assert error_code(call(operator, "list")) == "unavailable"
    assert operator.is_connected(CONSOLE)


@pytest.mark.parametrize("settings", [{"CONSOLE_EVENT_LIMITS": "3 per minute"}])
def test_events_are_rate_limited_per_account(console, operator_login):
    _, token = operator_login()
    first, second = console(token=token), console(token=token)
    assert call(first, "list")["ok"] and call(second, "list")["ok"] and call(first, "list")["ok"]
    ack = call(second, "list")
    assert error_code(ack) == "rate_limited" and ack["error"]["retry_after"] >= 1
    assert call(console(alias="Ivan"), "list")["ok"]


def test_errors_are_in_the_operators_language(console, socket_client, operator_login, monkeypatch):
    from flask_babel import LazyString, get_locale

    def refuse(status=None, tag=None):
        raise ServiceError("invalid", LazyString(lambda: str(get_locale())))

    monkeypatch.setattr(conversations, "list_conversations", refuse)
    assert call(console(locale="es"), "list")["error"]["message"] == "es"
    _, token = operator_login()
    by_browser = socket_client(CONSOLE, auth={"token": token}, headers={"Accept-Language": "ar"})
    assert call(by_browser, "list")["error"]["message"] == "ar"
