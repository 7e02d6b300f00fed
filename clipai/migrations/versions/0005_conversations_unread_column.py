"""chat: a conversation keeps its unread count instead of counting messages for every summary

The console shows, for every conversation, how many visitor messages came after the operators'
read mark. Migration 0004 counted them from an index on ``(conversation_id, author, id)``; but
every message written must also update that index, and under load a batch of messages dirtied a
third more pages for it, which each commit then writes and syncs (docs/benchmarks.md). The
count now lives in ``conversations.unread``: storing a visitor message adds one, the operators'
read mark recounts the few messages after it, and summaries read the column.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("conversations", sa.Column("unread", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE conversations SET unread = (SELECT count(*) FROM messages WHERE messages.conversation_id = "
        "conversations.id AND messages.author = 'visitor' AND messages.id > conversations.operator_seen_up_to)"
    )
    op.drop_index("ix_messages_conversation_id_author_id", table_name="messages")


def downgrade():
    op.create_index("ix_messages_conversation_id_author_id", "messages", ["conversation_id", "author", "id"])
    op.execute("ALTER TABLE conversations DROP COLUMN unread")  # SQLite 3.35+ and PostgreSQL alike
