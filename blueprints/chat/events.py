"""The ``/chat`` Socket.IO namespace: anonymous visitors talk to support.

Identity lives here, per socket (``sid``): which conversation a socket belongs to comes from the
token it connected with or from the conversation its first message created, never from a payload.
"""

import logging
from dataclasses import dataclass, field
from functools import wraps

from flask import current_app, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_socketio import Namespace, emit, join_room, leave_room

from clipai import ratelimit
from clipai.i18n import match_locale, select_locale
from clipai.realtime import ConnectionRefused, ack_error, ack_ok
from clipai.security import hashed_client_address
from clipai.services import availability, conversations
from clipai.services.errors import ServiceError

log = logging.getLogger(__name__)

NAMESPACE = "/chat"
UNAVAILABLE = conversations.UNAVAILABLE
TOO_MANY_CONNECTIONS = _l("Too many connections from your network. Please wait a moment.")


def conversation_room(conversation_id: int) -> str:
    return f"conversation-{conversation_id}"


@dataclass
class Visit:
    """What the server knows about one visitor socket."""

    address_key: str
    locale: str
    conversation_id: int | None = None
    conversation_locale: str | None = None
    started: dict = field(default_factory=dict)  # client_msg_id -> the conversation block it created
    typing: bool = False

    def join(self, conversation_id: int, locale: str):
        self.conversation_id, self.conversation_locale = conversation_id, locale
        join_room(conversation_room(conversation_id))

    def forget_conversation(self):
        self.conversation_id = self.conversation_locale = None
        self.started.clear()
        self.typing = False


def visitor_event(limited: bool = True):
    """Run a visitor event and turn refusals into ``{ok: false}`` acks in the visitor's language.

    Only refusals carry words (the services' messages are lazy strings, translated when the ack
    is built); the placeholders of redacted messages are translated per conversation locale.
    """

    def decorator(method):
        @wraps(method)
        def handler(self, data=None, *_ignored):
            visit = self.visits.get(request.sid)
            if visit is None:
                return _refusal(None, "unavailable", UNAVAILABLE)
            try:
                if limited:
                    self.limit_event(visit)
                return method(self, visit, data if data is not None else {})
            except ServiceError as error:
                return _refusal(visit, error.code, error.message, **error.details)
            except Exception:
                log.exception("chat: %s failed", method.__name__)
                return _refusal(visit, "unavailable", UNAVAILABLE)

        return handler

    return decorator


def _refusal(visit: "Visit | None", code: str, message, **details) -> dict:
    with force_locale(visit.locale if visit else select_locale()):
        return ack_error(code, message, **details)


def _payload(data) -> dict:
    if not isinstance(data, dict):
        raise ServiceError("invalid", conversations.INVALID_REQUEST)
    return data


class ChatNamespace(Namespace):
    """Visitor events: ``message``, ``typing``, ``seen``, ``history``, ``close``, ``erase``, ``rate``."""

    def __init__(self, namespace: str = NAMESPACE):
        super().__init__(namespace)
        self.visits: dict[str, Visit] = {}

    # --- connection ------------------------------------------------------------------------

    def on_connect(self, auth=None):
        auth = auth if isinstance(auth, dict) else {}
        address_key = hashed_client_address()
        asked_locale = match_locale(auth.get("locale"))
        with force_locale(asked_locale or select_locale()):
            try:
                missed = self._open_visit(auth, address_key, asked_locale)
            except ServiceError as error:
                self.visits.pop(request.sid, None)
                raise ConnectionRefused(error.code, error.message, **error.details) from None
        for message in missed:
            emit("message", conversations.for_visitor(message))
        emit("status", availability.for_visitors())

    def _open_visit(self, auth: dict, address_key: str, asked_locale: str | None) -> list:
        """Check the limits and the token, remember the socket; return the messages it missed."""
        verdict = ratelimit.hit(current_app.config["CHAT_CONNECT_LIMITS"], "chat-connect", address_key)
        if not verdict.allowed:
            raise ServiceError("rate_limited", TOO_MANY_CONNECTIONS, retry_after=verdict.retry_after)
        token = auth.get("token")
        state = conversations.resume(token, address_key) if token is not None else None
        visit = Visit(address_key, asked_locale or (state.locale if state else None) or select_locale())
        self.visits[request.sid] = visit
        if state is None:
            return []
        visit.join(state.id, state.locale)  # before reading, so nothing stored meanwhile is lost
        try:
            last_seen = conversations.require_position(auth.get("last_seen"), default=-1)
        except ServiceError:
            return []  # a resume without a usable position reads the history instead
        return conversations.messages_after(state.id, last_seen) if last_seen >= 0 else []

    def on_disconnect(self, reason=None):
        visit = self.visits.pop(request.sid, None)
        if visit and visit.typing and visit.conversation_id:
            conversations.set_typing(visit.conversation_id, "visitor", False, origin_sid=request.sid)

    def limit_event(self, visit: Visit):
        key = f"conversation-{visit.conversation_id}" if visit.conversation_id else f"socket-{request.sid}"
        verdict = ratelimit.hit(current_app.config["CHAT_EVENT_LIMITS"], "chat-event", key)
        if not verdict.allowed:
            raise conversations.rate_limited(verdict.retry_after)

    # --- events ----------------------------------------------------------------------------

    @visitor_event(limited=False)
    def on_message(self, visit: Visit, data):
        data = _payload(data)
        if visit.conversation_id is None:  # each try to start one reads the database: count them per socket
            self.limit_event(visit)
        posted = conversations.post_visitor_message(
            visit.conversation_id, data.get("text"), data.get("client_msg_id"),
            locale=visit.conversation_locale or visit.locale, address_key=visit.address_key, origin_sid=request.sid,
            solution=data.get("altcha"),
            attachments=data.get("attachments"),
        )
        if posted.token:  # it started a conversation, or resent the first message of one
            self._started(visit, posted)
        ack = {"message": conversations.for_visitor(posted.message)}
        block = visit.started.get(posted.message.client_msg_id)
        if block and visit.conversation_id == posted.message.conversation_id:
            ack["conversation"] = block
        return ack_ok(**ack)

    def _started(self, visit: Visit, posted):
        if visit.conversation_id is not None:
            leave_room(conversation_room(visit.conversation_id))
            visit.forget_conversation()
        conversation = posted.conversation
        visit.join(conversation.id, conversation.locale)
        visit.started[posted.message.client_msg_id] = {
            "id": conversation.id,
            "token": posted.token,
            "erase_after": conversations.iso(conversation.erase_after),
            "resume_code": posted.resume_code,
        }

    @visitor_event()
    def on_typing(self, visit: Visit, data):
        active = _payload(data).get("active")
        if visit.conversation_id is not None:
            conversations.set_typing(visit.conversation_id, "visitor", active, origin_sid=request.sid)
            visit.typing = active
        elif not isinstance(active, bool):
            raise ServiceError("invalid", conversations.INVALID_REQUEST)
        return ack_ok()

    @visitor_event()
    def on_seen(self, visit: Visit, data):
        up_to = conversations.require_position(_payload(data).get("up_to"))
        if visit.conversation_id is not None and up_to:
            conversations.mark_seen(visit.conversation_id, "visitor", up_to, origin_sid=request.sid)
        return ack_ok()

    @visitor_event()
    def on_history(self, visit: Visit, data):
        after = conversations.require_position(_payload(data).get("after"))
        if visit.conversation_id is None:
            return ack_ok(messages=[], more=False)
        conversation, messages, more = conversations.history(visit.conversation_id, after)
        return ack_ok(
            messages=[conversations.for_visitor(message) for message in messages],
            more=more,
            conversation={
                "id": conversation.id,
                "status": conversation.status,
                "erase_after": conversations.iso(conversation.erase_after),
                "operator_seen_up_to": conversation.operator_seen_up_to,
                "rating": conversations.rating_payload(conversation.rating),
            },
        )

    @visitor_event()
    def on_rate(self, visit: Visit, data):
        data = _payload(data)
        if visit.conversation_id is None:
            raise ServiceError("not_found", conversations.NOT_FOUND)
        rating = conversations.rate(visit.conversation_id, data.get("stars"), data.get("comment"),
                                    origin_sid=request.sid)
        return ack_ok(rating=conversations.rating_payload(rating))

    @visitor_event()
    def on_close(self, visit: Visit, data):
        _payload(data)
        if visit.conversation_id is not None:
            conversations.close(visit.conversation_id, origin_sid=request.sid)
        return ack_ok()

    @visitor_event()
    def on_erase(self, visit: Visit, data):
        _payload(data)
        conversation_id = visit.conversation_id
        if conversation_id is not None:
            conversations.erase(conversation_id, origin_sid=request.sid)
            leave_room(conversation_room(conversation_id))
            visit.forget_conversation()
        return ack_ok()

    # --- called by the relays --------------------------------------------------------------

    def forget_conversation(self, conversation_id: int):
        """The conversation was erased: its sockets become fresh visitors."""
        for visit in self.visits.values():
            if visit.conversation_id == conversation_id:
                visit.forget_conversation()
