"""Tables. Changes to this file ship with an Alembic migration in ``clipai/migrations``."""

from datetime import UTC

from sqlalchemy import (
    Boolean,
    LargeBinary,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy.types import TypeDecorator

def holds(text, hashed: bool = False) -> dict:
    """A column's description for the data inventory (``/privacy/data``): what it holds, hashed or not."""
    return {"holds": text, "hashed": hashed}


# Every table says why it exists (``purpose``, the policy ``clause``) and how long rows are kept
# (``retention``, a kind named in clipai/services/inventory.py); every column what it holds. The
# inventory is generated from these, and tests/services/test_inventory.py fails on a gap.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator):
    """Store instants as UTC and always hand back timezone-aware datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC instant")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect):
        """On SQLite, the text SQLAlchemy's DATETIME stores ("2030-01-01 12:00:00.000000"), made in C.

        The stock path (this class's conversion, then DATETIME's format string of seven named
        fields) cost ~2.2 µs a value; the chat binds about three per message (docs/benchmarks.md).
        """
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        to_param = self.process_bind_param

        def process(value):
            if value is None or value.tzinfo is not UTC:  # None, naive (refused) or another zone
                value = to_param(value, dialect)
                return None if value is None else value.isoformat(" ", "microseconds")
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")

        return process

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, info=holds(_l("Number of the account"))),
    Column("username", String(64), nullable=False, unique=True,
           info=holds(_l("Sign-in name of the operator (never shown to visitors)"))),
    Column("password_hash", String(255), nullable=False, info=holds(_l("The password, as a salted hash"), hashed=True)),
    Column("alias", String(64), nullable=False, info=holds(_l("Name shown to visitors instead of the sign-in name"))),
    Column("is_operator", Boolean, nullable=False, default=False,
           info=holds(_l("Whether the account may answer chats"))),
    Column("is_maintainer", Boolean, nullable=False, default=False,
           info=holds(_l("Whether the account may publish policy versions"))),
    Column("disabled", Boolean, nullable=False, default=False, info=holds(_l("Whether the account is switched off"))),
    Column("created_at", UTCDateTime, nullable=False, info=holds(_l("When the account was created"))),
    info={
        "purpose": _l("Accounts of operators and maintainers, so that only they can answer chats and publish the policy."),
        "clause": "3.1", "retention": "account",
    },
)

auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True, info=holds(_l("The sign-in token, as a hash"), hashed=True)),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True,
           info=holds(_l("The account it belongs to"))),
    Column("created_at", UTCDateTime, nullable=False, info=holds(_l("When it was issued"))),
    Column("expires_at", UTCDateTime, nullable=False, info=holds(_l("When it stops working"))),
    info={"purpose": _l("Sign-ins of operators and maintainers."), "clause": "3.1", "retention": "token"},
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False, info=holds(_l("Version number"))),
    Column("published_at", UTCDateTime, nullable=False, info=holds(_l("When it was published"))),
    Column("effective_from", UTCDateTime, nullable=False, info=holds(_l("When it takes effect"))),
    Column("summary", Text, nullable=False, info=holds(_l("What changed"))),
    Column("controlling_locale", String(8), nullable=False, info=holds(_l("Language of the text that prevails"))),
    Column("sha256", String(64), nullable=False, unique=True,
           info=holds(_l("Fingerprint of the version"), hashed=True)),
    Column("prev_sha256", String(64), nullable=True,
           info=holds(_l("Fingerprint of the previous version"), hashed=True)),
    Column("withdrawn_at", UTCDateTime, nullable=True, info=holds(_l("When it was withdrawn, if it was"))),
    info={"purpose": _l("Published versions of this privacy policy."), "clause": "4.1", "retention": "permanent"},
)

policy_texts = Table(
    "policy_texts",
    metadata,
    Column("version_number", Integer, ForeignKey("policy_versions.number"), nullable=False,
           info=holds(_l("The version"))),
    Column("locale", String(8), nullable=False, info=holds(_l("Language of the text"))),
    Column("markdown", Text, nullable=False, info=holds(_l("The text"))),
    PrimaryKeyConstraint("version_number", "locale"),
    info={
        "purpose": _l("The text of each policy version in each language."),
        "clause": "4.2", "retention": "permanent",
    },
)

# A version's change summary in languages other than the controlling one (migration 0009): readers
# see their language's summary, else ``policy_versions.summary``. Written with the version, covered
# by its hash, insert-only like the texts.
policy_summaries = Table(
    "policy_summaries",
    metadata,
    Column("version_number", Integer, ForeignKey("policy_versions.number"), nullable=False,
           info=holds(_l("The version"))),
    Column("locale", String(8), nullable=False, info=holds(_l("Language of the summary"))),
    Column("summary", Text, nullable=False, info=holds(_l("What changed, in that language"))),
    PrimaryKeyConstraint("version_number", "locale"),
    info={
        "purpose": _l("The change summary of each policy version in other languages."),
        "clause": "4.1", "retention": "permanent",
    },
)

# The verified record of a withdrawal (migration 0006): ``sha256`` covers the version's number and
# hash and ``withdrawn_at``, so ``clipai policy verify`` notices a withdrawal set, moved or undone
# behind the service's back. Rows are insert-only, like the versions.
policy_withdrawals = Table(
    "policy_withdrawals",
    metadata,
    Column("version_number", Integer, ForeignKey("policy_versions.number"), primary_key=True, autoincrement=False,
           info=holds(_l("The withdrawn version"))),
    Column("withdrawn_at", UTCDateTime, nullable=False, info=holds(_l("When it was withdrawn"))),
    Column("sha256", String(64), nullable=False, info=holds(_l("Fingerprint of the record"), hashed=True)),
    info={
        "purpose": _l("The sealed record of each withdrawn policy version."),
        "clause": "4.1", "retention": "permanent",
    },
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Integer, primary_key=True, info=holds(_l("Number of the chat"))),
    Column("token_hash", String(64), nullable=False, unique=True,
           info=holds(_l("The visitor's secret chat key, as a hash (the key itself stays in the visitor's browser)"), hashed=True)),
    Column("resume_code_hash", String(64), nullable=True, unique=True,
           info=holds(_l("The code that continues the chat on another device, as a hash"), hashed=True)),
    Column("locale", String(8), nullable=False, info=holds(_l("Language of the chat"))),
    Column("status", String(10), nullable=False, default="open", info=holds(_l("Whether the chat is open or closed"))),
    Column("assigned_to", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True,
           info=holds(_l("The operator answering it"))),
    Column("answered", Boolean, nullable=False, default=False, info=holds(_l("Whether an operator has answered"))),
    Column("visitor_seen_up_to", Integer, nullable=False, default=0,
           info=holds(_l("The last message the visitor has seen"))),
    Column("operator_seen_up_to", Integer, nullable=False, default=0,
           info=holds(_l("The last message the operators have seen"))),
    Column("created_at", UTCDateTime, nullable=False, info=holds(_l("When the chat started"))),
    Column("last_activity_at", UTCDateTime, nullable=False, info=holds(_l("When the last message was written"))),
    Column("erase_after", UTCDateTime, nullable=False, info=holds(_l("When the chat will be erased"))),
    # Visitor messages after operator_seen_up_to, kept by the storage functions that insert
    # messages and by the operators' read mark (migration 0005).
    Column("unread", Integer, nullable=False, default=0,
           info=holds(_l("How many visitor messages the operators have not seen yet"))),
    # When an operator last closed it (migration 0012), for the reports' resolution time; kept
    # when a visitor reopens it, read for closed conversations only.
    Column("closed_at", UTCDateTime, nullable=True, info=holds(_l("When an operator last closed the chat"))),
    Index("ix_conversations_erase_after", "erase_after"),
    Index("ix_conversations_last_activity_at", "last_activity_at"),
    sqlite_autoincrement=True,  # an erased conversation's id is never handed to someone else
    info={
        "purpose": _l("Support chats, so that operators can answer visitors in the same chat."),
        "clause": "2.1.1", "retention": "conversation",
    },
)

# The first message that started a conversation, for the resend window only (migration 0007): a
# visitor whose first ack was lost resends it from a new socket, perhaps to a restarted or another
# process, and must reach the same conversation. ``key_hash`` is a keyed hash of the hashed address,
# the client's message id and the text; rows older than the window are deleted as new ones come.
conversation_starts = Table(
    "conversation_starts",
    metadata,
    Column("key_hash", String(64), primary_key=True,
           info=holds(_l("A keyed hash of the message, its id and a hash of the network address it came from (the address itself is never stored)"), hashed=True)),
    Column("conversation_id", Integer, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False,
           info=holds(_l("The chat it started"))),
    Column("created_at", UTCDateTime, nullable=False, info=holds(_l("When it was sent"))),
    Index("ix_conversation_starts_created_at", "created_at"),
    Index("ix_conversation_starts_conversation_id", "conversation_id"),
    info={
        "purpose": _l("The first message of a new chat, so that a message sent again after a lost connection does not start a second chat."),
        "clause": "2.1.2", "retention": "resend_window",
    },
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, info=holds(_l("Number of the message"))),
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
        info=holds(_l("The chat it belongs to")),
    ),
    Column("author", String(10), nullable=False,
           info=holds(_l("Who wrote it: the visitor, an operator or the system"))),
    Column("operator_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True,
           info=holds(_l("The operator account that wrote it (never shown to visitors)"))),
    Column("operator_alias", String(64), nullable=True, info=holds(_l("The name the visitor saw"))),
    Column("text", Text, nullable=False, info=holds(_l("The text, with personal data removed"))),
    Column("redacted", String(64), nullable=False, default="",
           info=holds(_l("Which kinds of data were removed from it (e-mail address, phone number…)"))),
    Column("client_msg_id", String(64), nullable=True,
           info=holds(_l("A random id the browser gave the message, so that it is never stored twice"))),
    Column("created_at", UTCDateTime, nullable=False, info=holds(_l("When it was written"))),
    UniqueConstraint("conversation_id", "author", "client_msg_id", name="uq_messages_client_msg_id"),
    Index("ix_messages_conversation_id_id", "conversation_id", "id"),
    info={
        "purpose": _l("Chat messages, with e-mail addresses, phone, card and bank account numbers removed before they are stored."),
        "clause": "2.1.1", "retention": "conversation",
    },
)

# Images attached to chat messages (migration 0011): only the bytes Pillow re-encoded, never what
# was uploaded. ``message_id`` is NULL between the upload and the message that sends it; such rows
# are purged after ``CHAT_UNSENT_UPLOAD_MINUTES``. Deleted with their conversation.
attachments = Table(
    "attachments",
    metadata,
    Column("id", Integer, primary_key=True,
           info=holds(_l("Number of the image"))),
    # The conversation the image belongs to: only its token holder and operators may read it.
    Column("conversation_id", Integer, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False,
           info=holds(_l("The chat it belongs to"))),
    # The message that sent it; NULL while uploaded but not sent yet.
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), nullable=True,
           info=holds(_l("The message it was sent with (none while not sent yet)"))),
    Column("author", String(10), nullable=False,
           info=holds(_l("Who attached it: the visitor or an operator"))),
    Column("content_type", String(16), nullable=False,
           info=holds(_l("The image format: PNG, JPEG or WebP"))),
    Column("width", Integer, nullable=False,
           info=holds(_l("Width in pixels"))),
    Column("height", Integer, nullable=False,
           info=holds(_l("Height in pixels"))),
    Column("data", LargeBinary, nullable=False,
           info=holds(_l("The image, re-encoded without any metadata (no camera data, location or comments)"))),
    Column("created_at", UTCDateTime, nullable=False,
           info=holds(_l("When it was uploaded"))),
    Index("ix_attachments_conversation_id", "conversation_id"),
    Index("ix_attachments_message_id", "message_id"),
    Index("ix_attachments_created_at", "created_at"),
    sqlite_autoincrement=True,  # an erased image's id is never handed to another conversation
    info={
        "purpose": _l("Images attached to chat messages. Images are not redacted."),
        "clause": "2.1.1", "retention": "conversation",
    },
)

canned_replies = Table(
    "canned_replies",
    metadata,
    Column("id", Integer, primary_key=True, info=holds(_l("Number of the answer"))),
    Column("shortcut", String(32), nullable=False, unique=True, info=holds(_l("Short name to find it"))),
    Column("text", Text, nullable=False, info=holds(_l("The answer"))),
    Column("created_at", UTCDateTime, nullable=False, info=holds(_l("When it was added"))),
    info={
        "purpose": _l("Ready-made answers operators can insert into a chat."),
        "clause": "2.1.1", "retention": "until_removed",
    },
)

# Operators' internal notes on a conversation (migration 0010): never shown to the visitor, kept
# apart from ``messages`` so no visitor read path can reach them; erased with the conversation.
conversation_notes = Table(
    "conversation_notes",
    metadata,
    Column("id", Integer, primary_key=True,
           info=holds(_l("Number of the note"))),
    Column("conversation_id", Integer, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False,
           info=holds(_l("The chat it belongs to"))),
    Column("operator_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True,
           info=holds(_l("The operator account that wrote it"))),
    Column("operator_alias", String(64), nullable=False,
           info=holds(_l("The writer's name as operators see it"))),
    Column("text", Text, nullable=False,
           info=holds(_l("The note, with personal data removed"))),
    Column("redacted", String(64), nullable=False, default="",
           info=holds(_l("Which kinds of data were removed from it (e-mail address, phone number…)"))),
    Column("after_message_id", Integer, nullable=False, default=0,
           info=holds(_l("The newest message when it was written, which places it in the chat"))),
    Column("transfer_to", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True,
           info=holds(_l("The operator a transfer handed the chat to"))),
    Column("transfer_alias", String(64), nullable=True,
           info=holds(_l("That operator's name as operators see it"))),
    Column("created_at", UTCDateTime, nullable=False,
           info=holds(_l("When it was written"))),
    Index("ix_conversation_notes_conversation_id", "conversation_id"),
    info={
        "purpose": _l("Operators' internal notes on a chat, never shown to the visitor."),
        "clause": "2.1.1", "retention": "conversation",
    },
)

# Operators' labels on a conversation (migration 0010), e.g. "billing"; erased with it.
conversation_tags = Table(
    "conversation_tags",
    metadata,
    Column("conversation_id", Integer, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False,
           info=holds(_l("The chat it belongs to"))),
    Column("tag", String(32), nullable=False,
           info=holds(_l("A short label operators gave the chat, e.g. billing"))),
    PrimaryKeyConstraint("conversation_id", "tag"),
    Index("ix_conversation_tags_tag", "tag"),
    info={
        "purpose": _l("Labels operators put on chats, to find them again."),
        "clause": "2.1.1", "retention": "conversation",
    },
)

# The visitor's rating of a closed conversation (migration 0010): one per conversation, replaced
# while it stays closed; erased with it.
conversation_ratings = Table(
    "conversation_ratings",
    metadata,
    Column("conversation_id", Integer, ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False,
           info=holds(_l("The chat it belongs to"))),
    Column("stars", Integer, nullable=False,
           info=holds(_l("The visitor's rating, 1 to 5"))),
    Column("comment", Text, nullable=False, default="",
           info=holds(_l("The visitor's optional comment, with personal data removed"))),
    Column("redacted", String(64), nullable=False, default="",
           info=holds(_l("Which kinds of data were removed from it (e-mail address, phone number…)"))),
    Column("rated_at", UTCDateTime, nullable=False,
           info=holds(_l("When it was given or last changed"))),
    info={
        "purpose": _l("The visitor's rating of a closed chat, if they gave one."),
        "clause": "2.1.1", "retention": "conversation",
    },
)
