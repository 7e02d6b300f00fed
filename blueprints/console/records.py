"""Console events for what operators keep on a conversation: internal notes, tags and transfers.

They extend ``ConsoleNamespace`` (same token check, event limit and error acks). Notes reach
the other operators through the ``note_added`` signal (relays.py), never the visitor.
"""

from flask import request
from flask_socketio import emit

from clipai.realtime import ack_ok
from clipai.services import conversations

from blueprints.console.events import ConsoleNamespace, operator_event


class RecordsNamespace(ConsoleNamespace):
    """The console namespace with ``notes``, ``note``, ``tag``, ``untag`` and ``transfer``."""

    def on_connect(self, auth=None):
        super().on_connect(auth)
        # Who this socket is, so the console knows which transfers are meant for it (aliases may repeat).
        user = self.sockets[request.sid].user
        emit("operator", {"id": user.id, "alias": user.alias})

    @operator_event
    def on_notes(self, session, data):
        found = conversations.notes(data.get("conversation_id"))
        return ack_ok(notes=[conversations.note_payload(note) for note in found])

    @operator_event
    def on_note(self, session, data):
        note = conversations.add_note(data.get("conversation_id"), session.user, data.get("text"),
                                      origin_sid=request.sid)
        return ack_ok(note=conversations.note_payload(note))

    @operator_event
    def on_tag(self, session, data):
        summary = conversations.add_tag(data.get("conversation_id"), data.get("tag"), origin_sid=request.sid)
        return ack_ok(conversation=conversations.summary(summary))

    @operator_event
    def on_untag(self, session, data):
        summary = conversations.remove_tag(data.get("conversation_id"), data.get("tag"), origin_sid=request.sid)
        return ack_ok(conversation=conversations.summary(summary))

    @operator_event
    def on_transfer(self, session, data):
        summary, note = conversations.transfer(data.get("conversation_id"), session.user, data.get("to"),
                                               data.get("note"), origin_sid=request.sid)
        return ack_ok(conversation=conversations.summary(summary), note=conversations.note_payload(note))
