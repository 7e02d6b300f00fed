"""policy immutability: the database refuses edits and deletes of published policy rows

A version row accepts exactly one change: ``withdrawn_at`` going from NULL to a value with every
other column unchanged. Policy texts are never updated or deleted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VERSIONS_MESSAGE = "policy_versions rows are immutable (only withdrawn_at may be set, once)"
TEXTS_MESSAGE = "policy_texts rows are immutable"
UNCHANGED_COLUMNS = (
    "number", "published_at", "effective_from", "summary", "controlling_locale", "sha256", "prev_sha256",
)

SQLITE_UPGRADE = [
    f"""
    CREATE TRIGGER policy_versions_refuse_update BEFORE UPDATE ON policy_versions
    WHEN NOT (OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL
              AND {" AND ".join(f"NEW.{name} IS OLD.{name}" for name in UNCHANGED_COLUMNS)})
    BEGIN SELECT RAISE(ABORT, '{VERSIONS_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER policy_versions_refuse_delete BEFORE DELETE ON policy_versions
    BEGIN SELECT RAISE(ABORT, '{VERSIONS_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER policy_texts_refuse_update BEFORE UPDATE ON policy_texts
    BEGIN SELECT RAISE(ABORT, '{TEXTS_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER policy_texts_refuse_delete BEFORE DELETE ON policy_texts
    BEGIN SELECT RAISE(ABORT, '{TEXTS_MESSAGE}'); END
    """,
]
SQLITE_DOWNGRADE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "policy_versions_refuse_update",
        "policy_versions_refuse_delete",
        "policy_texts_refuse_update",
        "policy_texts_refuse_delete",
    )
]

POSTGRESQL_UPGRADE = [
    f"""
    CREATE FUNCTION policy_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $guard$
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL
         AND {" AND ".join(f"NEW.{name} IS NOT DISTINCT FROM OLD.{name}" for name in UNCHANGED_COLUMNS)}
      THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION '{VERSIONS_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END
    $guard$
    """,
    f"""
    CREATE FUNCTION policy_texts_guard() RETURNS trigger LANGUAGE plpgsql AS $guard$
    BEGIN
      RAISE EXCEPTION '{TEXTS_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END
    $guard$
    """,
    """
    CREATE TRIGGER policy_versions_refuse_changes BEFORE UPDATE OR DELETE ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION policy_versions_guard()
    """,
    """
    CREATE TRIGGER policy_versions_refuse_truncate BEFORE TRUNCATE ON policy_versions
    FOR EACH STATEMENT EXECUTE FUNCTION policy_versions_guard()
    """,
    """
    CREATE TRIGGER policy_texts_refuse_changes BEFORE UPDATE OR DELETE ON policy_texts
    FOR EACH ROW EXECUTE FUNCTION policy_texts_guard()
    """,
    """
    CREATE TRIGGER policy_texts_refuse_truncate BEFORE TRUNCATE ON policy_texts
    FOR EACH STATEMENT EXECUTE FUNCTION policy_texts_guard()
    """,
]
POSTGRESQL_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS policy_texts_refuse_truncate ON policy_texts",
    "DROP TRIGGER IF EXISTS policy_texts_refuse_changes ON policy_texts",
    "DROP TRIGGER IF EXISTS policy_versions_refuse_truncate ON policy_versions",
    "DROP TRIGGER IF EXISTS policy_versions_refuse_changes ON policy_versions",
    "DROP FUNCTION IF EXISTS policy_texts_guard()",
    "DROP FUNCTION IF EXISTS policy_versions_guard()",
]


def _statements(upgrade: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UPGRADE if upgrade else SQLITE_DOWNGRADE
    if dialect == "postgresql":
        return POSTGRESQL_UPGRADE if upgrade else POSTGRESQL_DOWNGRADE
    raise NotImplementedError(f"policy immutability triggers are not written for {dialect}")


def _run(statements: list[str]) -> None:
    bind = op.get_bind()
    for statement in statements:
        # Driver-level SQL: the trigger bodies must not be read as bind parameters.
        bind.exec_driver_sql(statement)


def upgrade():
    _run(_statements(upgrade=True))


def downgrade():
    _run(_statements(upgrade=False))
