"""Publishing and withdrawing versions: the only two changes, each announced once committed."""

from dataclasses import replace
from datetime import UTC
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from clipai import clock, signals, storage
from clipai.services.errors import ServiceError
from clipai.services.policy.drafts import (
    DEFAULT_CONTROLLING_LOCALE,
    check_effective_from,
    check_follows_scheduled,
    supported_locales,
    validate_draft,
)
from clipai.services.policy.rules import in_force_at
from clipai.services.policy.state import has_versions
from clipai.services.policy.verify import content_sha256, withdrawal_sha256
from clipai.storage import policy as policy_store
from clipai.storage.policy import PolicyVersion


def publish(texts, summary, effective_from=None, controlling_locale=DEFAULT_CONTROLLING_LOCALE,
            summaries=None) -> PolicyVersion:
    """Append a new version; ``effective_from`` (datetime or ISO string) defaults to now; ``summaries``
    maps other languages to their summary (``summary`` is the controlling language's)."""
    texts, summary, requested, controlling_locale, summaries = validate_draft(
        texts, summary, effective_from, controlling_locale, summaries)
    with storage.transaction() as conn:
        policy_store.lock_for_publishing(conn)
        now = clock.now().astimezone(UTC)
        versions = policy_store.list_versions(conn)
        effective = requested or now
        check_effective_from(effective, now, in_force_at(versions, now))
        check_follows_scheduled(effective, now, versions)
        previous = versions[-1] if versions else None
        draft = PolicyVersion(
            number=previous.number + 1 if previous else 1,
            published_at=now,
            effective_from=effective,
            summary=summary,
            controlling_locale=controlling_locale,
            sha256="",
            prev_sha256=previous.sha256 if previous else None,
            withdrawn_at=None,
            texts=texts,
            summaries=summaries,
        )
        version = replace(draft, sha256=content_sha256(draft))
        policy_store.insert_version(conn, version)
    _announce(version, "published")
    return version


def withdraw(number: int) -> PolicyVersion:
    """Withdraw an upcoming version and record it; a version in force or past stays forever."""
    with storage.transaction() as conn:
        now = clock.now().astimezone(UTC)
        version = policy_store.version_by_number(conn, number, with_texts=False)
        if version is None:
            raise ServiceError("unknown_version", _l("There is no version %(number)d.", number=number))
        if version.withdrawn:
            raise ServiceError("already_withdrawn", _l("Version %(number)d is already withdrawn.", number=number))
        if version.effective_from <= now:
            raise ServiceError("not_upcoming", _l(
                "Version %(number)d has already taken effect; only an upcoming version can be withdrawn.",
                number=number))
        policy_store.mark_withdrawn(conn, number, now)
        policy_store.insert_withdrawal(conn, number, now, withdrawal_sha256(number, now, version.sha256))
    withdrawn = replace(version, withdrawn_at=now)
    _announce(withdrawn, "withdrawn")
    return withdrawn


def publish_shipped_version(content_dir: Path) -> PolicyVersion | None:
    """Publish version 1 from ``content_dir`` (``<locale>.md`` + ``summary.txt``) when none exists."""
    if has_versions():
        return None
    texts = {path.stem: path.read_text("utf-8") for path in sorted(Path(content_dir).glob("*.md"))
             if path.stem in supported_locales()}
    summary = (Path(content_dir) / "summary.txt").read_text("utf-8").strip()
    return publish(texts, summary, controlling_locale=DEFAULT_CONTROLLING_LOCALE)


def _announce(version: PolicyVersion, change: str) -> None:
    # Sent after the commit, from whichever path changed it (views, API, CLI), so caches in this
    # process forget at once; other processes re-read within state.VERSIONS_FRESH_SECONDS.
    signals.policy_changed.send(current_app._get_current_object(), version=version, change=change)
