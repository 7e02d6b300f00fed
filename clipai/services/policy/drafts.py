"""A draft version's fields checked one by one, so a refusal names every field that is wrong."""

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from clipai.i18n import supported_locales
from clipai.services.errors import ServiceError
from clipai.services.policy.rules import parse_instant, scheduled_blocking
from clipai.services.policy.verify import iso
from clipai.storage.policy import PolicyVersion

DEFAULT_CONTROLLING_LOCALE = "en"
MAX_TEXT_LENGTH = 100_000
MAX_SUMMARY_LENGTH = 2_000
# Lone surrogates cannot be encoded; control characters (other than tab and newlines) have no place
# in a legal text that can never be corrected once published.
UNSTORABLE = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
UNREADABLE_TEXT = _l("That message could not be read. Please remove unusual characters and try again.")


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
        elif UNSTORABLE.search(text):
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


def _clean_summary(summary, errors: list, field: str = "summary") -> str:
    if not isinstance(summary, str) or not summary.strip():
        errors.append(FieldError(field, "summary_missing", _l("Describe what changed in a short summary.")))
        return ""
    if len(summary) > MAX_SUMMARY_LENGTH:
        errors.append(FieldError(field, "summary_too_long",
                                 _l("The summary may have at most %(count)d characters.", count=MAX_SUMMARY_LENGTH)))
    elif UNSTORABLE.search(summary):
        errors.append(FieldError(field, "invalid_characters", UNREADABLE_TEXT))
    return " ".join(summary.split())


def _clean_summaries(summaries, controlling_locale: str, errors: list) -> dict[str, str]:
    """Summaries in other languages (``{de: "…"}``); an empty one counts as not given."""
    if summaries is None:
        return {}
    if not isinstance(summaries, dict):
        errors.append(FieldError("summaries", "invalid_summaries",
                                 _l("Send the summaries as an object of language to text.")))
        return {}
    cleaned = {}
    for locale, summary in summaries.items():
        field = f"summaries.{locale}"
        if locale not in supported_locales():
            errors.append(FieldError(field, "unknown_locale", _l("This language is not offered on the site.")))
        elif locale == controlling_locale:
            errors.append(FieldError(field, "controlling_summary",
                                     _l("The summary in the controlling language is the main summary.")))
        elif not (isinstance(summary, str) and not summary.strip()):
            cleaned[locale] = _clean_summary(summary, errors, field)
    return cleaned


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


def validate_draft(texts, summary, effective_from=None, controlling_locale=DEFAULT_CONTROLLING_LOCALE, summaries=None):
    """Return the cleaned ``(texts, summary, effective_from, controlling_locale, summaries)`` or raise PolicyInvalid."""
    errors: list[FieldError] = []
    controlling_locale = _clean_controlling_locale(controlling_locale, errors)
    cleaned_texts = _clean_texts(texts, controlling_locale, errors)
    cleaned_summary = _clean_summary(summary, errors)
    cleaned_summaries = _clean_summaries(summaries, controlling_locale, errors)
    requested = _clean_effective_from(effective_from, errors)
    if errors:
        raise PolicyInvalid(errors)
    return cleaned_texts, cleaned_summary, requested, controlling_locale, cleaned_summaries


def check_effective_from(effective_from: datetime, now: datetime, current: PolicyVersion | None) -> None:
    if effective_from < now:
        raise PolicyInvalid([FieldError(
            "effective_from", "effective_from_before_publication",
            _l("A version cannot take effect before it is published. Choose now or a later instant."))])
    if current and effective_from < current.effective_from:
        raise PolicyInvalid([FieldError(
            "effective_from", "effective_from_before_current",
            _l("A version cannot take effect before the version in force (%(number)d).", number=current.number))])




class _LongDate:
    """An instant formatted in the reader's language when the message is shown, not when raised."""

    def __init__(self, instant: datetime):
        self.instant = instant

    def __str__(self):
        return format_datetime(self.instant, "long")


def check_follows_scheduled(effective_from: datetime, now: datetime, versions) -> None:
    """Refuse a version that would take effect at or before a pending scheduled version."""
    pending = scheduled_blocking(versions, effective_from, now)
    if pending is None:
        return
    raise ServiceError(
        "scheduled_version_pending",
        _l("Version %(number)d is scheduled to take effect on %(date)s. A new version must take effect after it; "
           "to replace it, withdraw version %(number)d first.", number=pending.number,
           date=_LongDate(pending.effective_from)),
        scheduled={"number": pending.number, "effective_from": iso(pending.effective_from)},
    )
