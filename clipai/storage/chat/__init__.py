"""SQL for support conversations, their messages and the operators' canned replies.

One module per concept; this package names what the services use, so they import one thing.
"""

from clipai.storage.chat import attachments
from clipai.storage.chat.batch import (
    conversation_state,
    insert_new_messages,
    record_activities,
    states_by_ids,
)
from clipai.storage.chat.canned import canned_by_shortcut, delete_canned, list_canned, save_canned
from clipai.storage.chat.conversations import (
    checkpoint_wal,
    conversation,
    conversations_by_ids,
    delete_conversations,
    expired_conversation_ids,
    insert_conversation,
    list_conversations,
    seen_up_to,
    state_by_resume_code_hash,
    state_by_token_hash,
    update_conversation,
)
from clipai.storage.chat.messages import (
    count_unread,
    last_message_id,
    message_by_client_id,
    message_by_id,
    messages_after,
    messages_by_ids,
    search_messages,
    stored_messages,
)

from clipai.storage.chat.response_times import first_responses
from clipai.storage.chat.notes import Note, insert_note, notes_of
from clipai.storage.chat.ratings import save_rating
from clipai.storage.chat.records import Attachment, CannedReply, Conversation, ConversationState, Message, Rating
from clipai.storage.chat.starts import remember_start, started_conversation
from clipai.storage.chat.tags import add_tag, remove_tag, tags_of

__all__ = [
    "Attachment", "CannedReply", "attachments", "Conversation", "ConversationState", "Message", "canned_by_shortcut", "checkpoint_wal",
    "conversation", "conversation_state", "conversations_by_ids", "count_unread", "delete_canned",
    "delete_conversations", "expired_conversation_ids", "first_responses", "insert_conversation",
    "insert_new_messages", "last_message_id", "list_canned", "list_conversations", "message_by_client_id",
    "message_by_id", "messages_after", "messages_by_ids", "record_activities",
    "remember_start", "save_canned", "search_messages", "seen_up_to", "started_conversation",
    "state_by_resume_code_hash", "state_by_token_hash", "states_by_ids", "stored_messages", "update_conversation",
    # operators' notes and tags, visitors' ratings
    "Note", "Rating", "add_tag", "insert_note", "notes_of", "remove_tag", "save_rating", "tags_of",
]
