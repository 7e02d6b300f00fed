"""Visitors' and operators' messages: the one place that decides what is new and what is a resend.

A resend is the same ``client_msg_id`` again: in an existing conversation the stored message is
returned (the SQL ``ON CONFLICT`` and the batch below tell it apart); a first message resent from
a new socket within ``RESEND_WINDOW`` reaches the conversation it started (``conversation_starts``).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from clipai import clock, ratelimit, signals
from clipai.security import hash_token
from clipai.services import attachments as images
from clipai.services.conversations import challenges, validation
from clipai.services.conversations.access import new_resume_code, resume_code_hash
from clipai.services.conversations.transactions import app, read, write, write_together
from clipai.services.conversations.validation import CLOSED, NOT_FOUND, clean_client_msg_id, rate_limited, require_id
from clipai.services.errors import ServiceError
from clipai.services.redaction import redact
from clipai.storage import chat as store
from clipai.storage.chat import Conversation, Message

# A first message resent within this time (its ack was lost) reaches the conversation it started.
RESEND_WINDOW = timedelta(minutes=15)
# Phone numbers written without "+" are read as numbers of the country the language suggests.
REGION_HINTS = {"en": "US", "ru": "RU", "de": "DE", "es": "ES", "fr": "FR", "ar": "EG"}

PLACEHOLDERS = {
    # TRANSLATORS: replaces an e-mail address a visitor typed into the support chat.
    "email": _l("[e-mail removed]"),
    # TRANSLATORS: replaces a phone number a visitor typed into the support chat.
    "phone": _l("[phone number removed]"),
    # TRANSLATORS: replaces a payment card number a visitor typed into the support chat.
    "card": _l("[card number removed]"),
    # TRANSLATORS: replaces a bank account number (IBAN) a visitor typed into the support chat.
    "iban": _l("[IBAN removed]"),
}
PLACEHOLDERS_KEY = "clipai.chat.placeholders"


@dataclass(frozen=True)
class Posted:
    """A stored message; ``token`` and ``resume_code`` only when it started the conversation."""

    message: Message
    # The conversation's summary when the message created, reopened or (an operator's reply)
    # answered it; else None: operators learn of plain new activity from the message itself and a
    # summary read later (blueprints/console/activity.py).
    conversation: Conversation | None = None
    token: str | None = None
    resume_code: str | None = None
    duplicate: bool = False
    reopened: bool = False  # the message reopened a closed conversation


def _erase_after(now):
    return now + timedelta(days=int(current_app.config["CHAT_RETENTION_DAYS"]))


def _placeholders(locale: str) -> dict:
    # The catalogs do not change while the process runs: translate the placeholders once per locale.
    cache = current_app.extensions.setdefault(PLACEHOLDERS_KEY, {})
    if locale not in cache:
        with force_locale(locale):
            cache[locale] = {kind: str(label) for kind, label in PLACEHOLDERS.items()}
    return cache[locale]


def _redact(text: str, locale: str):
    return redact(text, _placeholders(locale), REGION_HINTS.get(locale))


def redact_in(locale: str, text: str):
    """Redact personal details from ``text`` as a message of a conversation in ``locale`` would be."""
    return _redact(text, locale)


def _resent_visitor_message(conversation_id: int, client_msg_id: str) -> Posted | None:
    """The visitor's message already stored under that client id, or None."""
    message = read(lambda conn: store.message_by_client_id(conn, conversation_id, "visitor", client_msg_id))
    return Posted(message, duplicate=True) if message else None


def _clean(text, client_msg_id, attachments) -> tuple[str, str, list[int]]:
    """The text (empty allowed when images come with it), the client id and the image ids."""
    attachment_ids = images.clean_ids(attachments)
    if attachment_ids and (text is None or isinstance(text, str) and not validation.has_visible_text(text)):
        text = ""
    else:
        text = validation.clean_text(text)
    return text, clean_client_msg_id(client_msg_id), attachment_ids


def post_visitor_message(conversation_id: int | None, text, client_msg_id, *, locale: str,
                         address_key: str, origin_sid: str | None = None, solution=None, attachments=None) -> Posted:
    """Store a visitor's message; the first one (or one after an erase) starts a conversation.

    ``origin_sid`` is the sending socket, which the signals name so relays can skip it.
    ``solution`` is the browser's ALTCHA payload, needed only once the address's budget of new
    conversations is spent (``challenges``). ``attachments`` are ids of images uploaded to this
    conversation (there is none before the first message, so a first message has none).
    """
    text, client_msg_id, attachment_ids = _clean(text, client_msg_id, attachments)
    if attachment_ids:
        if conversation_id is None:
            raise ServiceError("attachment_missing", images.MISSING)
        return _append_with_images(conversation_id, text, client_msg_id, attachment_ids, locale, origin_sid)
    if conversation_id is not None:
        posted = _append_visitor_message(conversation_id, text, client_msg_id, locale, origin_sid)
        if posted is not None:
            return posted
    return _start_conversation(text, client_msg_id, locale, address_key, origin_sid, solution)


def _append_visitor_message(conversation_id, text, client_msg_id, locale, origin_sid) -> Posted | None:
    verdict = ratelimit.hit(current_app.config["CHAT_MESSAGE_LIMITS"], "chat-message", str(conversation_id))
    if not verdict.allowed:
        resend = _resent_visitor_message(conversation_id, client_msg_id)  # a resend is never refused
        if resend is None:
            raise rate_limited(verdict.retry_after)
        return resend
    redaction = _redact(text, locale)
    now = clock.now()
    append = VisitorAppend(conversation_id, redaction.text, tuple(redaction.kinds), client_msg_id, now,
                           _erase_after(now))

    sender = app()  # the announcement runs in the group commit's leader: it carries its own sender

    def announce(posted):
        if posted is None or posted.duplicate:
            return
        if posted.reopened:
            signals.conversation_changed.send(sender, conversation=posted.conversation, change="reopened",
                                              origin_sid=origin_sid)
        signals.message_stored.send(sender, conversation=posted.conversation, message=posted.message,
                                    origin_sid=origin_sid)

    return write_together(append, announce)


def _append_with_images(conversation_id, text, client_msg_id, attachment_ids, locale, origin_sid) -> Posted:
    """A visitor's message with images: written alone, the images tied to it in its transaction."""
    verdict = ratelimit.hit(current_app.config["CHAT_MESSAGE_LIMITS"], "chat-message", str(conversation_id))
    resend = _resent_visitor_message(conversation_id, client_msg_id)
    if resend is not None:
        return replace(resend, message=read(lambda conn: images.with_attachments(conn, [resend.message])[0]))
    if not verdict.allowed:
        raise rate_limited(verdict.retry_after)
    redaction = _redact(text, locale) if text else None
    now = clock.now()
    row = {"conversation_id": conversation_id, "author": "visitor", "text": redaction.text if redaction else "",
           "redacted": tuple(redaction.kinds) if redaction else (), "client_msg_id": client_msg_id, "created_at": now}

    def work(conn):
        state = store.conversation_state(conn, conversation_id)
        if state is None:
            raise ServiceError("attachment_missing", images.MISSING)
        [message] = store.insert_new_messages(conn, [row])
        if message is None:  # the same id stored meanwhile by another socket
            stored = store.message_by_client_id(conn, conversation_id, "visitor", client_msg_id)
            return Posted(images.with_attachments(conn, [stored])[0], duplicate=True)
        message = images.attach(conn, message, attachment_ids)
        reopening = state.status == "closed"
        store.record_activities(conn, [(conversation_id, now, _erase_after(now), reopening)])
        summary = store.conversation(conn, conversation_id, message) if reopening else None
        return Posted(message, summary, reopened=reopening)

    posted = write(work)
    if not posted.duplicate:
        sender = app()
        if posted.reopened:
            signals.conversation_changed.send(sender, conversation=posted.conversation, change="reopened",
                                              origin_sid=origin_sid)
        signals.message_stored.send(sender, conversation=posted.conversation, message=posted.message,
                                    origin_sid=origin_sid)
    return posted


@dataclass(frozen=True)
class VisitorAppend:
    """A visitor's (already redacted) message for an existing conversation.

    The group commit writes consecutive appends with one ``bulk`` call; a lone one is a batch of one.
    """

    conversation_id: int
    text: str
    redacted: tuple
    client_msg_id: str
    now: datetime
    erase_after: datetime

    def __call__(self, conn) -> Posted | None:
        """Write it alone: a batch of one. None when the conversation is gone."""
        return self.bulk(conn, [self])[0]

    @staticmethod
    def bulk(conn, appends: list["VisitorAppend"]) -> list[Posted | None]:
        """Write many with a few statements, giving what writing them one by one would give."""
        states = store.states_by_ids(conn, {append.conversation_id for append in appends})
        results: list = [None] * len(appends)
        first: dict = {}  # (conversation, client_msg_id) -> index of the append that writes it
        for index, append in enumerate(appends):
            if append.conversation_id in states:
                first.setdefault((append.conversation_id, append.client_msg_id), index)
        writing = sorted(first.values())
        inserted = dict(zip(writing, store.insert_new_messages(conn, [appends[i].row() for i in writing]),
                            strict=True))
        written = {index: message for index, message in inserted.items() if message is not None}
        latest = {appends[i].conversation_id: appends[i] for i in written}  # in order: the last one wins
        reopening = {cid for cid in latest if states[cid].status == "closed"}
        store.record_activities(conn, [(a.conversation_id, a.now, a.erase_after, a.conversation_id in reopening)
                                       for a in latest.values()])
        reopened = store.conversations_by_ids(conn, reopening)  # no query when none reopens
        for index, message in written.items():
            # Only the first message of a closed conversation reopens it (and carries its summary).
            summary = reopened.pop(message.conversation_id, None)
            results[index] = Posted(message, summary, reopened=summary is not None)
        retried = [appends[i] for i, message in inserted.items() if message is None]
        stored = store.stored_messages(conn, "visitor", {(a.conversation_id, a.client_msg_id) for a in retried})
        for index, append in enumerate(appends):  # stored before, or twice in this batch: a retry
            key = (append.conversation_id, append.client_msg_id)
            origin = first.get(key)
            if (origin is not None and origin != index) or key in stored:
                results[index] = Posted(written.get(origin) or stored[key], duplicate=True)
        return results

    def row(self) -> dict:
        return {"conversation_id": self.conversation_id, "author": "visitor", "text": self.text,
                "redacted": self.redacted, "client_msg_id": self.client_msg_id, "created_at": self.now}


def _start_key(address_key: str, client_msg_id: str, text: str) -> str:
    """A keyed hash naming a first message: who (a rotating hash of the address), which id, what text.

    The text counts so that another person behind the same address who reuses an id is not handed
    this conversation.
    """
    named = "\0".join((address_key, client_msg_id, text)).encode("utf-8", "surrogatepass")
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"start:" + named, hashlib.sha256).hexdigest()


def _resent_start(start_key: str, client_msg_id: str) -> Posted | None:
    """The conversation a resent first message started, with new secrets, or None.

    Only the secrets' hashes are stored, so the lost ack's token cannot be sent again: the resend
    gets a new token and resume code, and the old ones (which never arrived) stop working.
    """
    window_start = clock.now() - RESEND_WINDOW
    conversation_id = read(lambda conn: store.started_conversation(conn, start_key, window_start))
    if conversation_id is None:
        return None
    token, code = secrets.token_urlsafe(32), new_resume_code()

    def work(conn):
        message = store.message_by_client_id(conn, conversation_id, "visitor", client_msg_id)
        if message is None or not store.update_conversation(
                conn, conversation_id, token_hash=hash_token(token), resume_code_hash=resume_code_hash(code)):
            return None
        conversation = store.conversation(conn, conversation_id, message)
        return Posted(message, conversation, token=token, resume_code=code, duplicate=True)

    return write(work)


def _start_conversation(text, client_msg_id, locale, address_key, origin_sid, solution) -> Posted:
    start_key = _start_key(address_key, client_msg_id, text)
    resent = _resent_start(start_key, client_msg_id)
    if resent is not None:
        return resent
    verdict = ratelimit.hit(current_app.config["CHAT_NEW_CONVERSATION_LIMITS"], "chat-new-conversation", address_key)
    if not verdict.allowed:  # a shared network past its free budget: proof of work instead of a refusal
        challenges.admit(solution, address_key)
    redaction = _redact(text, locale)
    token, code, now = secrets.token_urlsafe(32), new_resume_code(), clock.now()

    def work(conn):
        conversation_id = store.insert_conversation(conn, token_hash=hash_token(token),
                                                    resume_code_hash=resume_code_hash(code), locale=locale, now=now,
                                                    erase_after=_erase_after(now))
        [message] = store.insert_new_messages(conn, [{
            "conversation_id": conversation_id, "author": "visitor", "text": redaction.text,
            "redacted": redaction.kinds, "client_msg_id": client_msg_id, "created_at": now}])
        store.remember_start(conn, key_hash=start_key, conversation_id=conversation_id, now=now,
                              window_start=now - RESEND_WINDOW)
        return Posted(message, store.conversation(conn, conversation_id, message), token=token, resume_code=code)

    sender = app()

    def announce(posted):
        signals.conversation_changed.send(sender, conversation=posted.conversation, change="created",
                                          origin_sid=origin_sid)
        signals.message_stored.send(sender, conversation=posted.conversation, message=posted.message,
                                    origin_sid=origin_sid)

    return write_together(work, announce)


def post_operator_message(conversation_id, operator, text, client_msg_id, *, origin_sid: str | None = None,
                          attachments=None) -> Posted:
    """Store an operator's reply under their alias, with images uploaded to the conversation;
    a closed conversation refuses it."""
    conversation_id = require_id(conversation_id)
    text, client_msg_id, attachment_ids = _clean(text, client_msg_id, attachments)
    now = clock.now()

    reply = {"conversation_id": conversation_id, "author": "operator", "text": text, "client_msg_id": client_msg_id,
             "created_at": now, "operator_id": operator.id, "operator_alias": operator.alias}

    def work(conn):
        state = store.conversation_state(conn, conversation_id)
        if state is None:
            raise ServiceError("not_found", NOT_FOUND)
        [message] = [None] if state.status == "closed" else store.insert_new_messages(conn, [reply])
        if message is None:  # stored before (a resend is answered even after a close), or refused
            stored = store.message_by_client_id(conn, conversation_id, "operator", client_msg_id)
            if stored is None:
                raise ServiceError("closed", CLOSED)
            return Posted(images.with_attachments(conn, [stored])[0], duplicate=True)
        if attachment_ids:
            message = images.attach(conn, message, attachment_ids)
        store.record_activities(conn, [(conversation_id, now, _erase_after(now), False)], answered=True)
        return Posted(message, store.conversation(conn, conversation_id, message))

    sender = app()

    def announce(posted):
        if not posted.duplicate:
            signals.message_stored.send(sender, conversation=posted.conversation, message=posted.message,
                                        origin_sid=origin_sid)
            signals.conversation_changed.send(sender, conversation=posted.conversation, change="answered",
                                              origin_sid=origin_sid)

    return write_together(work, announce)
