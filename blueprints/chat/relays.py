"""Register the /chat namespace and relay the conversation services' signals to visitors."""

from clipai import signals
from clipai.extensions import socketio
from clipai.realtime import sender_sid
from clipai.services import conversations

from blueprints.chat.events import NAMESPACE, ChatNamespace, conversation_room

EXTENSION_KEY = "clipai.chat"


def _active(app) -> ChatNamespace | None:
    """The app's chat namespace, or None when the chat feature is not enabled in that app."""
    return app.extensions.get(EXTENSION_KEY)


def _to_room(event: str, payload: dict, conversation_id: int):
    # The socket whose event caused this already has the answer in its ack.
    socketio.emit(event, payload, to=conversation_room(conversation_id), namespace=NAMESPACE,
                  skip_sid=sender_sid(NAMESPACE))


def relay_message(app, conversation, message, **_extra):
    if _active(app):
        _to_room("message", conversations.for_visitor(message), conversation.id)


def relay_change(app, conversation, change=None, **_extra):
    if not _active(app):
        return
    if change == "closed":
        _to_room("closed", {"reason": "closed"}, conversation.id)
    elif change == "operator_seen":
        _to_room("seen", {"up_to": conversation.operator_seen_up_to}, conversation.id)


def relay_erased(app, conversation_id, **_extra):
    namespace = _active(app)
    if not namespace:
        return
    _to_room("closed", {"reason": "erased"}, conversation_id)
    namespace.forget_conversation(conversation_id)
    socketio.close_room(conversation_room(conversation_id), namespace=NAMESPACE)


def relay_typing(app, conversation_id, author, active, alias=None, **_extra):
    if _active(app) and author == "operator":
        _to_room("typing", {"active": active, "author": "operator", "alias": alias}, conversation_id)


def relay_presence(app, operators_online, previous_online=None, **_extra):
    if _active(app) and operators_online != previous_online:
        socketio.emit("status", {"operators_online": operators_online}, namespace=NAMESPACE)


RELAYS = (
    (signals.message_stored, relay_message),
    (signals.conversation_changed, relay_change),
    (signals.conversation_erased, relay_erased),
    (signals.typing_changed, relay_typing),
    (signals.presence_changed, relay_presence),
)


def init_app(app):
    namespace = ChatNamespace()
    socketio.on_namespace(namespace)
    app.extensions[EXTENSION_KEY] = namespace
    for signal, receiver in RELAYS:
        signal.connect(receiver)  # once per process; each receiver checks its app has the chat
