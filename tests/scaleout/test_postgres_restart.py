"""PostgreSQL restarting under traffic: in-flight messages get ``unavailable``, retries are stored once.

Restarting the machine's shared PostgreSQL server would break other people's tests, so a
restart is simulated the way clients experience it: every server connection to the test's
database is terminated (``pg_terminate_backend``) while messages are being written.
"""

import threading
import uuid

import pytest

pytestmark = [pytest.mark.server, pytest.mark.postgres]

MODES = ["eventlet", "gevent"]
UNLIMITED = "100000 per minute"


@pytest.fixture(params=MODES)
def server(request, live_server, postgres_url):
    settings = {"CHAT_MESSAGE_LIMITS": UNLIMITED, "CHAT_NEW_CONVERSATION_LIMITS": UNLIMITED,
                "CHAT_EVENT_LIMITS": UNLIMITED}
    return live_server(async_mode=request.param, settings=settings, database_url=postgres_url)


def waiting_on_a_lock(session) -> bool:
    return bool(session.execute(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ).fetchone())


def test_a_message_in_flight_gets_unavailable_and_its_retry_is_stored_once(server, postgres_url, peers, kit):
    visitor = peers(server.url, "/chat")
    kit.say(visitor, "hello", "c-1")
    session = kit.postgres_session(postgres_url)
    with session.transaction():
        session.execute("LOCK TABLE messages IN EXCLUSIVE MODE")  # hold the write in flight
        visitor.emit_recorded("message", {"text": "in flight", "client_msg_id": "c-2"})
        assert kit.eventually(lambda: waiting_on_a_lock(session)), "the message never reached the database"
        assert kit.terminate_server_connections(session, postgres_url) >= 1
    ack, _ = visitor.next_event("__ack__")
    assert ack["ok"] is False and ack["error"]["code"] == "unavailable" and ack["error"]["message"]

    stored = kit.say(visitor, "in flight", "c-2")
    assert stored["ok"] and stored["message"]["text"] == "in flight"
    assert kit.say(visitor, "in flight", "c-2")["message"] == stored["message"]
    texts = [message["text"] for message in visitor.call("history", {"after": 0})["messages"]]
    assert texts == ["hello", "in flight"]
    assert "Traceback" not in server.log()
    session.close()


def test_connections_cut_during_traffic_lose_and_duplicate_nothing(server, postgres_url, peers, kit):
    visitors = [peers(server.url, "/chat") for _ in range(3)]
    per_visitor, outcomes = 15, {"ok": 0, "unavailable": 0}
    cut_points = {5, 10}  # after these many acks of the first visitor, every server connection is cut
    session = kit.postgres_session(postgres_url)
    lock = threading.Lock()

    def send_all(visitor, name):
        for number in range(per_visitor):
            client_msg_id = f"{name}-{number}-{uuid.uuid4().hex[:6]}"
            for _attempt in range(10):  # bounded retries, the same client_msg_id each time
                ack = kit.say(visitor, f"{name} message {number}", client_msg_id)
                with lock:
                    outcomes["ok" if ack["ok"] else ack["error"]["code"]] += 1
                if ack["ok"]:
                    break
            if name == "v0" and number + 1 in cut_points:
                kit.terminate_server_connections(session, postgres_url)

    threads = [threading.Thread(target=send_all, args=(visitor, f"v{index}")) for index, visitor in enumerate(visitors)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(kit.WAIT * 4)
    finally:
        session.close()
    assert not any(thread.is_alive() for thread in threads)

    assert set(outcomes) == {"ok", "unavailable"}  # never another error code
    for index, visitor in enumerate(visitors):
        texts = [message["text"] for message in visitor.call("history", {"after": 0})["messages"]]
        assert texts == [f"v{index} message {number}" for number in range(per_visitor)]
    assert "Traceback" not in server.log()
    print(f"\nacks: {outcomes}")
