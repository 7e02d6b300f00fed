"""What a chat event may carry: message text, client ids, ids and positions; and the refusals."""

import re
import unicodedata

from flask import current_app
from flask_babel import LazyString, ngettext
from flask_babel import lazy_gettext as _l

from clipai.services.errors import ServiceError

MAX_STORED_INTEGER = 2**63 - 1  # the largest id SQLite and PostgreSQL bigint hold
MAX_SEARCH_LENGTH = 100

INVALID_TEXT = _l("That message could not be read. Please remove unusual characters and try again.")
INVALID_REQUEST = _l("That request was not valid.")
EMPTY = _l("Please type a message first.")
CLOSED = _l("This conversation is closed. Reopen it to reply.")
NOT_FOUND = _l("That conversation no longer exists.")
UNAVAILABLE = _l("The chat is unavailable right now. Please try again shortly.")

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every C0/C1 control except \t and \n
_CLIENT_MSG_ID = re.compile(r"[\x21-\x7e]{1,64}")
# Letters and marks that render as nothing: Hangul fillers, braille blank, the grapheme joiner,
# variation selectors and the Khmer inherent vowels.
_BLANK_LETTERS = frozenset(
    "\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


def invalid(message=INVALID_REQUEST) -> ServiceError:
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


def has_visible_text(text: str) -> bool:
    """Whether the text shows anything (a message of images may come without)."""
    return _has_visible_character(text)


def _has_visible_character(text: str) -> bool:
    return any(
        not (char.isspace() or char in _BLANK_LETTERS or unicodedata.category(char) == "Cf") for char in text
    )


def clean_text(text) -> str:
    """Return the message text normalised (NFC, trimmed), or refuse it with a stable code."""
    max_length = current_app.config["CHAT_MAX_MESSAGE_LENGTH"]
    if not isinstance(text, str):
        raise invalid(INVALID_TEXT)
    if len(text) > 4 * max_length + 64:  # bound the work before normalising
        raise _too_long()
    if _SURROGATE.search(text):
        raise invalid(INVALID_TEXT)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        raise invalid(INVALID_TEXT)
    text = unicodedata.normalize("NFC", text).strip()
    if not _has_visible_character(text):
        raise ServiceError("empty", EMPTY)
    if len(text) > max_length:
        raise _too_long()
    return text


def clean_client_msg_id(client_msg_id) -> str:
    """The client's id for a message: 1-64 printable ASCII characters, such as a UUID."""
    if not isinstance(client_msg_id, str) or not _CLIENT_MSG_ID.fullmatch(client_msg_id):
        raise invalid()
    return client_msg_id


def require_id(value) -> int:
    """A positive integer id from an event payload."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_STORED_INTEGER:
        raise invalid()
    return value


def require_position(value, default: int = 0) -> int:
    """A message id to read after (0 means from the start)."""
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_STORED_INTEGER:
        raise invalid()
    return value


def clean_query(query) -> str:
    """A search text: 1 to ``MAX_SEARCH_LENGTH`` readable characters, normalised (NFC, trimmed)."""
    if not isinstance(query, str) or not query.strip() or len(query) > MAX_SEARCH_LENGTH:
        raise invalid(_l("Search for 1 to %(max)d characters.", max=MAX_SEARCH_LENGTH))
    if _SURROGATE.search(query) or _CONTROL.search(query):
        raise invalid(INVALID_TEXT)
    return unicodedata.normalize("NFC", query.strip())
