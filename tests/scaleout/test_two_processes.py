"""Two processes serve one site through Redis and PostgreSQL, in each async mode."""

import pytest
import requests

pytestmark = [pytest.mark.server, pytest.mark.redis, pytest.mark.postgres]

ASYNC_MODES = ["eventlet", "gevent"]


@pytest.fixture(params=ASYNC_MODES)
def site(request, live_server, postgres_url, shared_redis, key_prefix, kit):
    """Processes A and B on two loopback ports, one database, one Redis prefix and channel."""
    settings = kit.settings(key_prefix, shared_redis, LOGIN_LIMITS="3 per minute")
    first = live_server(async_mode=request.param, settings=settings, database_url=postgres_url)
    second = live_server(async_mode=request.param, settings=settings, database_url=postgres_url)
    return first, second


def test_visitor_and_operator_on_different_processes_talk_live(site, postgres_url, peers, kit):
    first, second = site
    visitor = peers(first.url, "/chat")
    assert visitor.next_event("status")[0]["operators_online"] == 0
    operator = peers(second.url, "/console", auth={"token": kit.operator_token(postgres_url)})
    # Presence crosses processes: the operator signed in on B, the visitor on A is told.
    assert visitor.next_event("status")[0]["operators_online"] == 1

    asked = kit.say(visitor, "Hello from process A")
    assert asked["ok"]
    delivered = operator.next_matching("message", lambda message: message["id"] == asked["message"]["id"])
    assert delivered["text"] == "Hello from process A"

    answered = kit.reply(operator, asked["conversation"]["id"], "Hello from process B")
    assert answered["ok"]
    received, _ = visitor.next_event("message")
    assert (received["id"], received["text"], received["alias"]) == (answered["message"]["id"],
                                                                       "Hello from process B", "Olga")


def test_a_visitor_connecting_later_counts_operators_of_the_other_process(site, postgres_url, peers, kit):
    first, second = site
    peers(second.url, "/console", auth={"token": kit.operator_token(postgres_url)})
    visitor = peers(first.url, "/chat")
    assert visitor.next_event("status")[0]["operators_online"] == 1


def test_operator_leaving_one_process_is_seen_on_the_other(site, postgres_url, peers, kit):
    first, second = site
    operator = peers(second.url, "/console", auth={"token": kit.operator_token(postgres_url)})
    visitor = peers(first.url, "/chat")
    assert visitor.next_event("status")[0]["operators_online"] == 1
    operator.close()
    assert visitor.next_event("status")[0]["operators_online"] == 0


def test_login_limit_is_shared_by_both_processes(site):
    first, second = site
    attempt = {"username": "nobody", "password": "wrong password"}
    answers = [requests.post(server.url + "/api/auth/token", json=attempt, timeout=10).status_code
               for server in (first, second, first, second)]
    assert answers == [401, 401, 401, 429]  # "3 per minute", counted across A and B


def test_health_is_ok_with_redis_and_postgresql(site):
    for server in site:
        assert requests.get(server.url + "/healthz", timeout=10).json() == {"status": "ok"}


def test_signing_out_on_one_process_cuts_the_accounts_console_on_the_other(site, postgres_url, peers, kit):
    first, second = site
    token = kit.operator_token(postgres_url)
    operator = peers(second.url, "/console", auth={"token": token})
    visitor = peers(second.url, "/chat")
    signed_out = requests.delete(first.url + "/api/auth/token", headers={"Authorization": f"Bearer {token}"},
                                 timeout=10)
    assert signed_out.status_code in (200, 204)
    operator.next_event("__disconnect__", timeout=2.0)  # the documented bound
    asked = kit.say(visitor, "Anyone there?")
    assert asked["ok"]
    assert asked["message"]["id"] not in [payload["id"] for event, payload in operator.drain() if event == "message"]
