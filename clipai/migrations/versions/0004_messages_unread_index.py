"""chat: count a conversation's unread messages from an index

The console shows, for every conversation, how many visitor messages came after the operators'
read mark; each message sent refreshes that count. With ``(conversation_id, author, id)`` the
count reads index entries only, instead of every message row of the conversation.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_messages_conversation_id_author_id", "messages", ["conversation_id", "author", "id"])


def downgrade():
    op.drop_index("ix_messages_conversation_id_author_id", table_name="messages")
