"""Oversize frames and malformed Socket.IO packets against the real server (eventlet, loopback)."""

import base64
import json
import os
import socket
import uuid

import pytest
import requests

pytestmark = pytest.mark.server

TRANSPORTS = [["websocket"], ["polling"]]


@pytest.fixture
def server(start_server):
    return start_server()


def healthy(server) -> bool:
    return server.process.poll() is None and requests.get(server.url + "/healthz", timeout=5).json() == {
        "status": "ok"}


def stored_texts(live, database_url) -> list:
    return [row[0] for row in live.query(database_url, "SELECT text FROM messages ORDER BY id")]


@pytest.mark.parametrize("transports", TRANSPORTS)
def test_ten_thousand_character_message_is_too_long_and_the_connection_stays(server, database_url, live, peers,
                                                                             transports):
    visitor = peers(server.url, "/chat", transports=transports)
    ack = visitor.say("x" * 10_000)
    assert ack["ok"] is False and ack["error"]["code"] == "too_long"
    assert visitor.say("short one")["ok"]
    assert stored_texts(live, database_url) == ["short one"]


@pytest.mark.parametrize("transports", TRANSPORTS)
def test_two_megabyte_frame_is_refused_and_the_server_stays_healthy(server, database_url, live, peers, transports):
    bystander = peers(server.url, "/chat", transports=transports)
    assert bystander.say("hello")["ok"]
    sender = peers(server.url, "/chat", transports=transports)
    sender.emit("message", {"text": "y" * (2 * 1024 * 1024), "client_msg_id": "big"})
    sender.next_event("__disconnect__")
    assert healthy(server)
    assert bystander.say("still working?")["ok"]
    assert stored_texts(live, database_url) == ["hello", "still working?"]
    assert "Traceback" not in server.log()


def test_two_megabyte_raw_websocket_frame_is_refused(server, live, peers):
    raw = live.RawSocket(server.url)
    try:
        raw.open_namespace("/chat")
        try:
            raw.send('42/chat,["message",{"text":"' + "z" * (2 * 1024 * 1024) + '","client_msg_id":"raw"}]')
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading and closed the socket before the frame was whole
        assert raw.recv(timeout=live.WAIT) is None  # the server closed the socket
    finally:
        raw.close()
    assert healthy(server) and peers(server.url, "/chat").say("fine")["ok"]


MALFORMED = [
    "4", "4x", "9", "5", "6", "7{}", "0", "1", "3probe",
    "42/chat,", "42/chat,[", "42/chat,{}", '42/chat,"message"', "42/chat,[]", "42/chat,[null]", "42/chat,[1,2]",
    '42/chat,[["message"],{}]', '42/chat,[{"a":1}]', '42/chat,["message"', "42/chat,nul",
    '42/chat,99999999999999999999999999["history",{}]', '42/chat,-1["message",{}]',
    '42/chat,1e9["history",{}]', '42/chat,["history",{"after":0},1,2,3]',
    '42/nonexistent,["message",{}]', "40/nonexistent,{}", "40/chat,[]", '40/chat,"x"', "40/chat,",
    "41/chat,", "43/chat,1[]", "43/chat,99999999999[{}]", "44/chat,{}", "46/chat,", "47/chat,[]",
    '451-/chat,["message",{"_placeholder":true,"num":0}]', '45999999-/chat,["message",{}]',
    '451-/chat,["message",{"_placeholder":true,"num":7}]', '452-/chat,["history",{"after":{"_placeholder":true}}]',
    '42/chat,["disconnect"]', '42/chat,["connect",{"token":"guess"}]', '42/chat,["connect_error",{}]',
    "42/chat," + "[" * 15_000 + "]" * 15_000, '42/chat,["message",' + "{\"a\":" * 5_000 + "1" + "}" * 5_000 + "]",
    "42/../console,[\"list\",{}]", "42/console,[\"list\",{}]", "42" + "/" * 1000 + ",[]",
]


def test_malformed_packets_are_ignored_or_end_only_their_own_connection(server, database_url, live, peers):
    bystander = peers(server.url, "/chat")
    assert bystander.say("before")["ok"]
    for frame in MALFORMED:
        raw = live.RawSocket(server.url)
        assert raw.open_namespace("/chat").startswith("40/chat,")
        raw.send(frame)
        raw.send('42/chat,7["history",{}]')  # whatever happened, the server answers, hangs up or waits
        answer = raw.recv(timeout=1)
        raw.close()
        assert answer in (None, live.TIMED_OUT) or answer.startswith(("43/chat,", "44", "42", "6")), (frame[:60],
                                                                                                    answer)
        assert healthy(server), frame[:60]
    assert bystander.say("after")["ok"]
    assert stored_texts(live, database_url) == ["before", "after"]
    assert "Traceback" not in server.log()


def test_garbage_is_logged_as_short_warnings_not_tracebacks(server, live):
    for _ in range(30):
        raw = live.RawSocket(server.url)
        raw.open_namespace("/chat")
        for frame in ("42/chat,[", "46/chat,", "42/chat," + "[" * 5000 + "]" * 5000):
            raw.send(frame)
        raw.close()
    assert healthy(server)
    log = server.log()
    assert "Traceback" not in log and "ERROR" not in log
    assert 1 <= log.count("ignored a malformed packet") <= 20  # bounded, however much garbage arrives


ENGINE_IO_GARBAGE = [b"", b"x", b"\xff\xfe", b"4" + bytes(range(256))]


def test_engine_io_garbage_never_sends_a_traceback_to_the_client(server, live):
    answers = [raw_websocket_exchange(server, frame) for frame in ENGINE_IO_GARBAGE]
    assert healthy(server)
    assert [answer for answer in answers if b"Traceback" in answer or b".py" in answer] == []


def raw_websocket_exchange(server, payload: bytes) -> bytes:
    """Upgrade a plain TCP socket by hand, send one masked text frame, return every byte the server sends."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
        key = base64.b64encode(os.urandom(16)).decode()
        conn.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                      f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        received = conn.recv(65536)
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        conn.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked if len(payload) < 126 else
                     bytes([0x81, 0xFE]) + len(payload).to_bytes(2, "big") + mask + masked)
        conn.settimeout(3)
        while True:
            try:
                chunk = conn.recv(65536)
            except (TimeoutError, OSError):
                return received
            if not chunk:
                return received
            received += chunk


def test_unknown_events_get_no_answer_and_the_socket_keeps_working(server, peers):
    visitor = peers(server.url, "/chat")
    for event in ("nonexistent", "on_message", "__init__", "list", "x" * 1000):
        visitor.emit(event, {"conversation_id": 1})
    ack = visitor.say("hello")
    assert ack["ok"] and [event for event, _ in visitor.drain() if event not in ("status", "__connect__")] == []


def test_resume_with_a_huge_last_seen_connects_and_delivers_nothing(server, peers):
    first = peers(server.url, "/chat")
    conversation = first.say("hello")["conversation"]
    back = peers(server.url, "/chat", auth={"token": conversation["token"], "last_seen": 2**64}, wait=3)
    status, before = back.next_event("status")
    assert status == {"operators_online": 0, "opens_at": None, "reply_seconds": None}
    assert [event for event, _ in before if event != "__connect__"] == []  # connected, nothing delivered


def test_namespace_connect_with_hostile_auth_shapes(server, live):
    for auth in ('"token"', "[1,2]", "1", "null", json.dumps({"token": ["x"]}), json.dumps({"token": {"$ne": 1}}),
                 json.dumps({"last_seen": "1; DROP TABLE messages", "locale": "../"}), json.dumps({"token": 1e309})):
        raw = live.RawSocket(server.url)
        answer = raw.open_namespace("/chat", raw_auth=auth)
        raw.close()
        assert answer is None or answer.startswith(("40/chat,", "44/chat,")), (auth, answer)
    assert healthy(server)
    assert "Traceback" not in server.log()


def test_message_ids_of_other_conversations_cannot_be_read(server, peers):
    first, second = peers(server.url, "/chat"), peers(server.url, "/chat")
    secret = first.say("my private details", client_msg_id=uuid.uuid4().hex)
    second.say("hello")
    assert second.call("history", {"after": 0, "conversation_id": secret["conversation"]["id"]})["messages"][0][
        "text"] == "hello"
