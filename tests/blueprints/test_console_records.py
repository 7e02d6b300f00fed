"""Internal notes, tags and transfers on the /console namespace, and what the visitor never hears."""

import pytest

from tests.blueprints.test_console_events import (  # noqa: F401 (fixtures)
    CHAT,
    CONSOLE,
    call,
    console,
    error_code,
    new_conversation,
    operator_login,
    received,
    say,
)


def note(client, conversation_id, text="Refund approved by finance"):
    return call(client, "note", {"conversation_id": conversation_id, "text": text})


# --- internal notes ------------------------------------------------------------------------


def test_a_note_is_acked_and_reaches_the_other_operators_only(console, visitor):
    writer, colleague = console(alias="Olga"), console(alias="Ivan")
    client, conversation_id = new_conversation(visitor)
    colleague.get_received(CONSOLE)
    ack = note(writer, conversation_id)
    assert ack["ok"] and ack["note"]["text"] == "Refund approved by finance"
    assert ack["note"]["author"] == "note" and ack["note"]["alias"] == "Olga"
    assert [n["id"] for n in received(colleague, "note")] == [ack["note"]["id"]]
    assert received(writer, "note") == []  # the ack has it


def test_the_visitor_never_receives_a_note_on_the_wire(console, visitor, socket_client):
    operator = console()
    first_tab = visitor()
    started = say(first_tab, "Where is my refund?")
    conversation_id = started["conversation"]["id"]
    second_tab = visitor(token=started["conversation"]["token"])
    first_tab.get_received(CHAT)
    note(operator, conversation_id, "Secret: customer is a reseller")
    assert first_tab.get_received(CHAT) == []
    assert second_tab.get_received(CHAT) == []
    history = first_tab.emit("history", {"after": 0}, namespace=CHAT, callback=True)
    assert [m["text"] for m in history["messages"]] == ["Where is my refund?"]
    resumed = socket_client(CHAT, auth={"token": started["conversation"]["token"], "last_seen": 0})
    missed = resumed.get_received(CHAT)
    assert [e["args"]["text"] for e in missed if e["name"] == "message"] == ["Where is my refund?"]
    assert "reseller" not in str(missed)


def test_a_note_leaves_unread_counts_and_the_last_message_alone(console, visitor):
    operator, colleague = console(alias="Olga"), console(alias="Ivan")
    _, conversation_id = new_conversation(visitor, "Hello")
    before = call(colleague, "history", {"conversation_id": conversation_id})["conversation"]
    note(operator, conversation_id)
    after = call(colleague, "history", {"conversation_id": conversation_id})["conversation"]
    assert after["unread"] == before["unread"] == 1
    assert after["last_message"]["text"] == "Hello"
    assert after["last_activity_at"] == before["last_activity_at"]


def test_notes_are_listed_in_order_with_their_place_in_the_conversation(console, visitor):
    operator = console()
    client, conversation_id = new_conversation(visitor, "First")
    first = note(operator, conversation_id, "one")["note"]
    later = say(client, "Second")["message"]
    second = note(operator, conversation_id, "two")["note"]
    ack = call(operator, "notes", {"conversation_id": conversation_id})
    assert [n["text"] for n in ack["notes"]] == ["one", "two"]
    assert first["after_message_id"] < later["id"] == second["after_message_id"]


def test_a_note_is_redacted_like_a_message(console, visitor):
    operator = console()
    _, conversation_id = new_conversation(visitor)
    ack = note(operator, conversation_id, "Customer wrote from jane.doe@example.com")
    assert "jane.doe@example.com" not in ack["note"]["text"]
    assert ack["note"]["redacted"] == ["email"]
    stored = call(operator, "notes", {"conversation_id": conversation_id})["notes"][0]
    assert "jane.doe@example.com" not in stored["text"]


@pytest.mark.parametrize("payload, code", [
    ({"text": ""}, "empty"),
    ({"text": "x" * 2001}, "too_long"),
    ({"text": 5}, "invalid"),
    ({"text": "ok", "conversation_id": "1"}, "invalid"),
    ({"text": "ok", "conversation_id": 999999}, "not_found"),
])
def test_note_refusals(console, visitor, payload, code):
    operator = console()
    _, conversation_id = new_conversation(visitor)
    ack = call(operator, "note", {"conversation_id": conversation_id, **payload})
    assert error_code(ack) == code
    assert ack["error"]["message"]


def test_note_refusals_are_localized(console, visitor):
    operator = console(locale="de")
    _, conversation_id = new_conversation(visitor)
    ack = call(operator, "note", {"conversation_id": conversation_id, "text": " "})
    assert ack["error"]["message"] == "Bitte geben Sie zuerst eine Nachricht ein."


def test_a_visitor_cannot_write_notes_tags_or_transfers(console, visitor, operator_login):
    ivan, _ = operator_login(alias="Ivan")
    client, conversation_id = new_conversation(visitor)
    for event in ("note", "notes", "tag", "untag", "transfer"):
        client.emit(event, {"conversation_id": conversation_id, "text": "x", "tag": "x", "to": ivan.id},
                    namespace=CHAT, callback=True)
    operator = console(alias="Olga")
    assert call(operator, "notes", {"conversation_id": conversation_id})["notes"] == []
    summary = call(operator, "history", {"conversation_id": conversation_id})["conversation"]
    assert summary["tags"] == [] and summary["assigned_to"] is None


# --- tags ----------------------------------------------------------------------------------


def tag(client, conversation_id, value, event="tag"):
    return call(client, event, {"conversation_id": conversation_id, "tag": value})


def test_tags_are_normalized_shown_in_the_summary_and_reach_every_operator(console, visitor):
    operator, colleague = console(alias="Olga"), console(alias="Ivan")
    _, conversation_id = new_conversation(visitor)
    colleague.get_received(CONSOLE)
    ack = tag(operator, conversation_id, "  #Billing Issue ")
    assert ack["conversation"]["tags"] == ["billing-issue"]
    tag(operator, conversation_id, "Возврат")
    summaries = [s for s in received(colleague, "conversation") if s["id"] == conversation_id]
    assert summaries[-1]["tags"] == ["billing-issue", "возврат"]


def test_removing_a_tag(console, visitor):
    operator = console()
    _, conversation_id = new_conversation(visitor)
    tag(operator, conversation_id, "billing")
    ack = tag(operator, conversation_id, "BILLING", event="untag")
    assert ack["conversation"]["tags"] == []


@pytest.mark.parametrize("value", ["", " ", "-start", "a" * 33, "semi;colon", 7, None, "emoji😀"])
def test_bad_tags_are_refused_with_a_localized_reason(console, visitor, value):
    operator = console(locale="fr")
    _, conversation_id = new_conversation(visitor)
    ack = tag(operator, conversation_id, value)
    assert error_code(ack) == "invalid"
    assert "étiquette" in ack["error"]["message"]


def test_a_conversation_has_at_most_ten_tags(console, visitor):
    operator = console()
    _, conversation_id = new_conversation(visitor)
    for number in range(10):
        assert tag(operator, conversation_id, f"t{number}")["ok"]
    assert error_code(tag(operator, conversation_id, "eleven")) == "invalid"
    assert tag(operator, conversation_id, "t3")["ok"]  # an existing tag again is fine


def test_the_list_filters_by_tag(console, visitor):
    operator = console()
    _, billing = new_conversation(visitor, "Invoice?")
    _, other = new_conversation(visitor, "Hello")
    tag(operator, billing, "billing")
    ack = call(operator, "list", {"tag": "Billing"})
    assert [c["id"] for c in ack["conversations"]] == [billing]
    assert call(operator, "list", {"status": "waiting", "tag": "billing"})["conversations"][0]["id"] == billing
    assert error_code(call(operator, "list", {"tag": "a b;"})) == "invalid"


# --- transfer ------------------------------------------------------------------------------


def test_transfer_assigns_notes_and_tells_the_new_assignee(console, visitor, operator_login):
    ivan, ivan_token = operator_login(alias="Ivan")
    olga, receiver = console(alias="Olga"), console(token=ivan_token)
    client, conversation_id = new_conversation(visitor)
    receiver.get_received(CONSOLE)
    ack = call(olga, "transfer", {"conversation_id": conversation_id, "to": ivan.id, "note": "He asks about invoices"})
    assert ack["ok"]
    assert ack["conversation"]["assigned_to"] == {"id": ivan.id, "alias": "Ivan"}
    assert ack["note"]["transfer_to"] == {"id": ivan.id, "alias": "Ivan"}
    assert ack["note"]["text"] == "He asks about invoices"
    [heard] = received(receiver, "note")
    assert heard["transfer_to"]["id"] == ivan.id and heard["alias"] == "Olga"
    assert client.get_received(CHAT) == []  # the visitor hears of no names and no note


def test_transfer_without_a_note(console, visitor, operator_login):
    ivan, _ = operator_login(alias="Ivan")
    olga = console(alias="Olga")
    _, conversation_id = new_conversation(visitor)
    ack = call(olga, "transfer", {"conversation_id": conversation_id, "to": ivan.id})
    assert ack["note"]["text"] == "" and ack["note"]["transfer_to"]["alias"] == "Ivan"


def test_transfer_refusals(console, visitor, operator_login, make_token):
    maintainer, _ = make_token(roles=("maintainer",), alias="Mia")
    olga_user, olga_token = operator_login(alias="Olga")
    olga = console(token=olga_token)
    _, conversation_id = new_conversation(visitor)
    base = {"conversation_id": conversation_id}
    assert error_code(call(olga, "transfer", {**base, "to": maintainer.id})) == "not_found"
    assert error_code(call(olga, "transfer", {**base, "to": 999999})) == "not_found"
    assert error_code(call(olga, "transfer", {**base, "to": "Ivan"})) == "invalid"
    assert error_code(call(olga, "transfer", {**base, "to": olga_user.id})) == "invalid"
    assert call(olga, "notes", base)["notes"] == []  # nothing stored by a refusal


def test_a_console_learns_its_own_operator_id_on_connect(socket_client, operator_login):
    user, token = operator_login(alias="Support")
    client = socket_client(CONSOLE, auth={"token": token})
    [me] = [e["args"][0] for e in client.get_received(CONSOLE) if e["name"] == "operator"]
    assert me == {"id": user.id, "alias": "Support"}
