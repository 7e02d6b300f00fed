"""Sign-in limits against hostile bodies: nothing a client sends resets or bypasses them (in process)."""

import json
import logging

import pytest

from tests.test_anonymity import all_requests

ADDRESS = "198.51.100.7"
LIMITER_FELL_BACK = "falling back to in-memory storage"
FIVE_MEGABYTES = json.dumps({"username": "olga.k", "password": "x" * (5 * 1024 * 1024)}).encode()
HOSTILE_BODIES = {
    "too_large": {"data": FIVE_MEGABYTES, "content_type": "application/json"},
    "malformed_json": {"data": b'{"username": "olga.k", "password":', "content_type": "application/json"},
    "not_an_object": {"json": ["olga.k", "guess"]},
    "wrong_content_type": {"data": "username=olga.k&password=guess",
                           "content_type": "application/x-www-form-urlencoded"},
}


def sign_in(client, username, password, address=ADDRESS):
    return client.post("/api/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def post_hostile(client, kind, address=ADDRESS, path="/api/auth/token", method="POST"):
    return client.open(path, method=method, environ_base={"REMOTE_ADDR": address}, **HOSTILE_BODIES[kind])


@pytest.fixture
def olga(make_user):
    return make_user(username="olga.k")


@pytest.mark.parametrize("kind", HOSTILE_BODIES)
def test_a_hostile_body_neither_resets_nor_bypasses_an_exhausted_address_limit(app, olga, caplog, kind):
    client = app.test_client()
    assert [sign_in(client, "olga.k", f"guess-{n}").status_code for n in range(10)] == [401] * 10
    assert post_hostile(client, kind).status_code == 429
    assert [sign_in(client, "olga.k", f"more-{n}").status_code for n in range(3)] == [429] * 3
    assert LIMITER_FELL_BACK not in caplog.text


def test_large_bodies_between_guesses_from_many_addresses_let_no_more_guesses_through(app, olga, caplog):
    client = app.test_client()
    answers = []
    for n in range(60):
        if n % 5 == 0:
            post_hostile(client, "too_large", address="203.0.113.99")
        answers.append(sign_in(client, "olga.k", f"guess-{n}", address=f"198.51.100.{n % 12}").status_code)
    assert answers.count(401) == 10 and set(answers) == {401, 429}
    assert LIMITER_FELL_BACK not in caplog.text


@pytest.mark.parametrize("settings", [{"RATELIMIT_DEFAULT": "100000 per minute"}])
def test_no_body_on_any_route_makes_the_limiter_fall_back(app, caplog):
    caplog.set_level(logging.WARNING)
    client = app.test_client()
    sent = 0
    for method, url in all_requests(app):
        if method not in ("GET", "HEAD") and not url.startswith("/socket.io"):
            for kind in HOSTILE_BODIES:
                assert post_hostile(client, kind, path=url, method=method).status_code < 500, (method, url, kind)
                sent += 1
    assert sent >= 20
    assert LIMITER_FELL_BACK not in caplog.text
