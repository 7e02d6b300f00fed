"""A connection's events are handled one after another, in the order the client sent them.

A visitor who sends a second message before the first is acknowledged (a fast typist, any client
that does not wait for acks) must not start a second conversation, and the messages are stored
in the order they were sent. Other connections meanwhile are served as usual.
"""

import threading

import pytest

pytestmark = pytest.mark.server

WAIT = 10  # seconds; an upper bound for a loaded machine, never a measured timing
MODES = ["eventlet", "gevent"]


def emit_all(visitor, texts):
    """Emit every message at once, each with its own ack callback; return a function that waits
    for every ack and returns them in arrival order, and the list they arrive in."""
    acks, done = [], threading.Event()

    def on_ack(index):
        def record(answer):
            acks.append((index, answer))
            if len(acks) == len(texts):
                done.set()

        return record

    for index, text in enumerate(texts):
        visitor.emit("message", {"text": text, "client_msg_id": f"m-{index}"}, callback=on_ack(index))

    def wait():
        assert done.wait(WAIT), f"only {len(acks)} of {len(texts)} acks arrived"
        return acks

    return wait, acks


def send_without_waiting(visitor, texts):
    """Emit every message at once; return their acks in arrival order once all arrived."""
    wait, _ = emit_all(visitor, texts)
    return wait()


@pytest.mark.parametrize("async_mode", MODES)
def test_messages_sent_before_the_first_ack_join_its_conversation_in_the_order_sent(live_server, peers, async_mode):
    server = live_server(async_mode=async_mode)
    visitor = peers(server.url, "/chat")
    acks = send_without_waiting(visitor, [f"question {n}" for n in range(5)])
    assert [index for index, _ in acks] == [0, 1, 2, 3, 4]  # answered in the order sent
    answers = [answer for _, answer in acks]
    assert all(answer["ok"] for answer in answers), answers
    assert [("conversation" in answer) for answer in answers] == [True, False, False, False, False]
    ids = [answer["message"]["id"] for answer in answers]
    assert ids == sorted(ids) and [answer["message"]["text"] for answer in answers] == [
        f"question {n}" for n in range(5)]


@pytest.mark.parametrize("async_mode", MODES)
def test_a_connection_waiting_for_its_write_holds_up_no_other_connection(live_server, peers, async_mode):
    server = live_server(async_mode=async_mode)
    busy, other = peers(server.url, "/chat"), peers(server.url, "/chat")
    assert busy.say("first")["ok"] and other.say("first")["ok"]
    wait, arrived = emit_all(busy, [f"burst {n}" for n in range(20)])
    assert other.say("meanwhile")["ok"]
    assert len(arrived) < 20  # answered while the burst was still being written, not after it
    acks = wait()
    assert len(acks) == 20
