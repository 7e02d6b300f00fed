"""The copy of a message the detectors read, with a map back to the original positions.

People type the same details in many spellings: full-width letters from an East Asian keyboard,
no-break and thin spaces from word processors (French typography puts U+202F between digit
groups), typographic dashes, zero-width characters pasted along with a number, Arabic-Indic
digits. The detectors match on one spelling (NFKC, no invisible characters, one kind of space
and dash, ASCII digits) and the redaction replaces the corresponding span of the original, so
everything outside a finding stays exactly as typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Invisible characters that split a number or an address without showing: zero-width space,
# non-joiner and joiner, word joiner, BOM; also the direction marks Arabic text carries and the
# soft hyphen, which are just as invisible.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u00ad")
# Hyphens, dashes and minus signs NFKC leaves as they are.
DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63")

# Blanks out claimed spans before the next detector runs. It is not a word character, not a
# digit, not a separator any detector accepts and not phone punctuation, so it breaks every
# kind of match, as the placeholder that will replace the span does.
MASK = "\u2588"  # FULL BLOCK

# Anything the slow path would change. Plain ASCII text without double spaces and tabs, and most
# Cyrillic or Arabic text, never matches, so the copy is the text itself.
_NEEDS_WORK = re.compile(
    "[" + "".join(INVISIBLE | DASHES) + r"]|[^\S \n]|  |(?![0-9])\d"
)


@dataclass(frozen=True)
class Normalized:
    """``text`` is the copy; its character ``i`` came from ``original[starts[i]:ends[i]]``."""

    text: str
    starts: tuple[int, ...] | None = None  # None: the copy is the original itself
    ends: tuple[int, ...] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original that ``text[start:end]`` came from."""
        if self.starts is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def normalize(original: str) -> Normalized:
    """The matching copy of ``original`` (see the module docstring)."""
    if not _NEEDS_WORK.search(original) and unicodedata.is_normalized("NFKC", original):
        return Normalized(original)
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in _clusters(original):
        for char in _spell(original[start:end]):
            if char == " " and chars and chars[-1] == " ":
                ends[-1] = end  # a run of spaces becomes one space
                continue
            chars.append(char)
            starts.append(start)
            ends.append(end)
    return Normalized("".join(chars), tuple(starts), tuple(ends))


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each of the (non-overlapping or overlapping) ``spans`` blanked out."""
    for start, end in spans:
        text = text[:start] + MASK * (end - start) + text[end:]
    return text


def _clusters(text: str):
    """Spans of one character with the combining marks after it (NFKC composes them)."""
    start, n = 0, len(text)
    while start < n:
        end = start + 1
        while end < n and unicodedata.combining(text[end]) and text[start] not in INVISIBLE:
            end += 1
        yield start, end
        start = end


def _spell(cluster: str) -> str:
    if cluster in INVISIBLE:
        return ""
    return "".join(_unify(char) for char in unicodedata.normalize("NFKC", cluster))


def _unify(char: str) -> str:
    if char in DASHES:
        return "-"
    if char != "\n" and char.isspace():
        return " "
    digit = unicodedata.decimal(char, None)
    return char if digit is None else str(digit)
