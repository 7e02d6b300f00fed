"""The visitor rates a closed conversation through /chat; operators see the rating live."""

import pytest

from tests.blueprints.test_console_events import (  # noqa: F401 (fixtures)
    CHAT,
    CONSOLE,
    call,
    console,
    error_code,
    operator_login,
    received,
    say,
)


def rate(client, stars, comment=None):
    payload = {"stars": stars} if comment is None else {"stars": stars, "comment": comment}
    return client.emit("rate", payload, namespace=CHAT, callback=True)


@pytest.fixture
def closed_chat(visitor, console):
    """A visitor whose conversation an operator closed: ``(visitor, conversation id, operator)``."""
    client = visitor()
    conversation_id = say(client, "Thanks, that was all")["conversation"]["id"]
    operator = console()
    call(operator, "close", {"conversation_id": conversation_id})
    client.get_received(CHAT)
    operator.get_received(CONSOLE)
    return client, conversation_id, operator


def test_a_rating_reaches_every_operator_in_the_summary(closed_chat):
    client, conversation_id, operator = closed_chat
    ack = rate(client, 5, "Quick and kind")
    assert ack["ok"] and ack["rating"]["stars"] == 5 and ack["rating"]["comment"] == "Quick and kind"
    [summary] = [s for s in received(operator, "conversation") if s["id"] == conversation_id]
    assert summary["rating"]["stars"] == 5
    listed = call(operator, "list", {"status": "closed"})["conversations"]
    assert listed[0]["rating"]["comment"] == "Quick and kind"


def test_the_visitors_history_carries_the_rating(closed_chat):
    client, _, _ = closed_chat
    rate(client, 3)
    history = client.emit("history", {"after": 0}, namespace=CHAT, callback=True)
    assert history["conversation"]["rating"]["stars"] == 3
    assert history["conversation"]["status"] == "closed"


def test_rating_again_replaces_the_rating(closed_chat):
    client, conversation_id, operator = closed_chat
    rate(client, 1)
    rate(client, 4, "Better on second thought")
    summary = call(operator, "history", {"conversation_id": conversation_id})["conversation"]
    assert summary["rating"]["stars"] == 4


def test_an_open_conversation_cannot_be_rated_and_says_why(visitor):
    client = visitor(locale="es")
    say(client, "Hola")
    ack = rate(client, 5)
    assert error_code(ack) == "not_closed"
    assert ack["error"]["message"] == "Podrá valorar la conversación cuando esté cerrada."


def test_without_a_conversation_there_is_nothing_to_rate(visitor):
    assert error_code(rate(visitor(), 5)) == "not_found"


@pytest.mark.parametrize("payload", [{"stars": 0}, {"stars": "5"}, {"stars": 5, "comment": 7}, [], "5"])
def test_bad_ratings_are_refused(closed_chat, payload):
    client, _, _ = closed_chat
    ack = client.emit("rate", payload, namespace=CHAT, callback=True)
    assert error_code(ack) == "invalid"


def test_the_comment_is_redacted_before_operators_see_it(closed_chat):
    client, conversation_id, operator = closed_chat
    ack = rate(client, 2, "Mail me at jane.doe@example.com")
    assert "jane.doe" not in ack["rating"]["comment"] and ack["rating"]["redacted"] == ["email"]
    assert "jane.doe" not in str(received(operator, "conversation"))
