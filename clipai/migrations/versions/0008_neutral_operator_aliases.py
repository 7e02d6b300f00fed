"""accounts: aliases that were derived from account names become the neutral "Support"

Until now an operator added without ``--alias`` appeared to visitors under the first part of the
username (``op1``, ``olga`` for ``olga.k``). Aliases equal to the username, or to its part before
the first dot, are replaced by ``Support`` (the default of ``OPERATOR_ALIAS``), in the accounts and
in the messages visitors already have, so that no visitor reads an account name again. An alias
chosen that way on purpose is replaced too: ``clipai users`` can set a new one.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NEUTRAL = "Support"
# An alias that is the username, or the username's part before its first dot.
DERIVED = ("({alias} = {username} OR substr({username}, 1, length({alias}) + 1) = {alias} || '.')")


def upgrade():
    from_messages = DERIVED.format(alias="messages.operator_alias", username="users.username")
    op.execute(
        f"UPDATE messages SET operator_alias = '{NEUTRAL}' WHERE operator_alias IS NOT NULL AND EXISTS "
        f"(SELECT 1 FROM users WHERE users.id = messages.operator_id AND {from_messages})"
    )
    op.execute(f"UPDATE users SET alias = '{NEUTRAL}' WHERE " + DERIVED.format(alias="alias", username="username"))


def downgrade():
    pass  # the account names are not brought back to visitors
