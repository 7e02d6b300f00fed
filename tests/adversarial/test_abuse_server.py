"""Floods, idle and half-open sockets, slow-header clients and forwarding headers against the real server."""

import queue
import socket
import threading

import pytest
import requests

pytestmark = pytest.mark.server

SERVERS = ["eventlet", "gevent"]


def healthy(server) -> bool:
    return requests.get(server.url + "/healthz", timeout=10).json() == {"status": "ok"}


def from_address(address: str) -> dict:
    return {"X-Forwarded-For": address}


def test_message_flood_is_limited_while_a_polite_visitor_stays_responsive(start_server, database_url, live, peers):
    server = start_server(settings={"TRUSTED_PROXIES": 1})
    flooder = peers(server.url, "/chat", headers=from_address("203.0.113.66"))
    polite = peers(server.url, "/chat", headers=from_address("198.51.100.5"))
    flood_id = flooder.say("first")["conversation"]["id"]
    acks = []
    for n in range(300):
        flooder.emit("message", {"text": f"flood {n}", "client_msg_id": f"f-{n}"}, callback=lambda ack: acks.append(ack))
    answers = [polite.say(f"polite question {n}") for n in range(5)]
    assert [answer["ok"] for answer in answers] == [True] * 5
    assert live.eventually(lambda: len(acks) == 300)
    assert sum(ack["ok"] for ack in acks) == 20  # 20 a minute in one conversation
    assert {ack["error"]["code"] for ack in acks if not ack["ok"]} == {"rate_limited"}
    assert live.query(database_url, "SELECT count(*) FROM messages WHERE conversation_id = ?", flood_id) == [(21,)]


def test_connection_flood_from_one_address_is_refused_and_others_still_connect(start_server, live, peers):
    # The namespace limit is what is tested here; new sessions have their own (tests/transport).
    server = start_server(settings={"TRUSTED_PROXIES": 1, "SOCKETIO_HANDSHAKE_LIMITS": "1000/minute"})
    opened = []
    try:
        for _ in range(70):
            raw = live.RawSocket(server.url, headers=from_address("203.0.113.99"))
            opened.append(raw)
            raw.answer = raw.open_namespace("/chat")
        accepted = [raw.answer.startswith("40/chat,") for raw in opened]
        assert accepted == [True] * 60 + [False] * 10
        assert all('"rate_limited"' in raw.answer for raw in opened[60:])
        assert peers(server.url, "/chat", headers=from_address("198.51.100.6")).say("I am someone else")["ok"]
        assert healthy(server)
    finally:
        for raw in opened:
            raw.close()


def test_conversation_spam_is_limited_per_address_on_the_real_server(start_server, database_url, live, peers):
    server = start_server(settings={"TRUSTED_PROXIES": 1, "CHAT_NEW_CONVERSATION_LIMITS": "10 per hour"})
    acks = [peers(server.url, "/chat", headers=from_address("203.0.113.12")).say(f"spam {n}") for n in range(12)]
    assert [ack["ok"] for ack in acks] == [True] * 10 + [False] * 2
    # Past the address's budget a start needs a proof of work (tests/adversarial/test_abuse_shared_network.py).
    assert [ack["error"]["code"] for ack in acks[10:]] == ["challenge_required"] * 2
    assert peers(server.url, "/chat", headers=from_address("198.51.100.12")).say("hello")["ok"]
    assert live.query(database_url, "SELECT count(*) FROM conversations") == [(11,)]


REAPING = {"SOCKETIO_PING_INTERVAL": 1, "SOCKETIO_PING_TIMEOUT": 1}


def test_half_open_operator_socket_is_reaped_within_the_ping_window(start_server, database_url, live, peers):
    server = start_server(settings=REAPING)
    _, watcher_token = live.create_account(database_url, "olga.k", alias="Olga")
    _, silent_token = live.create_account(database_url, "ivan.p", alias="Ivan")
    watcher = peers(server.url, "/console", auth={"token": watcher_token})
    silent = live.RawSocket(server.url)
    assert silent.open_namespace("/console", {"token": silent_token}).startswith("40/console,")
    # From now on the silent socket answers no ping: as if its network vanished without a FIN.
    assert live.eventually(lambda: operators_seen(watcher) == ["Ivan", "Olga"])
    assert live.eventually(lambda: operators_seen(watcher) == ["Olga"])
    assert silent.closed_by_server()
    silent.close()


def operators_seen(peer) -> list:
    """The aliases in the newest ``presence`` event the peer received (waiting for the next one)."""
    try:
        presence, _ = peer.next_event("presence", timeout=0.5)
    except queue.Empty:
        return []
    return [operator["alias"] for operator in presence["operators"]]


def test_idle_visitor_socket_is_reaped_and_its_typing_indicator_cleared(start_server, database_url, live, peers):
    server = start_server(settings=REAPING)
    _, token = live.create_account(database_url, "olga.k", alias="Olga")
    operator = peers(server.url, "/console", auth={"token": token})
    silent = live.RawSocket(server.url)
    silent.open_namespace("/chat")
    silent.send('42/chat,1["message",{"text":"hello","client_msg_id":"h-1"}]')
    assert silent.recv().startswith("43/chat,1")  # the conversation exists before the typing starts
    silent.send('42/chat,2["typing",{"active":true}]')
    typing, _ = operator.next_event("typing")
    assert typing["active"] is True
    stopped, _ = operator.next_event("typing")  # the server noticed the silence and cleaned up
    assert stopped == {**typing, "active": False}
    silent.close()


def test_tcp_connection_that_never_sends_a_request_is_closed(start_server, live):
    server = start_server(settings={"SOCKET_TIMEOUT_SECONDS": 2})
    with socket.create_connection(("127.0.0.1", server.port), timeout=live.WAIT) as idle:
        assert healthy(server)
        assert idle.recv(1) == b""  # the server hung up after its socket timeout


@pytest.mark.parametrize("async_mode", SERVERS)
def test_slow_header_clients_do_not_starve_others(start_server, live, peers, async_mode):
    server = start_server(async_mode=async_mode)
    stop = threading.Event()
    slow = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(40)]

    def drip():
        for conn in slow:
            conn.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nX-Slow: ".encode())
        for _ in range(20):  # at most ~5 seconds, one byte per socket per quarter second
            if stop.wait(0.25):
                return
            for conn in slow:
                try:
                    conn.sendall(b"a")
                except OSError:
                    pass

    dripping = threading.Thread(target=drip)
    dripping.start()
    try:
        pages = [requests.get(server.url + "/", timeout=10).status_code for _ in range(10)]
        visitor = peers(server.url, "/chat")
        assert pages == [200] * 10 and visitor.say("can you hear me?")["ok"]
    finally:
        stop.set()
        dripping.join(10)
        for conn in slow:
            conn.close()


@pytest.mark.parametrize("async_mode", SERVERS)
def test_x_forwarded_for_does_not_change_the_limit_key_without_trusted_proxies(start_server, async_mode):
    server = start_server(async_mode=async_mode)
    answers = [requests.post(server.url + "/api/auth/token", json={"username": f"user{n}", "password": "x"},
                             headers={"X-Forwarded-For": f"203.0.113.{n}", "X-Real-IP": f"203.0.113.{n}",
                                      "Forwarded": f"for=203.0.113.{n}"}, timeout=10)
               for n in range(12)]
    assert [answer.status_code for answer in answers] == [401] * 10 + [429] * 2
    assert int(answers[-1].headers["Retry-After"]) > 0
