"""Privacy-policy versions: publish, schedule, withdraw, read, render, compare and verify.

Rules (DESIGN §4): versions are append-only and numbered 1, 2, …; ``effective_from`` defaults to
the publication instant and may not precede it nor the version in force, and must come after every
pending scheduled version (effective dates follow numbers); the version in force at
instant t is the non-withdrawn one with the greatest ``effective_from`` ≤ t; only an upcoming
version can be withdrawn; each version records the SHA-256 of its canonical content, which
includes the previous version's hash, and each withdrawal a hashed record of its own.

One module per concept: ``rules`` (the in-force rule), ``state`` (reading it), ``drafts``
(checking a new version), ``publishing`` (the two changes, announced by ``policy_changed``),
``rendering``, ``diff``, ``translations`` (which fell behind) and ``verify`` (the hash chain). Callers use the names below.
"""

from clipai.services.policy.diff import LocaleDiff, diff_against, diff_texts, fold_runs, fold_unchanged, word_diff
from clipai.services.policy.drafts import (
    DEFAULT_CONTROLLING_LOCALE,
    MAX_SUMMARY_LENGTH,
    MAX_TEXT_LENGTH,
    FieldError,
    PolicyInvalid,
    check_effective_from,
    check_follows_scheduled,
    normalize_markdown,
    supported_locales,
    validate_draft,
)
from clipai.services.policy.publishing import publish, publish_shipped_version, withdraw
from clipai.services.policy.rendered_diff import Block, rendered_diff
from clipai.services.policy.rendering import PolicyText, preview_html, rendered_texts, summary_for, text_for
from clipai.services.policy.rules import (
    PolicyState,
    ever_in_force,
    in_force_at,
    parse_instant,
    previous_in_force,
    state_of,
    upcoming_at,
)
from clipai.services.policy.state import current_state, get_version, has_versions, in_force
from clipai.services.policy.translations import (
    draft_outdated_locales,
    lags_behind,
    outdated_if_published,
    outdated_locales,
    outdated_translations,
)
from clipai.services.policy.verify import (
    ChainBreak,
    canonical_content,
    content_sha256,
    find_chain_breaks,
    iso,
    read_chain,
    verify_chain,
    withdrawal_sha256,
)
from clipai.storage.policy import PolicyVersion

__all__ = [
    "Block", "ChainBreak", "DEFAULT_CONTROLLING_LOCALE", "FieldError", "LocaleDiff", "MAX_SUMMARY_LENGTH",
    "MAX_TEXT_LENGTH", "PolicyInvalid", "PolicyState", "PolicyText", "PolicyVersion", "canonical_content",
    "check_effective_from", "check_follows_scheduled", "content_sha256", "current_state", "diff_against",
    "diff_texts", "draft_outdated_locales", "ever_in_force", "find_chain_breaks", "fold_runs", "fold_unchanged",
    "get_version", "has_versions", "in_force", "in_force_at", "iso", "lags_behind", "normalize_markdown",
    "outdated_if_published", "outdated_locales", "outdated_translations", "parse_instant", "preview_html",
    "previous_in_force", "publish", "publish_shipped_version", "read_chain", "rendered_diff", "rendered_texts",
    "state_of", "summary_for", "supported_locales", "text_for", "upcoming_at", "validate_draft", "verify_chain",
    "withdraw", "withdrawal_sha256", "word_diff",
]
