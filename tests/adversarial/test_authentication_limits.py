"""Sign-in limits: no body resets or bypasses them, guessing is bounded, nobody can lock the owner out."""

import json
import logging

import pytest

from tests.test_anonymity import all_requests

ADDRESS = "198.51.100.7"
LIMITER_FELL_BACK = "falling back to in-memory storage"  # Flask-Limiter's warning
EVENT_LIMITS_FELL_BACK = "limiting in memory"  # clipai.ratelimit's, which counts the per-username limit
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
    assert LIMITER_FELL_BACK not in caplog.text and EVENT_LIMITS_FELL_BACK not in caplog.text


def test_large_bodies_between_guesses_from_many_addresses_let_no_more_guesses_through(app, olga, caplog):
    client = app.test_client()
    answers = []
    for n in range(60):
        if n % 5 == 0:
            post_hostile(client, "too_large", address="203.0.113.99")
        answers.append(sign_in(client, "olga.k", f"guess-{n}", address=f"198.51.100.{n % 12}").status_code)
    # 10 for the username, then 2 from the addresses that had not failed on it yet
    assert answers.count(401) == 12 and set(answers) == {401, 429}
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


# --- guessing from many addresses, and the owner signing in meanwhile -------------------------------


def spray(client, guesses, addresses, start=0):
    """Guess passwords for olga.k from ``addresses`` in turn; return the answers' status codes."""
    return [sign_in(client, "olga.k", f"guess-{start + n}", address=addresses[n % len(addresses)]).status_code
            for n in range(guesses)]


TWELVE = [f"198.51.100.{n}" for n in range(12)]


def test_guesses_sprayed_from_twelve_addresses_are_bounded(app, olga):
    answers = spray(app.test_client(), 60, TWELVE)
    assert answers.count(401) == 12  # 10 on the username, then 1 from each address that had not failed
    assert set(answers[12:]) == {429}


def test_guesses_from_a_new_address_each_time_stop_at_the_configured_bound(app, olga):
    answers = spray(app.test_client(), 100, [f"10.0.{n // 250}.{n % 250}" for n in range(100)])
    assert answers.count(401) == 10 + 20  # LOGIN_USERNAME_LIMITS per minute + LOGIN_LOCKED_USERNAME_LIMITS
    assert set(answers[30:]) == {429}


def test_the_owner_signs_in_from_their_own_address_while_twelve_addresses_spray_guesses(app, olga):
    _, password = olga
    client = app.test_client()
    assert set(spray(client, 60, TWELVE)[12:]) == {429}
    owner = sign_in(client, "olga.k", password, address="192.0.2.10")
    assert owner.status_code == 200 and owner.json["token"]
    assert set(spray(client, 24, TWELVE, start=60)) == {429}  # the attack goes on, still refused
    assert sign_in(client, "olga.k", password, address="192.0.2.10").status_code == 200


def test_an_address_that_failed_on_a_locked_username_is_refused_even_with_the_right_password(app, olga):
    _, password = olga
    client = app.test_client()
    spray(client, 24, TWELVE)
    refused = sign_in(client, "olga.k", password, address=TWELVE[0])
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0  # no oracle
    spray(client, 10, ["203.0.113.5"])
    by_address = sign_in(client, "nina.m", "guess", address="203.0.113.5")  # Flask-Limiter's refusal
    assert by_address.status_code == 429 and by_address.get_data() == refused.get_data()


@pytest.mark.parametrize("settings", [{"LOGIN_LOCKED_USERNAME_LIMITS": "3 per hour"}])
def test_a_locked_username_refuses_every_address_once_its_spare_attempts_are_spent(app, olga):
    _, password = olga
    client = app.test_client()
    answers = spray(client, 20, [f"10.0.0.{n}" for n in range(20)])
    assert answers.count(401) == 13
    assert sign_in(client, "olga.k", password, address="192.0.2.10").status_code == 429
