"""Socket.IO rooms for tens of thousands of clients: disconnects and broadcasts that never stall.

python-socketio's manager keeps ``rooms[namespace][room] = {sid: eio_sid}``. Two of its walks grow
with the number of clients and ran in one go, holding every other client of the process:

- a disconnect looked for the leaving client in every room of the namespace (each visitor has its
  own room and its conversation's): 7 ms per disconnect at 20,000 visitors, so ordinary page
  changes cost a seventh of a core;
- a broadcast to the whole namespace (the visitors' ``status`` when an operator comes online)
  queued a frame for every client without letting anything else run: 0.8 s at 19,900 visitors,
  during which no chat message moved (docs/benchmarks.md, "held").

:class:`ClientRooms` keeps each client's rooms beside the manager's map, so a disconnect leaves
just those, and lets other work run between slices of a large broadcast, one large broadcast at
a time so that two of them (online, then offline) still arrive in order. Each slice's objects are
frozen out of the young garbage collections before the pause (:func:`garbage.freeze_young`).
"""

import itertools
import threading

import socketio

from clipai.runtime.garbage import freeze_young

# A large broadcast goes out in slices with a short wait between them, during which the server
# reads and answers everything else (docs/benchmarks.md, change 37). With 19,900 visitors the
# status takes about a second to reach the last one, and a chat message waits at most one slice.
# A turn (a pause of 0) was not enough: the slice's frames and the next slice were queued ahead of
# the messages that arrived meanwhile, which waited 30 to 100 ms.
BROADCAST_SLICE = 32  # recipients between two pauses (a fraction of a millisecond of work)
BROADCAST_PAUSE = 0.001  # seconds


class ClientRooms:
    """Mixin for a python-socketio manager: a room index per client, and sliced large broadcasts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client_rooms: dict[tuple, set] = {}  # (namespace, sid) -> the rooms it is in
        # Monkey-patched under gevent and eventlet: waiting for it lets the other broadcast run.
        self.broadcasting = threading.Lock()

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self.client_rooms.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid, namespace, room):
        super().basic_leave_room(sid, namespace, room)
        rooms = self.client_rooms.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self.client_rooms[(namespace, sid)]

    def basic_disconnect(self, sid, namespace, **kwargs):
        """What the base class does, with the client's own rooms instead of a walk through all."""
        if namespace not in self.rooms:
            return
        for room in list(self.client_rooms.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            sids = pending.get(namespace)
            if sids is not None and sid in sids:
                sids.remove(sid)
                if not sids:
                    del pending[namespace]

    def get_rooms(self, sid, namespace):
        return [room for room in self.client_rooms.get((namespace, sid), ()) if room is not None]

    def get_participants(self, namespace, room):
        """The base class's participants; past one slice, a pause every slice, one broadcast at a time.

        ``emit`` sends to each participant as this generator yields it, so the pauses fall between
        sends; the base class copies the room first, so clients may come and go meanwhile.
        """
        participants = super().get_participants(namespace, room)
        first = list(itertools.islice(participants, BROADCAST_SLICE))
        yield from first
        if len(first) < BROADCAST_SLICE:
            return
        with self.broadcasting:
            for count, participant in enumerate(participants, 1):
                yield participant
                if count % BROADCAST_SLICE == 0:
                    freeze_young()  # the slice's frames stay out of the young collections (change 42)
                    self.server.sleep(BROADCAST_PAUSE)


class RoomsManager(ClientRooms, socketio.Manager):
    """The manager of a process that serves alone (no ``MESSAGE_QUEUE``)."""
