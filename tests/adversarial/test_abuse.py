"""Rate limits against people who try to get around them: forwarding headers, IPv6 rotation, spam."""

import pytest
from sqlalchemy import func, select

from clipai import storage
from clipai.storage.schema import conversations

CHAT = "/chat"


def sign_in(client, username, address="192.0.2.1", forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/api/auth/token", json={"username": username, "password": "wrong"}, headers=headers,
                       environ_base={"REMOTE_ADDR": address}).status_code


def answers_from(client, addresses, forwarded=None):
    """Sign-in answers for one attempt per address, each with a different username (so only the
    per-address limit can apply)."""
    return [sign_in(client, f"user{n}", address=address, forwarded=forwarded(n) if forwarded else None)
            for n, address in enumerate(addresses)]


def conversation_count(app) -> int:
    with app.app_context(), storage.reading() as conn:
        return conn.execute(select(func.count()).select_from(conversations)).scalar_one()


# --- forwarding headers --------------------------------------------------------------------------


def test_without_trusted_proxies_x_forwarded_for_does_not_change_the_key(client):
    answers = answers_from(client, ["192.0.2.1"] * 12, forwarded=lambda n: f"203.0.113.{n}")
    assert answers == [401] * 10 + [429] * 2


@pytest.mark.parametrize("settings", [{"TRUSTED_PROXIES": 1}])
def test_behind_one_proxy_only_the_address_it_appended_counts(client):
    answers = answers_from(client, ["10.0.0.1"] * 12, forwarded=lambda n: f"203.0.113.{n}, 198.51.100.7")
    assert answers == [401] * 10 + [429] * 2


@pytest.mark.parametrize("settings", [{"TRUSTED_PROXIES": 2}])
def test_behind_two_proxies_a_header_too_short_to_be_real_falls_back_to_the_peer(client):
    answers = answers_from(client, ["10.0.0.1"] * 12, forwarded=lambda n: f"203.0.113.{n}")
    assert answers == [401] * 10 + [429] * 2


@pytest.mark.parametrize("settings", [{"CHAT_CONNECT_LIMITS": "5/minute"}])
def test_socket_connections_are_limited_whatever_x_forwarded_for_says(socket_client):
    connected = [socket_client(CHAT, headers={"X-Forwarded-For": f"203.0.113.{n}"}).is_connected(CHAT)
                 for n in range(8)]
    assert connected == [True] * 5 + [False] * 3


@pytest.mark.parametrize("settings", [{"CHAT_NEW_CONVERSATION_LIMITS": "3/hour"}])
def test_new_conversations_are_limited_whatever_x_forwarded_for_says(app, socket_client):
    acks = [socket_client(CHAT, headers={"X-Forwarded-For": f"203.0.113.{n}"}).emit(
        "message", {"text": "spam", "client_msg_id": f"s-{n}"}, namespace=CHAT, callback=True) for n in range(6)]
    assert [ack["ok"] for ack in acks] == [True] * 3 + [False] * 3
    assert {ack["error"]["code"] for ack in acks[3:]} == {"challenge_required"}  # proof of work, not a pass
    assert conversation_count(app) == 3


# --- IPv6 ----------------------------------------------------------------------------------------


def test_rotating_addresses_inside_one_ipv6_64_is_one_client(client):
    inside = [f"2001:db8:1:2:{n:x}:{n * 7:x}::{n + 1:x}" for n in range(12)]
    assert answers_from(client, inside) == [401] * 10 + [429] * 2
    assert sign_in(client, "someone", address="2001:db8:1:3::1") == 401  # the next /64 is someone else


def test_spellings_of_one_ipv6_address_are_one_client(client):
    spellings = ["2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:DB8::1", "2001:db8:0:0::1",
                 "2001:db8::1%eth0", "2001:db8::1%2", "2001:db8::ffff:1", "2001:db8::2", "2001:db8::3",
                 "2001:db8::4", "2001:db8::5", "2001:db8::6"]
    assert answers_from(client, spellings) == [401] * 10 + [429] * 2


def test_ipv4_mapped_ipv6_is_the_same_client_as_ipv4(client):
    mixed = ["192.0.2.50", "::ffff:192.0.2.50", "::ffff:c000:232"] * 4
    assert answers_from(client, mixed) == [401] * 10 + [429] * 2


@pytest.mark.parametrize("settings", [{"TRUSTED_PROXIES": 1}])
def test_ipv6_rotation_behind_a_proxy_is_one_client(client):
    answers = answers_from(client, ["10.0.0.1"] * 12, forwarded=lambda n: f"2001:db8:aa:bb::{n + 1:x}")
    assert answers == [401] * 10 + [429] * 2


@pytest.mark.parametrize("settings", [{"CHAT_CONNECT_LIMITS": "5/minute", "TRUSTED_PROXIES": 1}])
def test_ipv6_rotation_does_not_get_around_the_socket_limit(socket_client):
    connected = [socket_client(CHAT, headers={"X-Forwarded-For": f"2001:db8:5:0:{n:x}::{n + 1:x}"}).is_connected(CHAT)
                 for n in range(8)]
    assert connected == [True] * 5 + [False] * 3
    assert socket_client(CHAT, headers={"X-Forwarded-For": "2001:db8:5:1::1"}).is_connected(CHAT)


# --- conversation spam ---------------------------------------------------------------------------


@pytest.mark.parametrize("settings", [{"CHAT_NEW_CONVERSATION_LIMITS": "10/hour"}])
def test_conversation_spam_from_one_address_needs_proof_of_work_past_the_budget(app, socket_client):
    acks = [socket_client(CHAT).emit("message", {"text": f"buy now {n}", "client_msg_id": f"spam-{n}"},
                                     namespace=CHAT, callback=True) for n in range(13)]
    assert [ack["ok"] for ack in acks] == [True] * 10 + [False] * 3
    assert {ack["error"]["code"] for ack in acks[10:]} == {"challenge_required"}
    assert conversation_count(app) == 10


@pytest.mark.parametrize("settings", [{"CHAT_MESSAGE_LIMITS": "20/minute"}])
def test_message_flood_in_one_conversation_stops_at_the_limit_and_others_still_talk(app, socket_client):
    flooder, other = socket_client(CHAT), socket_client(CHAT)
    acks = [flooder.emit("message", {"text": f"flood {n}", "client_msg_id": f"f-{n}"}, namespace=CHAT,
                         callback=True) for n in range(40)]
    assert [ack["ok"] for ack in acks] == [True] * 21 + [False] * 19  # the first one started the conversation
    assert other.emit("message", {"text": "Hello", "client_msg_id": "o-1"}, namespace=CHAT, callback=True)["ok"]


@pytest.mark.parametrize("settings", [{"TRUSTED_PROXIES": 1, "CHAT_CONNECT_LIMITS": "1000/minute"}])
def test_guessing_resume_codes_from_one_ipv6_64_is_limited_even_for_the_right_code(socket_client):
    owner = socket_client(CHAT, headers={"X-Forwarded-For": "192.0.2.7"})
    code = owner.emit("message", {"text": "Hello", "client_msg_id": "c-1"}, namespace=CHAT,
                      callback=True)["conversation"]["resume_code"]
    guesses = [socket_client(CHAT, headers={"X-Forwarded-For": f"2001:db8:77:1:{n:x}::1"},
                             auth={"token": f"ABCD-EFGH-{n:02d}".replace("0", "A").replace("1", "B")})
               for n in range(10)]
    assert not any(guess.is_connected(CHAT) for guess in guesses)
    right_code = socket_client(CHAT, headers={"X-Forwarded-For": "2001:db8:77:1:ffff::9"}, auth={"token": code})
    assert not right_code.is_connected(CHAT)  # the /64 used up its guesses
    elsewhere = socket_client(CHAT, headers={"X-Forwarded-For": "2001:db8:77:2::9"}, auth={"token": code})
    assert elsewhere.is_connected(CHAT)
