"""Register the /chat namespace and relay the conversation services' signals to visitors."""

from socketio import PubSubManager

from clipai import signals
from clipai.extensions import socketio
from clipai.features import Relays
from clipai.services import availability, conversations

from blueprints.chat.events import NAMESPACE, ChatNamespace, conversation_room

relays = Relays("clipai.chat")


def _active(app) -> ChatNamespace | None:
    """The app's chat namespace, or None when the chat feature is not enabled in that app."""
    return relays.state(app)


def _to_room(event: str, payload: dict, conversation_id: int, origin_sid: str | None):
    # The socket whose event caused this (the signal names it) already has the answer in its ack.
    socketio.emit(event, payload, to=conversation_room(conversation_id), namespace=NAMESPACE, skip_sid=origin_sid)


def _only_the_sender_listens(conversation_id: int, sender: str | None) -> bool:
    """True when no other socket, in this process or another, can hear the conversation.

    A visitor usually has one tab: their own message then needs no emit at all. With a message
    queue, sockets of other processes are not known here.
    """
    manager = socketio.server.manager
    if isinstance(manager, PubSubManager):
        return False
    return all(sid == sender for sid, _ in manager.get_participants(NAMESPACE, conversation_room(conversation_id)))


@relays.on(signals.message_stored)
def relay_message(app, conversation, message, origin_sid=None, **_extra):
    if _active(app) and not _only_the_sender_listens(message.conversation_id, origin_sid):
        _to_room("message", conversations.for_visitor(message), message.conversation_id, origin_sid)


@relays.on(signals.conversation_changed)
def relay_change(app, conversation, change=None, origin_sid=None, **_extra):
    if not _active(app):
        return
    if change == "closed":
        _to_room("closed", {"reason": "closed"}, conversation.id, origin_sid)
    elif change == "operator_seen":
        _to_room("seen", {"up_to": conversation.operator_seen_up_to}, conversation.id, origin_sid)


@relays.on(signals.conversation_erased)
def relay_erased(app, conversation_id, origin_sid=None, **_extra):
    namespace = _active(app)
    if not namespace:
        return
    _to_room("closed", {"reason": "erased"}, conversation_id, origin_sid)
    namespace.forget_conversation(conversation_id)
    socketio.close_room(conversation_room(conversation_id), namespace=NAMESPACE)


@relays.on(signals.typing_changed)
def relay_typing(app, conversation_id, author, active, alias=None, origin_sid=None, **_extra):
    if _active(app) and author == "operator":
        _to_room("typing", {"active": active, "author": "operator", "alias": alias}, conversation_id, origin_sid)


@relays.on(signals.presence_changed)
def relay_presence(app, operators_online, previous_online=None, **_extra):
    if _active(app) and operators_online != previous_online:
        with app.app_context():
            status = availability.for_visitors(operators_online)
        socketio.emit("status", status, namespace=NAMESPACE)


def init_app(app):
    namespace = ChatNamespace()
    socketio.on_namespace(namespace)
    relays.connect(app, namespace)
