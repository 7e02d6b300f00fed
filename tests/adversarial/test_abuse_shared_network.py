"""Many people behind one address: past the free budget they prove a little work, never get refused.

Visitors are Flask-SocketIO test clients, which all come from the same address; the tests solve
the server's ALTCHA challenges with the Python library, as the widget does in the browser.
"""

import base64
import json
import uuid
from datetime import timedelta

import pytest
from altcha import ChallengeV1, PayloadV1, create_challenge_v1, solve_challenge_v1
from sqlalchemy import func, select

from clipai import storage
from clipai.storage.schema import conversations

CHAT = "/chat"
EASY = {"CHAT_CHALLENGE_MAX_NUMBER": 2000}  # quick to solve in Python; the default is in config.py


def send(client, text="Hello, I need help", client_msg_id=None, **extra):
    payload = {"text": text, "client_msg_id": client_msg_id or uuid.uuid4().hex, **extra}
    return client.emit("message", payload, namespace=CHAT, callback=True)


def solve(challenge: dict) -> str:
    """The base64 payload the widget sends back: what ALTCHA's browser solver produces."""
    parsed = ChallengeV1(challenge["algorithm"], challenge["challenge"], challenge["maxNumber"],
                         challenge["salt"], challenge["signature"])
    solution = solve_challenge_v1(parsed)
    return PayloadV1(parsed.algorithm, parsed.challenge, solution.number, parsed.salt, parsed.signature).to_base64()


def conversation_count(app) -> int:
    with app.app_context(), storage.reading() as conn:
        return conn.execute(select(func.count()).select_from(conversations)).scalar_one()


def spend_budget(socket_client, count):
    for _ in range(count):
        assert send(socket_client(CHAT))["ok"]


def challenged(socket_client):
    """A visitor past the budget: (client, client_msg_id, the refusal's error)."""
    client, client_msg_id = socket_client(CHAT), uuid.uuid4().hex
    ack = send(client, client_msg_id=client_msg_id)
    assert ack["error"]["code"] == "challenge_required"
    return client, client_msg_id, ack["error"]


@pytest.mark.parametrize("settings", [EASY])
def test_fifty_visitors_behind_one_address_all_get_through(app, socket_client):
    outcomes = []
    for n in range(50):
        client, client_msg_id = socket_client(CHAT), f"visitor-{n}"
        ack = send(client, f"Question {n}", client_msg_id)
        first = "stored" if ack["ok"] else ack["error"]["code"]
        if not ack["ok"]:
            assert "quickly" not in ack["error"]["message"]
            ack = send(client, f"Question {n}", client_msg_id, altcha=solve(ack["error"]["challenge"]))
        assert ack["ok"] and ack["message"]["client_msg_id"] == client_msg_id and ack["conversation"]["token"]
        outcomes.append(first)
    assert outcomes == ["stored"] * 30 + ["challenge_required"] * 20  # the default budget is 30 an hour
    assert conversation_count(app) == 50


@pytest.mark.parametrize("settings", [{**EASY, "CHAT_NEW_CONVERSATION_LIMITS": "1/hour"}])
def test_a_solution_works_once(app, socket_client):
    spend_budget(socket_client, 1)
    client, client_msg_id, error = challenged(socket_client)
    solution = solve(error["challenge"])
    assert send(client, client_msg_id=client_msg_id, altcha=solution)["ok"]
    replay = send(socket_client(CHAT), altcha=solution)
    assert replay["error"]["code"] == "challenge_required" and replay["error"]["reason"] == "used"
    assert replay["error"]["challenge"]["signature"] != error["challenge"]["signature"]  # a fresh one to solve
    assert conversation_count(app) == 2


@pytest.mark.parametrize("settings", [{**EASY, "CHAT_NEW_CONVERSATION_LIMITS": "1/hour", "CHAT_CHALLENGE_SECONDS": 60}])
def test_a_solution_expires(app, socket_client, clock):
    spend_budget(socket_client, 1)
    client, client_msg_id, error = challenged(socket_client)
    solution = solve(error["challenge"])
    clock.now += timedelta(seconds=61)
    ack = send(client, client_msg_id=client_msg_id, altcha=solution)
    assert ack["error"]["code"] == "challenge_required" and ack["error"]["reason"] == "expired"
    assert conversation_count(app) == 1


def forged_payloads(challenge: dict) -> dict:
    """Solutions the server never signed or the browser never solved."""
    solved = json.loads(base64.b64decode(solve(challenge)))
    other_key = create_challenge_v1(algorithm="SHA-256", max_number=50, hmac_key=b"someone else's key", salt="",
                                    salt_length=12, number=None, expires=None, params=None)
    encode = lambda payload: base64.b64encode(json.dumps(payload).encode()).decode()  # noqa: E731
    return {
        "wrong number": encode({**solved, "number": solved["number"] + 1}),
        "other key": PayloadV1(other_key.algorithm, other_key.challenge, solve_challenge_v1(other_key).number,
                               other_key.salt, other_key.signature).to_base64(),
        "later expiry": encode({**solved, "salt": solved["salt"].replace("expires=", "expires=9")}),
        "weak algorithm": encode({**solved, "algorithm": "SHA-1"}),
        "not base64": "%%%",
        "not an object": encode([1, 2]),
    }


@pytest.mark.parametrize("settings", [{**EASY, "CHAT_NEW_CONVERSATION_LIMITS": "1/hour"}])
def test_forged_solutions_get_a_new_challenge(app, socket_client):
    spend_budget(socket_client, 1)
    client, client_msg_id, error = challenged(socket_client)
    for name, payload in forged_payloads(error["challenge"]).items():
        ack = send(client, client_msg_id=client_msg_id, altcha=payload)
        assert (name, ack["error"]["code"], ack["error"]["reason"]) == (name, "challenge_required", "invalid")
    assert conversation_count(app) == 1


@pytest.mark.parametrize("settings", [{**EASY, "CHAT_NEW_CONVERSATION_LIMITS": "1/hour"}])
@pytest.mark.parametrize("payload", [42, {"number": 1}, ["x"], "A" * 5000])
def test_a_solution_of_the_wrong_shape_is_invalid(app, socket_client, payload):
    spend_budget(socket_client, 1)
    ack = send(socket_client(CHAT), altcha=payload)
    assert ack["error"]["code"] == "invalid" and ack["error"]["message"]


@pytest.mark.parametrize("settings", [{**EASY, "CHAT_NEW_CONVERSATION_LIMITS": "1/hour"}])
def test_a_solution_is_not_needed_within_the_budget_nor_in_a_conversation(app, socket_client):
    client = socket_client(CHAT)
    assert send(client)["ok"]
    assert send(client)["ok"]  # the budget counts conversations, not messages
    _, _, error = challenged(socket_client)
    assert error["reason"] == "needed"


@pytest.mark.parametrize("settings", [{**EASY, "CHAT_NEW_CONVERSATION_LIMITS": "1/hour",
                                       "CHAT_CHALLENGED_CONVERSATION_LIMITS": "2/hour"}])
def test_past_the_ceiling_the_network_waits_without_being_told_it_is_too_quick(app, socket_client):
    spend_budget(socket_client, 1)
    for _ in range(2):
        client, client_msg_id, error = challenged(socket_client)
        assert send(client, client_msg_id=client_msg_id, altcha=solve(error["challenge"]))["ok"]
    client, client_msg_id, error = challenged(socket_client)
    ack = send(client, client_msg_id=client_msg_id, altcha=solve(error["challenge"]))
    assert ack["error"]["code"] == "rate_limited" and ack["error"]["scope"] == "network"
    assert ack["error"]["retry_after"] > 0 and "quickly" not in ack["error"]["message"]
    assert conversation_count(app) == 3


@pytest.mark.parametrize("settings", [{**EASY, "CHAT_NEW_CONVERSATION_LIMITS": "1/hour", "CHAT_EVENT_LIMITS": "5/minute"}])
def test_one_socket_starting_conversation_after_conversation_meets_the_socket_limit(app, socket_client):
    spend_budget(socket_client, 1)
    flooder, codes = socket_client(CHAT), []
    for _ in range(4):  # start, erase, start again: each try to start counts against the socket
        ack = send(flooder)
        if not ack["ok"] and ack["error"]["code"] == "challenge_required":
            ack = send(flooder, altcha=solve(ack["error"]["challenge"]))
        codes.append("ok" if ack["ok"] else ack["error"]["code"])
        flooder.emit("erase", {}, namespace=CHAT, callback=True)
    assert codes == ["ok", "ok", "rate_limited", "rate_limited"]


@pytest.mark.parametrize("settings", [{"CHAT_MESSAGE_LIMITS": "20/minute"}])
def test_one_socket_flooding_a_conversation_meets_the_message_limit(app, socket_client):
    flooder = socket_client(CHAT)
    acks = [send(flooder, f"flood {n}") for n in range(25)]
    assert [ack["ok"] for ack in acks] == [True] * 21 + [False] * 4
    assert {ack["error"]["code"] for ack in acks[21:]} == {"rate_limited"}


@pytest.mark.parametrize("settings", [{**EASY, "CHAT_NEW_CONVERSATION_LIMITS": "1/hour"}])
def test_the_challenge_message_is_localized(app, socket_client):
    spend_budget(socket_client, 1)
    ack = socket_client(CHAT, auth={"locale": "de"}).emit(
        "message", {"text": "Hallo", "client_msg_id": "de-1"}, namespace=CHAT, callback=True)
    assert ack["error"]["code"] == "challenge_required" and "Netzwerk" in ack["error"]["message"]
