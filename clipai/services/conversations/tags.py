"""Operators' tags on conversations: short normalized labels to filter and search the queue by."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l

from clipai import signals
from clipai.services.conversations.transactions import app, write
from clipai.services.conversations.validation import NOT_FOUND, invalid, require_id
from clipai.services.errors import ServiceError
from clipai.storage import chat as store
from clipai.storage.chat import Conversation

MAX_TAG_LENGTH = 32
MAX_TAGS = 10
_TAG = re.compile(r"[^\W_][\w-]{0,%d}" % (MAX_TAG_LENGTH - 1))  # \w: any script's letters and digits
TAG_RULE = _l("A tag has 1-32 letters, digits, dashes or underscores and starts with a letter or digit.")
TOO_MANY_TAGS = _l("A conversation can have at most %(max)d tags.", max=MAX_TAGS)


def clean_tag(tag) -> str:
    """The normalized tag: NFKC, lowercase, without a leading ``#``, spaces as dashes; or ``invalid``."""
    if not isinstance(tag, str) or len(tag) > 4 * MAX_TAG_LENGTH:
        raise invalid(TAG_RULE)
    tag = unicodedata.normalize("NFKC", tag).strip().removeprefix("#").casefold()
    tag = re.sub(r"\s+", "-", tag.strip())
    if not _TAG.fullmatch(tag):
        raise invalid(TAG_RULE)
    return tag


def _change_tags(conversation_id, tag, update, origin_sid) -> Conversation:
    conversation_id, tag = require_id(conversation_id), clean_tag(tag)

    def work(conn):
        if store.conversation_state(conn, conversation_id) is None:
            raise ServiceError("not_found", NOT_FOUND)
        changed = update(conn, conversation_id, tag)
        return store.conversation(conn, conversation_id), changed

    summary, changed = write(work)
    if changed:
        signals.conversation_changed.send(app(), conversation=summary, change="tagged", origin_sid=origin_sid)
    return summary


def _add(conn, conversation_id: int, tag: str) -> bool:
    tags = store.tags_of(conn, conversation_id)
    if tag in tags:
        return False
    if len(tags) >= MAX_TAGS:
        raise invalid(TOO_MANY_TAGS)
    store.add_tag(conn, conversation_id, tag)
    return True


def add_tag(conversation_id, tag, *, origin_sid: str | None = None) -> Conversation:
    """Tag the conversation (again is nothing new); every console hears of the change."""
    return _change_tags(conversation_id, tag, _add, origin_sid)


def remove_tag(conversation_id, tag, *, origin_sid: str | None = None) -> Conversation:
    return _change_tags(conversation_id, tag, store.remove_tag, origin_sid)
