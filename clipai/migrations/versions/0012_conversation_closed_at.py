"""chat: a conversation remembers when it was last closed, for the reports' resolution time

``conversations.closed_at`` is set when an operator closes the conversation and kept when a
visitor reopens it (the reports read it for closed conversations only). It is a column of the
conversation, so it is erased with it. Conversations closed before this migration have none.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import clipai.storage.schema

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("conversations", sa.Column("closed_at", clipai.storage.schema.UTCDateTime(), nullable=True))


def downgrade():
    op.execute("ALTER TABLE conversations DROP COLUMN closed_at")  # SQLite 3.35+ and PostgreSQL alike
