"""The operators' canned replies."""

import re

from flask_babel import lazy_gettext as _l

from clipai import clock
from clipai.services.conversations.transactions import read, write
from clipai.services.conversations.validation import clean_text, invalid, require_id
from clipai.services.errors import ServiceError
from clipai.storage import chat as store
from clipai.storage.chat import CannedReply

_SHORTCUT = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


def list_canned() -> list[CannedReply]:
    return read(store.list_canned)


def save_canned(shortcut, text) -> CannedReply:
    """Create a canned reply, or replace the text of the one with the same shortcut."""
    if not isinstance(shortcut, str):
        raise invalid()
    shortcut = shortcut.strip().removeprefix("/").lower()
    if not _SHORTCUT.fullmatch(shortcut):
        raise invalid(_l("Shortcuts use 1-32 lowercase letters, digits, dashes or underscores."))
    text = clean_text(text)
    return write(lambda conn: store.save_canned(conn, shortcut=shortcut, text=text, now=clock.now()))


def delete_canned(canned_id) -> None:
    canned_id = require_id(canned_id)
    if not write(lambda conn: store.delete_canned(conn, canned_id)):
        raise ServiceError("not_found", _l("That canned reply no longer exists."))
