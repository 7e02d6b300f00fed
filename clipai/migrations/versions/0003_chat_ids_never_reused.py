"""chat: conversation ids are never reused

SQLite hands out ``max(id) + 1`` for a plain integer key, so erasing the newest conversation
would give its id to the next visitor, and a socket or console still holding the old id would
reach a stranger's conversation. ``AUTOINCREMENT`` never reuses an id. SQLite cannot add it to
an existing table, so both chat tables are rebuilt (messages first, since dropping a referenced
table with foreign keys on would cascade). PostgreSQL sequences never reuse ids: nothing to do.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CONVERSATION_COLUMNS = (
    "id, token_hash, resume_code_hash, locale, status, assigned_to, answered, visitor_seen_up_to, "
    "operator_seen_up_to, created_at, last_activity_at, erase_after"
)
MESSAGE_COLUMNS = "id, conversation_id, author, operator_id, operator_alias, text, redacted, client_msg_id, created_at"


def _create_conversations():
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("resume_code_hash", sa.String(length=64), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("visitor_seen_up_to", sa.Integer(), nullable=False),
        sa.Column("operator_seen_up_to", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erase_after", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assigned_to"], ["users.id"], name="fk_conversations_assigned_to_users",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
        sa.UniqueConstraint("resume_code_hash", name="uq_conversations_resume_code_hash"),
        sa.UniqueConstraint("token_hash", name="uq_conversations_token_hash"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_conversations_erase_after", "conversations", ["erase_after"])
    op.create_index("ix_conversations_last_activity_at", "conversations", ["last_activity_at"])


def _create_messages():
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=10), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("operator_alias", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("redacted", sa.String(length=64), nullable=False),
        sa.Column("client_msg_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name="fk_messages_conversation_id_conversations", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["operator_id"], ["users.id"], name="fk_messages_operator_id_users",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.UniqueConstraint("conversation_id", "author", "client_msg_id", name="uq_messages_client_msg_id"),
    )
    op.create_index("ix_messages_conversation_id_id", "messages", ["conversation_id", "id"])


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    bind.exec_driver_sql("CREATE TEMPORARY TABLE chat_messages_copy AS SELECT * FROM messages")
    bind.exec_driver_sql("CREATE TEMPORARY TABLE chat_conversations_copy AS SELECT * FROM conversations")
    op.drop_table("messages")
    op.drop_table("conversations")
    _create_conversations()
    _create_messages()
    bind.exec_driver_sql(
        f"INSERT INTO conversations ({CONVERSATION_COLUMNS}) SELECT {CONVERSATION_COLUMNS} FROM chat_conversations_copy"
    )
    bind.exec_driver_sql(f"INSERT INTO messages ({MESSAGE_COLUMNS}) SELECT {MESSAGE_COLUMNS} FROM chat_messages_copy")
    bind.exec_driver_sql("DROP TABLE chat_messages_copy")
    bind.exec_driver_sql("DROP TABLE chat_conversations_copy")


def downgrade():
    # AUTOINCREMENT is compatible with the older schema; keeping it loses nothing.
    pass
