"""policy: change summaries per language, insert-only like the texts

A version's ``summary`` is its controlling-language summary; ``policy_summaries`` holds the
summary in other languages (readers see theirs, else the controlling one). Rows are written with
the version and covered by its hash; the database refuses every edit and delete, as for
``policy_texts`` (migration 0002).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MESSAGE = "policy_summaries rows are immutable"

SQLITE_UPGRADE = [
    f"""
    CREATE TRIGGER policy_summaries_refuse_update BEFORE UPDATE ON policy_summaries
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER policy_summaries_refuse_delete BEFORE DELETE ON policy_summaries
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
POSTGRESQL_UPGRADE = [
    f"""
    CREATE FUNCTION policy_summaries_guard() RETURNS trigger LANGUAGE plpgsql AS $guard$
    BEGIN
      RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END
    $guard$
    """,
    """
    CREATE TRIGGER policy_summaries_refuse_changes BEFORE UPDATE OR DELETE ON policy_summaries
    FOR EACH ROW EXECUTE FUNCTION policy_summaries_guard()
    """,
    """
    CREATE TRIGGER policy_summaries_refuse_truncate BEFORE TRUNCATE ON policy_summaries
    FOR EACH STATEMENT EXECUTE FUNCTION policy_summaries_guard()
    """,
]


def _triggers() -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UPGRADE
    if dialect == "postgresql":
        return POSTGRESQL_UPGRADE
    raise NotImplementedError(f"policy immutability triggers are not written for {dialect}")


def upgrade():
    op.create_table(
        "policy_summaries",
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["version_number"], ["policy_versions.number"],
                                name="fk_policy_summaries_version_number_policy_versions"),
        sa.PrimaryKeyConstraint("version_number", "locale", name="pk_policy_summaries"),
    )
    bind = op.get_bind()
    for statement in _triggers():
        bind.exec_driver_sql(statement)  # driver-level: trigger bodies are not bind parameters


def downgrade():
    # Dropping the table drops its triggers; PostgreSQL's guard function stays unless dropped.
    op.drop_table("policy_summaries")
    if op.get_bind().dialect.name == "postgresql":
        op.get_bind().exec_driver_sql("DROP FUNCTION IF EXISTS policy_summaries_guard()")
