"""Redis down at start, then back: the site serves throughout and nothing is lost or duplicated."""

import time

import pytest
import requests

pytestmark = [pytest.mark.server, pytest.mark.redis, pytest.mark.postgres]


def health(server) -> tuple[int, dict]:
    response = requests.get(server.url + "/healthz", timeout=10)
    return response.status_code, response.json()


@pytest.fixture
def start_site(live_server, postgres_url, own_redis, key_prefix, kit):
    """Start processes A and B against a Redis that is not running yet."""

    def start(async_mode="eventlet"):
        settings = kit.settings(key_prefix, own_redis.url, LOGIN_LIMITS="3 per minute")
        return [live_server(async_mode=async_mode, settings=settings, database_url=postgres_url) for _ in range(2)]

    return start


def test_with_redis_down_the_site_starts_and_reports_degraded(start_site):
    first, _ = start_site()
    assert health(first) == (200, {"status": "degraded", "database": "up", "message_queue": "down",
                                   "rate_limit_storage": "down"})


def test_with_redis_down_chat_works_within_a_process(start_site, postgres_url, peers, kit):
    first, _ = start_site()
    operator = peers(first.url, "/console", auth={"token": kit.operator_token(postgres_url)})
    visitor = peers(first.url, "/chat")
    assert visitor.next_event("status")[0]["operators_online"] == 1
    asked = kit.say(visitor, "Is anyone there?")
    assert operator.next_matching("message", lambda message: message["id"] == asked["message"]["id"])
    answered = kit.reply(operator, asked["conversation"]["id"], "Yes, here.")
    assert visitor.next_event("message")[0]["id"] == answered["message"]["id"]


def test_with_redis_down_each_process_limits_in_memory(start_site):
    first, second = start_site()
    attempt = {"username": "nobody", "password": "wrong password"}
    on_first = [requests.post(first.url + "/api/auth/token", json=attempt, timeout=10).status_code for _ in range(4)]
    on_second = requests.post(second.url + "/api/auth/token", json=attempt, timeout=10).status_code
    assert on_first == [401, 401, 401, 429]
    assert on_second == 401  # the memory fallback counts per process


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_when_redis_returns_delivery_resumes_and_clients_resync_once(start_site, own_redis, postgres_url, peers,
                                                                     kit, async_mode):
    first, second = start_site(async_mode)
    token = kit.operator_token(postgres_url)
    visitor = peers(first.url, "/chat")
    operator = peers(second.url, "/console", auth={"token": token})

    # Redis is down: both messages are stored, neither crosses to the other process.
    asked = kit.say(visitor, "asked while Redis was down")
    conversation = asked["conversation"]
    answered = kit.reply(operator, conversation["id"], "answered while Redis was down")
    assert answered["ok"]

    redis_back_at = time.monotonic()
    own_redis.start()
    for server in (first, second):
        assert kit.eventually(lambda server=server: health(server) == (200, {"status": "ok"})), health(server)
    # Each process closes the connections that may have missed events; clients come back and resync.
    visitor.next_event("__disconnect__")
    operator.next_event("__disconnect__")
    print(f"\n{async_mode}: Redis started -> both clients asked to resync in {time.monotonic() - redis_back_at:.2f}s")
    visitor = peers(first.url, "/chat", auth={"token": conversation["token"], "last_seen": asked["message"]["id"]})
    _, before_status = visitor.next_event("status")
    assert [payload["id"] for event, payload in before_status if event == "message"] == [answered["message"]["id"]]
    assert visitor.call("history", {"after": answered["message"]["id"]})["messages"] == []
    operator = peers(second.url, "/console", auth={"token": token})
    resynced = operator.call("history", {"conversation_id": conversation["id"], "after": 0})["messages"]
    assert [message["id"] for message in resynced] == [asked["message"]["id"], answered["message"]["id"]]

    # Live delivery across processes works again, both ways, and presence crosses again.
    assert visitor.next_matching("status", lambda status: status["operators_online"] == 1)
    again = kit.say(visitor, "and now?")
    assert operator.next_matching("message", lambda message: message["id"] == again["message"]["id"])
    live = kit.reply(operator, conversation["id"], "live again")
    assert visitor.next_matching("message", lambda message: message["id"] == live["message"]["id"])

    texts = [message["text"] for message in visitor.call("history", {"after": 0})["messages"]]
    assert texts == ["asked while Redis was down", "answered while Redis was down", "and now?", "live again"]
