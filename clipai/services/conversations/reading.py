"""What operators and visitors read: one conversation, lists, history and search."""

from flask_babel import lazy_gettext as _l

from clipai.services import attachments
from clipai.services.conversations.tags import clean_tag
from clipai.services.conversations.transactions import read
from clipai.services.conversations.validation import NOT_FOUND, clean_query, invalid, require_id, require_position
from clipai.services.errors import ServiceError
from clipai.storage import chat as store
from clipai.storage.chat import Conversation, Message

HISTORY_PAGE = 500
LIST_LIMIT = 200
SEARCH_LIMIT = 50
LIST_FILTERS = {"waiting": ("open", False), "open": ("open", True), "closed": ("closed", None)}


def conversation(conversation_id) -> Conversation:
    """The summary of one conversation, or ``not_found``."""
    conversation_id = require_id(conversation_id)
    found = read(lambda conn: store.conversation(conn, conversation_id))
    if found is None:
        raise ServiceError("not_found", NOT_FOUND)
    return found


def conversations_by_ids(conversation_ids) -> list[Conversation]:
    """The summaries of the conversations that still exist among ``conversation_ids``."""
    ids = sorted(set(conversation_ids))
    return list(read(lambda conn: store.conversations_by_ids(conn, ids)).values())


def history(conversation_id, after=None, limit: int = HISTORY_PAGE) -> tuple[Conversation, list[Message], bool]:
    """The conversation, up to ``limit`` messages after ``after`` (oldest first), and whether more follow."""
    conversation_id = require_id(conversation_id)
    after = require_position(after)

    def work(conn):
        found = store.conversation(conn, conversation_id)
        if found is None:
            raise ServiceError("not_found", NOT_FOUND)
        page = store.messages_after(conn, conversation_id, after, limit + 1)
        return found, attachments.with_attachments(conn, page[:limit]), len(page) > limit

    return read(work)


def messages_after(conversation_id: int, after: int) -> list[Message]:
    """Every message stored after ``after``, oldest first (for a reconnecting visitor)."""
    return read(lambda conn: attachments.with_attachments(conn, store.messages_after(conn, conversation_id, after)))


def list_conversations(status=None, tag=None) -> list[Conversation]:
    """Summaries for the operators' queue: ``waiting`` (no reply yet), ``open`` or ``closed``; maybe one tag's."""
    if status is not None and (not isinstance(status, str) or status not in LIST_FILTERS):
        raise invalid(_l("The status must be waiting, open or closed."))
    stored_status, answered = LIST_FILTERS[status] if status else (None, None)
    tag = clean_tag(tag) if tag is not None else None
    return read(lambda conn: store.list_conversations(conn, status=stored_status, answered=answered, tag=tag,
                                                       limit=LIST_LIMIT))


def search(query) -> list[tuple[Conversation, Message]]:
    """The newest messages containing ``query``, each with its conversation's summary."""
    needle = clean_query(query)

    def work(conn):
        found = store.search_messages(conn, needle, SEARCH_LIMIT)
        summaries = store.conversations_by_ids(conn, {message.conversation_id for message in found})
        return [(summaries[message.conversation_id], message) for message in found
                if message.conversation_id in summaries]

    return read(work)
