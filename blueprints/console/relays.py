"""Register the /console namespace and relay the conversation services' signals to operators."""

from flask import current_app

from clipai import signals
from clipai.extensions import socketio
from clipai.features import Relays
from clipai.services import conversations

from blueprints.console.activity import ActivityFeed
from blueprints.console.events import NAMESPACE, OPERATORS_ROOM, ConsoleNamespace
from blueprints.console.records import RecordsNamespace

relays = Relays("clipai.console")
ACTIVITY_KEY = "clipai.console.activity"


def _active(app) -> ConsoleNamespace | None:
    """The app's console namespace, or None when the console feature is not enabled in that app."""
    return relays.state(app)


def _to_operators(event: str, payload: dict, skip_sid=None):
    namespace = _active(current_app)
    if namespace:
        namespace.drop_expired()
    socketio.emit(event, payload, to=OPERATORS_ROOM, namespace=NAMESPACE, skip_sid=skip_sid)


def _send_summaries(conversation_ids):
    for conversation in conversations.conversations_by_ids(conversation_ids):
        _to_operators("conversation", conversations.summary(conversation))


@relays.on(signals.message_stored)
def relay_message(app, conversation, message, origin_sid=None, **_extra):
    if _active(app):
        # The operator who sent it has it in the ack already.
        _to_operators("message", conversations.for_operators(message), skip_sid=origin_sid)
        if conversation is None:  # only new activity; other changes come with conversation_changed
            app.extensions[ACTIVITY_KEY].touch(message.conversation_id)


@relays.on(signals.conversation_changed)
def relay_change(app, conversation, **_extra):
    if _active(app):
        _to_operators("conversation", conversations.summary(conversation))


@relays.on(signals.note_added)
def relay_note(app, note, origin_sid=None, **_extra):
    if _active(app):  # operators only: the chat feature does not listen to notes
        _to_operators("note", conversations.note_payload(note), skip_sid=origin_sid)


@relays.on(signals.conversation_erased)
def relay_erased(app, conversation_id, reason="visitor", **_extra):
    namespace = _active(app)
    if namespace:
        namespace.collision.forget_conversation(conversation_id)
        _to_operators("conversation", {"id": conversation_id, "status": "erased", "reason": reason})


@relays.on(signals.typing_changed)
def relay_typing(app, conversation_id, author, active, **_extra):
    if _active(app) and author == "visitor":
        _to_operators("typing", {"conversation_id": conversation_id, "author": "visitor", "active": active})


@relays.on(signals.presence_changed)
def relay_presence(app, operators, **_extra):
    if _active(app):
        _to_operators("presence", {"operators": operators})


@relays.on(signals.tokens_revoked)
def disconnect_revoked(app, user_id, **_extra):
    namespace = _active(app)
    if namespace:
        namespace.disconnect_user(user_id)


def init_app(app):
    namespace = RecordsNamespace()
    socketio.on_namespace(namespace)
    app.extensions[ACTIVITY_KEY] = ActivityFeed(app, app.config["CONSOLE_ACTIVITY_SECONDS"], _send_summaries)
    relays.connect(app, namespace)
