"""The bench's raw Socket.IO client reads each kind of frame the way the protocol means it
(against the real server: tests/transport/test_bench_generator.py)."""

from bench.raw_socketio import RawClient
from tests.fixtures.own_loop import run_on_own_loop


class FakeWebSocket:
    def __init__(self):
        self.sent, self.closed = [], False

    async def send_str(self, data):
        self.sent.append(data)

    async def close(self):
        self.closed = True


def receive(client, *frames):
    async def feed():
        for frame in frames:
            await client._receive(frame)

    run_on_own_loop(feed)


def test_an_ack_reaches_the_callback_of_its_own_id_once():
    ws, answers = FakeWebSocket(), []
    client = RawClient(ws, "/chat")

    async def emit_many():
        for number in range(12):
            await client.emit("message", {"n": number}, callback=lambda answer, n=number: answers.append((n, answer)))

    run_on_own_loop(emit_many)
    assert ws.sent[0] == '42/chat,0["message",{"n":0}]' and ws.sent[11].startswith("42/chat,11[")
    receive(client, '43/chat,11[{"ok":true}]', '43/chat,1[{"ok":false}]', '43/chat,11[{"ok":true}]')
    assert answers == [(11, {"ok": True}), (1, {"ok": False})]  # the repeated ack is ignored


def test_only_the_events_asked_for_are_handed_over_and_pings_are_answered():
    ws, messages = FakeWebSocket(), []
    client = RawClient(ws, "/console", on={"message": messages.append})
    receive(client, '42/console,["conversation",{"id":1}]', "2", '42/console,["message",{"client_msg_id":"a"}]',
            '42/chat,["message",{"client_msg_id":"other namespace"}]')
    assert messages == [{"client_msg_id": "a"}] and ws.sent == ["3"]


def test_the_default_namespace_has_no_prefix_and_a_namespace_disconnect_closes():
    ws, events = FakeWebSocket(), []
    client = RawClient(ws, "/", on={"status": events.append})

    run_on_own_loop(lambda: client.emit("hello", 1))
    receive(client, '42["status",{"online":2}]')
    assert ws.sent == ['42["hello",1]'] and events == [{"online": 2}] and not ws.closed
    receive(client, "41")
    assert ws.closed
