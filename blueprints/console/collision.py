"""Collision notice: which colleagues are viewing, or typing in, the conversation an operator has open.

Each process remembers what its own console sockets view. Every change goes to the operators'
room as a ``colleague`` event, which a Redis message queue carries to every process's consoles, so
nothing but the event itself crosses processes. A console that opens a conversation asks
(``ask: true``) and the consoles already viewing it answer by announcing themselves again, so a
newcomer learns who was there first wherever they are connected. Leaving, closing the tab and a cut
socket announce ``viewing: false``; a colleague whose whole process died drops out with presence.

Operators know each other by alias only (as in ``presence``); ``key`` tells two tabs apart and is a
digest of the socket id, never the id itself.
"""

import hashlib
from dataclasses import dataclass

from clipai.extensions import socketio
from clipai.services import conversations


@dataclass
class Viewing:
    """The conversation one console socket has open, and whether its operator is typing there."""

    conversation_id: int
    user_id: int
    alias: str
    typing: bool = False


def socket_key(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()[:16]


def colleague_payload(sid: str, viewing: Viewing, active: bool, ask: bool = False) -> dict:
    """The ``colleague`` event other operators get."""
    return {
        "conversation_id": viewing.conversation_id,
        "operator": {"id": viewing.user_id, "alias": viewing.alias},
        "key": socket_key(sid),
        "viewing": active,
        "typing": active and viewing.typing,
        "ask": ask,
    }


class CollisionWatch:
    """What this process's console sockets view, announced to the other operators on every change."""

    def __init__(self, namespace: str, room: str):
        self.namespace, self.room = namespace, room
        self.viewing: dict[str, Viewing] = {}  # sid -> what it views

    def _announce(self, sid: str, viewing: Viewing, active: bool, ask: bool = False) -> None:
        socketio.emit("colleague", colleague_payload(sid, viewing, active, ask), to=self.room,
                      namespace=self.namespace, skip_sid=sid)

    def view(self, sid: str, user, conversation_id, again: bool = False) -> None:
        """The socket now views ``conversation_id`` (None: nothing); ``again`` answers an ``ask``."""
        if conversation_id is not None:
            conversation_id = conversations.conversation(conversation_id).id  # invalid / not_found
        before = self.viewing.get(sid)
        if before and before.conversation_id == conversation_id and not again:
            return
        if before and before.conversation_id != conversation_id:
            self.leave(sid)
        if conversation_id is None:
            return
        now = Viewing(conversation_id, user.id, user.alias, before.typing if before and again else False)
        self.viewing[sid] = now
        self._announce(sid, now, True, ask=not again)

    def typing(self, sid: str, user, conversation_id: int, active: bool) -> None:
        """The socket's operator started or stopped typing in ``conversation_id`` (which they view)."""
        current = self.viewing.get(sid)
        if current is None or current.conversation_id != conversation_id:
            current = Viewing(conversation_id, user.id, user.alias)
        current.typing = bool(active)
        self.viewing[sid] = current
        self._announce(sid, current, True)

    def leave(self, sid: str) -> None:
        """The socket left its conversation or disconnected: colleagues stop showing it."""
        gone = self.viewing.pop(sid, None)
        if gone is not None:
            self._announce(sid, gone, False)

    def forget_conversation(self, conversation_id: int) -> None:
        """The conversation was erased: nobody views it any more."""
        for sid in [sid for sid, viewing in self.viewing.items() if viewing.conversation_id == conversation_id]:
            del self.viewing[sid]
