"""Presence across processes, through Redis: two apps in this test stand for two processes."""

from types import SimpleNamespace

import pytest
import redis

from clipai import create_app, signals, storage
from clipai.services import presence

pytestmark = pytest.mark.redis


@pytest.fixture
def make_process(tmp_path, key_prefix):
    """An app as one server process would build it, sharing Redis and the key prefix."""
    apps = []

    def make(message_queue):
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "ASYNC_MODE": "threading",
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'presence.sqlite3'}",
                          "MESSAGE_QUEUE": message_queue, "RATELIMIT_KEY_PREFIX": key_prefix})
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            presence.withdraw()
        storage.dispose(app)


@pytest.fixture
def announcements():
    """Every presence change announced, as ``(app, operators_online, previous_online)``."""
    seen = []

    def record(app, operators_online, previous_online, **_extra):
        seen.append((app, operators_online, previous_online))

    signals.presence_changed.connect(record)
    yield seen
    signals.presence_changed.disconnect(record)


OLGA = SimpleNamespace(id=1, alias="Olga")
IVAN = SimpleNamespace(id=2, alias="Ivan")


def test_an_operator_online_in_one_process_counts_in_the_other(make_process, shared_redis):
    first, second = make_process(shared_redis), make_process(shared_redis)
    with second.app_context():
        presence.set_status("sid-b", OLGA, "online")
    with first.app_context():
        assert presence.operators_online() == 1
        assert presence.operators() == [{"id": 1, "alias": "Olga", "status": "online"}]


def test_an_operator_with_sockets_in_two_processes_counts_once(make_process, shared_redis):
    first, second = make_process(shared_redis), make_process(shared_redis)
    with first.app_context():
        presence.set_status("sid-a", OLGA, "away")
    with second.app_context():
        presence.set_status("sid-b", OLGA, "online")
        presence.set_status("sid-c", IVAN, "away")
    with first.app_context():
        assert presence.operators() == [{"id": 2, "alias": "Ivan", "status": "away"},
                                        {"id": 1, "alias": "Olga", "status": "online"}]
        assert presence.operators_online() == 1


def test_a_process_that_stops_beating_is_removed_and_announced_once(make_process, shared_redis, key_prefix,
                                                                   announcements):
    first, second, third = make_process(shared_redis), make_process(shared_redis), make_process(shared_redis)
    with second.app_context():
        presence.set_status("sid-b", OLGA, "online")
        stopped = presence.presence_of(second).shared.process
    # Process B crashed: its registration runs out (set here instead of waiting for the expiry).
    redis.Redis.from_url(shared_redis).zadd(f"{key_prefix}:presence:processes", {stopped: 1})
    announcements.clear()
    with first.app_context():
        assert presence.operators_online() == 0
        assert presence.beat() is True
    with third.app_context():
        assert presence.beat() is False  # A removed B already: only one process announces it
    assert announcements == [(first, 0, 1)]


def test_with_redis_down_presence_is_counted_in_this_process(make_process, announcements):
    closed_port = "redis://127.0.0.1:1/0"
    app = make_process(closed_port)
    with app.app_context():
        assert presence.set_status("sid-a", OLGA, "online") is True
        assert presence.operators_online() == 1
        assert presence.drop("sid-a") is True
    assert [(online, previous) for _, online, previous in announcements] == [(1, 0), (0, 1)]


def test_without_a_message_queue_presence_stays_in_this_process(make_process):
    first, second = make_process(None), make_process(None)
    with second.app_context():
        presence.set_status("sid-b", OLGA, "online")
    with first.app_context():
        assert presence.operators_online() == 0


def test_after_redis_lost_its_data_a_process_announces_its_operators_again(make_process, shared_redis, key_prefix,
                                                                           announcements):
    first, second = make_process(shared_redis), make_process(shared_redis)
    with second.app_context():
        presence.set_status("sid-b", OLGA, "online")
    client = redis.Redis.from_url(shared_redis)
    client.delete(*client.keys(f"{key_prefix}:presence:*"))  # what a Redis restart without persistence does
    announcements.clear()
    with second.app_context():
        assert presence.beat() is True
    assert announcements == [(second, 1, 0)]
    with first.app_context():
        assert presence.operators_online() == 1
