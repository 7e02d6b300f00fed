"""SQL for privacy-policy versions, their texts, summaries and withdrawals (insert and read; the database
refuses edits)."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, select, text, update

from clipai.storage.schema import policy_summaries, policy_texts, policy_versions, policy_withdrawals


@dataclass(frozen=True)
class PolicyVersion:
    """One published version; ``texts`` maps locale to Markdown when it was loaded; ``summaries`` maps
    the other languages to their summary (``summary`` is the controlling language's)."""

    number: int
    published_at: datetime
    effective_from: datetime
    summary: str
    controlling_locale: str
    sha256: str
    prev_sha256: str | None
    withdrawn_at: datetime | None
    texts: dict = field(default_factory=dict, compare=False)
    summaries: dict = field(default_factory=dict, compare=False)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


@dataclass(frozen=True)
class WithdrawalRecord:
    """The hashed record written with a withdrawal (``number`` is the version's)."""

    number: int
    withdrawn_at: datetime
    sha256: str


_VERSION_COLUMNS = (
    policy_versions.c.number,
    policy_versions.c.published_at,
    policy_versions.c.effective_from,
    policy_versions.c.summary,
    policy_versions.c.controlling_locale,
    policy_versions.c.sha256,
    policy_versions.c.prev_sha256,
    policy_versions.c.withdrawn_at,
)


def _version(row, texts=None, summaries=None) -> PolicyVersion:
    return PolicyVersion(*row[:8], texts=dict(texts or {}), summaries=dict(summaries or {}))


def _summaries(conn, number: int | None = None) -> dict[int, dict[str, str]]:
    """Every version's (or one version's) summaries in other languages, by version number."""
    query = select(policy_summaries.c.version_number, policy_summaries.c.locale, policy_summaries.c.summary)
    if number is not None:
        query = query.where(policy_summaries.c.version_number == number)
    found: dict[int, dict[str, str]] = {}
    for version_number, locale, summary in conn.execute(query.order_by(policy_summaries.c.locale)):
        found.setdefault(version_number, {})[locale] = summary
    return found


def lock_for_publishing(conn) -> None:
    """Serialize publishers so two of them never take the same number."""
    # SQLite write transactions already begin IMMEDIATE (one writer at a time).
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE policy_versions IN SHARE ROW EXCLUSIVE MODE"))


def insert_version(conn, version: PolicyVersion) -> None:
    """Insert the version row and one row per text, in the caller's transaction."""
    conn.execute(
        insert(policy_versions).values(
            number=version.number,
            published_at=version.published_at,
            effective_from=version.effective_from,
            summary=version.summary,
            controlling_locale=version.controlling_locale,
            sha256=version.sha256,
            prev_sha256=version.prev_sha256,
            withdrawn_at=None,
        )
    )
    conn.execute(
        insert(policy_texts),
        [{"version_number": version.number, "locale": locale, "markdown": markdown}
         for locale, markdown in sorted(version.texts.items())],
    )
    if version.summaries:
        conn.execute(
            insert(policy_summaries),
            [{"version_number": version.number, "locale": locale, "summary": summary}
             for locale, summary in sorted(version.summaries.items())],
        )


def list_versions(conn) -> list[PolicyVersion]:
    """Every version without texts (with summaries), oldest first."""
    summaries = _summaries(conn)
    rows = conn.execute(select(*_VERSION_COLUMNS).order_by(policy_versions.c.number))
    return [_version(row, summaries=summaries.get(row.number)) for row in rows]


def version_count(conn) -> int:
    return conn.execute(select(func.count()).select_from(policy_versions)).scalar_one()


def version_by_number(conn, number: int, with_texts: bool = True) -> PolicyVersion | None:
    row = conn.execute(select(*_VERSION_COLUMNS).where(policy_versions.c.number == number)).first()
    if not row:
        return None
    return _version(row, texts_of(conn, number) if with_texts else None, _summaries(conn, number).get(number))


def texts_of(conn, number: int) -> dict[str, str]:
    rows = conn.execute(
        select(policy_texts.c.locale, policy_texts.c.markdown)
        .where(policy_texts.c.version_number == number)
        .order_by(policy_texts.c.locale)
    )
    return {locale: markdown for locale, markdown in rows}


def list_versions_with_texts(conn) -> list[PolicyVersion]:
    """Every version with all its texts, oldest first (for verifying the chain)."""
    texts: dict[int, dict[str, str]] = {}
    for number, locale, markdown in conn.execute(
        select(policy_texts.c.version_number, policy_texts.c.locale, policy_texts.c.markdown)
    ):
        texts.setdefault(number, {})[locale] = markdown
    summaries = _summaries(conn)
    rows = conn.execute(select(*_VERSION_COLUMNS).order_by(policy_versions.c.number))
    return [_version(row, texts.get(row.number), summaries.get(row.number)) for row in rows]


def mark_withdrawn(conn, number: int, at: datetime) -> bool:
    """Set ``withdrawn_at`` once, before the version takes effect: the only change the database accepts."""
    result = conn.execute(
        update(policy_versions)
        .where(policy_versions.c.number == number, policy_versions.c.withdrawn_at.is_(None))
        .values(withdrawn_at=at)
    )
    return result.rowcount == 1


def insert_withdrawal(conn, number: int, at: datetime, sha256: str) -> None:
    """Record a withdrawal, in the caller's transaction (the database refuses it once the version took effect)."""
    conn.execute(insert(policy_withdrawals).values(version_number=number, withdrawn_at=at, sha256=sha256))


def list_withdrawals(conn) -> list[WithdrawalRecord]:
    """Every withdrawal record, by version number."""
    rows = conn.execute(select(policy_withdrawals).order_by(policy_withdrawals.c.version_number))
    return [WithdrawalRecord(*row) for row in rows]


def one_snapshot(conn):
    """Return ``conn`` set so that every read of its next transaction sees the same committed state."""
    # SQLite's reads share one snapshot from BEGIN on; PostgreSQL's READ COMMITTED takes one per statement.
    if conn.dialect.name == "postgresql":
        return conn.execution_options(isolation_level="REPEATABLE READ")
    return conn
