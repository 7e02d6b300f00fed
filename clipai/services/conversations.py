"""Support conversations: visitors' and operators' messages, states, search and canned replies.

Every write is one short transaction; messages that arrive together share one (group commit,
clipai.services.group_commit), so one fsync serves them all. Signals are sent only after the
commit, in commit order, so a message is never announced before it is stored, and a failed
commit announces nothing.
"""

import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import LazyString, force_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from clipai import clock, ratelimit, signals, storage
from clipai.security import hash_token
from clipai.services import accounts, retention
from clipai.services.errors import ServiceError
from clipai.services.group_commit import GroupCommit, wake_class
from clipai.services.redaction import redact
from clipai.storage import chat as store
from clipai.storage import conversation_starts as starts
from clipai.storage.chat import CannedReply, Conversation, ConversationState, Message

log = logging.getLogger(__name__)

RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no I, L, O, U, 0, 1: nothing to misread
RESUME_CODE_LENGTH = 10
HISTORY_PAGE = 500
LIST_LIMIT = 200
SEARCH_LIMIT = 50
MAX_SEARCH_LENGTH = 100
MAX_STORED_INTEGER = 2**63 - 1  # the largest id SQLite and PostgreSQL bigint hold
# A first message resent within this time (its ack was lost) reaches the conversation it started.
RESEND_WINDOW = timedelta(minutes=15)
LIST_FILTERS = {"waiting": ("open", False), "open": ("open", True), "closed": ("closed", None)}
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

INVALID_TEXT = _l("That message could not be read. Please remove unusual characters and try again.")
INVALID_REQUEST = _l("That request was not valid.")
EMPTY = _l("Please type a message first.")
CLOSED = _l("This conversation is closed. Reopen it to reply.")
NOT_FOUND = _l("That conversation no longer exists.")
UNKNOWN_TOKEN = _l("This conversation could not be found. It may have been erased.")
UNAVAILABLE = _l("The chat is unavailable right now. Please try again shortly.")
GROUP_COMMIT_KEY = "clipai.chat.group_commit"
PLACEHOLDERS_KEY = "clipai.chat.placeholders"

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every C0/C1 control except \t and \n
_CLIENT_MSG_ID = re.compile(r"[\x21-\x7e]{1,64}")
_SHORTCUT = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
# Letters and marks that render as nothing: Hangul fillers, braille blank, the grapheme joiner,
# variation selectors and the Khmer inherent vowels.
_BLANK_LETTERS = frozenset(
    "\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


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


# --- errors --------------------------------------------------------------------------------


def _invalid(message=INVALID_REQUEST) -> ServiceError:
    return ServiceError("invalid", message)


def _too_long() -> ServiceError:
    limit = current_app.config["CHAT_MAX_MESSAGE_LENGTH"]
    return ServiceError("too_long", _l("Messages can be at most %(max)d characters long.", max=limit), max=limit)


def rate_limited(retry_after: int) -> ServiceError:
    message = LazyString(
        lambda: ngettext("Too many messages. Please wait %(num)d second and try again.",
                         "Too many messages. Please wait %(num)d seconds and try again.", retry_after)
    )
    return ServiceError("rate_limited", message, retry_after=retry_after)


def unavailable() -> ServiceError:
    return ServiceError("unavailable", UNAVAILABLE)


# --- input rules ---------------------------------------------------------------------------


def _has_visible_character(text: str) -> bool:
    return any(
        not (char.isspace() or char in _BLANK_LETTERS or unicodedata.category(char) == "Cf") for char in text
    )


def clean_text(text) -> str:
    """Return the message text normalised (NFC, trimmed), or refuse it with a stable code."""
    max_length = current_app.config["CHAT_MAX_MESSAGE_LENGTH"]
    if not isinstance(text, str):
        raise _invalid(INVALID_TEXT)
    if len(text) > 4 * max_length + 64:  # bound the work before normalising
        raise _too_long()
    if _SURROGATE.search(text):
        raise _invalid(INVALID_TEXT)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        raise _invalid(INVALID_TEXT)
    text = unicodedata.normalize("NFC", text).strip()
    if not _has_visible_character(text):
        raise ServiceError("empty", EMPTY)
    if len(text) > max_length:
        raise _too_long()
    return text


def clean_client_msg_id(client_msg_id) -> str:
    """The client's id for a message: 1-64 printable ASCII characters, such as a UUID."""
    if not isinstance(client_msg_id, str) or not _CLIENT_MSG_ID.fullmatch(client_msg_id):
        raise _invalid()
    return client_msg_id


def require_id(value) -> int:
    """A positive integer id from an event payload."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_STORED_INTEGER:
        raise _invalid()
    return value


def require_position(value, default: int = 0) -> int:
    """A message id to read after (0 means from the start)."""
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_STORED_INTEGER:
        raise _invalid()
    return value


# --- secrets -------------------------------------------------------------------------------


def new_resume_code() -> str:
    """A short code a person can copy by hand, shown as ``ABCD-EFGH-JK``."""
    raw = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalize_resume_code(secret: str) -> str | None:
    """The canonical form of something typed as a resume code, or None when it cannot be one."""
    compact = re.sub(r"[\s-]", "", secret).upper()
    if len(compact) == RESUME_CODE_LENGTH and all(char in RESUME_ALPHABET for char in compact):
        return compact
    return None


def _resume_code_hash(code: str) -> str:
    return hash_token("resume:" + normalize_resume_code(code))


def _lookup_secret(secret) -> ConversationState | None:
    if not isinstance(secret, str) or not secret or len(secret) > 200:
        return None
    code = normalize_resume_code(secret)
    if code:
        return _read(lambda conn: store.state_by_resume_code_hash(conn, hash_token("resume:" + code)))
    return _read(lambda conn: store.state_by_token_hash(conn, hash_token(secret)))


def resume(secret, address_key: str) -> ConversationState:
    """Find the conversation behind a token or resume code; failed guesses are rate limited."""
    limits = current_app.config["CHAT_RESUME_LIMITS"]
    verdict = ratelimit.peek(limits, "chat-resume", address_key)
    if not verdict.allowed:
        raise rate_limited(verdict.retry_after)
    found = _lookup_secret(secret)
    if found is None:
        ratelimit.hit(limits, "chat-resume", address_key)
        raise ServiceError("unauthorized", UNKNOWN_TOKEN)
    return found


# --- storing messages ----------------------------------------------------------------------


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


def _app():
    return current_app._get_current_object()


def _stored_message(conversation_id: int, author: str, client_msg_id: str) -> Message | None:
    with storage.reading() as conn:
        return store.message_by_client_id(conn, conversation_id, author, client_msg_id)


def _log_database_error(error: SQLAlchemyError) -> None:
    # Never the statement's parameters: they hold what visitors wrote.
    original = getattr(error, "orig", None) or error
    first_line = (str(original).splitlines() or [""])[0][:200]
    log.error("chat: database error: %s: %s", type(original).__name__, first_line)


def _write(work, *, retry_of=None):
    """Run ``work(conn)`` in one transaction; a database failure becomes ``unavailable``.

    ``retry_of`` is ``(conversation_id, author, client_msg_id)``: when a concurrent retry stored
    that message first, the unique constraint fires and the stored message is returned instead.
    """

    def run():
        with storage.transaction() as conn:
            return work(conn)

    return _stored_or_unavailable(run, retry_of)


def _group_commit() -> GroupCommit:
    # Looked up at each call, so a replaced storage.transaction (tests) is the one used.
    extensions = current_app.extensions  # get first: setdefault alone would build one per call
    return extensions.get(GROUP_COMMIT_KEY) or extensions.setdefault(GROUP_COMMIT_KEY, GroupCommit(
        lambda: storage.transaction(), wake=wake_class(current_app.config["ASYNC_MODE"])))


def _write_together(work, announce, *, retry_of=None):
    """Like ``_write``, but in the next group commit; ``announce(result)`` runs after it, in order."""
    return _stored_or_unavailable(lambda: _group_commit().submit(work, announce), retry_of)


def _stored_or_unavailable(write, retry_of):
    try:
        return write()
    except IntegrityError as error:
        stored = _stored_message(*retry_of) if retry_of else None
        if stored is None:
            _log_database_error(error)
            raise unavailable() from None
        return Posted(stored, duplicate=True)
    except SQLAlchemyError as error:
        _log_database_error(error)
        raise unavailable() from None


def post_visitor_message(conversation_id: int | None, text, client_msg_id, *, locale: str,
                         address_key: str) -> Posted:
    """Store a visitor's message; the first one (or one after an erase) starts a conversation."""
    text = clean_text(text)
    client_msg_id = clean_client_msg_id(client_msg_id)
    if conversation_id is not None:
        posted = _append_visitor_message(conversation_id, text, client_msg_id, locale)
        if posted is not None:
            return posted
    return _start_conversation(text, client_msg_id, locale, address_key)


def _append_visitor_message(conversation_id, text, client_msg_id, locale) -> Posted | None:
    verdict = ratelimit.hit(current_app.config["CHAT_MESSAGE_LIMITS"], "chat-message", str(conversation_id))
    if not verdict.allowed:
        stored = _stored_message(conversation_id, "visitor", client_msg_id)
        if stored is None:
            raise rate_limited(verdict.retry_after)
        return Posted(stored, duplicate=True)
    redaction = _redact(text, locale)
    now = clock.now()
    append = VisitorAppend(conversation_id, redaction.text, tuple(redaction.kinds), client_msg_id, now,
                           _erase_after(now))

    def announce(posted):
        if posted is None or posted.duplicate:
            return
        if posted.reopened:
            signals.conversation_changed.send(_app(), conversation=posted.conversation, change="reopened")
        signals.message_stored.send(_app(), conversation=posted.conversation, message=posted.message)

    return _write_together(append, announce, retry_of=(conversation_id, "visitor", client_msg_id))


@dataclass(frozen=True)
class VisitorAppend:
    """A visitor's (already redacted) message for an existing conversation, written alone or in bulk."""

    conversation_id: int
    text: str
    redacted: tuple
    client_msg_id: str
    now: datetime
    erase_after: datetime

    def __call__(self, conn) -> Posted | None:
        """Write it: None when the conversation is gone, the stored message when it is a retry."""
        state = store.conversation_state(conn, self.conversation_id)
        if state is None:
            return None
        stored = store.message_by_client_id(conn, self.conversation_id, "visitor", self.client_msg_id)
        if stored is not None:
            return Posted(stored, duplicate=True)
        message = store.insert_message(conn, conversation_id=self.conversation_id, author="visitor", text=self.text,
                                       redacted=self.redacted, client_msg_id=self.client_msg_id, created_at=self.now)
        reopen = state.status == "closed"
        store.record_activity(conn, self.conversation_id, now=self.now, erase_after=self.erase_after, reopen=reopen)
        return Posted(message, store.conversation(conn, self.conversation_id, message) if reopen else None,
                      reopened=reopen)

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
    with storage.reading() as conn:
        conversation_id = starts.started_conversation(conn, start_key, window_start)
    if conversation_id is None:
        return None
    token, code = secrets.token_urlsafe(32), new_resume_code()

    def work(conn):
        message = store.message_by_client_id(conn, conversation_id, "visitor", client_msg_id)
        if message is None or not store.update_conversation(
                conn, conversation_id, token_hash=hash_token(token), resume_code_hash=_resume_code_hash(code)):
            return None
        conversation = store.conversation(conn, conversation_id, message)
        return Posted(message, conversation, token=token, resume_code=code, duplicate=True)

    return _write(work)


def _start_conversation(text, client_msg_id, locale, address_key) -> Posted:
    start_key = _start_key(address_key, client_msg_id, text)
    resent = _resent_start(start_key, client_msg_id)
    if resent is not None:
        return resent
    verdict = ratelimit.hit(current_app.config["CHAT_NEW_CONVERSATION_LIMITS"], "chat-new-conversation", address_key)
    if not verdict.allowed:
        raise rate_limited(verdict.retry_after)
    redaction = _redact(text, locale)
    token, code, now = secrets.token_urlsafe(32), new_resume_code(), clock.now()

    def work(conn):
        conversation_id = store.insert_conversation(conn, token_hash=hash_token(token),
                                                    resume_code_hash=_resume_code_hash(code), locale=locale, now=now,
                                                    erase_after=_erase_after(now))
        message = store.insert_message(conn, conversation_id=conversation_id, author="visitor", text=redaction.text,
                                       redacted=redaction.kinds, client_msg_id=client_msg_id, created_at=now)
        starts.remember_start(conn, key_hash=start_key, conversation_id=conversation_id, now=now,
                              window_start=now - RESEND_WINDOW)
        return Posted(message, store.conversation(conn, conversation_id, message), token=token, resume_code=code)

    def announce(posted):
        signals.conversation_changed.send(_app(), conversation=posted.conversation, change="created")
        signals.message_stored.send(_app(), conversation=posted.conversation, message=posted.message)

    return _write_together(work, announce)


def post_operator_message(conversation_id, operator, text, client_msg_id) -> Posted:
    """Store an operator's reply under their alias; a closed conversation refuses it."""
    conversation_id = require_id(conversation_id)
    text = clean_text(text)
    client_msg_id = clean_client_msg_id(client_msg_id)
    now = clock.now()

    def work(conn):
        state = store.conversation_state(conn, conversation_id)
        if state is None:
            raise ServiceError("not_found", NOT_FOUND)
        stored = store.message_by_client_id(conn, conversation_id, "operator", client_msg_id)
        if stored is not None:
            return Posted(stored, duplicate=True)
        if state.status == "closed":
            raise ServiceError("closed", CLOSED)
        message = store.insert_message(conn, conversation_id=conversation_id, author="operator", text=text,
                                       client_msg_id=client_msg_id, created_at=now, operator_id=operator.id,
                                       operator_alias=operator.alias)
        store.record_activity(conn, conversation_id, now=now, erase_after=_erase_after(now), answered=True)
        return Posted(message, store.conversation(conn, conversation_id, message))

    def announce(posted):
        if not posted.duplicate:
            signals.message_stored.send(_app(), conversation=posted.conversation, message=posted.message)
            signals.conversation_changed.send(_app(), conversation=posted.conversation, change="answered")

    return _write_together(work, announce, retry_of=(conversation_id, "operator", client_msg_id))


# --- reading -------------------------------------------------------------------------------


def _read(work):
    try:
        with storage.reading() as conn:
            return work(conn)
    except SQLAlchemyError as error:
        _log_database_error(error)
        raise unavailable() from None


def conversation(conversation_id) -> Conversation:
    """The summary of one conversation, or ``not_found``."""
    conversation_id = require_id(conversation_id)
    found = _read(lambda conn: store.conversation(conn, conversation_id))
    if found is None:
        raise ServiceError("not_found", NOT_FOUND)
    return found


def conversations_by_ids(conversation_ids) -> list[Conversation]:
    """The summaries of the conversations that still exist among ``conversation_ids``."""
    ids = sorted(set(conversation_ids))
    return list(_read(lambda conn: store.conversations_by_ids(conn, ids)).values())


def history(conversation_id, after=None, limit: int = HISTORY_PAGE) -> tuple[Conversation, list[Message], bool]:
    """The conversation, up to ``limit`` messages after ``after`` (oldest first), and whether more follow."""
    conversation_id = require_id(conversation_id)
    after = require_position(after)

    def work(conn):
        found = store.conversation(conn, conversation_id)
        if found is None:
            raise ServiceError("not_found", NOT_FOUND)
        page = store.messages_after(conn, conversation_id, after, limit + 1)
        return found, page[:limit], len(page) > limit

    return _read(work)


def messages_after(conversation_id: int, after: int) -> list[Message]:
    """Every message stored after ``after``, oldest first (for a reconnecting visitor)."""
    return _read(lambda conn: store.messages_after(conn, conversation_id, after))


def list_conversations(status=None) -> list[Conversation]:
    """Summaries for the operators' queue: ``waiting`` (no reply yet), ``open`` or ``closed``."""
    if status is not None and (not isinstance(status, str) or status not in LIST_FILTERS):
        raise _invalid(_l("The status must be waiting, open or closed."))
    stored_status, answered = LIST_FILTERS[status] if status else (None, None)
    return _read(lambda conn: store.list_conversations(conn, status=stored_status, answered=answered,
                                                       limit=LIST_LIMIT))


def search(query) -> list[tuple[Conversation, Message]]:
    """The newest messages containing ``query``, each with its conversation's summary."""
    if not isinstance(query, str) or not query.strip() or len(query) > MAX_SEARCH_LENGTH:
        raise _invalid(_l("Search for 1 to %(max)d characters.", max=MAX_SEARCH_LENGTH))
    if _SURROGATE.search(query) or _CONTROL.search(query):
        raise _invalid(INVALID_TEXT)
    needle = unicodedata.normalize("NFC", query.strip())

    def work(conn):
        found = store.search_messages(conn, needle, SEARCH_LIMIT)
        summaries = store.conversations_by_ids(conn, {message.conversation_id for message in found})
        return [(summaries[message.conversation_id], message) for message in found
                if message.conversation_id in summaries]

    return _read(work)


# --- state changes -------------------------------------------------------------------------


def _change(conversation_id, change: str, update) -> Conversation:
    """Apply ``update(conn, state)`` to an existing conversation; announce it when it changed something."""
    conversation_id = require_id(conversation_id)

    def work(conn):
        state = store.conversation_state(conn, conversation_id)
        if state is None:
            raise ServiceError("not_found", NOT_FOUND)
        changed = update(conn, state)
        return store.conversation(conn, conversation_id), changed

    summary, changed = _write(work)
    if changed:
        signals.conversation_changed.send(_app(), conversation=summary, change=change)
    return summary


def _set_status(status: str):
    def update(conn, state) -> bool:
        if state.status == status:
            return False
        return store.update_conversation(conn, state.id, status=status) > 0

    return update


def close(conversation_id) -> Conversation:
    """Close the conversation (a visitor's next message reopens it)."""
    return _change(conversation_id, "closed", _set_status("closed"))


def reopen(conversation_id) -> Conversation:
    return _change(conversation_id, "reopened", _set_status("open"))


def assign(conversation_id, operator_id) -> Conversation:
    """Assign the conversation to an enabled operator, or to nobody with ``None``."""
    if operator_id is not None:
        operator = accounts.user_by_id(require_id(operator_id))
        if operator is None or operator.disabled or not operator.is_operator:
            raise ServiceError("not_found", _l("There is no operator with that id."))
    return _change(conversation_id, "assigned",
                   lambda conn, state: store.update_conversation(conn, state.id, assigned_to=operator_id) > 0)


def mark_seen(conversation_id, by: str, up_to) -> Conversation:
    """Record that the visitor or the operators read every message up to ``up_to``."""
    column = {"visitor": "visitor_seen_up_to", "operator": "operator_seen_up_to"}[by]
    up_to = require_position(up_to)

    def update(conn, state) -> bool:
        current = store.seen_up_to(conn, state.id, column)
        seen = min(up_to, store.last_message_id(conn, state.id))
        if seen <= current:
            return False
        values = {column: seen}
        if by == "operator":
            values["unread"] = store.count_unread(conn, state.id, seen)
        return store.update_conversation(conn, state.id, **values) > 0

    return _change(conversation_id, f"{by}_seen", update)


def set_typing(conversation_id: int, author: str, active, alias: str | None = None) -> None:
    """Tell the other side that someone started or stopped typing (nothing is stored)."""
    if not isinstance(active, bool):
        raise _invalid()
    signals.typing_changed.send(_app(), conversation_id=conversation_id, author=author, active=active, alias=alias)


def operator_typing(conversation_id, operator, active) -> None:
    """An operator typing in an existing conversation; visitors see the alias only."""
    conversation(conversation_id)
    set_typing(conversation_id, "operator", active, alias=operator.alias)


def erase(conversation_id: int) -> None:
    """Delete the conversation and its messages now, leaving no text in the database file."""
    _write(lambda conn: store.delete_conversations(conn, [conversation_id]))
    retention.scrub_database_file()
    signals.conversation_erased.send(_app(), conversation_id=conversation_id)


# --- canned replies ------------------------------------------------------------------------


def list_canned() -> list[CannedReply]:
    return _read(store.list_canned)


def save_canned(shortcut, text) -> CannedReply:
    """Create a canned reply, or replace the text of the one with the same shortcut."""
    if not isinstance(shortcut, str):
        raise _invalid()
    shortcut = shortcut.strip().removeprefix("/").lower()
    if not _SHORTCUT.fullmatch(shortcut):
        raise _invalid(_l("Shortcuts use 1-32 lowercase letters, digits, dashes or underscores."))
    text = clean_text(text)
    return _write(lambda conn: store.save_canned(conn, shortcut=shortcut, text=text, now=clock.now()))


def delete_canned(canned_id) -> None:
    canned_id = require_id(canned_id)
    if not _write(lambda conn: store.delete_canned(conn, canned_id)):
        raise ServiceError("not_found", _l("That canned reply no longer exists."))


# --- what clients receive ------------------------------------------------------------------


def iso(instant) -> str:
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def for_visitor(message: Message) -> dict:
    """A message as the visitor's widget receives it: operators by alias only."""
    payload = {
        "id": message.id,
        "author": message.author,
        "text": message.text,
        "created_at": iso(message.created_at),
        "redacted": list(message.redacted),
    }
    if message.author == "operator":
        payload["alias"] = message.operator_alias
    elif message.author == "visitor" and message.client_msg_id:
        payload["client_msg_id"] = message.client_msg_id
    return payload


def for_operators(message: Message) -> dict:
    """A message as the console receives it."""
    payload = {**for_visitor(message), "conversation_id": message.conversation_id}
    if message.author == "operator":
        payload["operator_id"] = message.operator_id
    if message.client_msg_id:
        payload["client_msg_id"] = message.client_msg_id
    return payload


def status_of(conversation: Conversation) -> str:
    """``waiting`` (open, no operator reply yet), ``open`` or ``closed``."""
    if conversation.status == "open" and not conversation.answered:
        return "waiting"
    return conversation.status


def summary(conversation: Conversation) -> dict:
    """A conversation as the console lists it."""
    assigned = None
    if conversation.assigned_to is not None:
        assigned = {"id": conversation.assigned_to, "alias": conversation.assigned_alias}
    return {
        "id": conversation.id,
        "status": status_of(conversation),
        "locale": conversation.locale,
        "assigned_to": assigned,
        "answered": conversation.answered,
        "created_at": iso(conversation.created_at),
        "last_activity_at": iso(conversation.last_activity_at),
        "erase_after": iso(conversation.erase_after),
        "unread": conversation.unread,
        "visitor_seen_up_to": conversation.visitor_seen_up_to,
        "operator_seen_up_to": conversation.operator_seen_up_to,
        "last_message": for_operators(conversation.last_message) if conversation.last_message else None,
    }


def canned_payload(reply: CannedReply) -> dict:
    return {"id": reply.id, "shortcut": reply.shortcut, "text": reply.text}
