"""PII redaction for anonymous support-chat messages.

Pure, framework-free: no Flask, no I/O, no global state besides compiled
regexes and constant tables.  The privacy policy promises that personal
details are removed before a chat message is stored, so callers run every
incoming message through :func:`redact` and store ``Redaction.text``.

Detectors, applied in this priority order on one text:

1. ``email`` - pragmatic RFC 5322-ish addresses (Unicode letters allowed),
   also inside ``<...>`` and after ``mailto:``.  Obfuscations such as
   "name at example dot com" are deliberately *not* handled.
2. ``iban``  - ISO 13616: a registered country code, check digits and the
   country's exact number (11-30) of alphanumerics, compact or in
   space-separated groups of four, case-insensitive; must pass mod-97.
3. ``card``  - 13-19 digits, optionally separated by single spaces/hyphens,
   passing the Luhn check.
4. ``phone`` - ``phonenumbers.PhoneNumberMatcher`` with ``Leniency.VALID``,
   run with the caller's region hint and without one (so only ``+``-prefixed
   numbers are found when there is no hint).

Every span a detector claims is masked (same length, so offsets stay valid)
before lower-priority detectors run, so findings never overlap and numbers
can never be stitched together across an already-claimed span.

All regexes are written so that the work per start position is bounded by
a constant (bounded quantifiers, unambiguous alternations), which keeps the
scan linear on adversarial input such as 2,000 "a" characters followed by
"@" or very long digit runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

__all__ = [
    "KINDS",
    "DEFAULT_PLACEHOLDERS",
    "Finding",
    "Redaction",
    "find_pii",
    "looks_personal",
    "redact",
]

KINDS: tuple[str, ...] = ("email", "phone", "card", "iban")

DEFAULT_PLACEHOLDERS: Mapping[str, str] = {
    "email": "[e-mail removed]",
    "phone": "[phone number removed]",
    "card": "[card number removed]",
    "iban": "[IBAN removed]",
}


@dataclass(frozen=True)
class Redaction:
    text: str  # the text with each finding replaced by its placeholder
    kinds: tuple[str, ...]  # kinds removed, each once, in KINDS order


@dataclass(frozen=True)
class Finding:
    """One detected piece of personal data: ``text[start:end] == value``."""

    kind: str
    start: int
    end: int
    value: str


# Character used to blank out claimed spans before the next detector runs.
# It is not a word character, not a digit, not a separator any detector
# accepts and not phone punctuation, so it breaks every kind of match.
_MASK = "\u2588"  # FULL BLOCK


# --------------------------------------------------------------------------
# e-mail
# --------------------------------------------------------------------------

# Local part: word characters (Unicode), "%", "+", "-", with dots inside
# (never leading/trailing).  At most 64 characters (RFC 5321), which also
# bounds the backtracking per start position.
_LOCAL = r"[\w%+-](?:[\w.%+-]{0,62}[\w%+-])?"
# Domain label: letters/digits (Unicode), hyphens inside, at most 63 chars.
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
# TLD: punycode, or 2+ ASCII letters, or 2+ non-ASCII letters (IDN TLDs such
# as .рф).  Mixing scripts is not allowed, so "a@b.comпривет" only swallows
# "a@b.com".
_TLD = r"(?:xn--[A-Za-z0-9-]{1,59}|[A-Za-z]{2,63}|[^\W\d_\x00-\x7f]{2,63})"
_EMAIL_RE = re.compile(rf"{_LOCAL}@(?:{_LABEL}\.)+{_TLD}")

# "logo@2x.png" is a retina asset name, not an address.  These extensions
# are not delegated TLDs.
_FILE_EXTENSIONS = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "heic", "avif"}
)


def _find_emails(text: str) -> Iterator[tuple[int, int]]:
    if "@" not in text:
        return
    for m in _EMAIL_RE.finditer(text):
        tld = m.group().rsplit(".", 1)[-1].lower()
        if tld in _FILE_EXTENSIONS:
            continue
        yield m.start(), m.end()


# --------------------------------------------------------------------------
# IBAN
# --------------------------------------------------------------------------

# Total IBAN length per country (SWIFT IBAN registry).
_IBAN_LENGTHS: Mapping[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16,
    "BG": 22, "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22,
    "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22,
    "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21,
    "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26,
    "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

# Start of a candidate: country code + check digits.  Deliberately no
# left-boundary condition: an IBAN glued to a word ("IBAN:DE89...",
# "comDE89...") is still removed, and redacting a neighbour can never reveal
# a new candidate, which keeps redaction idempotent.  Registered country,
# exact length and mod-97 keep false positives rare.  The rest is read by
# hand for exactly the country's length (bounded work per candidate).
_IBAN_HEAD_RE = re.compile(r"[A-Za-z]{2}[0-9]{2}")
_IBAN_SEPARATORS = " \u00a0"


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _iban_valid(compact: str) -> bool:
    """ISO 13616 check of an upper-case IBAN without separators."""
    if _IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    remainder = 0
    for ch in compact[4:] + compact[:4]:
        if "0" <= ch <= "9":
            remainder = (remainder * 10 + ord(ch) - 48) % 97
        elif "A" <= ch <= "Z":
            remainder = (remainder * 100 + ord(ch) - 55) % 97
        else:
            return False
    return remainder == 1


def _read_bban(text: str, i: int, need: int) -> int | None:
    """End of a BBAN of ``need`` characters starting at ``text[i]``.

    Either compact (``need`` alphanumerics right away) or in groups of four
    each preceded by one space (the last group may be shorter).
    """
    n = len(text)
    if i < n and _is_ascii_alnum(text[i]):
        end = i + need
        if end <= n and all(_is_ascii_alnum(ch) for ch in text[i:end]):
            return end
        return None
    j = i
    while need > 0:
        size = min(4, need)
        if j + size >= n or text[j] not in _IBAN_SEPARATORS:
            return None
        if not all(_is_ascii_alnum(ch) for ch in text[j + 1 : j + 1 + size]):
            return None
        j += 1 + size
        need -= size
    return j


def _find_ibans(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    while True:
        m = _IBAN_HEAD_RE.search(text, pos)
        if m is None:
            return
        start = m.start()
        length = _IBAN_LENGTHS.get(text[start : start + 2].upper())
        end = _read_bban(text, m.end(), length - 4) if length else None
        if end is not None:
            compact = "".join(ch for ch in text[start:end] if ch not in _IBAN_SEPARATORS)
            if _iban_valid(compact.upper()):
                yield start, end
                pos = end
                continue
        pos = start + 1


# --------------------------------------------------------------------------
# payment cards
# --------------------------------------------------------------------------

# A run of digits separated by at most one space or hyphen.  Unambiguous,
# so matching is linear; a run ends at anything else.
_DIGIT_RUN_RE = re.compile(r"\d(?:[ -]?\d)*")
_DIGIT_GROUP_RE = re.compile(r"\d+")
_CARD_MIN, _CARD_MAX = 13, 19


def _luhn_valid(digits: str) -> bool:
    total = 0
    for idx, ch in enumerate(reversed(digits)):
        d = int(ch)
        if idx % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_shaped(sizes: list[int]) -> bool:
    """How people write card numbers inside a longer run of digits.

    One compact group, groups of four with a shorter tail (4-4-4-4,
    4-4-4-4-3), or the Amex/Diners 4-6-5 / 4-6-4 layouts.
    """
    if len(sizes) == 1:
        return True
    if all(size == 4 for size in sizes[:-1]):
        return True
    return sizes in ([4, 6, 5], [4, 6, 4])


def _find_cards(text: str) -> Iterator[tuple[int, int]]:
    for run in _DIGIT_RUN_RE.finditer(text):
        run_start = run.start()
        groups = [(g.start() + run_start, g.group()) for g in _DIGIT_GROUP_RE.finditer(run.group())]
        # "+49 1512 3456 7890" is an international phone number, not a card.
        after_plus = run_start > 0 and text[run_start - 1] == "+"
        yield from _cards_in_run(groups, after_plus)


def _cards_in_run(groups: list[tuple[int, str]], after_plus: bool) -> Iterator[tuple[int, int]]:
    """Cards in one run of digit groups (consecutive, one separator apart).

    A run that stands alone (13-19 digits) counts in any separator layout.
    A longer run (two cards, or a card glued to other numbers by a space)
    is searched for the leftmost-longest card-shaped window of whole
    groups; what is left on either side is then treated exactly like a
    standalone run, because that is what it becomes once the window is
    replaced by a placeholder - this keeps redaction idempotent.
    """
    prefix = [0]
    for _, g in groups:
        prefix.append(prefix[-1] + len(g))

    def span(lo: int, hi: int) -> tuple[int, int]:  # groups lo..hi inclusive
        return groups[lo][0], groups[hi][0] + len(groups[hi][1])

    def whole(lo: int, hi: int, at_start: bool) -> bool:
        return (
            _CARD_MIN <= prefix[hi + 1] - prefix[lo] <= _CARD_MAX
            and not (at_start and after_plus)
            and _luhn_valid("".join(g for _, g in groups[lo : hi + 1]))
        )

    lo, hi, at_start = 0, len(groups) - 1, True
    while lo <= hi and prefix[hi + 1] - prefix[lo] >= _CARD_MIN:
        if prefix[hi + 1] - prefix[lo] <= _CARD_MAX:
            if whole(lo, hi, at_start):
                yield span(lo, hi)
            return
        window = None
        for i in range(lo + (1 if at_start and after_plus else 0), hi + 1):
            best = None
            sizes: list[int] = []
            for j in range(i, hi + 1):
                if prefix[j + 1] - prefix[i] > _CARD_MAX:
                    break
                sizes.append(len(groups[j][1]))
                if (
                    prefix[j + 1] - prefix[i] >= _CARD_MIN
                    and _card_shaped(sizes)
                    and _luhn_valid("".join(g for _, g in groups[i : j + 1]))
                ):
                    best = j
            if best is not None:
                window = (i, best)
                break
        if window is None:
            return
        i, j = window
        # Every window inside lo..i-1 was tried above, so the left part can
        # only be a card as a whole.
        if i > lo and whole(lo, i - 1, at_start):
            yield span(lo, i - 1)
        yield span(i, j)
        lo, at_start = j + 1, False


# --------------------------------------------------------------------------
# phone numbers
# --------------------------------------------------------------------------

_SUPPORTED_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)


def _shortest_valid_length(metadata) -> int:
    """The fewest digits of any valid national number the metadata describes."""
    descriptions = [metadata.general_desc, metadata.fixed_line, metadata.mobile, metadata.toll_free,
                    metadata.premium_rate, metadata.shared_cost, metadata.personal_number, metadata.voip,
                    metadata.pager, metadata.uan, metadata.voicemail]
    lengths = [n for desc in descriptions if desc is not None for n in desc.possible_length if n > 0]
    return min(lengths)


# A valid number written nationally has at least its region's shortest length in digits; written
# internationally ("+", or the dialling prefix) also a country code. Texts with fewer digits
# cannot hold a phone number, so the matcher (tens of microseconds) is not run on them.
_SHORTEST_NATIONAL = {
    region: _shortest_valid_length(phonenumbers.PhoneMetadata.metadata_for_region(region))
    for region in _SUPPORTED_REGIONS
}
_SHORTEST_INTERNATIONAL = min(
    [len(str(phonenumbers.country_code_for_region(region))) + length for region, length in _SHORTEST_NATIONAL.items()]
    + [len(str(code)) + _shortest_valid_length(phonenumbers.PhoneMetadata.metadata_for_nongeo_region(code))
       for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS]
)


_FEWEST_PHONE_DIGITS = {region: min(length, _SHORTEST_INTERNATIONAL) for region, length in _SHORTEST_NATIONAL.items()}


def _fewest_phone_digits(region: str | None) -> int:
    """The fewest digits a text needs to hold a phone number the matcher accepts."""
    return _FEWEST_PHONE_DIGITS.get(region, _SHORTEST_INTERNATIONAL)


def _normalize_region(region: str | None) -> str | None:
    """Accept "RU", "ru", "ru-RU", "de_DE"; anything unknown means no hint."""
    if not region or not isinstance(region, str):
        return None
    candidate = region.replace("_", "-").split("-")[-1].strip().upper()
    return candidate if candidate in _SUPPORTED_REGIONS else None


# "#4815162342" / "№ 4815162342" is an order or ticket number, not a phone.
_ID_MARK_RE = re.compile(r"[#№]\s?$")


def _find_phones(text: str, region: str | None) -> Iterator[tuple[int, int]]:
    regions: list[str | None] = [None]
    if region is not None:
        regions.insert(0, region)
    for r in regions:
        for m in PhoneNumberMatcher(text, r, leniency=Leniency.VALID):
            if _ID_MARK_RE.search(text[max(0, m.start - 2) : m.start]):
                continue
            yield m.start, m.end


# --------------------------------------------------------------------------
# orchestration
# --------------------------------------------------------------------------


def _detect(text: str, region: str | None) -> list[Finding]:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    region = _normalize_region(region)
    findings: list[Finding] = []
    masked = text
    phone_digits = _fewest_phone_digits(region)
    digits = sum(map(str.isdigit, text))  # in C: a Python loop over the characters cost more

    def claim(kind: str, spans: Iterable[tuple[int, int]]) -> None:
        nonlocal masked
        taken: list[tuple[int, int]] = []
        # Leftmost first; for equal starts the longest (e.g. the same phone
        # number seen with and without the region hint).
        for start, end in sorted(set(spans), key=lambda se: (se[0], -se[1])):
            if start >= end or (taken and start < taken[-1][1]):
                continue  # empty, or overlaps an earlier finding of this kind
            if _MASK in masked[start:end]:
                continue  # overlaps a higher-priority finding
            taken.append((start, end))
            findings.append(Finding(kind, start, end, text[start:end]))
        if taken:
            parts: list[str] = []
            prev = 0
            for start, end in taken:
                parts.append(masked[prev:start])
                parts.append(_MASK * (end - start))
                prev = end
            parts.append(masked[prev:])
            masked = "".join(parts)

    # Cheap pre-checks skip detectors that cannot match.
    claim("email", _find_emails(masked))
    if digits >= 2:
        claim("iban", _find_ibans(masked))
    if digits >= _CARD_MIN:
        claim("card", _find_cards(masked))
    if digits >= phone_digits:
        claim("phone", _find_phones(masked, region))
    findings.sort(key=lambda f: f.start)
    return findings


def find_pii(text: str, region: str | None = None) -> tuple[Finding, ...]:
    """All findings in ``text``, sorted by position, never overlapping."""
    return tuple(_detect(text, region))


def _kinds_of(findings: Iterable[Finding]) -> tuple[str, ...]:
    present = {f.kind for f in findings}
    return tuple(k for k in KINDS if k in present)


def _resolve_placeholders(placeholders: Mapping[str, str] | None) -> dict[str, str]:
    resolved = dict(DEFAULT_PLACEHOLDERS)
    if placeholders:
        unknown = set(placeholders) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown PII kind(s) in placeholders: {sorted(unknown)}")
        for kind, value in placeholders.items():
            if not isinstance(value, str):
                raise TypeError(f"placeholder for {kind!r} must be str")
            resolved[kind] = value
    return resolved


def redact(
    text: str,
    placeholders: Mapping[str, str] | None = None,
    region: str | None = None,
) -> Redaction:
    """Replace personal details in ``text`` by per-kind placeholders.

    ``region`` is an ISO 3166 alpha-2 hint ("RU", "DE"; "ru-RU" is accepted)
    for phone numbers written without the international ``+`` prefix.
    """
    chosen = _resolve_placeholders(placeholders)
    findings = _detect(text, region)
    if not findings:
        return Redaction(text=text, kinds=())
    parts: list[str] = []
    prev = 0
    for f in findings:
        parts.append(text[prev : f.start])
        parts.append(chosen[f.kind])
        prev = f.end
    parts.append(text[prev:])
    return Redaction(text="".join(parts), kinds=_kinds_of(findings))


def looks_personal(text: str, region: str | None = None) -> tuple[str, ...]:
    """Kinds of personal data present in ``text`` (same detectors as redact).

    Cheap enough for live "you are about to share personal data" hints:
    detectors are skipped when the text cannot contain their kind.
    """
    return _kinds_of(_detect(text, region))
