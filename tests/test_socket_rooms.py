"""Socket.IO rooms for many clients (clipai/runtime/rooms.py): the same rooms as python-socketio's
own manager, disconnects that leave only the client's rooms, and large broadcasts in slices that
keep their order."""

import itertools
import threading

import socketio
from hypothesis import given, settings
from hypothesis import strategies as st

from clipai.runtime import garbage, rooms
from clipai.runtime.message_queue import message_queue
from tests.fixtures.live import eventually


class FakeServer:
    """What a manager uses of its server: ids, packets, sends (recorded per client) and sleep."""

    packet_class = socketio.packet.Packet

    def __init__(self, pause=None):
        ids = itertools.count()
        self.eio = type("Eio", (), {"generate_id": staticmethod(lambda: f"sid{next(ids)}")})()
        self.received: dict[str, list] = {}
        self.pauses = 0
        self.paused_for = []
        self.pause = pause

    def _send_eio_packet(self, eio_sid, pkt):
        self.received.setdefault(eio_sid, []).append(pkt.data)

    def sleep(self, seconds):
        self.pauses += 1
        self.paused_for.append(seconds)
        if self.pause:
            self.pause()


def manager(kind, server=None):
    made = kind()
    made.set_server(server or FakeServer())
    return made


OPERATIONS = st.lists(st.tuples(st.sampled_from(["connect", "enter", "leave", "disconnect", "close"]),
                                st.integers(0, 5), st.integers(0, 3)), max_size=60)


@settings(max_examples=150, deadline=None)
@given(OPERATIONS)
def test_the_rooms_are_the_ones_python_socketio_keeps(operations):
    stock, ours = manager(socketio.Manager), manager(rooms.RoomsManager)
    for made in (stock, ours):
        sids = {}
        for action, client, room in operations:
            sid, name = sids.get(client), f"room-{room}"
            if action == "connect" and sid is None:
                sids[client] = made.connect(f"eio-{client}", "/chat")
            elif sid is not None and made.is_connected(sid, "/chat"):
                if action == "enter":
                    made.enter_room(sid, "/chat", name)
                elif action == "leave":
                    made.leave_room(sid, "/chat", name)
                elif action == "close":
                    made.close_room(name, "/chat")
                elif action == "disconnect":
                    made.pre_disconnect(sid, "/chat")
                    made.disconnect(sid, "/chat")
                    del sids[client]
        made.sids = sids
    assert ours.rooms == stock.rooms
    assert (ours.pending_connect, ours.pending_disconnect) == (stock.pending_connect, stock.pending_disconnect)
    for sid in ours.sids.values():
        assert sorted(ours.get_rooms(sid, "/chat")) == sorted(stock.get_rooms(sid, "/chat"))
    assert set(ours.client_rooms) == {("/chat", sid) for sid in ours.sids.values()}


def connected(made, count, room=None):
    sids = [made.connect(f"eio-{n}", "/chat") for n in range(count)]
    for sid in sids if room else ():
        made.enter_room(sid, "/chat", room)
    return sids


def test_a_disconnect_walks_only_the_rooms_of_the_leaving_client():
    made = manager(rooms.RoomsManager)
    sids = connected(made, 2_000, room="visitors")

    class NoWalk(dict):
        def copy(self):
            raise AssertionError("a disconnect walked every room of the namespace")

        def items(self):
            raise AssertionError("a disconnect walked every room of the namespace")

    made.rooms["/chat"] = NoWalk(made.rooms["/chat"])
    made.pre_disconnect(sids[0], "/chat")
    made.disconnect(sids[0], "/chat")
    assert sids[0] not in dict.__getitem__(made.rooms["/chat"], "visitors")
    assert ("/chat", sids[0]) not in made.client_rooms


def test_a_large_broadcast_reaches_everyone_once_pausing_between_slices():
    server = FakeServer()
    made = manager(rooms.RoomsManager, server)
    connected(made, 1_000)
    made.emit("status", {"operators_online": 1}, "/chat")
    assert sorted(server.received) == sorted(f"eio-{n}" for n in range(1_000))
    assert all(len(frames) == 1 for frames in server.received.values())
    assert server.pauses == (1_000 - rooms.BROADCAST_SLICE) // rooms.BROADCAST_SLICE
    # a wait, not just a turn: what arrived meanwhile is read before the next slice goes out
    assert set(server.paused_for) == {rooms.BROADCAST_PAUSE} and rooms.BROADCAST_PAUSE > 0


def test_a_large_broadcast_freezes_each_slice_before_its_pause(monkeypatch):
    """Young collections never walk a broadcast's frames: 28-55 ms each with 19,900 visitors (eventlet)."""
    server = FakeServer()
    freezes = []  # (frames queued, pauses) when each freeze happened
    monkeypatch.setattr(rooms, "freeze_young",
                        lambda: freezes.append((sum(map(len, server.received.values())), server.pauses)))
    made = manager(rooms.RoomsManager, server)
    connected(made, 1_000)
    made.emit("status", {"operators_online": 1}, "/chat")
    slices = (1_000 - rooms.BROADCAST_SLICE) // rooms.BROADCAST_SLICE
    assert freezes == [((n + 2) * rooms.BROADCAST_SLICE, n) for n in range(slices)]


def test_freezing_the_young_objects_is_gcs_freeze(monkeypatch):
    frozen = []
    monkeypatch.setattr(garbage.gc, "freeze", lambda: frozen.append(True))
    garbage.freeze_young()
    assert frozen == [True]


def test_a_small_broadcast_and_a_message_to_one_client_never_pause():
    server = FakeServer()
    made = manager(rooms.RoomsManager, server)
    sids = connected(made, rooms.BROADCAST_SLICE)
    made.emit("status", {"operators_online": 1}, "/chat")
    made.emit("message", {"text": "hi"}, "/chat", room=sids[0])
    assert server.pauses == 0 and len(server.received["eio-0"]) == 2


def test_two_large_broadcasts_arrive_in_the_order_they_were_sent():
    first_pause, go_on = threading.Event(), threading.Event()

    def pause():  # the first broadcast stops at its first pause until the second one has started
        if not first_pause.is_set():
            first_pause.set()
            go_on.wait(10)

    server = FakeServer(pause)
    made = manager(rooms.RoomsManager, server)
    connected(made, 1_000)
    online = threading.Thread(target=made.emit, args=("status", {"operators_online": 1}, "/chat"))
    online.start()
    assert first_pause.wait(10)
    offline = threading.Thread(target=made.emit, args=("status", {"operators_online": 0}, "/chat"))
    offline.start()
    # the second broadcast sends its first slice, then waits for the first one to finish
    assert eventually(lambda: sum(len(frames) for frames in server.received.values()) >= 2 * rooms.BROADCAST_SLICE)
    go_on.set()
    online.join(10)
    offline.join(10)
    orders = {tuple(frame.split('"operators_online":')[1][0] for frame in frames)
              for frames in server.received.values()}
    assert orders == {("1", "0")}


def test_the_server_uses_the_rooms_manager_with_and_without_a_message_queue():
    assert isinstance(message_queue({"MESSAGE_QUEUE": None}), rooms.RoomsManager)
    queue = message_queue({"MESSAGE_QUEUE": "redis://127.0.0.1:1/0", "RATELIMIT_KEY_PREFIX": "test"})
    assert isinstance(queue, rooms.ClientRooms) and isinstance(queue, socketio.RedisManager)
