"""Collision notice: operators hear which colleagues view or type in the same conversation."""

import uuid

import pytest

CONSOLE = "/console"
CHAT = "/chat"


@pytest.fixture
def console(socket_client, make_token):
    """Connect a console for a new operator with ``alias``; return ``(client, user)``."""

    def connect(alias):
        user, token = make_token(alias=alias, username=alias.lower())
        client = socket_client(CONSOLE, auth={"token": token})
        client.get_received(CONSOLE)
        return client, user

    return connect


@pytest.fixture
def conversation_id(visitor):
    client = visitor()
    ack = client.emit("message", {"text": "Hello", "client_msg_id": uuid.uuid4().hex}, namespace=CHAT, callback=True)
    return ack["conversation"]["id"]


def call(client, event, payload):
    return client.emit(event, payload, namespace=CONSOLE, callback=True)


def colleagues(client):
    return [event["args"][0] for event in client.get_received(CONSOLE) if event["name"] == "colleague"]


def test_viewing_is_announced_to_other_operators_by_alias_only(console, conversation_id):
    (anna, _), (ben, ben_user) = console("Anna"), console("Ben")
    assert call(ben, "viewing", {"conversation_id": conversation_id}) == {"ok": True}
    [heard] = colleagues(anna)
    assert heard["conversation_id"] == conversation_id and heard["viewing"] is True and heard["typing"] is False
    assert heard["operator"] == {"id": ben_user.id, "alias": "Ben"}
    assert heard["ask"] is True and len(heard["key"]) == 16
    assert "ben" not in str(heard).replace("Ben", "")
    assert colleagues(ben) == []  # not echoed to the one who views


def test_an_answer_to_an_ask_does_not_ask_again(console, conversation_id):
    (anna, _), (ben, _) = console("Anna"), console("Ben")
    call(anna, "viewing", {"conversation_id": conversation_id})
    colleagues(ben)
    call(ben, "viewing", {"conversation_id": conversation_id})
    colleagues(anna)
    call(anna, "viewing", {"conversation_id": conversation_id, "again": True})
    [answer] = colleagues(ben)
    assert answer["operator"]["alias"] == "Anna" and answer["viewing"] is True and answer["ask"] is False


def test_typing_is_announced_to_colleagues(console, conversation_id):
    (anna, _), (ben, _) = console("Anna"), console("Ben")
    call(ben, "viewing", {"conversation_id": conversation_id})
    colleagues(anna)
    call(ben, "typing", {"conversation_id": conversation_id, "active": True})
    [typing] = colleagues(anna)
    assert typing["typing"] is True and typing["viewing"] is True
    call(ben, "typing", {"conversation_id": conversation_id, "active": False})
    assert colleagues(anna)[0]["typing"] is False


def test_leaving_and_disconnecting_clear_the_notice(console, conversation_id, visitor):
    (anna, _), (ben, _), (cleo, _) = console("Anna"), console("Ben"), console("Cleo")
    call(ben, "viewing", {"conversation_id": conversation_id})
    call(cleo, "viewing", {"conversation_id": conversation_id})
    colleagues(anna)
    call(ben, "viewing", {"conversation_id": None})
    [left] = colleagues(anna)
    assert left["operator"]["alias"] == "Ben" and left["viewing"] is False
    cleo.disconnect(namespace=CONSOLE)
    [gone] = colleagues(anna)
    assert gone["operator"]["alias"] == "Cleo" and gone["viewing"] is False


def test_switching_conversations_leaves_the_first(console, conversation_id, visitor):
    other = visitor().emit("message", {"text": "Hi", "client_msg_id": uuid.uuid4().hex}, namespace=CHAT,
                           callback=True)["conversation"]["id"]
    (anna, _), (ben, _) = console("Anna"), console("Ben")
    call(ben, "viewing", {"conversation_id": conversation_id})
    colleagues(anna)
    call(ben, "viewing", {"conversation_id": other})
    left, joined = colleagues(anna)
    assert (left["conversation_id"], left["viewing"]) == (conversation_id, False)
    assert (joined["conversation_id"], joined["viewing"]) == (other, True)


@pytest.mark.parametrize("payload, code", [
    ({"conversation_id": "1"}, "invalid"),
    ({"conversation_id": 999}, "not_found"),
])
def test_viewing_checks_the_conversation(console, conversation_id, payload, code):
    (anna, _), (ben, _) = console("Anna"), console("Ben")
    ack = call(ben, "viewing", payload)
    assert ack["ok"] is False and ack["error"]["code"] == code and ack["error"]["message"]
    assert colleagues(anna) == []


def test_viewing_needs_a_signed_in_operator(socket_client, conversation_id):
    stranger = socket_client(CONSOLE, auth={"token": "nonsense"})
    assert not stranger.is_connected(CONSOLE)


@pytest.mark.parametrize("settings", [{"CONSOLE_EVENT_LIMITS": "2 per minute"}])
def test_viewing_counts_against_the_action_limit(console, conversation_id):
    ben, _ = console("Ben")
    for _ in range(2):
        assert call(ben, "viewing", {"conversation_id": None})["ok"]
    assert call(ben, "viewing", {"conversation_id": None})["error"]["code"] == "rate_limited"


@pytest.mark.parametrize("settings", [{"TOKEN_LIFETIME_HOURS": 24 * 500}])
def test_an_erased_conversation_says_why_and_is_forgotten_by_the_watch(app, console, conversation_id, clock):
    from datetime import timedelta

    from clipai.services import retention

    (anna, _), (ben, _) = console("Anna"), console("Ben")
    call(ben, "viewing", {"conversation_id": conversation_id})
    anna.get_received(CONSOLE)
    clock.now += timedelta(days=400)
    with app.app_context():
        assert retention.purge_expired() == 1
    erased = [event["args"][0] for event in anna.get_received(CONSOLE) if event["name"] == "conversation"]
    assert erased == [{"id": conversation_id, "status": "erased", "reason": "retention"}]
    from blueprints.console.relays import relays

    namespace = relays.state(app)
    assert all(viewing.conversation_id != conversation_id for viewing in namespace.collision.viewing.values())
