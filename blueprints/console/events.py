"""The ``/console`` Socket.IO namespace: operators answer visitors, several at once.

Every event re-checks the operator's bearer token, and a socket whose right ends is cut: at once
by the process that ended it, and by every process's revocation watch within
``REVOCATION_CHECK_SECONDS`` (a CLI command or another process holds none of its sockets).
All operators see every conversation.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from flask import current_app, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_socketio import Namespace, emit, join_room
from sqlalchemy.exc import SQLAlchemyError

from clipai import clock, ratelimit
from clipai.extensions import socketio
from clipai.i18n import match_locale, select_locale
from clipai.realtime import ConnectionRefused, ack_error, ack_ok
from clipai.security import hash_token, hashed_client_address
from clipai.services import accounts, conversations, presence
from clipai.services.errors import ServiceError
from clipai.storage.users import User

from blueprints.console.collision import CollisionWatch
from blueprints.console.revocation import RevocationWatch

log = logging.getLogger(__name__)

NAMESPACE = "/console"
OPERATORS_ROOM = "operators"
SIGN_IN_AGAIN = _l("Please sign in again.")
NOT_AN_OPERATOR = _l("Your account does not have the operator role.")
TOO_MANY_CONNECTIONS = _l("Too many connections from your network. Please wait a moment.")
TOO_MANY_ACTIONS = _l("Too many actions in a short time. Please wait a moment and try again.")
UNAVAILABLE = _l("The service is unavailable right now. Please try again shortly.")


@dataclass
class OperatorSocket:
    """What the server knows about one console socket."""

    user: User
    token: str
    token_hash: str
    locale: str
    expires_at: datetime


def operator_event(method):
    """Re-check the token, limit the account, run in the operator's language, ack refusals."""

    @wraps(method)
    def handler(self, data=None, *_ignored):
        session = self.sockets.get(request.sid)
        with force_locale(session.locale if session else select_locale()):
            try:
                self.authorize(session)
                return method(self, session, _payload(data))
            except ServiceError as error:
                if error.code == "unauthorized":
                    self.end_session_soon(request.sid)
                return ack_error(error.code, error.message, **error.details)
            except Exception:
                log.exception("console: %s failed", method.__name__)
                return ack_error("unavailable", UNAVAILABLE)

    return handler


def _user_for_token(token) -> User | None:
    try:
        return accounts.user_for_token(token)
    except SQLAlchemyError:
        log.error("console: the database did not answer a token check")
        raise ServiceError("unavailable", UNAVAILABLE) from None


def _payload(data) -> dict:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ServiceError("invalid", conversations.INVALID_REQUEST)
    return data


class ConsoleNamespace(Namespace):
    """Operator events: list, history, message, typing, viewing, seen, close, reopen, assign,
    presence, canned_list, canned_save, canned_delete and search."""

    def __init__(self, namespace: str = NAMESPACE):
        super().__init__(namespace)
        self.sockets: dict[str, OperatorSocket] = {}
        self.revocation_watch = RevocationWatch(self)
        self.collision = CollisionWatch(namespace, OPERATORS_ROOM)  # who views which conversation

    # --- connection ------------------------------------------------------------------------

    def on_connect(self, auth=None):
        auth = auth if isinstance(auth, dict) else {}
        locale = match_locale(auth.get("locale")) or select_locale()
        with force_locale(locale):
            try:
                user = self._sign_in(auth.get("token"))
            except ServiceError as error:
                raise ConnectionRefused(error.code, error.message, **error.details) from None
        token = auth.get("token")
        expires_at = accounts.token_expires_at(token)
        self.sockets[request.sid] = OperatorSocket(user, token, hash_token(token), locale, expires_at)
        join_room(OPERATORS_ROOM)
        self.revocation_watch.start(current_app._get_current_object())
        if not presence.set_status(request.sid, user, "online"):  # when it changed, everyone was told
            emit("presence", {"operators": presence.operators()})

    def _sign_in(self, token) -> User:
        verdict = ratelimit.hit(current_app.config["CHAT_CONNECT_LIMITS"], "console-connect", hashed_client_address())
        if not verdict.allowed:
            raise ServiceError("rate_limited", TOO_MANY_CONNECTIONS, retry_after=verdict.retry_after)
        user = _user_for_token(token)
        if user is None:
            raise ServiceError("unauthorized", SIGN_IN_AGAIN)
        if not user.is_operator:
            raise ServiceError("forbidden", NOT_AN_OPERATOR)
        return user

    def authorize(self, session: OperatorSocket | None) -> None:
        """Refuse the event unless the socket's token still belongs to an enabled operator."""
        user = _user_for_token(session.token) if session else None
        if user is None or not user.is_operator:
            raise ServiceError("unauthorized", SIGN_IN_AGAIN)
        session.user = user  # a new alias shows from the next event on
        verdict = ratelimit.hit(current_app.config["CONSOLE_EVENT_LIMITS"], "console-event", str(user.id))
        if not verdict.allowed:
            raise ServiceError("rate_limited", TOO_MANY_ACTIONS, retry_after=verdict.retry_after)

    def on_disconnect(self, reason=None):
        self.collision.leave(request.sid)
        if self.sockets.pop(request.sid, None) is not None:
            presence.drop(request.sid)

    def end_session_soon(self, sid: str):
        """Disconnect right after the current ack went out (so the client still reads it)."""

        def disconnect():
            socketio.sleep(0)
            socketio.server.disconnect(sid, namespace=self.namespace)

        socketio.start_background_task(disconnect)

    def cut(self, sid: str) -> None:
        """Take a socket out of the operators' room and disconnect it: nothing more reaches it."""
        socketio.server.leave_room(sid, OPERATORS_ROOM, namespace=self.namespace)
        socketio.server.disconnect(sid, namespace=self.namespace)
        self.collision.leave(sid)
        if self.sockets.pop(sid, None) is not None:  # on_disconnect did not run for it
            presence.drop(sid)

    def drop_expired(self):
        """Close the sockets whose token expired, before anything more is broadcast to them."""
        now = clock.now()
        for sid in [sid for sid, session in list(self.sockets.items()) if session.expires_at <= now]:
            self.cut(sid)

    def disconnect_user(self, user_id: int):
        """Close every socket of that account in this process (its tokens were revoked)."""
        for sid in [sid for sid, session in list(self.sockets.items()) if session.user.id == user_id]:
            self.cut(sid)

    def drop_revoked(self) -> int:
        """Close the sockets whose token no longer signs in an enabled operator; return how many."""
        sessions = list(self.sockets.items())
        in_force = accounts.operator_tokens_in_force({session.token_hash for _, session in sessions})
        revoked = [sid for sid, session in sessions if session.token_hash not in in_force]
        for sid in revoked:
            self.cut(sid)
        return len(revoked)

    # --- conversations ---------------------------------------------------------------------

    @operator_event
    def on_list(self, session, data):
        found = conversations.list_conversations(data.get("status"), data.get("tag"))
        return ack_ok(conversations=[conversations.summary(item) for item in found])

    @operator_event
    def on_history(self, session, data):
        conversation, messages, more = conversations.history(data.get("conversation_id"), data.get("after"))
        return ack_ok(
            messages=[conversations.for_operators(message) for message in messages],
            more=more,
            conversation=conversations.summary(conversation),
        )

    @operator_event
    def on_message(self, session, data):
        posted = conversations.post_operator_message(
            data.get("conversation_id"), session.user, data.get("text"), data.get("client_msg_id"),
            origin_sid=request.sid, attachments=data.get("attachments"),
        )
        return ack_ok(message=conversations.for_operators(posted.message))

    @operator_event
    def on_typing(self, session, data):
        conversations.operator_typing(data.get("conversation_id"), session.user, data.get("active"),
                                      origin_sid=request.sid)
        self.collision.typing(request.sid, session.user, data.get("conversation_id"), data.get("active"))
        return ack_ok()

    @operator_event
    def on_viewing(self, session, data):
        self.collision.view(request.sid, session.user, data.get("conversation_id"), again=data.get("again") is True)
        return ack_ok()

    @operator_event
    def on_seen(self, session, data):
        summary = conversations.mark_seen(data.get("conversation_id"), "operator", data.get("up_to"),
                                          origin_sid=request.sid)
        return ack_ok(conversation=conversations.summary(summary))

    @operator_event
    def on_close(self, session, data):
        summary = conversations.close(data.get("conversation_id"), origin_sid=request.sid)
        return ack_ok(conversation=conversations.summary(summary))

    @operator_event
    def on_reopen(self, session, data):
        summary = conversations.reopen(data.get("conversation_id"), origin_sid=request.sid)
        return ack_ok(conversation=conversations.summary(summary))

    @operator_event
    def on_assign(self, session, data):
        to = data.get("to", session.user.id)  # no "to": me; "to": null: nobody
        summary = conversations.assign(data.get("conversation_id"), to, origin_sid=request.sid)
        return ack_ok(conversation=conversations.summary(summary))

    @operator_event
    def on_search(self, session, data):
        found = conversations.search(data.get("query"))
        return ack_ok(results=[
            {"conversation": conversations.summary(conversation), "message": conversations.for_operators(message)}
            for conversation, message in found
        ])

    # --- presence and canned replies -------------------------------------------------------

    @operator_event
    def on_presence(self, session, data):
        presence.set_status(request.sid, session.user, data.get("status"))
        return ack_ok(operators=presence.operators())

    @operator_event
    def on_canned_list(self, session, data):
        return ack_ok(canned=[conversations.canned_payload(reply) for reply in conversations.list_canned()])

    @operator_event
    def on_canned_save(self, session, data):
        reply = conversations.save_canned(data.get("shortcut"), data.get("text"))
        return ack_ok(canned=conversations.canned_payload(reply))

    @operator_event
    def on_canned_delete(self, session, data):
        conversations.delete_canned(data.get("id"))
        return ack_ok()
