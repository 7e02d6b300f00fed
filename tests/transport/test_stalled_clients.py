"""Clients that stop reading are cut, those that read are not, and each one's frames arrive whole.

engine.io would otherwise queue every later packet for a client that reads nothing, without bound,
for as long as it kept the connection (answering pings blind is enough). The guard looks at the
packet at the head of a connection's queue: while it stays the same, the writer is still busy
with earlier packets.
"""

import json
import os
import threading
import time
from pathlib import Path

import engineio.packet
import engineio.socket
import pytest
import requests
import socketio
import websocket

from clipai.transport_guard import StalledClients

# History answers are the largest packets a visitor can ask for; the limit on them is lifted so the
# test fills the socket buffers in a second instead of minutes.
SETTINGS = {"SOCKETIO_SEND_TIMEOUT": 1, "CHAT_EVENT_LIMITS": "1000000 per minute",
            "CHAT_MESSAGE_LIMITS": "1000 per minute"}
CUT_LINE = "had not read what was sent to it"
LONG_TEXT = "a long line of a visitor's question " * 50  # 1,850 characters


def visitor_with_history(live, url, messages=20, **options):
    """A raw visitor whose conversation holds ``messages`` long messages (its history answers are large)."""
    raw = live.RawSocket(url, **options)
    assert raw.open_namespace("/chat").startswith("40/chat,")
    for n in range(messages):
        raw.send(f'42/chat,{n}["message",{{"text":"{LONG_TEXT} {n}","client_msg_id":"long-{n}"}}]')
        assert raw.recv().startswith(f"43/chat,{n}")
    return raw


def open_sockets(pid: int) -> int:
    """The server process's open sockets (the database's files, which a load may add, are not counted)."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except FileNotFoundError:  # closed meanwhile
            pass
    return count


def ask_for_history_until_cut(raw, seconds: float) -> bool:
    """Ask for the history again and again, reading nothing (pongs sent blind); True once the server hung up."""
    deadline = time.monotonic() + seconds
    n = 1000
    while time.monotonic() < deadline:
        try:
            raw.send(f'42/chat,{n}["history",{{"after":0}}]')
            if n % 100 == 0:
                raw.send("3")
        except (websocket.WebSocketException, OSError):
            return True
        n += 1
        time.sleep(0.002)
    return False


@pytest.mark.server
@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_a_visitor_that_stops_reading_is_cut_and_leaves_nothing_behind(live_server, live, wire, peers, async_mode):
    server = live_server(async_mode=async_mode, settings=SETTINGS)
    pid = wire.serving_pid(server)
    baseline = open_sockets(pid)
    stalled = visitor_with_history(live, server.url, receive_buffer=4096)
    assert ask_for_history_until_cut(stalled, seconds=60), "the server kept a client that read nothing for a minute"
    stalled.close()
    assert live.eventually(lambda: CUT_LINE in server.log())
    settled = live.eventually(lambda: open_sockets(pid) <= baseline)
    assert settled, f"{open_sockets(pid)} sockets open, {baseline} before the stalled visitor"
    assert peers(server.url, "/chat").say("still answering")["ok"]


def read_answers(live, raw, answers: list, wanted: int) -> None:
    while len(answers) < wanted:
        frame = raw.recv(timeout=10)
        if frame is None or frame == live.TIMED_OUT:
            return
        if frame.startswith("43/chat,"):
            answers.append(frame)


@pytest.mark.server
@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_a_visitor_that_upgraded_from_long_polling_and_stops_reading_is_cut(live_server, live, async_mode):
    """python-socketio keeps the environ of a session's first request: the WebSocket's connection is another."""
    server = live_server(async_mode=async_mode, settings=SETTINGS)
    opening = requests.get(server.url + "/socket.io/?EIO=4&transport=polling", timeout=live.WAIT).text
    sid = json.loads(opening[1:])["sid"]
    stalled = visitor_with_history(live, server.url, receive_buffer=4096, sid=sid)
    assert ask_for_history_until_cut(stalled, seconds=60), "the server kept a client that read nothing for a minute"
    stalled.close()
    assert live.eventually(lambda: CUT_LINE in server.log())


@pytest.mark.server
@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_a_visitor_reading_a_large_burst_gets_every_frame_whole_and_is_not_cut(live_server, live, async_mode):
    """The burst outruns the reader, so the server's writes often find the socket nearly full.

    The timeout is longer here than the burst takes on a loaded machine; a reader is never cut for
    a moment's wait (the unit tests below pin the rule down).
    """
    server = live_server(async_mode=async_mode, settings={**SETTINGS, "SOCKETIO_SEND_TIMEOUT": 5})
    reader = visitor_with_history(live, server.url)
    answers, wanted = [], 300
    threading.Thread(target=read_answers, args=(live, reader, answers, wanted), daemon=True).start()
    for n in range(wanted):
        reader.send(f'42/chat,{1000 + n}["history",{{"after":0}}]')
    assert live.eventually(lambda: len(answers) >= wanted, timeout=30), (
        f"{len(answers)} of {wanted} answers arrived whole")
    assert CUT_LINE not in server.log()
    reader.close()


# --- the rule, with a clock of the test's own ---------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def guarded():
    """A server with one engine.io connection, its guard (timeout 20 s, a test clock) and the cuts it made."""
    server = socketio.Server(async_mode="threading")
    connection = engineio.socket.Socket(server.eio, "one")
    server.eio.sockets["one"] = connection
    clock, cuts = Clock(), []
    guard = StalledClients(object(), server, 20, {}, clock=clock)
    guard.cut = lambda sid, _connection, waited: cuts.append((sid, waited))

    def send(text="update"):
        server.eio.send_packet("one", engineio.packet.Packet(engineio.packet.MESSAGE, data=text))

    return connection, clock, cuts, send


def test_a_writer_busy_with_earlier_packets_past_the_timeout_is_cut_once(guarded):
    connection, clock, cuts, send = guarded
    send(), send()  # the first waits at the head of the queue
    clock.now += 19
    send()
    assert cuts == []
    clock.now += 2
    send(), send()
    assert cuts == [("one", 21.0)]


def test_a_writer_that_took_its_queue_in_between_is_not_cut(guarded):
    connection, clock, cuts, send = guarded
    send(), send()
    connection.poll()  # the writer takes both and sends them
    clock.now += 60
    connection.queue.put(engineio.packet.Packet(engineio.packet.PING))  # engine.io's ping, not through send_packet
    send()
    clock.now += 1
    send()
    assert cuts == []


def test_an_empty_queue_starts_the_count_again(guarded):
    connection, clock, cuts, send = guarded
    send(), send()
    clock.now += 15
    connection.poll()
    send()  # finds the queue empty
    clock.now += 15
    send()
    assert cuts == []


def test_the_connection_cut_is_the_websockets_never_a_long_polling_requests():
    server = socketio.Server(async_mode="threading")
    websocket_connection, polling_connection, upgraded_connection = object(), object(), object()
    guard = StalledClients(object(), server, 20, {"upgraded": upgraded_connection})
    server.environ["direct"] = {"QUERY_STRING": "EIO=4&transport=websocket", "gunicorn.socket": websocket_connection}
    server.environ["upgraded"] = {"QUERY_STRING": "EIO=4&transport=polling", "gunicorn.socket": polling_connection}
    server.environ["lost"] = {"QUERY_STRING": "EIO=4&transport=polling", "gunicorn.socket": polling_connection}
    assert guard.websocket_of("direct") is websocket_connection
    assert guard.websocket_of("upgraded") is upgraded_connection
    assert guard.websocket_of("lost") is None  # its session is closed instead
