"""A client that stops reading is cut once a packet has waited SOCKETIO_SEND_TIMEOUT; a reading one is not.

engine.io would otherwise queue every later packet for it, without bound, for as long as the client
kept the connection (answering pings blind is enough).
"""

import os
import threading
import time
from pathlib import Path

import pytest
import websocket

# History answers are the largest packets a visitor can ask for; the limit on them is lifted so the
# test fills the socket buffers in a second instead of minutes.
SETTINGS = {"SOCKETIO_SEND_TIMEOUT": 1, "CHAT_EVENT_LIMITS": "1000000 per minute",
            "CHAT_MESSAGE_LIMITS": "1000 per minute"}
CUT_LINE = "read nothing for"
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
def test_a_visitor_reading_a_large_burst_gets_every_frame_whole_and_is_not_cut(live_server, live, async_mode):
    """The burst outruns the reader, so the server's writes often find the socket nearly full."""
    server = live_server(async_mode=async_mode, settings=SETTINGS)
    reader = visitor_with_history(live, server.url)
    answers, requests = [], 300
    threading.Thread(target=read_answers, args=(live, reader, answers, requests), daemon=True).start()
    for n in range(requests):
        reader.send(f'42/chat,{1000 + n}["history",{{"after":0}}]')
    assert live.eventually(lambda: len(answers) >= requests, timeout=30), (
        f"{len(answers)} of {requests} answers arrived whole")
    assert CUT_LINE not in server.log()
    reader.close()
