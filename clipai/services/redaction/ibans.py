"""IBANs (ISO 13616): a registered country, its exact length and structure, mod-97.

The country table and the checks come from python-stdnum, which follows the SWIFT registry.
People write an IBAN compact, in groups of four, with dashes, or with the country apart
("DE 89 3704 …"); any single space or hyphen between two characters is accepted, in either
case. The reader takes exactly the country's number of characters (bounded work per
candidate); the country's structure (digits where digits belong) and mod-97 keep false
positives rare.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from stdnum import iban, numdb

# Start of a candidate: country code + check digits. Deliberately no left-boundary condition: an
# IBAN glued to a word ("IBAN:DE89...") is still removed, and redacting a neighbour can never
# reveal a new candidate, which keeps redaction idempotent.
_HEAD_RE = re.compile(r"[A-Za-z]{2}[ -]?[0-9]{2}")
_SEPARATORS = " -"
_BBAN_PART_RE = re.compile(r"(\d+)!?[nac]")
_IBANS = numdb.get("iban")


@lru_cache(maxsize=None)
def iban_length(country: str) -> int | None:
    """Total IBAN length of a country (``None``: no IBAN there), from the registry's BBAN format."""
    properties = _IBANS.info(country)[0][1]
    parts = _BBAN_PART_RE.findall(properties.get("bban", ""))
    return 4 + sum(int(size) for size in parts) if parts else None


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _read_bban(text: str, i: int, need: int) -> int | None:
    """End of ``need`` alphanumerics from ``text[i]``, each optionally after one separator."""
    n = len(text)
    for _ in range(need):
        if i < n and text[i] in _SEPARATORS:
            i += 1
        if i >= n or not _is_ascii_alnum(text[i]):
            return None
        i += 1
    return i


def _iban_end(text: str, head: re.Match) -> int | None:
    length = iban_length(head.group()[:2].upper())
    end = _read_bban(text, head.end(), length - 4) if length else None
    if end is None:
        return None
    compact = "".join(char for char in text[head.start() : end] if _is_ascii_alnum(char))
    return end if iban.is_valid(compact, check_country=False) else None


def find_ibans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of IBANs in ``text``."""
    pos = 0
    while (head := _HEAD_RE.search(text, pos)) is not None:
        end = _iban_end(text, head)
        if end is None:
            pos = head.start() + 1
        else:
            yield head.start(), end
            pos = end
