"""Support conversations: visitors' and operators' messages, states, reading and canned replies.

One module per concept (see docs/architecture.md); this package names what the features use,
so they import one thing: ``from clipai.services import conversations``.
"""

from clipai.services.conversations.access import RESUME_ALPHABET, normalize_resume_code, resume
from clipai.services.conversations.canned import delete_canned, list_canned, save_canned
from clipai.services.conversations.notes import add_note, notes, transfer
from clipai.services.conversations.payloads import (
    canned_payload,
    for_operators,
    for_visitor,
    iso,
    note_payload,
    rating_payload,
    summary,
)
from clipai.services.conversations.posting import post_operator_message, post_visitor_message
from clipai.services.conversations.ratings import rate
from clipai.services.conversations.reading import (
    conversation,
    conversations_by_ids,
    history,
    list_conversations,
    messages_after,
    search,
)
from clipai.services.conversations.states import (
    assign,
    close,
    erase,
    mark_seen,
    operator_typing,
    reopen,
    set_typing,
)
from clipai.services.conversations.tags import add_tag, remove_tag
from clipai.services.conversations.validation import (
    INVALID_REQUEST,
    NOT_FOUND,
    UNAVAILABLE,
    clean_client_msg_id,
    clean_text,
    rate_limited,
    require_id,
    require_position,
    unavailable,
)

__all__ = [
    "INVALID_REQUEST", "RESUME_ALPHABET", "UNAVAILABLE", "assign", "canned_payload",
    "clean_client_msg_id", "clean_text", "close", "conversation", "conversations_by_ids", "delete_canned", "erase",
    "for_operators", "for_visitor", "history", "iso", "list_canned", "list_conversations", "mark_seen",
    "messages_after", "normalize_resume_code", "operator_typing", "post_operator_message", "post_visitor_message",
    "rate_limited", "reopen", "require_id", "require_position", "resume", "save_canned", "search", "set_typing",
    "summary", "unavailable",
    # operators' notes, tags and transfers; visitors' ratings
    "NOT_FOUND", "add_note", "add_tag", "note_payload", "notes", "rate", "rating_payload", "remove_tag", "transfer",
]
