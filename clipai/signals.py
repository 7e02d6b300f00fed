"""Signals features use to talk to each other without importing each other."""

from blinker import Namespace

_signals = Namespace()

#: ``sender=app`` — ``clipai setup`` ran; features put their first-run data in place.
setup_requested = _signals.signal("setup-requested")
#: ``sender=app`` — the real server is about to serve; features start their background tasks.
server_starting = _signals.signal("server-starting")
#: ``sender=app`` — the server closed its connections and is about to exit; features withdraw
#: what they shared with other processes.
server_stopping = _signals.signal("server-stopping")
#: ``sender=app, user_id=…, token_hash=…`` — tokens of that account stopped working: all of them,
#: or only the one whose hash is given (signing out); receivers may end every socket of the account.
tokens_revoked = _signals.signal("tokens-revoked")

# --- support chat (sent by clipai.services.conversations and clipai.services.presence) -----
#: ``sender=app, conversation=…, message=…, origin_sid=…`` — a message was committed (never for a
#: retry); ``origin_sid`` is the socket that sent it (receivers skip it: its ack has the message).
message_stored = _signals.signal("message-stored")
#: ``sender=app, conversation=…, change=…, origin_sid=…`` — created, closed, reopened, assigned,
#: visitor_seen, operator_seen, tagged (operators' tags) or rated (the visitor's rating); ``conversation`` is the fresh summary; ``origin_sid`` is the
#: socket whose event made the change (a message's, for created, reopened, answered).
conversation_changed = _signals.signal("conversation-changed")
#: ``sender=app, note=…, origin_sid=…`` — an operator's internal note (maybe of a transfer) was
#: committed; for operators only, never for the visitor.
note_added = _signals.signal("note-added")
#: ``sender=app, conversation_id=…, origin_sid=…`` — the conversation and its messages were deleted.
conversation_erased = _signals.signal("conversation-erased")
#: ``sender=app, conversation_id=…, author="visitor"|"operator", active=…, origin_sid=…`` — typing
#: started or stopped.
typing_changed = _signals.signal("typing-changed")
#: ``sender=app, operators=[{id, alias, status}], operators_online=n`` — operator presence changed.
presence_changed = _signals.signal("presence-changed")

#: ``sender=app`` — a Socket.IO connection was closed: its writer took nothing from its queue for
#: ``SOCKETIO_SEND_TIMEOUT`` seconds (clipai.transport_guard.StalledClients).
connection_stalled = _signals.signal("connection-stalled")

#: ``sender=app, size=n`` — a group commit ran n writes (messages, read marks) in one transaction.
writes_committed = _signals.signal("writes-committed")

# --- privacy policy (sent by clipai.services.policy) ---------------------------------------
#: ``sender=app, version=…, change="published"|"withdrawn"`` — committed, from the API, a page or
#: the CLI; whatever keeps policy state or pages forgets it.
policy_changed = _signals.signal("policy-changed")
