"""chat: operators' internal notes and tags on conversations, visitors' ratings

``conversation_notes`` holds notes only operators read (never the visitor: they are not messages),
including the note of a transfer to another operator; ``conversation_tags`` the operators' labels;
``conversation_ratings`` the visitor's 1-5 rating and optional comment of a closed conversation.
All three are deleted with their conversation (foreign keys ``ON DELETE CASCADE``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from clipai.storage.schema import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _conversation_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE",
                                   name=f"fk_{table}_conversation_id_conversations")


def upgrade():
    op.create_table(
        "conversation_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("operator_alias", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("redacted", sa.String(length=64), nullable=False),
        sa.Column("after_message_id", sa.Integer(), nullable=False),
        sa.Column("transfer_to", sa.Integer(), nullable=True),
        sa.Column("transfer_alias", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _conversation_fk("conversation_notes"),
        sa.ForeignKeyConstraint(["operator_id"], ["users.id"], ondelete="SET NULL",
                                name="fk_conversation_notes_operator_id_users"),
        sa.ForeignKeyConstraint(["transfer_to"], ["users.id"], ondelete="SET NULL",
                                name="fk_conversation_notes_transfer_to_users"),
        sa.PrimaryKeyConstraint("id", name="pk_conversation_notes"),
    )
    op.create_index("ix_conversation_notes_conversation_id", "conversation_notes", ["conversation_id"])
    op.create_table(
        "conversation_tags",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=32), nullable=False),
        _conversation_fk("conversation_tags"),
        sa.PrimaryKeyConstraint("conversation_id", "tag", name="pk_conversation_tags"),
    )
    op.create_index("ix_conversation_tags_tag", "conversation_tags", ["tag"])
    op.create_table(
        "conversation_ratings",
        sa.Column("conversation_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("redacted", sa.String(length=64), nullable=False),
        sa.Column("rated_at", UTCDateTime(), nullable=False),
        _conversation_fk("conversation_ratings"),
        sa.PrimaryKeyConstraint("conversation_id", name="pk_conversation_ratings"),
    )


def downgrade():
    op.drop_table("conversation_ratings")
    op.drop_table("conversation_tags")
    op.drop_table("conversation_notes")
