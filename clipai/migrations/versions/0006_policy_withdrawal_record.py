"""policy withdrawals: refused once a version took effect, and recorded in the verified record

0002 let ``withdrawn_at`` go from NULL to any value on any version, so a raw ``UPDATE`` could
withdraw the version in force, and ``clipai policy verify`` (which hashes no withdrawal) still
said "intact". Now:

- ``policy_versions`` accepts ``withdrawn_at`` being set only while the version has not taken
  effect by the database's own clock (``effective_from`` > now); un-withdrawing and moving a
  withdrawal stay refused.
- Each withdrawal writes an insert-only ``policy_withdrawals`` row: the version's number, the same
  ``withdrawn_at`` and a SHA-256 over them and the version's hash, which ``verify`` recomputes and
  compares with ``policy_versions.withdrawn_at``. Withdrawals made before this migration get
  their row here (before the triggers exist, since those versions may have taken effect since).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

from clipai.storage.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

VERSIONS_MESSAGE = (
    "policy_versions rows are immutable (only withdrawn_at may be set, once, before the version takes effect)")
OLD_VERSIONS_MESSAGE = "policy_versions rows are immutable (only withdrawn_at may be set, once)"
WITHDRAWALS_MESSAGE = (
    "policy_withdrawals rows are immutable (recorded once, with the withdrawal, before the version takes effect)")
UNCHANGED_COLUMNS = (
    "number", "published_at", "effective_from", "summary", "controlling_locale", "sha256", "prev_sha256",
)
SQLITE_UNCHANGED = " AND ".join(f"NEW.{name} IS OLD.{name}" for name in UNCHANGED_COLUMNS)
POSTGRESQL_UNCHANGED = " AND ".join(f"NEW.{name} IS NOT DISTINCT FROM OLD.{name}" for name in UNCHANGED_COLUMNS)

# SQLite stores instants as UTC text ("2030-01-01 12:00:00.000000", clipai/storage/schema.py);
# julianday() reads that text and 'now' alike. coalesce(): a NULL from unreadable text refuses.
SQLITE_NOT_YET_EFFECTIVE = "julianday(OLD.effective_from) > julianday('now')"


def _sqlite_versions_trigger(condition: str, message: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS policy_versions_refuse_update",
        f"""
        CREATE TRIGGER policy_versions_refuse_update BEFORE UPDATE ON policy_versions
        WHEN NOT coalesce(OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL AND {condition}, 0)
        BEGIN SELECT RAISE(ABORT, '{message}'); END
        """,
    ]


SQLITE_UPGRADE = [
    *_sqlite_versions_trigger(f"{SQLITE_UNCHANGED} AND {SQLITE_NOT_YET_EFFECTIVE}", VERSIONS_MESSAGE),
    # A record only for a version already marked withdrawn at the same instant and not yet in effect.
    f"""
    CREATE TRIGGER policy_withdrawals_refuse_insert BEFORE INSERT ON policy_withdrawals
    WHEN NOT coalesce((SELECT withdrawn_at IS NEW.withdrawn_at AND julianday(effective_from) > julianday('now')
                       FROM policy_versions WHERE number = NEW.version_number), 0)
    BEGIN SELECT RAISE(ABORT, '{WITHDRAWALS_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER policy_withdrawals_refuse_update BEFORE UPDATE ON policy_withdrawals
    BEGIN SELECT RAISE(ABORT, '{WITHDRAWALS_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER policy_withdrawals_refuse_delete BEFORE DELETE ON policy_withdrawals
    BEGIN SELECT RAISE(ABORT, '{WITHDRAWALS_MESSAGE}'); END
    """,
]
SQLITE_DOWNGRADE = _sqlite_versions_trigger(SQLITE_UNCHANGED, OLD_VERSIONS_MESSAGE)


def _postgresql_versions_guard(condition: str, message: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION policy_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $guard$
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL AND {condition}
      THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';
    END
    $guard$
    """


# clock_timestamp(), not now(): now() is when the transaction began, which may precede
# effective_from while the UPDATE itself runs after it.
POSTGRESQL_UPGRADE = [
    _postgresql_versions_guard(f"{POSTGRESQL_UNCHANGED} AND OLD.effective_from > clock_timestamp()",
                               VERSIONS_MESSAGE),
    f"""
    CREATE FUNCTION policy_withdrawals_guard() RETURNS trigger LANGUAGE plpgsql AS $guard$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM policy_versions WHERE number = NEW.version_number
                   AND withdrawn_at = NEW.withdrawn_at AND effective_from > clock_timestamp()) THEN
          RETURN NEW;
        END IF;
      END IF;
      RAISE EXCEPTION '{WITHDRAWALS_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END
    $guard$
    """,
    """
    CREATE TRIGGER policy_withdrawals_refuse_changes BEFORE INSERT OR UPDATE OR DELETE ON policy_withdrawals
    FOR EACH ROW EXECUTE FUNCTION policy_withdrawals_guard()
    """,
    """
    CREATE TRIGGER policy_withdrawals_refuse_truncate BEFORE TRUNCATE ON policy_withdrawals
    FOR EACH STATEMENT EXECUTE FUNCTION policy_withdrawals_guard()
    """,
]
POSTGRESQL_DOWNGRADE = [
    _postgresql_versions_guard(POSTGRESQL_UNCHANGED, OLD_VERSIONS_MESSAGE),
    "DROP TRIGGER IF EXISTS policy_withdrawals_refuse_truncate ON policy_withdrawals",
    "DROP TRIGGER IF EXISTS policy_withdrawals_refuse_changes ON policy_withdrawals",
    "DROP FUNCTION IF EXISTS policy_withdrawals_guard()",
]


def withdrawal_sha256(number: int, withdrawn_at, version_sha256: str) -> str:
    """The record's hash, frozen here as of this revision (clipai/services/policy_verify.py)."""
    document = {
        "number": number,
        "version_sha256": version_sha256,
        "withdrawn_at": withdrawn_at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
    }
    canonical = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _record_past_withdrawals(withdrawals: sa.Table) -> None:
    versions = sa.table("policy_versions", sa.column("number", sa.Integer),
                        sa.column("withdrawn_at", UTCDateTime), sa.column("sha256", sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(versions).where(versions.c.withdrawn_at.is_not(None))).all()
    if rows:
        bind.execute(withdrawals.insert(), [
            {"version_number": number, "withdrawn_at": withdrawn_at,
             "sha256": withdrawal_sha256(number, withdrawn_at, version_sha256)}
            for number, withdrawn_at, version_sha256 in rows
        ])


def _statements(upgrade: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UPGRADE if upgrade else SQLITE_DOWNGRADE
    if dialect == "postgresql":
        return POSTGRESQL_UPGRADE if upgrade else POSTGRESQL_DOWNGRADE
    raise NotImplementedError(f"policy withdrawal triggers are not written for {dialect}")


def _run(statements: list[str]) -> None:
    bind = op.get_bind()
    for statement in statements:
        # Driver-level SQL: the trigger bodies must not be read as bind parameters.
        bind.exec_driver_sql(statement)


def upgrade():
    withdrawals = op.create_table(
        "policy_withdrawals",
        sa.Column("version_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["version_number"], ["policy_versions.number"],
                                name=op.f("fk_policy_withdrawals_version_number_policy_versions")),
        sa.PrimaryKeyConstraint("version_number", name=op.f("pk_policy_withdrawals")),
    )
    _record_past_withdrawals(withdrawals)
    _run(_statements(upgrade=True))


def downgrade():
    _run(_statements(upgrade=False))
    op.drop_table("policy_withdrawals")  # and, on SQLite, its triggers with it
