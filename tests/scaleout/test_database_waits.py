"""Database work never stalls the whole server under eventlet or gevent.

A write that waits for the database (a lock held by someone else) must leave every other client
served; heavy writing must leave room for everyone else between the writes.
"""

import sqlite3
import statistics
import threading
import time
import uuid

import pytest
import requests

pytestmark = pytest.mark.server

MODES = ["eventlet", "gevent"]
UNLIMITED = "100000 per minute"
WRITING_SECONDS = 1.0  # the heavy writing lasts at least this long (a floor, never a measured timing)
SETTINGS = {"CHAT_MESSAGE_LIMITS": UNLIMITED, "CHAT_NEW_CONVERSATION_LIMITS": UNLIMITED,
            "CHAT_EVENT_LIMITS": UNLIMITED, "CHAT_CONNECT_LIMITS": UNLIMITED, "SOCKETIO_HANDSHAKE_LIMITS": UNLIMITED}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request, tmp_path):
    """``(url, hold_write_lock)``: ``hold_write_lock()`` is a context manager that blocks writers."""
    if request.param == "sqlite":
        path = tmp_path / "live.sqlite3"
        return f"sqlite:///{path}", lambda: SQLiteWriteLock(path)
    url = request.getfixturevalue("postgres_url")
    return url, lambda: PostgresWriteLock(request.getfixturevalue("kit").postgres_session(url))


class SQLiteWriteLock:
    def __init__(self, path):
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=30)

    def __enter__(self):
        self.connection.execute("BEGIN IMMEDIATE")  # the one writer SQLite allows is now us
        return self

    def writer_waiting(self) -> bool:
        return True  # SQLite shows no waiters; the pending ack below shows the write was blocked

    def __exit__(self, *_):
        self.connection.execute("ROLLBACK")
        self.connection.close()


class PostgresWriteLock:
    def __init__(self, session):
        self.session = session

    def __enter__(self):
        self.transaction = self.session.transaction()
        self.transaction.__enter__()
        self.session.execute("LOCK TABLE messages IN EXCLUSIVE MODE")
        return self

    def writer_waiting(self) -> bool:
        return bool(self.session.execute(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone())

    def __exit__(self, *exc):
        self.transaction.__exit__(*exc)
        self.session.close()


@pytest.mark.parametrize("async_mode", MODES)
def test_a_write_waiting_for_the_database_leaves_other_clients_served(live_server, database, peers, kit,
                                                                      async_mode):
    url, hold_write_lock = database
    server = live_server(async_mode=async_mode, settings=SETTINGS, database_url=url)
    writer, reader = peers(server.url, "/chat"), peers(server.url, "/chat")
    kit.say(writer, "first")
    reader_conversation = kit.say(reader, "reader's question")["conversation"]
    with hold_write_lock() as lock:
        writer.emit_recorded("message", {"text": "waits for the lock", "client_msg_id": "blocked"})
        assert kit.eventually(lock.writer_waiting)
        # While that write waits, the same process answers HTTP and Socket.IO reads.
        for _ in range(10):
            assert requests.get(server.url + "/healthz", timeout=kit.WAIT).status_code == 200
            assert reader.call("history", {"after": 0})["conversation"]["id"] == reader_conversation["id"]
        assert "__ack__" not in [event for event, _ in list(writer.events.queue)], "the write did not wait"
    ack, _ = writer.next_event("__ack__")
    assert ack["ok"] and ack["message"]["text"] == "waits for the lock"


@pytest.mark.parametrize("async_mode", MODES)
def test_heartbeats_keep_arriving_during_heavy_writes(live_server, database, peers, kit, async_mode):
    url, _ = database
    server = live_server(async_mode=async_mode, settings=SETTINGS, database_url=url)
    writers = [peers(server.url, "/chat") for _ in range(4)]
    heartbeat = peers(server.url, "/chat")
    single_writes = []
    for writer in writers:
        started = time.monotonic()
        kit.say(writer, "warm-up")
        single_writes.append(time.monotonic() - started)

    writes_done, beats = threading.Event(), []

    def write(writer):
        # At least 40 messages each, and for at least WRITING_SECONDS: a quarter of the writing
        # time is then long enough (a quarter of a second) that only a stall of the server, not a
        # hiccup of a busy test machine, leaves it without a heartbeat.
        number, until = 0, time.monotonic() + WRITING_SECONDS
        while number < 40 or time.monotonic() < until:
            assert kit.say(writer, f"message {number}", uuid.uuid4().hex)["ok"]
            number += 1

    def beat():
        while not writes_done.is_set() and len(beats) < 10_000:
            heartbeat.call("history", {"after": 0})
            beats.append(time.monotonic())

    beating = threading.Thread(target=beat)
    beating.start()
    started = time.monotonic()
    threads = [threading.Thread(target=write, args=(writer,)) for writer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(kit.WAIT * 4)
    finished = time.monotonic()
    writes_done.set()
    beating.join(kit.WAIT)

    # Every quarter of the writing time saw heartbeats: the writes never held the server to themselves.
    quarter = (finished - started) / 4
    assert all(any(started + q * quarter <= at < started + (q + 1) * quarter for at in beats) for q in range(4))
    during = [at for at in beats if started <= at <= finished]
    gaps = [later - earlier for earlier, later in zip([started, *during], [*during, finished], strict=True)]
    print(f"\n{async_mode} {url.split(':')[0]}: single write {statistics.median(single_writes) * 1000:.1f} ms, "
          f"writes for {finished - started:.2f} s, {len(during)} heartbeats, "
          f"largest gap {max(gaps) * 1000:.1f} ms")
