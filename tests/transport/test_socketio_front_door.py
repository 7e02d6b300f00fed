"""The Socket.IO endpoint refuses oversize bodies at once and limits new sessions per hashed address."""

import json
import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from clipai import ratelimit
from clipai.config import Defaults

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"
OVERSIZE = Defaults.SOCKETIO_MAX_HTTP_BUFFER_SIZE * 300  # declared, never sent
CANARY_ADDRESS = "203.0.113.58"


def open_session(client, **kwargs):
    answer = client.get(HANDSHAKE, **kwargs)
    assert answer.status_code == 200, answer.data
    return json.loads(answer.get_data(as_text=True)[1:])["sid"]


def oversize_post(port: int, sid: str, declared: int = OVERSIZE) -> bytes:
    """A long-polling POST's headers, announcing a body larger than the limit that never follows."""
    return (f"POST {HANDSHAKE}&sid={sid} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: text/plain;charset=UTF-8\r\nContent-Length: {declared}\r\n\r\n").encode()


# --- oversize bodies, against the real server -----------------------------------------------------


@pytest.mark.server
@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_oversize_polling_posts_are_answered_413_at_once_and_leave_no_descriptor(live_server, live, wire, async_mode):
    server = live_server(async_mode=async_mode, settings={"SOCKETIO_HANDSHAKE_LIMITS": "1000 per minute"})
    pid = wire.serving_pid(server)
    sids = [json.loads(requests.get(server.url + HANDSHAKE, timeout=wire.WAIT).text[1:])["sid"] for _ in range(50)]
    baseline = wire.descriptor_count(pid)
    connections = [wire.send_raw(server.port, oversize_post(server.port, sid)) for sid in sids]
    deadline = time.monotonic() + wire.WAIT
    answers = [wire.read_answer(conn, deadline) for conn in connections]
    for conn in connections:
        conn.close()
    assert answers == [(413, True)] * len(sids)  # answered, then closed by the server
    settled = live.eventually(lambda: wire.descriptor_count(pid) <= baseline + 2)
    assert settled, f"{wire.descriptor_count(pid)} descriptors open, {baseline} before the 50 requests"


@pytest.mark.server
def test_an_oversize_chunked_post_is_refused_and_a_small_one_served(live_server, wire):
    server = live_server(async_mode="eventlet")
    sid = json.loads(requests.get(server.url + HANDSHAKE, timeout=wire.WAIT).text[1:])["sid"]
    head = (f"POST {HANDSHAKE}&sid={sid} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Content-Type: text/plain;charset=UTF-8\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    small = b'40/chat,{}'
    with wire.send_raw(server.port, head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(small), small)) as conn:
        conn.settimeout(wire.WAIT)
        assert conn.recv(65536).startswith(b"HTTP/1.1 200")
    big = b"4" * (Defaults.SOCKETIO_MAX_HTTP_BUFFER_SIZE + 1)
    with wire.send_raw(server.port, head + b"%x\r\n%s\r\n" % (len(big), big)) as conn:
        assert wire.read_answer(conn, time.monotonic() + wire.WAIT) == (413, True)


# --- oversize bodies and handshakes, in process ------------------------------------------------------


def test_a_declared_oversize_body_is_refused_before_engineio_reads_it(client):
    sid = open_session(client)
    answer = client.post(f"{HANDSHAKE}&sid={sid}", data=b"4" * (Defaults.SOCKETIO_MAX_HTTP_BUFFER_SIZE + 1))
    assert answer.status_code == 413
    assert answer.json["error"]["code"] == "too_large"
    assert client.get(f"{HANDSHAKE}&sid={sid}").status_code == 400  # the session is closed, as engine.io would


def test_a_body_at_the_limit_still_reaches_engineio(client):
    sid = open_session(client)
    frame = '40/chat,{"pad":"%s"}'
    body = frame % ("x" * (Defaults.SOCKETIO_MAX_HTTP_BUFFER_SIZE - len(frame % "")))
    assert len(body) == Defaults.SOCKETIO_MAX_HTTP_BUFFER_SIZE
    assert client.post(f"{HANDSHAKE}&sid={sid}", data=body).status_code == 200


@pytest.mark.parametrize("settings", [{"SOCKETIO_HANDSHAKE_LIMITS": "3 per minute"}])
def test_handshakes_beyond_the_limit_get_429_with_retry_after_in_the_clients_language(client):
    for _ in range(3):
        open_session(client)
    refused = client.get(HANDSHAKE, headers={"Accept-Language": "de"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.json["error"]["code"] == "rate_limited"
    assert refused.json["error"]["message"].startswith("Zu viele Anfragen")
    websocket = client.get("/socket.io/?EIO=4&transport=websocket", headers={"Upgrade": "websocket"})
    assert websocket.status_code == 429


@pytest.mark.parametrize("settings", [{"SOCKETIO_HANDSHAKE_LIMITS": "2 per minute", "TRUSTED_PROXIES": 1}])
def test_the_handshake_limit_is_per_address_and_spares_open_sessions(client):
    sid = open_session(client, headers={"X-Forwarded-For": CANARY_ADDRESS})
    open_session(client, headers={"X-Forwarded-For": CANARY_ADDRESS})
    assert client.get(HANDSHAKE, headers={"X-Forwarded-For": CANARY_ADDRESS}).status_code == 429
    assert client.post(f"{HANDSHAKE}&sid={sid}", data="40/chat,{}",
                       headers={"X-Forwarded-For": CANARY_ADDRESS}).status_code == 200
    open_session(client, headers={"X-Forwarded-For": "198.51.100.9"})


@pytest.mark.parametrize("settings", [{"SOCKETIO_HANDSHAKE_LIMITS": "2 per minute", "TRUSTED_PROXIES": 1}])
def test_the_handshake_limiter_storage_holds_the_hash_never_the_address(app, client):
    for _ in range(3):
        client.get(HANDSHAKE, headers={"X-Forwarded-For": CANARY_ADDRESS})
    keys = " ".join(map(str, ratelimit.event_limiter(app).primary.storage.events))
    assert "socketio-handshake" in keys
    assert CANARY_ADDRESS not in keys


# --- a long-polling client that stops fetching ----------------------------------------------------


@pytest.mark.parametrize("settings", [{"SOCKETIO_SEND_TIMEOUT": 0.2}])
def test_a_polling_session_that_stops_fetching_is_closed_once_a_packet_waited_too_long(client):
    from clipai.extensions import socketio

    sid = open_session(client)
    assert client.post(f"{HANDSHAKE}&sid={sid}", data="40/chat,{}").status_code == 200
    deadline = time.monotonic() + 10
    n = 0
    while sid in socketio.server.eio.sockets and time.monotonic() < deadline:
        # It keeps asking for its history, and never fetches an answer.
        client.post(f"{HANDSHAKE}&sid={sid}", data=f'42/chat,{n}["history",{{"after":0}}]')
        n += 1
        time.sleep(0.05)
    assert sid not in socketio.server.eio.sockets, "a session that fetched nothing for 10 s is still open"
    assert client.get(f"{HANDSHAKE}&sid={sid}").status_code == 400
    assert stalled_connections_closed(client) == 1


def stalled_connections_closed(client) -> float:
    scraped = text_string_to_metric_families(client.get("/metrics").get_data(as_text=True))
    return next(sample.value for family in scraped for sample in family.samples
                if sample.name == "clipai_socketio_stalled_connections_closed_total")


@pytest.mark.parametrize("settings", [{"SOCKETIO_SEND_TIMEOUT": 0.2}])
def test_a_polling_session_that_keeps_fetching_stays_open(client):
    from clipai.extensions import socketio

    sid = open_session(client)
    assert client.post(f"{HANDSHAKE}&sid={sid}", data="40/chat,{}").status_code == 200
    for n in range(10):
        assert client.post(f"{HANDSHAKE}&sid={sid}", data=f'42/chat,{n}["history",{{"after":0}}]').status_code == 200
        time.sleep(0.05)
        assert client.get(f"{HANDSHAKE}&sid={sid}").status_code == 200
    assert sid in socketio.server.eio.sockets
    assert stalled_connections_closed(client) == 0
