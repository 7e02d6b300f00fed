"""A whole scripted session through a trusted proxy, then a byte scan of everything the server kept.

The real server runs as deployed for scale-out: Redis for the rate limits and the Socket.IO message
queue. Every request carries a unique address and user-agent canary; every message carries PII.
Afterwards the SQLite file and its WAL, every Redis key and value under the test's prefix, and the
server log must hold none of them, while harmless look-alikes (dates, prices, order numbers,
versions) survive. After a purge the conversation text is gone from the database bytes.
"""

import os
import random
import secrets
from datetime import UTC, datetime, timedelta

import pytest
import requests

from clipai import create_app, storage

pytestmark = [pytest.mark.server, pytest.mark.redis]

REDIS_URL = "redis://127.0.0.1:6379/0"


def luhn_card(prefix: str = "4") -> str:
    """A random 16-digit number that passes the Luhn check, like a real card number."""
    digits = prefix + "".join(random.choice("0123456789") for _ in range(14))
    total = 0
    for index, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


@pytest.fixture
def redis_prefix():
    """A unique key prefix in the local Redis; every key under it is deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"clipai-canary-{secrets.token_hex(6)}"
    yield client, prefix
    for key in list(client.scan_iter(match=f"*{prefix}*", count=1000)):
        client.delete(key)
    client.close()


def redis_bytes(client, prefix) -> tuple[list, bytes]:
    """Every key under ``prefix`` and the bytes of every key and value."""
    keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
    chunks = []
    for key in keys:
        chunks.append(key)
        kind = client.type(key)
        if kind == b"string":
            chunks.append(client.get(key) or b"")
        elif kind == b"list":
            chunks += client.lrange(key, 0, -1)
        elif kind == b"zset":
            chunks += [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
        elif kind == b"hash":
            chunks += [item for pair in client.hgetall(key).items() for item in pair]
        elif kind == b"set":
            chunks += list(client.smembers(key))
    return keys, b"\n".join(chunks)


def test_nothing_identifying_survives_a_whole_session(start_server, database_url, live, redis_prefix):
    redis_client, prefix = redis_prefix
    marker = secrets.token_hex(4)
    address = f"198.51.{random.randint(1, 254)}.{random.randint(1, 254)}"
    agent = f"CanaryBrowser/9.{random.randint(1, 99)} (privacy-scan-{marker})"
    canary_headers = {"X-Forwarded-For": f"10.9.8.7, {address}", "User-Agent": agent}
    pii = {"email": f"jane.canary.{marker}@example.org", "phone": f"+49 30 1234{random.randint(0, 9999):04d}",
           "card": luhn_card(), "iban": "DE89 3704 0044 0532 0130 00"}
    controls = {"date": "2024-03-15", "price": "$1,299.99", "order": f"order #A-{random.randint(10000, 99999)}",
                "version": "v2.14.3"}
    question = f"My export fails, question {marker}"
    erased_text = f"please forget this {marker}"
    server = start_server(settings={"TRUSTED_PROXIES": 1, "RATELIMIT_STORAGE_URI": REDIS_URL,
                                    "MESSAGE_QUEUE": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix})
    password, _ = live.create_account(database_url, f"maria.{marker}", roles=("operator", "maintainer"),
                                      alias="Maria")

    def get(path):
        return requests.get(server.url + path, headers=canary_headers, timeout=10)

    # An operator signs in, publishes the policy; a stranger guesses a password.
    signed_in = requests.post(server.url + "/api/auth/token", json={"username": f"maria.{marker}",
                              "password": password}, headers=canary_headers, timeout=10).json()
    bearer = {"Authorization": f"Bearer {signed_in['token']}", **canary_headers}
    published = requests.post(server.url + "/api/policy/versions", headers=bearer, timeout=10, json={
        "texts": {"en": "# Privacy\n\nWe keep nothing about you."}, "summary": "First version"})
    assert published.status_code == 201
    wrong = requests.post(server.url + "/api/auth/token", json={"username": f"typo-{marker}", "password": "x"},
                          headers=canary_headers, timeout=10)
    assert wrong.status_code == 401
    for path in ("/", "/privacy", "/ru/privacy", "/privacy/versions", "/privacy/versions/1", "/privacy/feed.atom",
                 "/api/policy/current", "/api/policy/versions", "/console", "/healthz", "/static/site.css",
                 "/no-such-page"):
        assert get(path).status_code in (200, 404)

    # A visitor chats with PII over polling, resumes over WebSocket; the operator answers.
    operator = live.Peer(server.url, "/console", auth={"token": signed_in["token"]}, headers=canary_headers)
    visitor = live.Peer(server.url, "/chat", transports=["polling"], headers=canary_headers)
    first = visitor.say(question)
    conversation = first["conversation"]
    details = visitor.say(f"Reach me at {pii['email']} or {pii['phone']}, card {pii['card']}, IBAN {pii['iban']}.")
    assert set(details["message"]["redacted"]) == {"email", "phone", "card", "iban"}
    looks_like = visitor.say(f"On {controls['date']} I paid {controls['price']} for {controls['order']} "
                             f"of ClipAI {controls['version']}.")
    assert looks_like["message"]["redacted"] == []
    visitor.close()
    back = live.Peer(server.url, "/chat", auth={"token": conversation["token"], "last_seen": first["message"]["id"]},
                     headers=canary_headers)
    assert operator.say("Thanks, we are on it.", conversation_id=conversation["id"])["ok"]
    back.next_event("message")
    back.close()

    # Another visitor changes their mind and erases the conversation at once.
    regretful = live.Peer(server.url, "/chat", headers=canary_headers)
    assert regretful.say(erased_text)["ok"] and regretful.call("erase")["ok"]
    regretful.close()
    operator.close()
    assert requests.delete(server.url + "/api/auth/token", headers=bearer, timeout=10).status_code == 204
    keys, stored_in_redis = redis_bytes(redis_client, prefix)
    server.kill()  # no clean shutdown: the WAL stays as it was
    database = live.database_bytes(database_url)
    log = server.log()

    assert keys, "the limits were not kept in Redis"
    assert "/privacy" in log and "/socket.io/" in log  # requests were logged, just not who sent them
    for canary in (address, agent):
        hits = {"database": canary.encode() in database, "redis": canary.encode() in stored_in_redis,
                "log": canary in log}
        assert hits == {"database": False, "redis": False, "log": False}, canary
    for typed_username in (f"typo-{marker}", f"maria.{marker}"):  # a mistyped password can land there
        assert typed_username.encode() not in stored_in_redis and typed_username not in log
    for kind, value in pii.items():
        compact = "".join(value.split())
        assert value.encode() not in database and compact.encode() not in database, kind
    for kind, value in controls.items():
        assert value.encode() in database, kind
    assert question.encode() in database  # the conversation itself is kept until its erase date
    assert erased_text.encode() not in database

    # The retention purge, run by the command with a clock past the erase date, leaves no text behind.
    later = datetime.now(UTC) + timedelta(days=400)
    app = create_app({"DATABASE_URL": database_url, "ASYNC_MODE": "threading", "SECRET_KEY": "x",
                      "CLOCK": lambda: later})
    result = app.test_cli_runner().invoke(args=["chat", "purge"])
    storage.dispose(app)
    assert "Erased 1 conversation(s)." in result.output
    database = live.database_bytes(database_url)
    for text in (question, *controls.values(), "Thanks, we are on it."):
        assert text.encode() not in database, text
    assert live.integrity(database_url) == "ok"
