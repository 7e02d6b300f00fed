"""PII redaction for anonymous support-chat messages.

Pure, framework-free: no Flask, no I/O, no global state besides compiled regexes and constant
tables. The privacy policy promises that personal details are removed before a chat message
is stored, so callers run every incoming message through :func:`redact` and store
``Redaction.text``. The placeholders are the caller's (the chat's are translated, in
``clipai.services.conversations.posting``).

The detectors read a normalized copy of the message (:mod:`.normalize`: NFKC, no invisible
characters, one kind of space and dash, ASCII digits); each finding replaces the span of the
original it came from, so the rest of the message stays exactly as typed. They run in this
priority order:

1. ``email`` (:mod:`.emails`)
2. ``iban``  (:mod:`.ibans`): registered country, exact length and structure, mod-97
3. ``card``  (:mod:`.cards`): 13-19 digits grouped like a card, Luhn
4. ``phone`` (:mod:`.phones`): international, national for the region hint, and national
   with a trunk prefix for every region the site's locales imply

Every span a detector claims is masked before lower-priority detectors run, so findings never
overlap and numbers can never be stitched together across an already-claimed span.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from .cards import CARD_MIN, find_cards
from .emails import find_emails
from .ibans import find_ibans
from .normalize import MASK, Normalized, mask, normalize
from .phones import fewest_phone_digits, find_phones, normalize_region

__all__ = ["KINDS", "Redaction", "redact"]

KINDS: tuple[str, ...] = ("email", "phone", "card", "iban")

@dataclass(frozen=True)
class Redaction:
    text: str  # the text with each finding replaced by its placeholder
    kinds: tuple[str, ...]  # kinds removed, each once, in KINDS order


@dataclass(frozen=True)
class Finding:
    """One detected piece of personal data: ``text[start:end]`` of the original text."""

    kind: str
    start: int
    end: int


class _Claims:
    """Spans of the normalized copy claimed so far, and the copy with them masked."""

    def __init__(self, copy: str):
        self.masked = copy
        self.spans: list[tuple[str, int, int]] = []

    def claim(self, kind: str, spans: Iterable[tuple[int, int]]) -> None:
        taken: list[tuple[int, int]] = []
        # Leftmost first; for equal starts the longest (e.g. the same phone number seen with and
        # without the region hint).
        for start, end in sorted(set(spans), key=lambda se: (se[0], -se[1])):
            if start >= end or (taken and start < taken[-1][1]):
                continue  # empty, or overlaps an earlier finding of this kind
            if MASK in self.masked[start:end]:
                continue  # overlaps a higher-priority finding
            taken.append((start, end))
            self.spans.append((kind, start, end))
        self.masked = mask(self.masked, taken)


def _claim_all(copy: str, region: str | None) -> list[tuple[str, int, int]]:
    claims = _Claims(copy)
    digits = sum(map(str.isdigit, copy))  # in C: a Python loop over the characters cost more
    # Cheap pre-checks skip detectors that cannot match.
    claims.claim("email", find_emails(claims.masked))
    if digits >= 2:
        claims.claim("iban", find_ibans(claims.masked))
    if digits >= CARD_MIN:
        claims.claim("card", find_cards(claims.masked))
    if digits >= fewest_phone_digits(region):
        claims.claim("phone", find_phones(claims.masked, region))
    return claims.spans


def _in_original(copy: Normalized, spans: list[tuple[str, int, int]]) -> list[Finding]:
    findings: list[Finding] = []
    for kind, start, end in sorted(spans, key=lambda span: span[1]):
        start, end = copy.original_span(start, end)
        if findings and start < findings[-1].end:
            continue  # two findings from one character that NFKC spelled as several
        findings.append(Finding(kind, start, end))
    return findings


def _detect(text: str, region: str | None) -> list[Finding]:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    copy = normalize(text)
    return _in_original(copy, _claim_all(copy.text, normalize_region(region)))


def _kinds_of(findings: Iterable[Finding]) -> tuple[str, ...]:
    present = {f.kind for f in findings}
    return tuple(k for k in KINDS if k in present)


def _check_placeholders(placeholders: Mapping[str, str]) -> None:
    if set(placeholders) != set(KINDS):
        raise ValueError(f"placeholders must name exactly the kinds {KINDS}, not {sorted(placeholders)}")
    for kind, value in placeholders.items():
        if not isinstance(value, str):
            raise TypeError(f"placeholder for {kind!r} must be str")


def redact(text: str, placeholders: Mapping[str, str], region: str | None = None) -> Redaction:
    """Replace personal details in ``text`` by ``placeholders[kind]`` (one for each of ``KINDS``).

    ``region`` is an ISO 3166 alpha-2 hint ("RU", "DE"; "ru-RU" is accepted) for phone numbers
    written nationally in any layout; national numbers of the site's regions are found without
    it when they carry their trunk prefix (see :mod:`.phones`).
    """
    _check_placeholders(placeholders)
    findings = _detect(text, region)
    if not findings:
        return Redaction(text=text, kinds=())
    parts: list[str] = []
    prev = 0
    for f in findings:
        parts.append(text[prev : f.start])
        parts.append(placeholders[f.kind])
        prev = f.end
    parts.append(text[prev:])
    return Redaction(text="".join(parts), kinds=_kinds_of(findings))

