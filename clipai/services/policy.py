"""Privacy-policy versions: publish, schedule, withdraw, read and render (proofs: ``policy_verify``).

Rules (DESIGN §4): versions are append-only and numbered 1, 2, …; ``effective_from`` defaults to
the publication instant and may not precede it nor the version in force; the version in force at
instant t is the non-withdrawn one with the greatest ``effective_from`` ≤ t; only an upcoming
version can be withdrawn; each version records the SHA-256 of its canonical content, which
includes the previous version's hash, and each withdrawal a hashed record of its own.
"""

import difflib
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from clipai import clock, markdown, storage
from clipai.services.errors import ServiceError
from clipai.services.policy_verify import (  # noqa: F401  (callers know them as policy.iso, policy.verify_chain, …)
    ChainBreak,
    canonical_content,
    content_sha256,
    find_chain_breaks,
    iso,
    verify_chain,
    withdrawal_sha256,
)
from clipai.storage import policy as policy_store
from clipai.storage.policy import PolicyVersion

DEFAULT_CONTROLLING_LOCALE = "en"
MAX_TEXT_LENGTH = 100_000
MAX_SUMMARY_LENGTH = 2_000
RENDER_CACHE_KEY = "clipai.policy.rendered"
RENDER_CACHE_VERSIONS = 64
# Lone surrogates cannot be encoded; control characters (other than tab and newlines) have no place
# in a legal text that can never be corrected once published.
_UNSTORABLE = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
UNREADABLE_TEXT = _l("That message could not be read. Please remove unusual characters and try again.")


# --- instants ---------------------------------------------------------------------------------


def parse_instant(value) -> datetime:
    """Read an ISO 8601 instant; a value without an offset is taken as UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip() and len(value) <= 64:
        parsed = datetime.fromisoformat(value.strip())
    else:
        raise ValueError("not an ISO 8601 instant")
    try:
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-01:00 is after the last representable instant
        raise ValueError("instant out of range") from None


# --- the in-force rule -------------------------------------------------------------------------


def in_force_at(versions, at: datetime) -> PolicyVersion | None:
    """Return the non-withdrawn version with the greatest ``effective_from`` ≤ ``at``."""
    # Equal effective instants: the later publication wins.
    candidates = [v for v in versions if not v.withdrawn and v.effective_from <= at]
    return max(candidates, key=lambda v: (v.effective_from, v.number), default=None)


def upcoming_at(versions, at: datetime) -> list[PolicyVersion]:
    """Return the non-withdrawn versions taking effect after ``at``, nearest first."""
    return sorted((v for v in versions if not v.withdrawn and v.effective_from > at),
                  key=lambda v: (v.effective_from, v.number))


@dataclass(frozen=True)
class PolicyState:
    """Every version (without texts) and what is in force and upcoming at one instant."""

    at: datetime
    versions: tuple
    in_force: PolicyVersion | None
    upcoming: PolicyVersion | None

    @property
    def next_switch_over(self) -> datetime | None:
        return self.upcoming.effective_from if self.upcoming else None

    @property
    def public_versions(self) -> list[PolicyVersion]:
        return [v for v in self.versions if not v.withdrawn]

    def get(self, number: int) -> PolicyVersion | None:
        return next((v for v in self.versions if v.number == number), None)

    def status_of(self, version: PolicyVersion) -> str:
        """Return ``in_force``, ``upcoming``, ``past`` or ``withdrawn``."""
        if version.withdrawn:
            return "withdrawn"
        if self.in_force and version.number == self.in_force.number:
            return "in_force"
        return "upcoming" if version.effective_from > self.at else "past"


def state_of(versions, at: datetime) -> PolicyState:
    upcoming = upcoming_at(versions, at)
    return PolicyState(at, tuple(versions), in_force_at(versions, at), upcoming[0] if upcoming else None)


def current_state(at: datetime | None = None) -> PolicyState:
    """Read every version's metadata once and evaluate the rule at ``at`` (default: now)."""
    with storage.reading() as conn:
        versions = policy_store.list_versions(conn)
    return state_of(versions, at or clock.now())


def in_force(at: datetime | None = None) -> PolicyVersion | None:
    return current_state(at).in_force


def get_version(number: int, with_texts: bool = True) -> PolicyVersion | None:
    with storage.reading() as conn:
        return policy_store.version_by_number(conn, number, with_texts=with_texts)


def has_versions() -> bool:
    with storage.reading() as conn:
        return policy_store.version_count(conn) > 0


# --- publishing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: object  # lazy string


class PolicyInvalid(ServiceError):
    """A draft was refused; ``fields`` maps each invalid field to its code and message."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("invalid", _l("The version was not published. Please correct the marked fields."))
        self.errors = list(errors)

    @property
    def fields(self) -> dict:
        return {error.field: {"code": error.code, "message": str(error.message)} for error in self.errors}

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message), "fields": self.fields}

    def __str__(self):
        return "; ".join(f"{error.field}: {error.message}" for error in self.errors)


def supported_locales() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def normalize_markdown(text: str) -> str:
    """Store one newline convention and no trailing blank lines, so equal texts hash equally."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip() + "\n"


def _clean_texts(texts, controlling_locale: str, errors: list) -> dict[str, str]:
    if not isinstance(texts, dict) or not texts:
        errors.append(FieldError("texts", "texts_missing", _l("Write the policy text in at least one language.")))
        return {}
    cleaned = {}
    for locale, text in texts.items():
        field = f"texts.{locale}"
        if locale not in supported_locales():
            errors.append(FieldError(field, "unknown_locale", _l("This language is not offered on the site.")))
        elif not isinstance(text, str) or not text.strip():
            errors.append(FieldError(field, "empty_text", _l("This text is empty.")))
        elif _UNSTORABLE.search(text):
            errors.append(FieldError(field, "invalid_characters", UNREADABLE_TEXT))
        elif len(text) > MAX_TEXT_LENGTH:
            errors.append(FieldError(field, "text_too_long",
                                     _l("A text may have at most %(count)d characters.", count=MAX_TEXT_LENGTH)))
        else:
            cleaned[locale] = normalize_markdown(text)
    if controlling_locale in supported_locales() and controlling_locale not in texts:
        errors.append(FieldError(f"texts.{controlling_locale}", "controlling_text_missing",
                                 _l("The controlling text is required.")))
    return cleaned


def _clean_summary(summary, errors: list) -> str:
    if not isinstance(summary, str) or not summary.strip():
        errors.append(FieldError("summary", "summary_missing", _l("Describe what changed in a short summary.")))
        return ""
    if len(summary) > MAX_SUMMARY_LENGTH:
        errors.append(FieldError("summary", "summary_too_long",
                                 _l("The summary may have at most %(count)d characters.", count=MAX_SUMMARY_LENGTH)))
    elif _UNSTORABLE.search(summary):
        errors.append(FieldError("summary", "invalid_characters", UNREADABLE_TEXT))
    return " ".join(summary.split())


def _clean_effective_from(value, errors: list) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_instant(value)
    except (TypeError, ValueError):
        errors.append(FieldError("effective_from", "invalid_effective_from",
                                 _l("Give the effective date as an ISO 8601 instant, e.g. 2030-01-31T00:00:00Z.")))
        return None


def _clean_controlling_locale(locale, errors: list) -> str:
    if locale not in supported_locales():
        errors.append(FieldError("controlling_locale", "unknown_locale",
                                 _l("This language is not offered on the site.")))
    return locale


def validate_draft(texts, summary, effective_from=None, controlling_locale=DEFAULT_CONTROLLING_LOCALE):
    """Return the cleaned ``(texts, summary, effective_from, controlling_locale)`` or raise PolicyInvalid."""
    errors: list[FieldError] = []
    controlling_locale = _clean_controlling_locale(controlling_locale, errors)
    cleaned_texts = _clean_texts(texts, controlling_locale, errors)
    cleaned_summary = _clean_summary(summary, errors)
    requested = _clean_effective_from(effective_from, errors)
    if errors:
        raise PolicyInvalid(errors)
    return cleaned_texts, cleaned_summary, requested, controlling_locale


def _check_effective_from(effective_from: datetime, now: datetime, current: PolicyVersion | None) -> None:
    if effective_from < now:
        raise PolicyInvalid([FieldError(
            "effective_from", "effective_from_before_publication",
            _l("A version cannot take effect before it is published. Choose now or a later instant."))])
    if current and effective_from < current.effective_from:
        raise PolicyInvalid([FieldError(
            "effective_from", "effective_from_before_current",
            _l("A version cannot take effect before the version in force (%(number)d).", number=current.number))])


def publish(texts, summary, effective_from=None, controlling_locale=DEFAULT_CONTROLLING_LOCALE) -> PolicyVersion:
    """Append a new version; ``effective_from`` (datetime or ISO string) defaults to now."""
    texts, summary, requested, controlling_locale = validate_draft(texts, summary, effective_from, controlling_locale)
    with storage.transaction() as conn:
        policy_store.lock_for_publishing(conn)
        now = clock.now().astimezone(UTC)
        versions = policy_store.list_versions(conn)
        effective = requested or now
        _check_effective_from(effective, now, in_force_at(versions, now))
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
        )
        version = replace(draft, sha256=content_sha256(draft))
        policy_store.insert_version(conn, version)
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
    return replace(version, withdrawn_at=now)


def publish_shipped_version(content_dir: Path) -> PolicyVersion | None:
    """Publish version 1 from ``content_dir`` (``<locale>.md`` + ``summary.txt``) when none exists."""
    if has_versions():
        return None
    texts = {path.stem: path.read_text("utf-8") for path in sorted(Path(content_dir).glob("*.md"))
             if path.stem in supported_locales()}
    summary = (Path(content_dir) / "summary.txt").read_text("utf-8").strip()
    return publish(texts, summary, controlling_locale=DEFAULT_CONTROLLING_LOCALE)


# --- rendering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyText:
    """One locale's text of a version, rendered and sanitized."""

    locale: str
    title: str
    html: str
    is_controlling: bool


def _render_cache() -> dict:
    return current_app.extensions.setdefault(RENDER_CACHE_KEY, {})


def rendered_texts(version: PolicyVersion) -> dict[str, PolicyText]:
    """Return every locale's rendered text; a version's content never changes, so it is cached."""
    cache = _render_cache()
    found = cache.get(version.sha256)
    if found is None:
        texts = version.texts
        if not texts:
            with storage.reading() as conn:
                texts = policy_store.texts_of(conn, version.number)
        found = {}
        for locale, source in texts.items():
            document = markdown.render_document(source)
            found[locale] = PolicyText(locale, document.title, document.html, locale == version.controlling_locale)
        if len(cache) >= RENDER_CACHE_VERSIONS:
            cache.clear()
        cache[version.sha256] = found
    return found


def text_for(version: PolicyVersion, locale: str) -> tuple[PolicyText, bool]:
    """Return the text in ``locale``, else the controlling text; the flag says a fallback happened."""
    texts = rendered_texts(version)
    if locale in texts:
        return texts[locale], False
    return texts[version.controlling_locale], True


def locales_of(version: PolicyVersion) -> list[str]:
    return sorted(rendered_texts(version))


def preview_html(source) -> str:
    """Render a draft text exactly as a published one would be."""
    if not isinstance(source, str):
        raise ServiceError("invalid_markdown", _l("Send the Markdown text as a string."))
    if len(source) > MAX_TEXT_LENGTH:
        raise ServiceError("text_too_long", _l("A text may have at most %(count)d characters.", count=MAX_TEXT_LENGTH))
    if _UNSTORABLE.search(source):
        raise ServiceError("invalid_characters", UNREADABLE_TEXT)
    return markdown.to_html(source)


# --- differences -------------------------------------------------------------------------------

_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return ``(kind, text)`` pieces turning ``old`` into ``new``; kind is equal, delete or insert."""
    before, after = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    opcodes = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    runs: list[list] = []  # ["equal", text] or ["change", deleted, inserted]
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            text = "".join(before[i1:i2])
            # A lone space between two changes reads better as part of one longer change.
            if not text.strip() and runs and runs[-1][0] == "change" and index < len(opcodes) - 1:
                runs[-1][1] += text
                runs[-1][2] += text
            else:
                runs.append(["equal", text])
        elif runs and runs[-1][0] == "change":
            runs[-1][1] += "".join(before[i1:i2])
            runs[-1][2] += "".join(after[j1:j2])
        else:
            runs.append(["change", "".join(before[i1:i2]), "".join(after[j1:j2])])
    return _pieces(runs)


def _pieces(runs) -> list[tuple[str, str]]:
    pieces = []
    for run in runs:
        if run[0] == "equal":
            pieces.append(("equal", run[1]))
            continue
        if run[1]:
            pieces.append(("delete", run[1]))
        if run[2]:
            pieces.append(("insert", run[2]))
    return pieces


_PARAGRAPH_BREAK = re.compile(r"(\n\s*\n)")


def _paragraphs(pieces) -> list[list[tuple[str, str]]]:
    """Split diff pieces into paragraphs at blank lines inside unchanged text."""
    paragraphs: list[list[tuple[str, str]]] = [[]]
    for kind, text in pieces:
        if kind != "equal":
            paragraphs[-1].append((kind, text))
            continue
        parts = _PARAGRAPH_BREAK.split(text)
        for index, part in enumerate(parts):
            if index % 2:  # the break itself ends the paragraph
                paragraphs[-1].append(("equal", part))
                paragraphs.append([])
            elif part:
                paragraphs[-1].append(("equal", part))
    return [paragraph for paragraph in paragraphs if paragraph]


def fold_unchanged(pieces, context: int = 1) -> list[tuple[str, list]]:
    """Group pieces into ``("show", pieces)`` around changes and ``("fold", paragraphs)`` elsewhere."""
    paragraphs = _paragraphs(pieces)
    changed = [any(kind != "equal" for kind, _ in paragraph) for paragraph in paragraphs]
    near = [any(changed[max(0, i - context):i + context + 1]) for i in range(len(paragraphs))]
    segments: list[tuple[str, list]] = []
    for paragraph, shown in zip(paragraphs, near):
        kind = "show" if shown else "fold"
        if segments and segments[-1][0] == kind:
            segments[-1][1].append(paragraph)
        else:
            segments.append((kind, [paragraph]))
    return segments


@dataclass(frozen=True)
class LocaleDiff:
    locale: str
    status: str  # added, removed, changed, unchanged
    pieces: list


def diff_texts(old_texts: dict, new_texts: dict) -> list[LocaleDiff]:
    """Compare two sets of texts locale by locale (locales sorted)."""
    diffs = []
    for locale in sorted(set(old_texts) | set(new_texts)):
        old, new = old_texts.get(locale), new_texts.get(locale)
        if old is None:
            status = "added"
        elif new is None:
            status = "removed"
        else:
            status = "unchanged" if old == new else "changed"
        diffs.append(LocaleDiff(locale, status, word_diff(old or "", new or "")))
    return diffs


def diff_against(base, texts) -> tuple[PolicyVersion | None, list[LocaleDiff]]:
    """Compare draft ``texts`` with version ``base`` (a number, or ``"current"`` for the one in force)."""
    if not isinstance(texts, dict) or any(not isinstance(v, str) for v in texts.values()):
        raise ServiceError("invalid_texts", _l("Send the texts as an object of locale to Markdown."))
    if base in (None, "", "current"):
        version = in_force()
    else:
        try:
            version = get_version(int(base), with_texts=False)
        except (TypeError, ValueError):
            version = None
        if version is None:
            raise ServiceError("unknown_version", _l("There is no such version."))
    if version is not None:
        version = get_version(version.number)
    drafts = {locale: normalize_markdown(text) for locale, text in texts.items() if text.strip()}
    return version, diff_texts(version.texts if version else {}, drafts)
