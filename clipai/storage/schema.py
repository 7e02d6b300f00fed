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
from sqlalchemy.types import TypeDecorator

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
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("alias", String(64), nullable=False),
    Column("is_operator", Boolean, nullable=False, default=False),
    Column("is_maintainer", Boolean, nullable=False, default=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
)

auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("published_at", UTCDateTime, nullable=False),
    Column("effective_from", UTCDateTime, nullable=False),
    Column("summary", Text, nullable=False),
    Column("controlling_locale", String(8), nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("prev_sha256", String(64), nullable=True),
    Column("withdrawn_at", UTCDateTime, nullable=True),
)

policy_texts = Table(
    "policy_texts",
    metadata,
    Column("version_number", Integer, ForeignKey("policy_versions.number"), nullable=False),
    Column("locale", String(8), nullable=False),
    Column("markdown", Text, nullable=False),
    PrimaryKeyConstraint("version_number", "locale"),
)

# The verified record of a withdrawal (migration 0006): ``sha256`` covers the version's number and
# hash and ``withdrawn_at``, so ``clipai policy verify`` notices a withdrawal set, moved or undone
# behind the service's back. Rows are insert-only, like the versions.
policy_withdrawals = Table(
    "policy_withdrawals",
    metadata,
    Column("version_number", Integer, ForeignKey("policy_versions.number"), primary_key=True, autoincrement=False),
    Column("withdrawn_at", UTCDateTime, nullable=False),
    Column("sha256", String(64), nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("resume_code_hash", String(64), nullable=True, unique=True),
    Column("locale", String(8), nullable=False),
    Column("status", String(10), nullable=False, default="open"),
    Column("assigned_to", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("answered", Boolean, nullable=False, default=False),
    Column("visitor_seen_up_to", Integer, nullable=False, default=0),
    Column("operator_seen_up_to", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_activity_at", UTCDateTime, nullable=False),
    Column("erase_after", UTCDateTime, nullable=False),
    # Visitor messages after operator_seen_up_to, kept by the storage functions that insert
    # messages and by the operators' read mark (migration 0005).
    Column("unread", Integer, nullable=False, default=0),
    Index("ix_conversations_erase_after", "erase_after"),
    Index("ix_conversations_last_activity_at", "last_activity_at"),
    sqlite_autoincrement=True,  # an erased conversation's id is never handed to someone else
)

# The first message that started a conversation, for the resend window only (migration 0007): a
# visitor whose first ack was lost resends it from a new socket, perhaps to a restarted or another
# process, and must reach the same conversation. ``key_hash`` is a keyed hash of the hashed address,
# the client's message id and the text; rows older than the window are deleted as new ones come.
conversation_starts = Table(
    "conversation_starts",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("conversation_id", Integer, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_conversation_starts_created_at", "created_at"),
    Index("ix_conversation_starts_conversation_id", "conversation_id"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("author", String(10), nullable=False),
    Column("operator_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("operator_alias", String(64), nullable=True),
    Column("text", Text, nullable=False),
    Column("redacted", String(64), nullable=False, default=""),
    Column("client_msg_id", String(64), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("conversation_id", "author", "client_msg_id", name="uq_messages_client_msg_id"),
    Index("ix_messages_conversation_id_id", "conversation_id", "id"),
)

# Images attached to chat messages (migration 0011): only the bytes Pillow re-encoded, never what
# was uploaded. ``message_id`` is NULL between the upload and the message that sends it; such rows
# are purged after ``CHAT_UNSENT_UPLOAD_MINUTES``. Deleted with their conversation.
attachments = Table(
    "attachments",
    metadata,
    Column("id", Integer, primary_key=True),  # the id in the image's URL
    # The conversation the image belongs to: only its token holder and operators may read it.
    Column("conversation_id", Integer, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    # The message that sent it; NULL while uploaded but not sent yet.
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), nullable=True),
    Column("author", String(10), nullable=False),  # "visitor" or "operator": who uploaded it
    Column("content_type", String(16), nullable=False),  # image/png, image/jpeg or image/webp
    Column("width", Integer, nullable=False),  # pixels, after applying the EXIF orientation
    Column("height", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),  # the re-encoded image, without any metadata
    Column("created_at", UTCDateTime, nullable=False),  # the upload's time, for purging unsent ones
    Index("ix_attachments_conversation_id", "conversation_id"),
    Index("ix_attachments_message_id", "message_id"),
    Index("ix_attachments_created_at", "created_at"),
    sqlite_autoincrement=True,  # an erased image's id is never handed to another conversation
)

canned_replies = Table(
    "canned_replies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("shortcut", String(32), nullable=False, unique=True),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
