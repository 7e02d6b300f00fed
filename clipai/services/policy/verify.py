"""The verified record of privacy-policy versions: canonical forms, their hashes, and the checks of
``clipai policy verify``.

A version's hash covers its content and the previous version's hash (a chain). A withdrawal is
not part of the version's content (it is the one change a version accepts), so it has a record of
its own: the version's number and hash and the withdrawal instant, hashed. Verification compares
that record with the version's ``withdrawn_at`` both ways, so a withdrawal set, moved or undone
behind the service's back is reported.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from clipai import clock, storage
from clipai.storage import policy as policy_store
from clipai.storage.policy import PolicyVersion, WithdrawalRecord


def iso(instant: datetime) -> str:
    """Return the canonical UTC form of an instant: ``2026-03-01T00:00:00.000000Z`` (part of the hashes)."""
    return clock.iso(instant, timespec="microseconds")


def _canonical_json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def canonical_content(version: PolicyVersion) -> bytes:
    """Return the bytes the version's SHA-256 covers (its texts sorted by locale).

    Summaries in other languages (migration 0009) are covered as ``summaries`` when a version has
    any, so every version without them hashes exactly as before.
    """
    document = {
        "number": version.number,
        "published_at": iso(version.published_at),
        "effective_from": iso(version.effective_from),
        "summary": version.summary,
        "controlling_locale": version.controlling_locale,
        "texts": [[locale, version.texts[locale]] for locale in sorted(version.texts)],
        "prev_sha256": version.prev_sha256,
    }
    if version.summaries:
        document["summaries"] = [[locale, version.summaries[locale]] for locale in sorted(version.summaries)]
    return _canonical_json(document)


def content_sha256(version: PolicyVersion) -> str:
    return hashlib.sha256(canonical_content(version)).hexdigest()


def withdrawal_sha256(number: int, withdrawn_at: datetime, version_sha256: str) -> str:
    """Return the SHA-256 of a withdrawal record, chained to the withdrawn version's hash."""
    document = {"number": number, "version_sha256": version_sha256, "withdrawn_at": iso(withdrawn_at)}
    return hashlib.sha256(_canonical_json(document)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    number: int
    code: str
    message: str


def find_chain_breaks(versions) -> list[ChainBreak]:
    """Recompute every link of the chain (versions with texts, oldest first)."""
    breaks = []
    previous = None
    for expected_number, version in enumerate(versions, start=1):
        number = version.number
        if number != expected_number:
            breaks.append(ChainBreak(number, "number_gap", f"version {number} follows version {expected_number - 1}"))
        expected_prev = previous.sha256 if previous else None
        if version.prev_sha256 != expected_prev:
            breaks.append(ChainBreak(
                number, "prev_mismatch",
                f"version {number} points to {version.prev_sha256}, previous hash is {expected_prev}"))
        recomputed = content_sha256(version)
        if recomputed != version.sha256:
            breaks.append(ChainBreak(number, "content_mismatch",
                                     f"version {number} stores {version.sha256}, its content hashes to {recomputed}"))
        if version.controlling_locale not in version.texts:
            breaks.append(ChainBreak(number, "controlling_text_missing",
                                     f"version {number} has no {version.controlling_locale} text"))
        previous = version
    return breaks


def _record_breaks(version: PolicyVersion, record: WithdrawalRecord) -> list[ChainBreak]:
    number, recorded_at = version.number, record.withdrawn_at
    breaks = []
    if version.withdrawn_at is None:
        breaks.append(ChainBreak(number, "withdrawal_erased",
                                 f"version {number} was withdrawn at {iso(recorded_at)} but is no longer marked so"))
    elif version.withdrawn_at != recorded_at:
        breaks.append(ChainBreak(number, "withdrawal_mismatch", f"version {number} is marked withdrawn at "
                                 f"{iso(version.withdrawn_at)}, its withdrawal was recorded at {iso(recorded_at)}"))
    recomputed = withdrawal_sha256(number, recorded_at, version.sha256)
    if recomputed != record.sha256:
        breaks.append(ChainBreak(number, "withdrawal_record_mismatch", f"the withdrawal of version {number} "
                                 f"stores {record.sha256}, its record hashes to {recomputed}"))
    return breaks


def _withdrawal_breaks(version: PolicyVersion, record: WithdrawalRecord | None) -> list[ChainBreak]:
    number = version.number
    if record:
        breaks = _record_breaks(version, record)
    elif version.withdrawn:
        breaks = [ChainBreak(number, "withdrawal_unrecorded", f"version {number} is marked withdrawn at "
                             f"{iso(version.withdrawn_at)} but no withdrawal was recorded")]
    else:
        return []
    withdrawn_at = record.withdrawn_at if record else version.withdrawn_at
    # Only an upcoming version can be withdrawn: a record can be forged, this rule cannot be met late.
    if not version.published_at <= withdrawn_at < version.effective_from:
        breaks.append(ChainBreak(number, "withdrawal_not_upcoming", f"version {number} is withdrawn at "
                                 f"{iso(withdrawn_at)}, outside its upcoming period from {iso(version.published_at)} "
                                 f"until {iso(version.effective_from)}"))
    return breaks


def find_withdrawal_breaks(versions, records) -> list[ChainBreak]:
    """Compare each version's withdrawal state with its withdrawal record."""
    by_number = {record.number: record for record in records}
    breaks = [problem for version in versions
              for problem in _withdrawal_breaks(version, by_number.pop(version.number, None))]
    breaks += [ChainBreak(number, "withdrawal_of_unknown_version", f"a withdrawal is recorded for version {number}, "
                          "which does not exist") for number in by_number]
    return breaks


def read_chain() -> tuple[list[PolicyVersion], list[WithdrawalRecord]]:
    """Read every version with its texts and every withdrawal record in one snapshot."""
    with storage.reading() as conn:
        conn = policy_store.one_snapshot(conn)
        return policy_store.list_versions_with_texts(conn), policy_store.list_withdrawals(conn)


def verify_chain() -> tuple[int, list[ChainBreak]]:
    """Return how many versions were checked and every break found, by version number."""
    versions, records = read_chain()
    breaks = find_chain_breaks(versions) + find_withdrawal_breaks(versions, records)
    return len(versions), sorted(breaks, key=lambda problem: problem.number)
