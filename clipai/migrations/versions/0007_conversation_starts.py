"""chat: first messages are remembered in the database for the resend window

A visitor whose first message was stored but whose ack was lost resends it from a new socket. The
record that sent such a resend to the conversation it had started lived in one process's memory:
after a restart (or on another process) the resend started a second conversation, and the first
kept the visitor's words for the retention period with no token to erase them. The record now
lives in ``conversation_starts``, keyed by a keyed hash (never the address or the text) and kept
only for the resend window.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from clipai.storage.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "conversation_starts",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE",
                                name="fk_conversation_starts_conversation_id_conversations"),
        sa.PrimaryKeyConstraint("key_hash", name="pk_conversation_starts"),
    )
    op.create_index("ix_conversation_starts_created_at", "conversation_starts", ["created_at"])
    op.create_index("ix_conversation_starts_conversation_id", "conversation_starts", ["conversation_id"])


def downgrade():
    op.drop_table("conversation_starts")
